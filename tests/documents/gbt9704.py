"""Measuring our PDFs against GB/T 9704's grid (domain-rules §1), for tests/documents/
test_gbt9704_grid.py: text lines with their characters, in millimetres from the page's top left."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTPage, LTTextLine

PT_MM = 25.4 / 72
TOP_MM = 37.0
LEFT_MM = 28.0
BLOCK_WIDTH_MM = 156.0
BLOCK_HEIGHT_MM = 225.0
LINES = 22
CHARS = 28
LINE_PITCH_MM = BLOCK_HEIGHT_MM / LINES
CHAR_PITCH_MM = BLOCK_WIDTH_MM / CHARS
RIGHT_MM = LEFT_MM + BLOCK_WIDTH_MM
BOTTOM_MM = TOP_MM + BLOCK_HEIGHT_MM


@dataclass(frozen=True)
class Line:
    """One text line as pdfminer groups it; ``top_mm`` is the top of its line box (the em box of
    its characters centred in a line of ``LINE_PITCH_MM``)."""

    text: str
    chars: tuple[LTChar, ...]
    page_height: float

    @property
    def size_pt(self) -> float:
        return round(max(c.size for c in self.chars), 1)

    @property
    def left_mm(self) -> float:
        return self.chars[0].x0 * PT_MM

    @property
    def end_mm(self) -> float:
        """Right end of the last character's cell: its origin plus one grid pitch (pdfminer's
        x1 adds the font's own 16 pt advance, not the tracked one)."""
        last = self.chars[-1]
        return last.x0 * PT_MM + min(CHAR_PITCH_MM, last.width * PT_MM)

    @property
    def em_top_mm(self) -> float:
        return (self.page_height - max(c.y1 for c in self.chars)) * PT_MM

    @property
    def top_mm(self) -> float:
        return self.em_top_mm - (LINE_PITCH_MM - self.size_pt * PT_MM) / 2

    @property
    def fonts(self) -> set[str]:
        return {c.fontname.split("+", 1)[-1] for c in self.chars}


def pages(pdf: bytes) -> list[list[Line]]:
    """Every page's text lines, top to bottom."""
    out = []
    for page in extract_pages(io.BytesIO(pdf), laparams=LAParams(line_margin=0.1, char_margin=3)):
        assert isinstance(page, LTPage)
        lines: list[Line] = []
        _collect(page, page.height, lines)
        out.append(sorted(lines, key=lambda line: (round(line.em_top_mm, 1), line.left_mm)))
    return out


def _collect(obj: object, height: float, into: list[Line]) -> None:
    if isinstance(obj, LTTextLine):
        chars = tuple(c for c in obj if isinstance(c, LTChar) and c.get_text().strip())
        if chars:
            into.append(Line(obj.get_text().strip(), chars, height))
        return
    for child in getattr(obj, "_objs", ()):
        _collect(child, height, into)
