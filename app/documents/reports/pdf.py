"""PDF preview of a report scaffold: the content blocks through Jinja2 + WeasyPrint
(``templates/reports/<version>/``)."""

from __future__ import annotations

from app.documents.fonts import font_stack
from app.documents.render import render_pdf
from app.documents.reports.content import printed_texts, report_title, scaffold_blocks
from app.documents.reports.model import ScaffoldInfo

TEMPLATE_VERSION = "v1"


def scaffold_pdf(info: ScaffoldInfo) -> bytes:
    """PDF preview of the scaffold (GB/T 9704 page, our fonts, cover with QR code).

    :raises UncoverableCharacter: a character of the pre-filled text that no bundled font draws.
    :raises RenderError: a template problem.
    """
    blocks = scaffold_blocks(info)
    stack = font_stack()
    for context, text in printed_texts(blocks):
        stack.check_text(text, context)
    stamp = info.issue_date.isoformat()
    return render_pdf(
        f"reports/{TEMPLATE_VERSION}/report.html",
        {"r": {"title": report_title(info), "blocks": blocks}},
        stylesheets=(f"reports/{TEMPLATE_VERSION}/report.css",),
        metadata={"title": report_title(info), "created": stamp, "modified": stamp},
    )

