"""信用承诺书 documents: the Letter content for each variant and version, and its PDF/DOCX renderings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from app.documents.docx_render import render_letters_docx
from app.documents.letter import Letter, LetterField
from app.documents.registry import CURRENT, Family, TemplateVersion, template_version
from app.documents.render import pdf_metadata, render_pdf
from app.documents.wording import LetterWording, letter_wording
from app.domain.commitments import CommitmentRequest, Scenario, normalise_extra_clause
from app.domain.dates import format_cn_date
from app.domain.subjects import SubjectKind

LETTER_DOCX_LAYOUTS = ("letters-1", "letters-2", "letters-3", "letters-4")
"""The letter layouts there are (registry.DOCX_LAYOUTS): letters-2 is letters-1 with the ruled
lines of an open item (``Letter.open_lines``), which no letter of a letters-1 version has;
letters-3 is the v4 PDF's page on the 28 × 22 grid, with its fonts embedded."""

CURRENT_TEMPLATE_VERSION = CURRENT[Family.COMMITMENT]
"""Template version used for new letters (app/documents/registry.py); older letters re-render
with the version they store."""


@dataclass(frozen=True)
class IssueInfo:
    """What issuing adds to a filled letter."""

    number: str
    verification_code: str
    verify_url: str
    issued_on: date


def template(version: str) -> TemplateVersion:
    """The templates of ``version``; ``UnknownTemplateVersion`` (a ValueError) if not released."""
    return template_version(Family.COMMITMENT, version)


def _fields(w: LetterWording, kind: SubjectKind, name: str, code: str, legal_rep: str,
            matter: str) -> tuple[LetterField, ...]:
    labels = w.field_labels(kind)
    if kind.is_unit:
        values = (name, w.kind_label(kind) if name else "", code, legal_rep, matter)
    else:
        values = (name, code, matter)
    return tuple(LetterField(label, value) for label, value in zip(labels, values, strict=True))


def _letter(w: LetterWording, scenario: Scenario, kind: SubjectKind,
            fields: tuple[LetterField, ...], extra_clause: str | None, date_text: str,
            **issued: str) -> Letter:
    clause = normalise_extra_clause(extra_clause)
    return Letter(
        title=w.title,
        subtitle=w.subtitle(scenario),
        fields=fields,
        preamble=w.preamble_for(kind),
        clauses=w.clauses(kind, clause),
        open_lines=w.open_lines(clause),
        closing=w.closing,
        signature_lines=w.signature_block(kind),
        date_text=date_text,
        verify_caption=w.verify_caption,
        code_label=w.code_label,
        **issued,
    )


def filled_letters(req: CommitmentRequest, issue: IssueInfo, extra_clause: str | None,
                   version: str = CURRENT_TEMPLATE_VERSION) -> list[Letter]:
    """Both copies of a pre-filled, issued letter, in the wording of ``version``.

    :raises FieldError: ``extra_clause`` is not printable (``normalise_extra_clause``).
    """
    w = letter_wording(version)
    fields = _fields(w, req.subject_kind, req.subject_name, req.subject_code,
                     req.legal_representative, req.matter)
    base = _letter(w, req.scenario, req.subject_kind, fields, extra_clause,
                   format_cn_date(issue.issued_on), signer=req.subject_name,
                   number=issue.number, verification_code=issue.verification_code,
                   verify_url=issue.verify_url, receiving_unit=req.receiving_unit)
    return [replace(base, copy_label=label) for label in w.copy_labels]


def blank_letters(scenario: Scenario, kind: SubjectKind,
                  version: str = CURRENT_TEMPLATE_VERSION) -> list[Letter]:
    """Both copies of the blank electronic form (policy 五(三)1) for one variant."""
    w = letter_wording(version)
    base = _letter(w, scenario, kind, _fields(w, kind, "", "", "", ""), None, w.blank_date)
    return [replace(base, copy_label=label) for label in w.copy_labels]


def letters_pdf(letters: Sequence[Letter], version: str = CURRENT_TEMPLATE_VERSION,
                *, created: date | None = None) -> bytes:
    """PDF bytes of ``letters`` with template ``version``; same input, same bytes."""
    t = template(version)
    return render_pdf(t.html_template,
                      {"letters": list(letters), "numerals": letter_wording(version).numerals},
                      stylesheets=t.css_templates, ua_stylesheet=t.ua_template,
                      metadata=pdf_metadata(letters[0].title, created or date(2026, 1, 1),
                                            archival=t.archival, number=letters[0].number),
                      archival=t.archival)


def letters_docx(letters: Sequence[Letter], version: str = CURRENT_TEMPLATE_VERSION) -> bytes:
    """DOCX bytes of ``letters`` in the DOCX layout of ``version`` (same content and margins as
    the PDF)."""
    layout = template(version).docx_layout
    if layout not in LETTER_DOCX_LAYOUTS:
        raise ValueError(f"no DOCX layout {layout!r} for letters")
    if layout == "letters-1" and any(letter.open_lines for letter in letters):
        raise ValueError("DOCX layout letters-1 has no ruled lines for an open item")
    return render_letters_docx(letters, layout=layout)
