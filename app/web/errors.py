"""One error shape for the whole site, served as JSON or as a Chinese HTML page."""

from __future__ import annotations

import re

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.archive.intake import IntakeRejected, IntakeUnavailable
from app.documents.fonts import UncoverableCharacter
from app.domain.errors import FieldError, FieldErrors
from app.services.commitments import DocumentNotFound, OriginalMissing
from app.stamping.types import StampingError
from app.web.jsonbody import JsonBodyRefused

MESSAGES = {
    400: "请求有误",
    401: "请先登录或提供有效的接口密钥",
    403: "无权访问",
    404: "未找到您要访问的页面或文书",
    405: "不支持该请求方法",
    413: "上传的文件过大",
    415: "不支持的内容类型",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后再试",
}
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type", 429: "rate_limited",
         500: "internal_error"}


_LIMIT = re.compile(r"(\d+) per (\d+ )?(second|minute|hour|day)s?")
_UNITS = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}


def rate_limit_zh(description: str) -> str:
    """Flask-Limiter's "30 per 1 hour" as "（限制：每小时30次）"; nothing for what it cannot read."""
    match = _LIMIT.fullmatch(description.strip())
    if match is None:
        return ""
    count, span, unit = match.groups()
    span = (span or "1").strip()
    return f"（限制：每{'' if span == '1' else span}{_UNITS[unit]}{count}次）"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > \
        request.accept_mimetypes["text/html"]


def error_response(status: int, code: str, message: str,
                   fields: dict[str, str] | None = None) -> Response:
    if wants_json():
        body: dict[str, object] = {"error": code, "message": message}
        if fields is not None:
            body["fields"] = fields
        resp = jsonify(body)
    else:
        resp = Response(render_template("error.html", status=status, message=message,
                                        fields=fields or {}), mimetype="text/html")
    resp.status_code = status
    return resp


def field_errors_response(exc: FieldErrors) -> Response:
    fields = dict(exc.fields)
    message = "；".join(fields.values())
    return error_response(400, "invalid_fields", message, fields)


def init_app(app: Flask) -> None:
    @app.errorhandler(FieldErrors)
    def _field_errors(exc: FieldErrors) -> Response:
        return field_errors_response(exc)

    @app.errorhandler(FieldError)
    def _field_error(exc: FieldError) -> Response:
        return field_errors_response(FieldErrors({exc.field: exc.message}))

    @app.errorhandler(UncoverableCharacter)
    def _uncoverable(exc: UncoverableCharacter) -> Response:
        field = exc.field or "text"
        return error_response(400, "uncoverable_character", str(exc), {field: str(exc)})

    @app.errorhandler(IntakeUnavailable)
    def _intake_down(exc: IntakeUnavailable) -> Response:
        app.logger.error("PDF intake workers cannot start")
        return error_response(503, exc.code, exc.message)

    @app.errorhandler(IntakeRejected)
    def _intake(exc: IntakeRejected) -> Response:
        return error_response(413 if exc.code == "too_large" else 400, exc.code, exc.message,
                              {"file": exc.message})

    @app.errorhandler(JsonBodyRefused)
    def _json_body(exc: JsonBodyRefused) -> Response:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(StampingError)
    def _stamping(exc: StampingError) -> Response:
        return error_response(400, exc.code, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Response:
        return error_response(400, "csrf_failed", "页面已过期或缺少安全令牌，请刷新页面后重新提交")

    @app.errorhandler(DocumentNotFound)
    def _not_found(exc: DocumentNotFound) -> Response:
        return error_response(404, "not_found", f"未找到编号为“{exc.args[0]}”的文书")

    @app.errorhandler(OriginalMissing)
    def _original_missing(exc: OriginalMissing) -> Response:
        # Never a re-render in its place: it would not hash to the issued sha256.
        app.logger.error("archived original missing: %s sha256=%s", exc.number, exc.sha256)
        return error_response(500, "original_missing",
                              f"编号为“{exc.number}”的文书存档原件缺失或已损坏，暂无法提供；"
                              "请联系凌源市发展和改革局（系统不会以重新生成的文件代替原件）")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        message = MESSAGES.get(status, exc.description or "请求有误")
        if status == 429:
            message = MESSAGES[429] + rate_limit_zh(exc.description or "")
        return error_response(status, CODES.get(status, "http_error"), message)

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        app.logger.exception("unhandled error")
        return error_response(500, "internal_error", MESSAGES[500])
