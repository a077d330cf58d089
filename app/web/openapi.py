"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json, generated from the code.

Each view declares its contract next to it with ``@documented(...)`` (summary, request and
response models from ``app.web.api_schemas``, the error statuses it answers); ``openapi_spec``
walks ``app.url_map`` and adds what the code already says: path parameters and their types from
the rule, Bearer authentication where the view is wrapped by ``api_key_required``, and the errors
every request can meet (credentials in the URL, body size caps, failed keys).
A ``/api/v1`` rule without a declaration is left out, and tests/web/test_openapi.py fails.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from flask import Flask, current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from app.web.api_schemas import Error, StampOperations
from app.web.converters import MAX_ROW_ID

REF = "#/components/schemas/{model}"
BINARY = {"type": "string", "format": "binary"}
_RULE_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "default": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
    "string": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
    "int": {"type": "integer", "minimum": 0, "maximum": MAX_ROW_ID},
    "path": {"type": "string", "minLength": 1},
}


@dataclass(frozen=True)
class Reply:
    """One successful answer of a view."""

    description: str
    model: type[BaseModel] | None = None
    """The JSON body's model; ``None`` with ``media_type`` for a file."""
    media_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    """Response header -> its Chinese description (e.g. ``Location``)."""


@dataclass(frozen=True)
class ApiDoc:
    """What ``@documented`` attaches to a view (as ``view.api_doc``)."""

    summary: str
    tag: str
    responses: Mapping[int, Reply]
    errors: Mapping[int, str]
    description: str = ""
    json_body: type[BaseModel] | None = None
    form_body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path: Mapping[str, str | tuple[str, dict[str, Any]]] = field(default_factory=dict)
    """Path parameter -> description, or (description, extra schema keywords)."""
    methods: tuple[str, ...] | None = None
    """Only these methods of the rule are described (None: all but HEAD and OPTIONS)."""
    errors_as: Literal["json", "html"] = "json"
    """How the view's errors are served: JSON under /api/, an HTML page elsewhere."""


def documented(*, summary: str, tag: str, responses: Mapping[int, Reply],
               errors: Mapping[int, str] | None = None, **more: Any) -> Callable:
    """Attach the view's API contract (``ApiDoc``); put it right below the route decorator."""
    doc = ApiDoc(summary=summary, tag=tag, responses=responses, errors=errors or {}, **more)

    def mark(view: Callable) -> Callable:
        view.api_doc = doc  # type: ignore[attr-defined]
        return view
    return mark


INFO_DESCRIPTION = """凌源市信用承诺书的出具与核验、盖章、公示备案、信用核查和信用服务机构报告的接口。

**认证**：标注了 bearerAuth 的接口须在请求头中提供接口密钥 `Authorization: Bearer <key>`
（密钥由管理员以 `flask create-api-key` 为接受承诺单位或信用服务机构创建）。密钥不得放在网址中：
查询参数中出现 api_key、token 等凭据时请求被拒绝（400 credentials_in_url）。
密钥验证失败次数过多时返回 429 并带 Retry-After。未标注认证的接口是公开的。

**错误**：所有错误统一为 JSON `{error, message, fields}`（见 Error）：error 为稳定的错误代码，
message 为中文说明，fields 为字段名到中文说明的映射（仅字段错误时出现）。

**单位**：长度单位为毫米，坐标原点在页面（按显示方向）的左上角，x 向右、y 向下；日期为 YYYY-MM-DD。

本文档由代码生成（app/web/openapi.py 与 app/web/api_schemas.py）。"""


def openapi_spec(app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document for ``app`` (default: the current app), built once per app
    (about 50 ms: the routes do not change once the app is made)."""
    app = app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]
    if "lyxy_openapi" not in app.extensions:
        app.extensions["lyxy_openapi"] = _build(app)
    return copy.deepcopy(app.extensions["lyxy_openapi"])


def _build(app: Flask) -> dict[str, Any]:
    documented_rules = _documented_rules(app)
    models: set[tuple[type[BaseModel], Literal["validation", "serialization"]]] = {
        (Error, "serialization"), (StampOperations, "validation")}  # see StampJobForm
    for _rule, _view, doc in documented_rules:
        models |= {(m, "validation") for m in (doc.json_body, doc.form_body, doc.query) if m}
        models |= {(r.model, "serialization") for r in doc.responses.values() if r.model}
    refs, defs = models_json_schema(sorted(models, key=lambda m: (m[0].__name__, m[1])),
                                    ref_template=REF)
    schemas = defs.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for rule, view, doc in documented_rules:
        methods = doc.methods or sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        for method in methods:
            paths.setdefault(_RULE_ARG.sub(r"{\2}", rule.rule), {})[method.lower()] = _operation(
                app, rule.rule, view, doc, refs, schemas)
    for _rule, _view, doc in documented_rules:
        if doc.query is not None:
            schemas.pop(doc.query.__name__, None)  # expanded into parameters
    return {
        "openapi": "3.1.0",
        "info": {"title": "信用文书服务 API", "version": "1.0.0", "description": INFO_DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": [{"name": name} for name in dict.fromkeys(d.tag for _r, _v, d in documented_rules)],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer", "bearerFormat": "lyxy_<前缀>_<密钥>",
                "description": "接口密钥：Authorization: Bearer <key>"}},
        },
    }


def _documented_rules(app: Flask) -> list[tuple[Rule, Callable, ApiDoc]]:
    """(rule, view, its ApiDoc) for every rule whose view is ``@documented``, by path."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        doc = getattr(view, "api_doc", None)
        if view is not None and isinstance(doc, ApiDoc):
            found.append((rule, view, doc))
    return found


def _operation(app: Flask, rule: str, view: Callable, doc: ApiDoc,
               refs: Mapping[tuple[type[BaseModel], str], dict[str, Any]],
               schemas: dict[str, Any]) -> dict[str, Any]:
    keyed = bool(getattr(view, "requires_api_key", False))
    optional = bool(getattr(view, "accepts_api_key", False))  # public, more with a unit's key
    op: dict[str, Any] = {"summary": doc.summary, "tags": [doc.tag],
                          "operationId": view.__name__,
                          "security": [{"bearerAuth": []}] if keyed
                          else [{}, {"bearerAuth": []}] if optional else []}
    if doc.description:
        op["description"] = doc.description
    params = [_path_param(name, converter, doc) for converter, name in _RULE_ARG.findall(rule)]
    if doc.query is not None:
        params += _query_params(schemas[doc.query.__name__])
    if params:
        op["parameters"] = params
    body, media = ((doc.json_body, "application/json") if doc.json_body is not None
                   else (doc.form_body, "multipart/form-data"))
    if body is not None:
        op["requestBody"] = {"required": True, "content": {media: {
            "schema": refs[(body, "validation")]}}}
    op["responses"] = {**_successes(doc, refs), **_failures(app, doc, keyed)}
    return op


def _successes(doc: ApiDoc, refs: Mapping[tuple[type[BaseModel], str], dict[str, Any]]
               ) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, reply in sorted(doc.responses.items()):
        if reply.model is not None:
            schema = refs[(reply.model, "serialization")]
        else:  # a file, or a JSON document of its own (this one)
            schema = {"type": "object"} if reply.media_type == "application/json" else BINARY
        responses[str(status)] = {"description": reply.description,
                                  "content": {reply.media_type: {"schema": schema}}}
        if reply.headers:
            responses[str(status)]["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in reply.headers.items()}
    return responses


ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"description": 'Bearer realm="lyxy"', "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "可重试前等待的秒数", "schema": {"type": "string"}}},
}


def _failures(app: Flask, doc: ApiDoc, keyed: bool) -> dict[str, Any]:
    if doc.errors_as == "json":
        content = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    else:
        content = {"text/html": {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {}
    for status, texts in sorted(_errors(app, doc, keyed).items()):
        responses[str(status)] = {"description": "；".join(texts), "content": content}
        if status in ERROR_HEADERS:
            responses[str(status)]["headers"] = ERROR_HEADERS[status]
    return responses


def _errors(app: Flask, doc: ApiDoc, keyed: bool) -> dict[int, list[str]]:
    """The view's own error statuses plus those the code around it answers."""
    found: dict[int, list[str]] = {status: [text] for status, text in doc.errors.items()}

    def add(status: int, text: str) -> None:
        found.setdefault(status, []).append(text)

    if keyed:
        add(401, "缺少或无效的接口密钥（unauthorized）")
        add(429, "接口密钥验证失败次数过多（rate_limited），请按 Retry-After 等待")
    if doc.json_body is not None:
        add(400, "请求体不是JSON对象或嵌套过深（invalid_json）")
        add(413, f"JSON请求体超过 {app.config['API_JSON_MAX_BYTES'] // 1024} KB（too_large）")
    if doc.form_body is not None:
        add(413, f"请求体超过 {app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB（too_large）")
    add(400, "查询参数中含有凭据，如 api_key、token（credentials_in_url）；路径、查询参数、"
             "表单或JSON中含有 NUL 字符（invalid_characters）")
    return found


def _path_param(name: str, converter: str, doc: ApiDoc) -> dict[str, Any]:
    declared = doc.path.get(name, "")
    text, extra = declared if isinstance(declared, tuple) else (declared, {})
    schema = {**_CONVERTER_SCHEMAS.get(converter or "default", {"type": "string"}), **extra}
    return {"name": name, "in": "path", "required": True, "description": text, "schema": schema}


def _query_params(model_schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    required = set(model_schema.get("required", ()))
    params = []
    for name, prop in model_schema.get("properties", {}).items():
        schema = {k: v for k, v in prop.items() if k not in ("description", "title", "default")}
        kinds = [s for s in schema.pop("anyOf", ()) if s != {"type": "null"}]  # absent, not null
        schema = {**schema, **kinds[0]} if len(kinds) == 1 else (
            {**schema, "anyOf": kinds} if kinds else schema)
        params.append({"name": name, "in": "query", "required": name in required,
                       "description": prop.get("description", ""), "schema": schema})
    return params
