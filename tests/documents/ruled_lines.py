"""Test helpers: the ruled lines of the open item 六 (policy 五(二)6), read from a page picture
of a PDF and from the paragraphs of a DOCX."""

from __future__ import annotations

import io
import re

from docx import Document

from app.documents.preview import page_png

DPI = 100
RULE_MM = 100.0
"""A horizontal rule at least this long is a line to write on: field underlines of a blank form
are 14 em (79 mm), text never draws one."""


def ruled_lines_mm(pdf: bytes, page: int) -> list[float]:
    """Lengths (mm) of the horizontal rules ≥ RULE_MM on ``page``, top to bottom, each counted
    once however many pixel rows it covers."""
    from PIL import Image

    img = Image.open(io.BytesIO(page_png(pdf, page, dpi=DPI))).convert("L")
    dark = img.point(lambda v: 1 if v < 128 else 0).tobytes()
    width = img.width
    min_px = RULE_MM / 25.4 * DPI
    lengths: list[float] = []
    previous = False
    for y in range(img.height):
        row = dark[y * width:(y + 1) * width]
        longest = max((len(m.group()) for m in re.finditer(b"\x01+", row)), default=0)
        is_rule = longest >= min_px
        if is_rule and not previous:
            lengths.append(longest / DPI * 25.4)
        elif is_rule:
            lengths[-1] = max(lengths[-1], longest / DPI * 25.4)
        previous = is_rule
    return lengths


def docx_paragraphs(data: bytes) -> list:
    """The body paragraphs of a DOCX, in order."""
    return list(Document(io.BytesIO(data)).paragraphs)


def is_rule(paragraph) -> bool:
    """A ruled line to write on: nothing but an underlined tab to the right tab stop."""
    runs = paragraph.runs
    return bool(runs) and runs[-1].text == "\t" and bool(runs[-1].underline) and all(
        r.text == "\t" for r in runs)


def open_items(data: bytes, numeral: str = "六") -> list[list[str]]:
    """For each "六、" paragraph that is a rule (the numeral then an underlined tab), the kinds of
    the paragraphs following it: "rule" while they are bare rules."""
    paragraphs = docx_paragraphs(data)
    items: list[list[str]] = []
    for n, p in enumerate(paragraphs):
        runs = p.runs
        if p.text != numeral + "、\t" or not runs[-1].underline:
            continue
        follow = []
        for q in paragraphs[n + 1:]:
            if not is_rule(q):
                break
            follow.append("rule")
        items.append(follow)
    return items
