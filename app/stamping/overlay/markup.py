"""The watermark and the margin line: laid out by WeasyPrint from ``templates/stamping/``, one
overlay page per target page size, and drawn over the pages as Form XObjects."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from app.documents.fonts import font_stack
from app.documents.qr import FINE_SCALE, STANDARD_QUIET_ZONE, qr_src
from app.documents.render import html_to_pdf, render_html
from app.stamping.overlay.document import geometries, open_pdf
from app.stamping.overlay.marks import Form, Mark, num
from app.stamping.overlay.options import MarginLineStyle, PageGeometry
from app.stamping.overlay.write import apply_marks
from app.stamping.types import StampingError

WATERMARK_TEMPLATE = "stamping/watermark.html"
MARGIN_LINE_TEMPLATE = "stamping/margin-line.html"
DEFAULT_MARGIN_LINE = MarginLineStyle()


def _size_key(geo: PageGeometry) -> tuple[float, float]:
    return (round(geo.width_pt, 3), round(geo.height_pt, 3))


def _em_width(text: str) -> float:
    """Rough advance of ``text`` in em: CJK/full-width 1, other characters ~0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _check_text(text: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise StampingError(f"{what}不能为空")
    if len(text) > 200 or "\n" in text or "\r" in text:
        raise StampingError(f"{what}过长或包含换行")
    font_stack().check_text(text, field=what)
    return text.strip()


def _full_page_marks(geos: Sequence[PageGeometry], overlay: bytes, form_index: list[int]) -> list[Mark]:
    """One mark per page: overlay page ``form_index[i]`` drawn over the whole of page i."""
    return [Mark(page=g.page - 1, bbox=(0.0, 0.0, g.width_pt, g.height_pt), ops="/{fm} Do",
                 form=Form(overlay, k)) for g, k in zip(geos, form_index, strict=True)]


def _watermark_tiles(text: str, w: float, h: float, size: float,
                     angle_deg: float) -> list[tuple[float, float, float]]:
    """``(left, top, width)`` in points of every copy of ``text`` that shows on a w × h page:
    a grid rotated ``angle_deg`` around the page centre, alternate rows staggered."""
    text_w = _em_width(text) * size
    box_w = text_w + size  # slack so the line never wraps
    rad = math.radians(angle_deg)
    ux, uy = math.cos(rad), -math.sin(rad)  # along the text (y grows downwards in CSS)
    vx, vy = -uy, ux  # across the lines
    step_u, step_v = text_w + 3 * size, 5 * size
    reach = int(math.hypot(w, h) / min(step_u, step_v)) + 2
    tiles = []
    for i in range(-reach, reach + 1):
        for j in range(-reach, reach + 1):
            shift = (j % 2) * step_u / 2  # stagger alternate rows
            cx = w / 2 + (i * step_u + shift) * ux + j * step_v * vx
            cy = h / 2 + (i * step_u + shift) * uy + j * step_v * vy
            if -text_w / 2 <= cx <= w + text_w / 2 and -size <= cy <= h + size:
                tiles.append((cx - box_w / 2, cy - size * 0.6, box_w))
    return tiles


@lru_cache(maxsize=32)
def _watermark_overlay(text: str, sizes: tuple[tuple[float, float], ...], opacity: float,
                       angle_deg: float, font_size_pt: float | None) -> bytes:
    """One page per distinct displayed size, each tiled with the rotated text (cached)."""
    pages = []
    for w, h in sizes:
        size = font_size_pt or max(14.0, min(72.0, 36.0 * min(w, h) / 595.0))
        pages.append({"width": w, "height": h, "font_size": size,
                      "tiles": _watermark_tiles(text, w, h, size, angle_deg)})
    return html_to_pdf(render_html(WATERMARK_TEMPLATE, {
        "num": num, "sizes": sizes, "pages": pages, "text": text, "opacity": opacity,
        "angle_deg": angle_deg}))


def add_watermark(pdf: bytes, text: str, *, opacity: float = 0.12, angle_deg: float = 35,
                  font_size_pt: float | None = None) -> bytes:
    """Repeat ``text`` diagonally (rotated ``angle_deg`` anticlockwise) over every page.

    The text is laid out by WeasyPrint with our bundled CJK fonts (one overlay page per
    distinct displayed page size, cached per process) and drawn as a Form XObject over the
    page, in black at ``opacity``. ``font_size_pt`` defaults to 36 pt on A4, scaled with the
    page. Raises UncoverableCharacter (app.documents.fonts) for a character no bundled font
    can draw, StampingError for empty text or an opacity outside (0, 1], and the PDF errors.
    """
    text = _check_text(text, "水印文字")
    if not (isinstance(opacity, int | float) and 0 < opacity <= 1):
        raise StampingError("水印透明度必须在0到1之间")
    if font_size_pt is not None and not (math.isfinite(font_size_pt) and 4 <= font_size_pt <= 200):
        raise StampingError("水印字号必须在4到200磅之间")
    with open_pdf(pdf) as doc:
        geos = geometries(doc)
        sizes = list(dict.fromkeys(_size_key(g) for g in geos))
        overlay = _watermark_overlay(text, tuple(sizes), float(opacity), float(angle_deg),
                                     None if font_size_pt is None else float(font_size_pt))
        marks = _full_page_marks(geos, overlay, [sizes.index(_size_key(g)) for g in geos])
        return apply_marks(bytes(pdf), doc, geos, marks, seal=None, field_label="watermark")


def _margin_overlay(geos: Sequence[PageGeometry], number: str, verify_url: str, label: str,
                    style: MarginLineStyle) -> bytes:
    """All margin-line pages in one WeasyPrint call, page i sized like target page i."""
    sizes = list(dict.fromkeys(_size_key(g) for g in geos))
    pages = []
    for geo in geos:
        w, h = _size_key(geo)
        right = style.right_mm if style.right_mm is not None else (26.0 if geo.width_mm >= 150 else 8.0)
        lines = [f"编号：{number}", f"第{geo.page}页/共{len(geos)}页"]
        if label:
            lines.insert(0, label)
        pages.append({"size_index": sizes.index((w, h)), "width": w, "height": h, "right_mm": right,
                      "text_right_mm": right + style.qr_mm + style.gap_mm, "lines": lines})
    return html_to_pdf(render_html(MARGIN_LINE_TEMPLATE, {
        "num": num, "sizes": sizes, "pages": pages, "style": style,
        "qr": qr_src(verify_url, STANDARD_QUIET_ZONE, FINE_SCALE)}))


def add_margin_line(pdf: bytes, *, number: str, verify_url: str, label: str = "",
                    style: MarginLineStyle = DEFAULT_MARGIN_LINE) -> bytes:
    """Add to every page a small block at the bottom: the document number, "第i页/共n页",
    an optional ``label`` line and a QR code of ``verify_url`` (see MarginLineStyle for the
    placement and why it keeps clear of the GB/T 9704 page number). The code has the standard
    4-module quiet zone and is embedded at 8 image pixels per module; pass the short upper-case
    address (app.domain.urls.short_verify_url: version 3, alphanumeric mode) so that zbar and
    zxing read it from a 150 dpi grey raster of the page; the scheme may be upper case.

    The n overlay pages are rendered in one WeasyPrint call and page i is drawn over page i.
    Raises StampingError for an empty number or URL, UncoverableCharacter for text no bundled
    font can draw, and the PDF errors.
    """
    number = _check_text(number, "文书编号")
    if not isinstance(verify_url, str) or not verify_url.lower().startswith(("http://", "https://")):
        raise StampingError("核验网址必须以 http:// 或 https:// 开头")
    if label:
        label = _check_text(label, "标注文字")
    with open_pdf(pdf) as doc:
        geos = geometries(doc)
        overlay = _margin_overlay(geos, number, verify_url, label, style)
        marks = _full_page_marks(geos, overlay, [g.page - 1 for g in geos])
        return apply_marks(bytes(pdf), doc, geos, marks, seal=None, field_label="margin-line")
