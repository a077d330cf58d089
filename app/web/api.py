"""JSON API v1: a contract other systems code against (keep the names stable)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for
from sqlalchemy import text

from app.db import get_session
from app.documents.fonts import check_fonts
from app.ratelimit import limit_commitment_creation
from app.services import commitments as svc
from app.web.common import archive, base_url, public_view, secret, today
from app.web.errors import error_response
from app.web.openapi import openapi_spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.post("/commitments")
@limit_commitment_creation()
def create_commitment() -> Response:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return error_response(400, "invalid_json", "请求体应为JSON对象（Content-Type: application/json）")
    session = get_session()
    try:
        issued = svc.issue_commitment(session, data, secret=secret(), base_url=base_url(),
                                      archive=archive(), today=today())
        session.commit()
    except Exception:
        session.rollback()
        raise
    rec = issued.record
    root = base_url().rstrip("/")
    code = rec.verification_code
    body = {
        "number": rec.number,
        "verification_code": code,
        "sha256": rec.sha256,
        "pdf_url": f"{root}/commitments/{rec.number}.pdf?c={code}",
        "docx_url": f"{root}/commitments/{rec.number}.docx?c={code}",
        "verify_url": f"{root}/verify/{rec.number}?c={code}",
    }
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.get_document", number=rec.number)
    return resp


@bp.get("/documents/<number>")
def get_document(number: str) -> Response:
    return jsonify(public_view(svc.find_document(get_session(), number)))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_spec())


def healthz() -> tuple[Response, int]:
    checks: dict[str, str] = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never crash the probe
        current_app.logger.warning("healthz database: %s", exc)
        checks["database"] = "error"
    problems = check_fonts(verify_checksums=False)
    checks["fonts"] = "ok" if not problems else "error"
    ok = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ok else "error", **checks}), 200 if ok else 503


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", healthz)
