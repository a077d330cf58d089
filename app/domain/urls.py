"""Public addresses of issued documents: the one builder of ``/verify/<number>`` URLs (QR codes,
links, API answers)."""

from __future__ import annotations

from urllib.parse import quote

VERIFY_PATH = "/verify/"
"""Path of the public verification page; the document number follows."""


def verify_url_prefix(base_url: str) -> str:
    """``https://host/verify/``: what every verification address starts with.

    :param base_url: the configured public address (``PUBLIC_BASE_URL``), with or without a
        trailing slash.
    """
    return base_url.rstrip("/") + VERIFY_PATH


def verify_url(base_url: str, number: str, code: str | None = None) -> str:
    """The verification address of document ``number``: ``https://host/verify/<number>``, with
    ``?c=<code>`` when the holder's 验证码 is given (it opens the full view).

    :param base_url: the configured public address, with or without a trailing slash.
    :param number: the document number (``LYXY-CN-2026-000001X``).
    :param code: the verification code, or None for the public address (QR codes on public
        copies, margin lines, public pages).
    """
    url = verify_url_prefix(base_url) + quote(number, safe="")
    return url if code is None else f"{url}?c={quote(code, safe='')}"


SHORT_VERIFY_PATH = "/V/"
"""Path of the short verification address (``/V/<number>``, also served as ``/v/<number>``):
it redirects to ``/verify/<number>`` without a code."""


def short_verify_url(base_url: str, number: str) -> str:
    """``HTTPS://HOST/V/<number>``: the public verification address of ``number`` written so that
    a QR code can hold it in alphanumeric mode (upper-case letters, digits, `` $%*+-./:``),
    which needs fewer modules than byte mode: a smaller symbol (version 3 rather than 4 for a
    typical host) with larger modules at the same printed size (the 12 mm margin line).

    The scheme and host are upper-cased (they are case-insensitive); a path prefix of
    ``base_url`` is kept exactly as configured (a lower-case one only costs the symbol its
    alphanumeric mode, never correctness). No verification code: the short address opens only
    what the number alone may show.

    :param base_url: the configured public address (``PUBLIC_BASE_URL``).
    :param number: the document number (``LYXY-CN-2026-000001X``).
    """
    scheme, sep, rest = base_url.rstrip("/").partition("://")
    if not sep:
        raise ValueError(f"public base URL without a scheme: {base_url!r}")
    host, slash, path = rest.partition("/")
    return f"{scheme.upper()}://{host.upper()}{slash}{path}{SHORT_VERIFY_PATH}{quote(number, safe='')}"
