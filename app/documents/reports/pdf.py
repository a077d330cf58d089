"""PDF preview of a report scaffold: the content blocks through Jinja2 + WeasyPrint
(``templates/reports/<version>/``)."""

from __future__ import annotations

from app.documents.fonts import font_stack
from app.documents.registry import CURRENT, Family, template_version
from app.documents.render import pdf_metadata, render_pdf
from app.documents.reports.content import printed_texts, report_title, scaffold_blocks
from app.documents.reports.model import ScaffoldInfo


def scaffold_pdf(info: ScaffoldInfo, version: str = CURRENT[Family.REPORT]) -> bytes:
    """PDF preview of the scaffold (GB/T 9704 page, our fonts, cover with QR code) with template
    ``version`` (the one the report record stores).

    :raises UncoverableCharacter: a character of the pre-filled text that no bundled font draws.
    :raises RenderError: a template problem.
    :raises UnknownTemplateVersion: ``version`` is not a released reports version.
    """
    t = template_version(Family.REPORT, version)
    blocks = scaffold_blocks(info, version)
    stack = font_stack()
    for context, text in printed_texts(blocks):
        stack.check_text(text, context)
    return render_pdf(
        t.html_template,
        {"r": {"title": report_title(info), "blocks": blocks}},
        stylesheets=t.css_templates,
        ua_stylesheet=t.ua_template,
        metadata=pdf_metadata(report_title(info), info.issue_date, archival=t.archival,
                              number=info.number, issuer=info.agency_name),
        archival=t.archival,
    )

