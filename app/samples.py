"""Regenerates samples/: for each letter variant the input JSON, PDF, DOCX and page-1 PNG."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from app.demo import SAMPLES, UNITS
from app.documents import commitment as doc
from app.documents.preview import PreviewUnavailable, page_png
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.numbers import DocumentType, format_document_number, verification_code
from app.domain.subjects import SubjectKind

SAMPLE_SECRET = b"samples-only-not-a-real-key"
SAMPLE_BASE_URL = "http://127.0.0.1:8000"


def png_of_first_page(pdf: bytes, out: Path, dpi: int = 60, page: int = 1) -> bool:
    """Write a page as PNG; False when pdftoppm is not installed."""
    try:
        out.write_bytes(page_png(pdf, page, dpi=dpi))
    except PreviewUnavailable:
        return False
    return True


def write_samples(out: Path, issued_on: date) -> Iterator[str]:
    """Render every variant into ``out``; yields one line per file written."""
    out.mkdir(parents=True, exist_ok=True)
    for serial, (name, data) in enumerate(sorted(SAMPLES.items()), start=1):
        req = parse_commitment_request(data)
        number = format_document_number(DocumentType.CN, issued_on.year, serial)
        code = verification_code(SAMPLE_SECRET, number, req.subject_code, issued_on, "0" * 64)
        issue = doc.IssueInfo(number=number, verification_code=code,
                              verify_url=f"{SAMPLE_BASE_URL}/verify/{number}?c={code}",
                              issued_on=issued_on)
        letters = doc.filled_letters(req, issue, UNITS.get(req.receiving_unit))
        pdf = doc.letters_pdf(letters, created=issued_on)
        base = out / f"commitment-{name}"
        base.with_suffix(".json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        base.with_suffix(".pdf").write_bytes(pdf)
        base.with_suffix(".docx").write_bytes(doc.letters_docx(letters))
        yield f"{base.name}: json pdf docx"
        if png_of_first_page(pdf, base.with_suffix(".png")):
            yield f"{base.name}.png"
    for sc in Scenario:
        for who, kind in (("unit", SubjectKind.ENTERPRISE), ("person", SubjectKind.NATURAL_PERSON)):
            letters = doc.blank_letters(sc, kind)
            base = out / f"blank-{sc.value}-{who}"
            pdf = doc.letters_pdf(letters)
            base.with_suffix(".pdf").write_bytes(pdf)
            base.with_suffix(".docx").write_bytes(doc.letters_docx(letters))
            yield f"{base.name}: pdf docx"
            if png_of_first_page(pdf, base.with_suffix(".png")):
                yield f"{base.name}.png"
