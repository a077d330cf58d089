"""Where a seal may go: the text lines of a page (pdfminer.six), which of them a seal must leave
clear (GB/T 9704—2012 7.3.5 "上不压正文"), and the copies (一式两份) of a commitment letter."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.stamping.overlay.options import PT_PER_MM, PageGeometry
from app.stamping.types import PlacementError

UNIT_COPY_LABEL = "接受承诺单位留存"
"""Copy label of the receiving unit's copy of a commitment letter (templates/commitment)."""
COPY_LABELS = ("承诺人留存", UNIT_COPY_LABEL)
"""The copy labels, in the order the copies are printed."""

_CN_DIGITS = "〇○零一二三四五六七八九十"
DATE_LINE = re.compile(rf"^\s*(\d{{4}}|[{_CN_DIGITS}]{{4}})\s*年\s*[\d{_CN_DIGITS}]{{1,3}}\s*月"
                       rf"\s*[\d{_CN_DIGITS}]{{1,3}}\s*日\s*$")
"""A 成文日期 line ("2026年11月29日", "二〇二六年十一月二十九日")."""
SIGNATURE_WORDS = ("签字", "签名")
"""A line with these words is a place where a person signs: never under a seal."""
SEAL_LABEL = "盖章"
"""A line such as "甲方（盖章）：" invites the seal (outside commitment letters)."""


@dataclass(frozen=True)
class TextLine:
    """One line of text on a displayed page, in millimetres from its top-left corner."""

    page: int
    """1-based page number."""
    box: tuple[float, float, float, float]
    """``(left, top, right, bottom)`` in mm on the displayed page."""
    text: str


def _lines_of(layout: object, geo: PageGeometry) -> Iterable[TextLine]:
    from pdfminer.layout import LTFigure, LTTextLine

    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, LTTextLine):
            text = item.get_text().strip()
            if text:
                yield _to_displayed(item.bbox, geo, text)
        elif not isinstance(item, LTFigure) and hasattr(item, "__iter__"):
            # figures are drawn XObjects: our own overlays (watermark, margin line, 收件章)
            stack.extend(item)  # type: ignore[arg-type]


def _to_displayed(bbox: tuple[float, float, float, float], geo: PageGeometry, text: str) -> TextLine:
    (ax, ay), (bx, by) = geo.to_displayed(bbox[0], bbox[1]), geo.to_displayed(bbox[2], bbox[3])
    h = geo.height_pt
    return TextLine(page=geo.page, text=text, box=(
        min(ax, bx) / PT_PER_MM, (h - max(ay, by)) / PT_PER_MM,
        max(ax, bx) / PT_PER_MM, (h - min(ay, by)) / PT_PER_MM))


def text_lines(pdf: bytes, geos: Sequence[PageGeometry],
               pages: Iterable[int] | None = None) -> dict[int, list[TextLine]]:
    """The text lines of ``pages`` (1-based; default all) as pdfminer.six lays them out, in mm
    on the displayed page, top to bottom. A page whose text cannot be read has no lines."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    wanted = sorted(set(pages)) if pages is not None else [g.page for g in geos]
    found: dict[int, list[TextLine]] = {p: [] for p in wanted}
    try:
        layouts = extract_pages(io.BytesIO(pdf), page_numbers=[p - 1 for p in wanted],
                                laparams=LAParams())
        for page, layout in zip(wanted, layouts, strict=False):
            found[page] = sorted(_lines_of(layout, geos[page - 1]), key=lambda t: t.box[1])
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError):
        pass  # unreadable text: nothing to protect (the PDF itself was opened by pikepdf)
    return found


@dataclass(frozen=True)
class Copy:
    """One copy (联) of a letter: its label and its pages."""

    label: str
    first_page: int
    last_page: int


HEAD_BAND_MM = 37.0 + 225.0 / 22
"""Tops (mm) of the lines where a copy label may stand: the top margin and the 版心's first line."""
LETTER_MAX_PAGES = 12
"""Longest PDF read as a possible commitment letter (two copies of at most a few pages each)."""


def page_texts(pdf: bytes, geos: Sequence[PageGeometry],
               pages: Iterable[int] = ()) -> dict[int, list[TextLine]]:
    """The text lines of ``pages``, and of every page when the PDF may be a letter (at most
    LETTER_MAX_PAGES pages), so that :func:`letter_copies` can find its copies."""
    wanted = set(pages) | (set(range(1, len(geos) + 1)) if len(geos) <= LETTER_MAX_PAGES else set())
    return text_lines(pdf, geos, wanted)


def letter_copies(texts: dict[int, list[TextLine]], page_total: int) -> list[Copy]:
    """The copies of a commitment letter, found by their copy labels at the top of each copy's
    first page (templates/commitment: 承诺人留存, 接受承诺单位留存); [] for any other PDF.
    ``texts`` is what :func:`page_texts` read."""
    if page_total > LETTER_MAX_PAGES:
        return []
    starts: list[tuple[int, str]] = []
    for page in sorted(texts):
        # the label is in the top margin (template versions before issue 13) or on the 版心's
        # first line, where GB/T 9704 puts the 份号 (from commitment v4 on)
        head = [t.text for t in texts[page] if t.box[1] < HEAD_BAND_MM]
        label = next((lab for lab in COPY_LABELS if lab in head), None)
        if label is not None:
            starts.append((page, label))
    if not starts:
        return []
    ends = [p - 1 for p, _ in starts[1:]] + [page_total]
    return [Copy(label, first, last) for (first, label), last in zip(starts, ends, strict=True)]


def unit_copy(pdf: bytes, geos: Sequence[PageGeometry]) -> Copy | None:
    """The receiving unit's copy (接受承诺单位留存) of a commitment letter, None for other PDFs."""
    copies = letter_copies(page_texts(pdf, geos), len(geos))
    return next((c for c in copies if c.label == UNIT_COPY_LABEL), None)


def letter_text_layout(pdf: bytes) -> tuple[Copy | None, bool]:
    """The unit copy found in ``pdf``'s text (:func:`unit_copy`) and whether a possible letter
    (at most LETTER_MAX_PAGES pages) has any text at all: a letter without text is a scan, whose
    copies must be found otherwise. Raises InvalidPdf / EncryptedPdf."""
    from app.stamping.overlay.document import geometries, open_pdf

    with open_pdf(pdf) as doc:
        geos = geometries(doc)
    texts = page_texts(pdf, geos)
    copies = letter_copies(texts, len(geos))
    unit = next((c for c in copies if c.label == UNIT_COPY_LABEL), None)
    return unit, len(geos) > LETTER_MAX_PAGES or any(texts.values())


def unit_copy_of(pdf: bytes) -> Copy | None:
    """:func:`unit_copy` of ``pdf``. Raises InvalidPdf / EncryptedPdf."""
    from app.stamping.overlay.document import geometries, open_pdf

    with open_pdf(pdf) as doc:
        return unit_copy(pdf, geometries(doc))


def _sign_off(lines: Sequence[TextLine]) -> set[TextLine]:
    """The 署名 and 成文日期 lines: a date line, and the line just above it that it lines up with
    (GB/T 9704 7.3.5: the seal 下压 them)."""
    keep: set[TextLine] = set()
    for i, line in enumerate(lines):
        if not DATE_LINE.match(line.text):
            continue
        keep.add(line)
        height = line.box[3] - line.box[1]
        above = [t for t in lines[:i] if t.box[3] <= line.box[1] + 0.5
                 and line.box[1] - t.box[3] <= 1.5 * height
                 and t.box[0] < line.box[2] and t.box[2] > line.box[0]]
        keep.update(a for a in above if not any(w in a.text for w in SIGNATURE_WORDS))
    return keep


def protected_lines(lines: Sequence[TextLine], *, sign_off_free: bool) -> list[TextLine]:
    """The lines a seal must leave clear: all, except (when ``sign_off_free``) the 署名, the
    成文日期 and "（盖章）" labels. Lines where a person signs (签字, 签名) are always protected.
    On a commitment letter the sign-off is the applicant's: nothing there is free for a unit."""
    if not sign_off_free:
        return list(lines)
    free = _sign_off(lines)
    free.update(t for t in lines if SEAL_LABEL in t.text
                and not any(w in t.text for w in SIGNATURE_WORDS))
    return [t for t in lines if t not in free]


def _circle_hits(cx: float, cy: float, r: float, box: tuple[float, float, float, float]) -> bool:
    nx = min(max(cx, box[0]), box[2])
    ny = min(max(cy, box[1]), box[3])
    return math.hypot(cx - nx, cy - ny) < r


def covered(lines: Sequence[TextLine], cx: float, cy: float, r: float) -> list[TextLine]:
    """The ``lines`` a seal of radius ``r`` mm centred at (cx, cy) mm would touch."""
    return [t for t in lines if _circle_hits(cx, cy, r, t.box)]


def box_covered(lines: Sequence[TextLine],
                box: tuple[float, float, float, float]) -> list[TextLine]:
    """The ``lines`` a rectangle ``(left, top, right, bottom)`` mm would touch."""
    return [t for t in lines if t.box[0] < box[2] and t.box[2] > box[0]
            and t.box[1] < box[3] and t.box[3] > box[1]]


@lru_cache(maxsize=4)
def _offsets(reach: int) -> list[tuple[int, int]]:
    """Grid offsets within ``reach`` steps, nearest first."""
    cells = [(i, j) for i in range(-reach, reach + 1) for j in range(-reach, reach + 1)
             if i * i + j * j <= reach * reach]
    return sorted(cells, key=lambda c: (c[0] * c[0] + c[1] * c[1], c[1], c[0]))


def nearest_clear(lines: Sequence[TextLine], geo: PageGeometry, cx: float, cy: float,
                  r: float, step_mm: float = 2.0, reach_mm: float = 120.0) -> tuple[float, float] | None:
    """The point nearest (cx, cy), within ``reach_mm``, where a seal of radius ``r`` lies on the
    page and touches none of ``lines`` (a ``step_mm`` grid); None when there is no such place."""
    w, h = geo.width_mm, geo.height_mm
    for i, j in _offsets(int(reach_mm / step_mm)):
        x, y = cx + i * step_mm, cy + j * step_mm
        if r <= x <= w - r and r <= y <= h - r and not covered(lines, x, y, r):
            return x, y
    return None


def _quote(text: str) -> str:
    return f"“{text[:12]}{'…' if len(text) > 12 else ''}”"


def applicant_sign_off(lines: Sequence[TextLine]) -> set[TextLine]:
    """The lines of a commitment letter's 落款 (署名, date, "（盖章）", "签字" lines): the applicant's."""
    return _sign_off(lines) | {t for t in lines
                               if SEAL_LABEL in t.text or any(w in t.text for w in SIGNATURE_WORDS)}


def check_seal_clear(lines: Sequence[TextLine], geo: PageGeometry, cx: float, cy: float,
                     r: float, applicants: Iterable[TextLine] = ()) -> None:
    """Raise PlacementError, naming the text it would cover and the nearest free place, when a
    seal at (cx, cy) mm with radius ``r`` mm touches any of ``lines`` (the protected ones).
    ``applicants``: a letter's 落款 lines; a seal on them is refused as the applicant's place
    (trial 12 item 6), not as body text."""
    hits = covered(lines, cx, cy, r)
    if not hits:
        return
    where = nearest_clear(lines, geo, cx, cy, r)
    hint = ("本页没有不压文字的位置" if where is None
            else f"最近的可盖位置：x={where[0]:.1f}，y={where[1]:.1f}毫米")
    mine = set(applicants)
    if any(t in mine for t in hits):
        raise PlacementError(
            f"落款处属于承诺人（盖承诺人自己的章）：第{geo.page}页（x={cx:.1f}，y={cy:.1f}毫米）会压住"
            f"承诺人落款的{_quote(next(t for t in hits if t in mine).text)}，接受承诺单位不在此处盖章；"
            f"{hint}，请重新选择位置")
    raise PlacementError(
        f"印章不得压盖正文或签字行（GB/T 9704—2012 第7.3.5条“上不压正文”）：第{geo.page}页"
        f"（x={cx:.1f}，y={cy:.1f}毫米）会压住{_quote(hits[0].text)}"
        f"{'等' + str(len(hits)) + '行' if len(hits) > 1 else ''}；{hint}，请重新选择位置")


def check_on_unit_copy(copies: Sequence[Copy], texts: dict[int, list[TextLine]],
                       geos: Sequence[PageGeometry], page: int, cx: float, cy: float,
                       r: float) -> None:
    """A receiving unit's seal goes on its own copy (接受承诺单位留存) of a commitment letter,
    never on the applicant's (承诺人留存, trial 12 item 5): raise PlacementError naming the copy
    and suggesting the nearest free place at the same spot of the unit's copy."""
    unit = next((c for c in copies if c.label == UNIT_COPY_LABEL), None)
    if unit is None or unit.first_page <= page <= unit.last_page:
        return
    owner = next((c for c in copies if c.first_page <= page <= c.last_page), None)
    which = f"“{owner.label}”联（第{_pages(owner)}页）" if owner else "接受承诺单位留存联之外"
    there = min(unit.first_page + (page - owner.first_page if owner else 0), unit.last_page)
    where = None
    if there <= len(geos):
        lines = protected_lines(texts.get(there, []), sign_off_free=False)
        where = nearest_clear(lines, geos[there - 1], cx, cy, r)
    hint = (f"；最近的可盖位置：第{there}页 x={where[0]:.1f}，y={where[1]:.1f}毫米" if where
            else f"；请在第{_pages(unit)}页选择位置")
    raise PlacementError(f"第{page}页属于{which}，由承诺人留存：接受承诺单位的印章只盖在本单位的"
                         f"“{UNIT_COPY_LABEL}”联（第{_pages(unit)}页）上{hint}")


def _pages(copy: Copy) -> str:
    return (f"{copy.first_page}" if copy.first_page == copy.last_page
            else f"{copy.first_page}–{copy.last_page}")
