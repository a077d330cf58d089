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
