"""信用承诺书 documents: the Letter content for each variant and its PDF/DOCX renderings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from app.documents.docx_render import render_letters_docx
from app.documents.letter import Letter, LetterField
from app.documents.render import render_pdf
from app.domain.commitments import (
    CommitmentRequest,
    Scenario,
    closing,
    commitment_clauses,
    preamble,
    signature_lines,
)
from app.domain.dates import format_cn_date
from app.domain.subjects import SubjectKind

CURRENT_TEMPLATE_VERSION = "v2"
"""Template version used for new letters; older letters re-render with the version they store."""


@dataclass(frozen=True)
class TemplateVersion:
    """What a template version renders with. A version never changes once letters carry it."""

    html: str
    css: str
    ua_stylesheet: str | None = None
    """None: WeasyPrint's own user-agent stylesheet."""


TEMPLATES = {
    "v1": TemplateVersion("commitment/v1/letter.html", "commitment/v1/letter.css"),
    # v2: v1's page, rendered about 20 % faster (see the header of its markup and stylesheet).
    "v2": TemplateVersion("commitment/v2/letter.html", "commitment/v2/letter.css",
                          "common/document-ua.css"),
}
TEMPLATE_VERSIONS = tuple(TEMPLATES)
COPY_LABELS = ("承诺人留存", "接受承诺单位留存")
"""一式两份 (policy 五(三)2): one copy for the subject, one for the receiving unit."""
NUMERALS = "一二三四五六七八九十"
TITLE = "信用承诺书"
BLANK_DATE = "\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"


@dataclass(frozen=True)
class IssueInfo:
    """What issuing adds to a filled letter."""

    number: str
    verification_code: str
    verify_url: str
    issued_on: date


def template(version: str) -> TemplateVersion:
    """The templates of ``version``; ValueError for an unknown version."""
    if version not in TEMPLATES:
        raise ValueError(f"unknown template version {version!r}")
    return TEMPLATES[version]


def _fields(kind: SubjectKind, name: str, code: str, legal_rep: str, matter: str
            ) -> tuple[LetterField, ...]:
    if kind.is_unit:
        return (
            LetterField("承诺主体名称", name),
            LetterField("主体类型", kind.label if name else ""),
            LetterField("统一社会信用代码", code),
            LetterField("法定代表人（负责人）", legal_rep),
            LetterField("承诺事项", matter),
        )
    return (
        LetterField("承诺人姓名", name),
        LetterField("身份证号码", code),
        LetterField("承诺事项", matter),
    )


def filled_letters(req: CommitmentRequest, issue: IssueInfo, extra_clause: str | None
                   ) -> list[Letter]:
    """Both copies of a pre-filled, issued letter."""
    base = Letter(
        title=TITLE,
        subtitle=req.scenario.subtitle,
        fields=_fields(req.subject_kind, req.subject_name, req.subject_code,
                       req.legal_representative, req.matter),
        preamble=preamble(req.subject_kind, req.scenario),
        clauses=commitment_clauses(req.subject_kind, extra_clause),
        closing=closing(),
        signature_lines=signature_lines(req.subject_kind),
        date_text=format_cn_date(issue.issued_on),
        signer=req.subject_name,
        number=issue.number,
        verification_code=issue.verification_code,
        verify_url=issue.verify_url,
        receiving_unit=req.receiving_unit,
    )
    return [replace(base, copy_label=label) for label in COPY_LABELS]


def blank_letters(scenario: Scenario, kind: SubjectKind) -> list[Letter]:
    """Both copies of the blank electronic form (policy 五(三)1) for one variant."""
    base = Letter(
        title=TITLE,
        subtitle=scenario.subtitle,
        fields=_fields(kind, "", "", "", ""),
        preamble=preamble(kind, scenario),
        clauses=commitment_clauses(kind, None),
        closing=closing(),
        signature_lines=signature_lines(kind),
        date_text=BLANK_DATE,
    )
    return [replace(base, copy_label=label) for label in COPY_LABELS]


def letters_pdf(letters: Sequence[Letter], version: str = CURRENT_TEMPLATE_VERSION,
                *, created: date | None = None) -> bytes:
    """PDF bytes of ``letters`` with template ``version``; same input, same bytes."""
    stamp = (created or date(2026, 1, 1)).isoformat()
    t = template(version)
    return render_pdf(t.html, {"letters": list(letters), "numerals": NUMERALS},
                      stylesheets=(t.css,), ua_stylesheet=t.ua_stylesheet,
                      metadata={"title": letters[0].title, "created": stamp, "modified": stamp})


def letters_docx(letters: Sequence[Letter]) -> bytes:
    """DOCX bytes of ``letters`` (same content and margins as the PDF)."""
    return render_letters_docx(letters)
