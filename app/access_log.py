"""Gunicorn's access log without credentials: keys, tokens and verification codes are redacted
from the request line, the query string, the Referer and the headers before a line is written."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from gunicorn.glogging import Logger

REDACTED = "REDACTED"
# Query parameters whose value is a credential. ``c`` is a letter's verification code (whoever
# holds it may read the letter); the others are the names API clients put keys under.
SECRET_PARAMS = frozenset({"api_key", "apikey", "api-key", "key", "token", "access_token", "auth",
                           "authorization", "password", "secret", "c", "code"})
# An API key anywhere (even inside another parameter, percent-encoded or not): the public
# prefix is kept so an operator can tell which key leaked and revoke it.
_API_KEY = re.compile(r"(lyxy_[0-9a-f]{12}_)[A-Za-z0-9_\-]+")
_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


def redact_query(query: str) -> str:
    """``query`` with the value of every credential parameter replaced by REDACTED."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(name.lower() in SECRET_PARAMS for name, _ in pairs):
        query = urlencode([(name, REDACTED if name.lower() in SECRET_PARAMS else value)
                           for name, value in pairs], safe="/:")
    return _API_KEY.sub(rf"\1{REDACTED}", query)


def redact_uri(uri: str) -> str:
    """A request target or URL (``/path?query`` or ``https://host/path?query``) made safe to log."""
    if not uri or uri == "-":
        return uri
    parts = urlsplit(uri)
    if parts.query:
        uri = parts._replace(query=redact_query(parts.query), fragment="").geturl()
    return _API_KEY.sub(rf"\1{REDACTED}", uri)


class RedactingLogger(Logger):
    """gunicorn ``logger_class``: the standard access log format, credentials redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = " ".join([environ["REQUEST_METHOD"], redact_uri(environ.get("RAW_URI", "")),
                               environ["SERVER_PROTOCOL"]])
        atoms["q"] = redact_query(environ.get("QUERY_STRING", ""))
        atoms["U"] = redact_uri(atoms.get("U") or "")
        atoms["f"] = redact_uri(atoms.get("f") or "-")
        for name in list(atoms):
            if name.startswith("{") and name[-2:] in ("}i", "}e"):
                header = name[1:-2].removeprefix("http_").replace("_", "-")
                if header in _SECRET_HEADERS:
                    atoms[name] = REDACTED
                elif header in ("raw-uri", "request-uri", "referer", "query-string"):
                    value = atoms[name]
                    atoms[name] = redact_query(value) if header == "query-string" \
                        else redact_uri(value)
        return atoms
