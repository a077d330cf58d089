"""PDF preview of a report scaffold: the content blocks through Jinja2 + WeasyPrint
(``templates/reports/<version>/``)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from app.documents.fonts import font_stack
from app.documents.registry import CURRENT, Family, template_version
from app.documents.render import html_to_pdf, layout_html, pdf_metadata, render_html
from app.documents.reports.content import printed_texts, report_title, scaffold_blocks
from app.documents.reports.model import Block, Fill, Parts, ScaffoldInfo

TAIL_CHARS = 2
"""A paragraph's last line holds at least this many characters other than punctuation (no 孤字
such as "用。"; reports v3 on)."""


def tail_runs(parts: Parts) -> list[tuple[str, bool, bool]]:
    """``parts`` as (text, is a field to fill, keep together) runs: the paragraph's last
    ``TAIL_CHARS`` characters other than punctuation, and the punctuation after them, in runs
    marked keep-together (the template's ``tail``)."""
    runs = [(p.text, True) if isinstance(p, Fill) else (p, False) for p in parts if p]
    out: list[tuple[str, bool, bool]] = []
    left = TAIL_CHARS
    for text, fill in reversed(runs):
        cut = len(text)
        while cut and left > 0:
            cut -= 1
            if not unicodedata.category(text[cut]).startswith("P"):
                left -= 1
        if cut < len(text):
            out.append((text[cut:], fill, True))
        if cut:
            out.append((text[:cut], fill, False))
    return list(reversed(out))


def _html(info: ScaffoldInfo, version: str) -> tuple[str, tuple[Block, ...]]:
    t = template_version(Family.REPORT, version)
    blocks = scaffold_blocks(info, version)
    stack = font_stack()
    for context, text in printed_texts(blocks):
        stack.check_text(text, context)
    html = render_html(t.html_template,
                       {"r": {"title": report_title(info), "blocks": blocks}, "tail": tail_runs})
    return html, blocks


def scaffold_pdf(info: ScaffoldInfo, version: str = CURRENT[Family.REPORT]) -> bytes:
    """PDF preview of the scaffold (GB/T 9704 page, our fonts, cover with QR code) with template
    ``version`` (the one the report record stores).

    :raises UncoverableCharacter: a character of the pre-filled text that no bundled font draws.
    :raises RenderError: a template problem.
    :raises UnknownTemplateVersion: ``version`` is not a released reports version.
    """
    t = template_version(Family.REPORT, version)
    html, _ = _html(info, version)
    return html_to_pdf(
        html,
        stylesheets=t.css_templates,
        ua_stylesheet=t.ua_template,
        metadata=pdf_metadata(report_title(info), info.issue_date, archival=t.archival,
                              number=info.number, issuer=info.agency_name),
        archival=t.archival,
    )


@dataclass(frozen=True)
class PageStart:
    """Where a page of the PDF after the first starts: at block ``block`` (its first line), or,
    ``row`` not None, at that body row of the table ``block`` (the header row repeated above it)."""

    block: int
    row: int | None = None


def page_starts(info: ScaffoldInfo, version: str = CURRENT[Family.REPORT]) -> tuple[PageStart, ...]:
    """Where pages 2, 3, … of ``scaffold_pdf(info, version)`` start, read from the layout of a
    version whose markup marks its blocks and rows with data-b (reports v3 on). A page that starts
    inside a paragraph (the markup avoids it) is left out."""
    t = template_version(Family.REPORT, version)
    html, _ = _html(info, version)
    document = layout_html(html, stylesheets=t.css_templates, ua_stylesheet=t.ua_template)
    seen: set[str] = set()
    starts = []
    for number, page in enumerate(document.pages):
        keys = _marked(page._page_box)
        if number and keys:
            first = keys[0]
            if first not in seen:
                starts.append(PageStart(int(first)))
            else:
                row = next((k for k in keys if k.startswith(first + ".") and k not in seen), None)
                if row is not None:
                    starts.append(PageStart(int(first), int(row.split(".")[1])))
        seen.update(keys)
    return tuple(starts)


def _marked(box: Any) -> list[str]:
    """data-b of the elements laid out in ``box``, in document order, once each."""
    keys: list[str] = []
    for child in box.descendants():
        element = getattr(child, "element", None)
        key = None if element is None else element.get("data-b")
        if key is not None and (not keys or keys[-1] != key) and key not in keys:
            keys.append(key)
    return keys
