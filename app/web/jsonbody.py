"""JSON request bodies with limits: size (413 before reading), nesting depth, one object."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.domain.bounded_json import InvalidJson, loads_bounded
from app.domain.errors import FieldError

NUL_REFUSED = "请求中含有不允许的控制字符（NUL）"


class JsonBodyRefused(Exception):
    """The request body cannot be used; ``errors.init_app`` answers it in one error shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_object(hint: str = "请求体应为JSON对象（Content-Type: application/json）") -> dict[str, object]:
    """The request's JSON object, read only if it fits ``API_JSON_MAX_BYTES`` (64 KB).

    A declared ``Content-Length`` over the cap is refused before any byte is read; a chunked
    body is read no further than one byte past the cap. Nothing is normalised here:
    the domain bounds each field's length before normalising it.

    :param hint: the Chinese message for a body that is not a JSON object.
    :raises FieldError: a non-finite number (NaN, Infinity), on its key.
    :raises JsonBodyRefused: 413 ``too_large``; 400 ``invalid_json`` (not JSON, too deep,
        not an object); 400 ``invalid_characters`` (a NUL character in a key or string).
    """
    cap = current_app.config["API_JSON_MAX_BYTES"]
    too_large = JsonBodyRefused(413, "too_large", f"请求体过大：JSON请求不能超过{cap // 1024} KB")
    if not request.is_json:
        raise JsonBodyRefused(400, "invalid_json", hint)
    if request.content_length is not None and request.content_length > cap:
        raise too_large
    # A chunked body has no length: Werkzeug stops reading at the limit without a word, so
    # read one byte more than the cap to tell "exactly the cap" from "more".
    request.max_content_length = cap + 1
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(raw) > cap:
        raise too_large
    try:
        data = loads_bounded(raw)
    except InvalidJson as exc:
        if exc.field:  # NaN / Infinity: the field's own 400, as for any bad value
            raise FieldError(exc.field, exc.message) from None
        raise JsonBodyRefused(400, "invalid_json", exc.message if exc.too_deep
                              else f"{hint}；{exc.message}") from None
    if not isinstance(data, dict):
        raise JsonBodyRefused(400, "invalid_json", hint)
    if holds_nul(data):  # PostgreSQL refuses NUL in text, even in a lookup (app.web.security)
        raise JsonBodyRefused(400, "invalid_characters", NUL_REFUSED)
    return data


def holds_nul(value: object) -> bool:
    """A NUL character in any key or string of ``value`` (depth is bounded by loads_bounded)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False
