"""Inter-character justification for CJK text, which WeasyPrint lacks (it stretches spaces only).

GB/T 9704 text is justified: every full line of a paragraph ends at the right edge of the 版心.
Chinese text has no spaces, so WeasyPrint's ``text-align: justify`` leaves it ragged. A stylesheet
that sets the custom property ``--cjk-justify: inter-character`` (template versions from issue 13
on) gets the extra width of each justified line shared out between its characters, as CSS Text 3
``text-justify: inter-character`` does; every other text (every older released version) is laid
out by WeasyPrint's own code, byte for byte as before.

The hook replaces ``weasyprint.layout.inline.justify_line`` of WeasyPrint ``WEASYPRINT_VERSION``
(app/documents/weasyprint_adapter.py; tests/documents/test_cjk_justify.py checks the internals it
relies on). The extra width goes into Pango letter spacing of each text box of the line: with n
characters and an extra width E, each character's advance grows by E / (n - 1), so the last one
ends on the line's right edge.
"""

from __future__ import annotations

from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango, unicode_to_char_p

PROPERTY = "__cjk_justify"
"""WeasyPrint's key of the custom property ``--cjk-justify``."""

_weasyprint_justify_line = inline.justify_line


def _wants_inter_character(style: Any) -> bool:
    # A computed style resolves (and inherits) keys on first access: index, never .get().
    tokens = style[PROPERTY]
    return any(getattr(t, "value", None) == "inter-character" for t in tokens or ())


def _text_boxes(box: Any) -> list[Any]:
    if isinstance(box, boxes.TextBox):
        return [box]
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return [t for child in box.children if child.is_in_normal_flow() for t in _text_boxes(child)]
    return []


class _SpacedLayout(line_break.Layout):
    """A WeasyPrint layout whose letter spacing is ``extra_letter_spacing`` points wider than
    its style's. WeasyPrint drops a text box's Pango layout after line layout and sets its text
    again to draw it (``Layout.reactivate``), so the extra spacing lives in ``set_text``."""

    extra_letter_spacing = 0.0

    def set_text(self, text: str, justify: bool = False) -> None:
        super().set_text(text, justify)
        letter_spacing = self.style["letter_spacing"]
        if letter_spacing == "normal":
            letter_spacing = 0
        attrs = pango.pango_layout_get_attributes(self.layout)
        if attrs == ffi.NULL:
            attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        text_p, bytestring = unicode_to_char_p(self.text)
        spacing = int((letter_spacing + self.extra_letter_spacing) * TO_UNITS)
        attr = pango.pango_attr_letter_spacing_new(spacing)
        attr.start_index, attr.end_index = 0, len(bytestring)
        pango.pango_attr_list_change(attrs, attr)
        # Setting the text again invalidates the layout, so that the changed list (which
        # Pango ignores in set_attributes as "the list it holds") takes effect.
        pango.pango_layout_set_text(self.layout, text_p, -1)
        pango.pango_layout_set_attributes(self.layout, attrs)


def _relayout(context: Any, box: Any, extra_per_char: float) -> None:
    """Give ``box`` a Pango layout with ``extra_per_char`` points more letter spacing."""
    layout = line_break.create_layout(box.text, box.style, context, max_width=None,
                                      justification_spacing=0)
    layout.__class__ = _SpacedLayout
    layout.extra_letter_spacing = extra_per_char
    layout.set_text(box.text)
    layout.deactivate()
    box.pango_layout = layout


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """``inline.justify_line`` that justifies between characters where ``--cjk-justify`` asks."""
    if not _wants_inter_character(line.style) or extra_width <= 0:
        _weasyprint_justify_line(context, line, extra_width)
        return
    texts = _text_boxes(line)
    count = sum(len(t.text.rstrip()) for t in texts)
    if count < 2:
        return
    per_char = extra_width / (count - 1)
    _spread(context, line, per_char, 0.0)


def _spread(context: Any, box: Any, per_char: float, x_advance: float) -> float:
    """Move ``box`` right by ``x_advance`` and widen its text by ``per_char`` a character;
    returns the advance for what follows (as WeasyPrint's ``add_word_spacing``)."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        n = len(box.text)
        if n:
            _relayout(context, box, per_char)
            box.width += per_char * n
            x_advance += per_char * n
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, per_char, x_advance)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


def install() -> None:
    """Route WeasyPrint's line justification through :func:`justify_line` (idempotent)."""
    inline.justify_line = justify_line
