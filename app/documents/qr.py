"""QR codes pointing at the public verification page, as inline SVG or PNG bytes."""

from __future__ import annotations

import io
from functools import lru_cache

import segno


@lru_cache(maxsize=256)
def qr_svg(url: str, size_mm: float = 20.0) -> str:
    """An inline ``<svg>`` element of ``size_mm`` square encoding ``url`` (error level M)."""
    qr = segno.make(url, error="m", micro=False)
    width = qr.symbol_size(scale=1, border=2)[0]
    buf = io.BytesIO()
    qr.save(buf, kind="svg", scale=1, border=2, xmldecl=False, svgns=True, nl=False,
            omitsize=True)
    svg = buf.getvalue().decode("ascii")
    # Physical size set here so the template need not know the module count.
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" '
                       f'data-modules="{width}" ', 1)


def qr_png(url: str, scale: int = 8) -> bytes:
    """PNG bytes of the QR code for ``url`` (for DOCX)."""
    buf = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
