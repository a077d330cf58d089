"""Response headers every page gets (no sniffing, no framing, a strict content policy, and
``Cache-Control: no-store`` on everything that carries personal data), and which parts of a
request are believed: the Host (TRUSTED_HOSTS) and the proxies' X-Forwarded-For."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_host

from app.web import converters
from app.web.errors import error_response
from app.web.jsonbody import NUL_REFUSED

UNTRUSTED_HOST = "不受信任的主机名（Host 请求头），请通过本站的正式网址访问"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Pages use no scripts at all; inline styles only.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}
NO_STORE = "no-store"
NO_STORE_PREFIXES = ("/staff", "/agency", "/login", "/logout")
"""Issue 10 §1: every staff and agency page and file (filing originals and previews with the
full ID, stamp jobs, certificates), and the login page."""
NO_STORE_ENDPOINTS = frozenset({
    "public.show_commitment", "public.download_commitment",  # the letter with the full ID (c=)
    "public.create_commitment",  # a refused form echoes the typed ID number
    "api.create_commitment",  # answers the verification code, the key to the full letter
})


def mark_no_store() -> None:
    """Mark the current response as personal (for a view outside the rules below)."""
    g.no_store = True


def carries_personal_data() -> bool:
    """Whether the response to this request may carry personal data, so that no browser or
    proxy may keep a copy: staff/agency areas, the applicant's letter, any request made with an
    API key or by a signed-in account, and views marked with ``mark_no_store``."""
    if g.get("no_store") or g.get("api_key") is not None or g.get("user") is not None:
        return True
    path = request.path
    if any(path == p or path.startswith(p + "/") for p in NO_STORE_PREFIXES):
        return True
    return request.endpoint in NO_STORE_ENDPOINTS


def _set_common_headers(resp: Response) -> Response:
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
    return resp


def _add_headers(resp: Response) -> Response:
    _set_common_headers(resp)
    if carries_personal_data():
        # replaces send_file's "public, max-age=3600" on previews that show the full ID
        resp.headers["Cache-Control"] = NO_STORE
        resp.headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
        resp.headers.pop("Expires", None)
    return resp


class TrustedHostsMiddleware:
    """400 for a Host outside ``trusted_hosts``, before Flask builds anything from it.

    Flask's own TRUSTED_HOSTS check (also set) fails while the request context is made, where
    the error pages, which link with url_for, cannot be rendered; this answers first."""

    def __init__(self, wsgi_app: Callable, trusted_hosts: list[str]) -> None:
        self.wsgi_app = wsgi_app
        self.trusted_hosts = trusted_hosts

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        try:
            get_host(environ, self.trusted_hosts)
        except SecurityError:
            if environ.get("PATH_INFO", "").startswith("/api/"):
                body = json.dumps({"error": "untrusted_host", "message": UNTRUSTED_HOST},
                                  ensure_ascii=False)
                mimetype = "application/json"
            else:
                body = ("<!doctype html><meta charset=utf-8><title>请求有误</title>"
                        f"<p>{escape(UNTRUSTED_HOST)}</p>")
                mimetype = "text/html"
            return _set_common_headers(Response(body, 400, mimetype=mimetype))(environ, start_response)
        return self.wsgi_app(environ, start_response)


def refuse_nul_characters() -> Response | None:
    """400 ``invalid_characters`` for a NUL character in a path segment, query argument or form
    field: no text the service keeps may hold one, and PostgreSQL refuses it even in a lookup
    (it was a 500 there). JSON bodies are checked by ``app.web.jsonbody.json_object``."""
    values = [*(request.view_args or {}).items(), *request.args.items(multi=True),
              *request.form.items(multi=True)]
    found = sorted({name for name, value in values if isinstance(value, str) and "\x00" in value})
    if not found:
        return None
    return error_response(400, "invalid_characters", NUL_REFUSED, dict.fromkeys(found, NUL_REFUSED))


def init_app(app: Flask) -> None:
    """Before the blueprints (create_app's order): their ``<int:>`` rules take the bounded converter."""
    app.after_request(_add_headers)
    app.before_request(refuse_nul_characters)
    converters.init_app(app)
    # TRUSTED_HOSTS: PUBLIC_BASE_URL's host and LYXY_TRUSTED_HOSTS (app/config.py).
    app.wsgi_app = TrustedHostsMiddleware(app.wsgi_app, app.config["TRUSTED_HOSTS"])
    # X-Forwarded-For/-Proto are believed only from the PROXY_HOPS proxies that really exist
    # (werkzeug ProxyFix takes the n-th address from the right): with 0, a client cannot pick
    # its own address and so its own rate-limit key. X-Forwarded-Host is never believed.
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,
                                x_host=0, x_port=0, x_prefix=0)
