"""Response headers every page gets (no sniffing, no framing, a strict content policy), and which
parts of a request are believed: the Host (TRUSTED_HOSTS) and the proxies' X-Forwarded-For."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_host

UNTRUSTED_HOST = "不受信任的主机名（Host 请求头），请通过本站的正式网址访问"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Pages use no scripts at all; inline styles only.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
}


def _add_headers(resp: Response) -> Response:
    for name, value in HEADERS.items():
        resp.headers.setdefault(name, value)
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
            return _add_headers(Response(body, 400, mimetype=mimetype))(environ, start_response)
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
    # TRUSTED_HOSTS: PUBLIC_BASE_URL's host and LYXY_TRUSTED_HOSTS (app/config.py).
    app.wsgi_app = TrustedHostsMiddleware(app.wsgi_app, app.config["TRUSTED_HOSTS"])
    # X-Forwarded-For/-Proto are believed only from the PROXY_HOPS proxies that really exist
    # (werkzeug ProxyFix takes the n-th address from the right): with 0, a client cannot pick
    # its own address and so its own rate-limit key. X-Forwarded-Host is never believed.
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,
                                x_host=0, x_port=0, x_prefix=0)
