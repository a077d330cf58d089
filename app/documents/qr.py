"""QR codes pointing at the public verification page, as PNG bytes (one pixel per module)."""

from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import quote

import segno


def qr_src(url: str) -> str:
    """The ``src`` for an ``<img>`` of the QR code of ``url`` (served by our URL fetcher)."""
    return "qr:" + quote(url, safe="")


@lru_cache(maxsize=256)
def qr_png(url: str, scale: int = 8) -> bytes:
    """PNG bytes of the QR code for ``url`` (for DOCX)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
