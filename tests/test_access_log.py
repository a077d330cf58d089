"""The gunicorn access log never shows a credential (issue 10 §5)."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn import util
from gunicorn.config import Config

from app import gunicorn_conf
from app.access_log import RedactingLogger, redact_query, redact_uri

KEY = "lyxy_0123456789ab_S3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3tS3cr3t-_x"
SECRET = "S3cr3tS3cr3t"


@pytest.mark.parametrize(("query", "expected"), [
    ("", ""),
    ("q=%E5%BC%A0&page=2", "q=%E5%BC%A0&page=2"),
    (f"api_key={KEY}&page=2", "api_key=REDACTED&page=2"),
    ("API_KEY=abc&token=def", "API_KEY=REDACTED&token=REDACTED"),
    ("c=ABCDEFGH", "c=REDACTED"),
    (f"next=%2Fapi%2Fv1%2Fseals%3Fx%3D{KEY}", "next=%2Fapi%2Fv1%2Fseals%3Fx%3Dlyxy_0123456789ab_REDACTED"),
])
def test_redact_query(query, expected):
    assert redact_query(query) == expected


@pytest.mark.parametrize(("uri", "expected"), [
    ("/api/v1/seals", "/api/v1/seals"),
    (f"/api/v1/seals?access_token={KEY}", "/api/v1/seals?access_token=REDACTED"),
    ("https://credit.example.gov.cn/verify/LYXY-CN-2026-000001X?c=ABCDEFGH#x",
     "https://credit.example.gov.cn/verify/LYXY-CN-2026-000001X?c=REDACTED"),
    (f"/x/{KEY}", "/x/lyxy_0123456789ab_REDACTED"),
    ("-", "-"),
])
def test_redact_uri(uri, expected):
    assert redact_uri(uri) == expected


def test_gunicorn_conf_uses_the_redacting_logger():
    assert util.load_class(gunicorn_conf.logger_class) is RedactingLogger


def test_access_log_line_has_no_credentials():
    """Through gunicorn's own formatting, with the default format plus the query and headers."""
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", Config().access_log_format
            + ' q="%(q)s" auth="%({authorization}i)s" cookie="%({cookie}i)s"'
              ' raw="%({raw_uri}e)s" env_auth="%({http_authorization}e)s"')
    logger = RedactingLogger(cfg)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    query = f"api_key={KEY}&page=2"
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/api/v1/seals?{query}", "PATH_INFO": "/api/v1/seals",
        "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": "https://credit.example.gov.cn/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
        "HTTP_USER_AGENT": "curl/8", "HTTP_AUTHORIZATION": f"Bearer {KEY}",
        "HTTP_COOKIE": "__Host-session=abc.def",
    }
    request = SimpleNamespace(headers=[("AUTHORIZATION", f"Bearer {KEY}"),
                                       ("COOKIE", "__Host-session=abc.def")])
    response = SimpleNamespace(status="400 BAD REQUEST", sent=120, headers=[])
    logger.access(response, request, environ, timedelta(milliseconds=3))
    line = stream.getvalue()
    assert '"GET /api/v1/seals?api_key=REDACTED&page=2 HTTP/1.1" 400 120' in line
    assert SECRET not in line
    assert "ABCDEFGH" not in line
    assert "abc.def" not in line
    assert 'auth="REDACTED"' in line
    assert 'env_auth="REDACTED"' in line
    assert "verify/LYXY-CN-2026-000001X?c=REDACTED" in line
