"""The receiving unit's 收件章 on a commitment letter: unit, 收件 date and reference, in a red
frame at the top right of the unit's copy, outside the text (issue 12 §1)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from app.documents.render import html_to_pdf, render_html
from app.domain.dates import format_cn_date
from app.stamping.overlay.clearance import box_covered, page_texts, unit_copy
from app.stamping.overlay.document import geometries, open_pdf
from app.stamping.overlay.marks import Form, Mark, fmt_mm, num
from app.stamping.overlay.write import apply_marks
from app.stamping.types import PlacementError, StampingError

RECEIPT_TEMPLATE = "stamping/receipt.html"
RECEIPT_INK = "#e61e1e"
"""The ink of generated seals (seal_images.SEAL_RGB): the stamp reads as the unit's."""


@dataclass(frozen=True)
class ReceiptStamp:
    """What a 收件章 says, and where it goes (mm on the displayed page)."""

    unit: str
    """The receiving unit's name (接受承诺单位)."""
    received_on: date
    """The 收件 date (Beijing time)."""
    reference: str = ""
    """A filing or receipt number, printed when given."""
    width_mm: float = 56.0
    """Frame width; the unit's name shrinks to fit it."""
    right_mm: float = 26.0
    """Distance from the page's right edge to the frame: the GB/T 9704 right margin, so the
    frame lines up with the right edge of the text block (and of the copy label below it)."""
    top_mm: float = 5.0
    """Distance from the page's top edge: in the 37 mm top margin, above the copy label."""


def _lines(receipt: ReceiptStamp) -> list[str]:
    lines = [receipt.unit, f"收件　{format_cn_date(receipt.received_on)}"]
    if receipt.reference:
        lines.append(f"收件编号：{receipt.reference}")
    return lines


def _em(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _check(receipt: ReceiptStamp) -> None:
    for text in (receipt.unit, receipt.reference):
        if len(text) > 40 or "\n" in text or "\r" in text:
            raise StampingError("收件章文字过长或包含换行")
    if not receipt.unit.strip():
        raise StampingError("收件章须有接受承诺单位名称")


def add_receipt_stamp(pdf: bytes, receipt: ReceiptStamp) -> bytes:
    """Put the 收件章 on the first page of the receiving unit's copy (接受承诺单位留存) of a
    commitment letter, at the top right in the top margin, never over text.

    Raises PlacementError when ``pdf`` is no commitment letter (no unit copy) or the frame
    would touch text on that page, StampingError for unusable text, and the PDF errors.
    """
    _check(receipt)
    lines = _lines(receipt)
    font_pt = 9.0
    inner_mm = receipt.width_mm - 2 * (0.6 + 1.0)
    unit_pt = min(10.5, inner_mm / _em(receipt.unit) * 72 / 25.4)
    height_mm = 2 * (0.6 + 0.8) + 1.3 * (unit_pt + font_pt * (len(lines) - 1)) * 25.4 / 72 + 0.5
    with open_pdf(pdf) as doc:
        geos = geometries(doc)
        copy = unit_copy(bytes(pdf), geos)
        if copy is None:
            raise PlacementError("收件章只用于信用承诺书：文件中没有“接受承诺单位留存”联")
        geo = geos[copy.first_page - 1]
        left = geo.width_mm - receipt.right_mm - receipt.width_mm
        box = (left, receipt.top_mm, left + receipt.width_mm, receipt.top_mm + height_mm)
        hits = box_covered(page_texts(bytes(pdf), geos, [geo.page])[geo.page], box)
        if hits or left < 0:
            raise PlacementError(
                f"收件章位置（第{geo.page}页右上角，距上边{fmt_mm(receipt.top_mm)}毫米）"
                f"会压住文字“{hits[0].text[:12] if hits else ''}”，未盖章")
        size = (geo.width_pt, geo.height_pt)
        overlay = html_to_pdf(render_html(RECEIPT_TEMPLATE, {
            "num": num, "sizes": [size], "lines": lines, "font_pt": font_pt, "unit_pt": unit_pt,
            "ink": RECEIPT_INK, "box": (left, receipt.top_mm, receipt.width_mm, height_mm)}))
        mark = Mark(page=geo.page - 1, bbox=(0.0, 0.0, geo.width_pt, geo.height_pt),
                    ops="/{fm} Do", form=Form(overlay, 0))
        return apply_marks(bytes(pdf), doc, geos, [mark], seal=None, field_label="receipt-stamp")
