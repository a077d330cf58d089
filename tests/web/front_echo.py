"""A WSGI app for tests/web/test_front.py: answers with what reached it (headers, body size)."""

from __future__ import annotations

import json


def app(environ, start_response):
    body = environ["wsgi.input"].read() if environ["REQUEST_METHOD"] == "POST" else b""
    seen = {
        "remote_addr": environ.get("REMOTE_ADDR"),
        "path": environ.get("PATH_INFO"),
        "headers": {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                    if k.startswith("HTTP_")},
        "content_length": environ.get("CONTENT_LENGTH"),
        "body_bytes": len(body),
    }
    data = json.dumps(seen).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(data)))])
    return [data]
