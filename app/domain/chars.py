"""Character classes shared by the validators: invisible and look-alike characters, quoting."""

from __future__ import annotations

import unicodedata

# Bidirectional controls can reorder what a reader sees (a "Trojan Source" name).
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
"""U+202A–202E, U+2066–2069, U+200E/U+200F and U+061C."""

ZERO_WIDTH = frozenset(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
"""Zero-width space/non-joiner/joiner, word joiner and the BOM (U+FEFF)."""

LINE_BREAKS = frozenset("\t\n\r\u2028\u2029")
"""Tab, line feeds and line/paragraph separators: a form may send them; treated as whitespace."""


def fullwidth_to_ascii(text: str) -> str:
    """Map full-width ASCII forms (U+FF01–FF5E) and the ideographic space to ASCII.

    Chinese input methods in full-width mode produce "９１３５" or "ＡＢＣ"; these are
    the same characters to the user, unlike I/O look-alikes, which are never mapped.
    """
    return "".join(
        chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else " " if c == "\u3000" else c
        for c in text
    )


def code_point(char: str) -> str:
    """Return "U+202E" for a character."""
    return f"U+{ord(char):04X}"


def is_visible(char: str) -> bool:
    """True for letters, marks-free digits, punctuation, symbols and ordinary spaces."""
    return unicodedata.category(char)[0] in "LNPS" or char == " "


def quote_char(char: str, *, with_code: bool = True) -> str:
    """Quote a character for a Chinese message: "“@”(U+0040)", or "(U+202E)" if invisible.

    An invisible character is never echoed, so that a bidi control in an error
    message cannot reorder the page that shows it.
    """
    if not is_visible(char):
        return f"({code_point(char)})"
    if with_code:
        return f"“{char}”({code_point(char)})"
    return f"“{char}”"


def invisible_kind(char: str) -> str | None:
    """Name the class of a forbidden invisible character in Chinese, or None if it is not one.

    Characters of ``LINE_BREAKS`` are not reported: callers treat them as whitespace.
    """
    if char in BIDI_CONTROLS:
        return "双向文本控制字符"
    if char in ZERO_WIDTH:
        return "零宽字符"
    category = unicodedata.category(char)
    if category == "Cc" and char not in LINE_BREAKS:
        return "控制字符"
    if category == "Co":
        return "私用区字符"
    if category in ("Cf", "Cs"):
        return "不可见的格式字符"
    return None
