"""The 发文机关署名 of a letter in lines (GB/T 9704 7.3.5; trial of issue 13): a name longer than
the room beside the verification code wraps into lines of nearly equal width, never leaving one
character (the "司" of 有限公司) alone on the last line, and never starting a line with closing
punctuation nor ending one with opening punctuation. Used by the PDF markup of commitment v5 and
by its DOCX layout (letters-4), so both break a name at the same places."""

from __future__ import annotations

import math
import re

import markupsafe

NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’·…—,.;:?!)]}%")
"""Characters that may not begin a line (kinsoku: closing punctuation)."""
NO_LINE_END = frozenset("（《「『【〔“‘([{")
"""Characters that may not end a line (opening punctuation)."""
_TOKEN = re.compile(r"[A-Za-z0-9]+|.", re.S)
"""A run of Latin letters and digits stays whole; anything else is one token per character."""


def width(text: str) -> float:
    """Printed width in body characters: ASCII counts 1/2, everything else 1 (as wordml.width_chars)."""
    return sum(0.5 if c.isascii() else 1.0 for c in text)


def balanced_lines(text: str, max_width: float) -> list[str]:
    """``text`` in as few lines of at most ``max_width`` characters as it takes (a single token
    wider than that gets a line of its own), the lines as equal in width as the tokens allow.

    >>> balanced_lines("凌源市恒通路桥建设工程集团有限公司", 16)
    ['凌源市恒通路桥建设', '工程集团有限公司']
    """
    text = text.strip()
    total = width(text)
    if total <= max_width or not text:
        return [text] if text else []
    tokens = _TOKEN.findall(text)
    count = math.ceil(total / max_width)
    while True:
        lines = _split(tokens, count, max_width)
        if lines is not None:
            return lines
        count += 1


def _split(tokens: list[str], count: int, max_width: float) -> list[str] | None:
    """``tokens`` in ``count`` lines aimed at equal widths; None when one would exceed ``max_width``."""
    lines: list[str] = []
    start = 0
    for left in range(count, 1, -1):
        rest = tokens[start:]
        target = width("".join(rest)) / left
        end, acc = start, 0.0
        # take tokens while the line gets closer to its share of what is left
        while end < len(tokens) and abs(acc + width(tokens[end]) - target) <= abs(acc - target):
            acc += width(tokens[end])
            end += 1
        end = max(end, start + 1)
        end = _kinsoku(tokens, start, end)
        line = "".join(tokens[start:end])
        if width(line) > max_width and end - start > 1:
            return None
        lines.append(line)
        start = end
        if start >= len(tokens):
            return None  # fewer lines than asked: try the count that fits
    last = "".join(tokens[start:])
    if not last or (width(last) > max_width and len(tokens) - start > 1):
        return None
    return lines + [last]


def _kinsoku(tokens: list[str], start: int, end: int) -> int:
    """Move the break at ``end`` so that no line starts with closing or ends with opening
    punctuation: a closing mark joins the line before, an opening one goes to the next line."""
    while end < len(tokens) and tokens[end] in NO_LINE_START:
        end += 1
    while end - 1 > start and tokens[end - 1] in NO_LINE_END:
        end -= 1
    return end


def signer_room(date_text: str, max_width: float) -> float:
    """Widest line (in body characters) of a 署名 centred on a 成文日期 that ends 4 characters in
    from the 版心's right edge (GB/T 9704 7.3.5, domain-rules §1.3) without passing that edge:
    the date's width plus 4 characters either side, at most ``max_width`` (the room beside the
    verification block)."""
    date_width = width(date_text.strip())
    return min(max_width, 8 + date_width) if date_width else max_width


def centring_shift(line: str, date_text: str) -> float:
    """How far (in body characters) a 署名 line centred on the 成文日期 must move left so that it
    does not pass the 版心's right edge: 0 for a line no wider than the date plus 8 characters."""
    return max(0.0, (width(line) - 8 - width(date_text.strip())) / 2)


_ASTRAL = re.compile(r"([\U00020000-\U0003FFFF]+)")
"""CJK Extension B and beyond (planes 2 and 3): drawn only by the fallback face (HanaMinB)."""


def fallback_runs(text: object) -> markupsafe.Markup:
    """``text`` escaped for the markup, each run of plane 2/3 characters (a rare name character
    such as 𠀀 or 𪚥) in ``<span class="ly-rare">``, so that a template's CSS can keep the
    fallback face's taller line box from growing the line (commitment v5: GB/T 9704's grid)."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(_ASTRAL.sub(r'<span class="ly-rare">\1</span>', escaped))
