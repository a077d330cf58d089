"""Seals (印章) at given places, and the cross-page seal (骑缝章) over the right-hand edges."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from app.stamping.overlay.clearance import (
    applicant_sign_off,
    check_on_unit_copy,
    check_seal_clear,
    letter_copies,
    page_texts,
    protected_lines,
)
from app.stamping.overlay.document import geometries, open_pdf
from app.stamping.overlay.marks import Mark, check_diameter, fmt_mm, seal_bitmap, seal_ops
from app.stamping.overlay.options import PT_PER_MM, CrossPageStrip, PageGeometry
from app.stamping.overlay.write import apply_marks
from app.stamping.types import PlacementError, SealImage, SealPlacement


def _seal_mark(geo: PageGeometry, x_mm: float, y_mm: float, d_mm: float) -> Mark:
    w, h = geo.width_mm, geo.height_mm
    r = d_mm / 2
    if not (math.isfinite(x_mm) and math.isfinite(y_mm)) or not (
            r <= x_mm <= w - r and r <= y_mm <= h - r):
        if d_mm > min(w, h):
            limits = f"印章直径{fmt_mm(d_mm)}毫米大于页面尺寸"
        else:
            limits = (f"印章中心须在距左边{fmt_mm(r)}–{fmt_mm(w - r)}毫米、"
                      f"距上边{fmt_mm(r)}–{fmt_mm(h - r)}毫米之间")
        raise PlacementError(
            f"印章位置超出页面范围：第{geo.page}页为{fmt_mm(w)}×{fmt_mm(h)}毫米，"
            f"直径{fmt_mm(d_mm)}毫米的{limits}（收到 x={fmt_mm(x_mm)}，y={fmt_mm(y_mm)}）")
    d = d_mm * PT_PER_MM
    x0 = x_mm * PT_PER_MM - d / 2
    y0 = geo.height_pt - y_mm * PT_PER_MM - d / 2
    return Mark(page=geo.page - 1, bbox=(x0, y0, x0 + d, y0 + d),
                ops=seal_ops(x0, y0, d, None), uses_seal=True)


def _check_page(page: int, total: int) -> None:
    if not isinstance(page, int) or page < 1 or page > total:
        raise PlacementError(f"第{page}页不存在，文件共{total}页")


def stamp_seal(pdf: bytes, seal: SealImage, placement: SealPlacement) -> bytes:
    """Draw ``seal`` centred at ``placement`` (mm from the displayed page's top-left corner).

    The seal is one image XObject with a soft mask (transparency) drawn with multiply blending.
    Raises InvalidPdf, EncryptedPdf, InvalidSealImage, and PlacementError when the page does
    not exist ("第N页不存在，文件共M页"), the seal would not lie wholly on the page
    ("印章位置超出页面范围…") or would cover text it must leave clear (see
    :func:`check_clear_of_text`).
    """
    return stamp_placements(pdf, seal, [placement], field_label="seal")


def check_clear_of_text(pdf: bytes, geos: list[PageGeometry],
                        placements: list[tuple[SealPlacement, float]]) -> None:
    """GB/T 9704—2012 7.3.5 "上不压正文": raise PlacementError (naming the covered text and the
    nearest free place) when a seal of ``placements`` (placement, diameter mm) would touch body
    text or a line where a person signs. A seal may 下压 the 署名 and 成文日期 of a document,
    except on a commitment letter, whose sign-off is the applicant's (issue 12 §1)."""
    texts = page_texts(pdf, geos, {p.page for p, _ in placements})
    copies = letter_copies(texts, len(geos))
    for p, d_mm in placements:
        x, y, r = float(p.x_mm), float(p.y_mm), d_mm / 2
        check_on_unit_copy(copies, texts, geos, p.page, x, y, r)
        lines = protected_lines(texts.get(p.page, []), sign_off_free=not copies)
        applicants = applicant_sign_off(texts.get(p.page, [])) if copies else ()
        check_seal_clear(lines, geos[p.page - 1], x, y, r, applicants)


def stamp_placements(pdf: bytes, seal: SealImage, placements: Iterable[SealPlacement], *,
                     field_label: str) -> bytes:
    """:func:`stamp_seal` at each of ``placements``, in one write."""
    with open_pdf(pdf) as doc:
        geos = geometries(doc)
        marks, sized = [], []
        for p in placements:
            _check_page(p.page, len(geos))
            d_mm = check_diameter(p.diameter_mm if p.diameter_mm is not None else seal.diameter_mm)
            marks.append(_seal_mark(geos[p.page - 1], float(p.x_mm), float(p.y_mm), d_mm))
            sized.append((p, d_mm))
        check_clear_of_text(bytes(pdf), geos, sized)
        bitmap = seal_bitmap(bytes(seal.png))
        return apply_marks(bytes(pdf), doc, geos, marks, seal=bitmap, field_label=field_label)


def plan_cross_page_seal(pages: int, diameter_mm: float, min_strip_mm: float = 3.0) -> list[CrossPageStrip]:
    """Which slice of the seal goes on which page (domain-rules §6.3).

    All pages form one group when ``diameter_mm / pages >= min_strip_mm``; otherwise the pages
    are split into as few groups as possible (each ≥ 2 pages, sizes differing by at most one),
    and the seal is repeated once per group. Strip j of a group of k shows the seal from
    ``j·D/k`` to ``(j+1)·D/k`` (the first page of a group gets the seal's left edge).
    Raises PlacementError for fewer than two pages.
    """
    if pages < 2:
        raise PlacementError("骑缝章需要至少两页")
    d = check_diameter(diameter_mm)
    if not (math.isfinite(min_strip_mm) and min_strip_mm > 0):
        raise PlacementError("骑缝章最小分割宽度必须大于0毫米")
    per_group = max(2, int(d / min_strip_mm + 1e-9))
    groups = min(math.ceil(pages / per_group), pages // 2)
    base, extra = divmod(pages, groups)
    strips: list[CrossPageStrip] = []
    page = 1
    for g in range(groups):
        size = base + (1 if g < extra else 0)
        width = d / size
        for j in range(size):
            strips.append(CrossPageStrip(page=page, group=g + 1, group_size=size,
                                         offset_mm=j * width, width_mm=width))
            page += 1
    return strips


def _strip_mark(geo: PageGeometry, strip: CrossPageStrip, d_mm: float, y_mm: float | None) -> Mark:
    """The clipped view of the seal that ``strip`` puts on page ``geo``."""
    cy_mm = geo.height_mm / 2 if y_mm is None else float(y_mm)
    r = d_mm / 2
    fits = math.isfinite(cy_mm) and r <= cy_mm <= geo.height_mm - r
    if not fits or strip.width_mm > geo.width_mm:
        raise PlacementError(
            f"印章位置超出页面范围：第{geo.page}页高{fmt_mm(geo.height_mm)}毫米，"
            f"直径{fmt_mm(d_mm)}毫米的骑缝章中心须在距上边{fmt_mm(r)}–{fmt_mm(geo.height_mm - r)}毫米之间")
    d = d_mm * PT_PER_MM
    w_pt, h_pt = geo.width_pt, geo.height_pt
    s = strip.width_mm * PT_PER_MM
    x0 = w_pt - s - strip.offset_mm * PT_PER_MM
    y0 = h_pt - cy_mm * PT_PER_MM - d / 2
    clip = (w_pt - s, y0, w_pt, y0 + d)
    return Mark(page=strip.page - 1, bbox=clip, ops=seal_ops(x0, y0, d, clip), uses_seal=True)


def stamp_cross_page_seal(pdf: bytes, seal: SealImage, *, y_mm: float | None = None,
                          min_strip_mm: float = 3.0, pages: tuple[int, int] | None = None) -> bytes:
    """Apply a 骑缝章: one vertical strip of ``seal`` per page, flush with each page's right edge.

    ``pages`` (first, last; 1-based, inclusive) limits the seal to one run of pages, such as one
    copy of a letter (a 骑缝章 binds the pages one party keeps); default: every page.
    ``y_mm`` is the height of the seal's centre from the displayed page's top (default: the
    middle of each page). Strips are clipped views of one shared image XObject, so the file
    grows by one image whatever the page count. Raises PlacementError for fewer than two pages
    ("骑缝章需要至少两页") or a ``y_mm`` that puts the seal off a page.
    """
    with open_pdf(pdf) as doc:
        geos = geometries(doc)
        first, last = pages if pages is not None else (1, len(geos))
        if not 1 <= first <= last <= len(geos):
            raise PlacementError(f"骑缝章页码范围无效：第{first}–{last}页，文件共{len(geos)}页")
        d_mm = check_diameter(seal.diameter_mm)
        plan = plan_cross_page_seal(last - first + 1, d_mm, min_strip_mm)
        marks = [_strip_mark(geos[first + strip.page - 2], replace(strip, page=first + strip.page - 1),
                             d_mm, y_mm) for strip in plan]
        bitmap = seal_bitmap(bytes(seal.png))
        return apply_marks(bytes(pdf), doc, geos, marks, seal=bitmap, field_label="cross-page-seal")
