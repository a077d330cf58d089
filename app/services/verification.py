"""Checking a PDF someone holds: is it exactly a file we issued or stamped, and do its signatures hold?"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AgencyReport, CreditCheck, IssuedDocument, StampJob
from app.stamping.validation import validate_signatures


def check_file(session: Session, pdf: bytes, trust_roots: Sequence[bytes],
               number: str | None = None) -> dict[str, Any]:
    """Archive match and signature reports for ``pdf``; raises InvalidPdf / EncryptedPdf.

    With ``number``, ``matches_number`` says whether the file is that document as issued or as
    stamped by a unit (a stamped copy is a new file, so both hashes count).
    """
    digest = hashlib.sha256(pdf).hexdigest()
    issued = session.scalar(select(IssuedDocument.number).where(IssuedDocument.sha256 == digest))
    stamped = session.execute(select(StampJob.id, StampJob.document_number)
                              .where(StampJob.result_sha256 == digest)).first()
    certificate = session.scalar(select(CreditCheck.number).where(CreditCheck.sha256 == digest))
    report = session.scalar(select(AgencyReport.number).where(AgencyReport.sha256 == digest))
    issued = issued or certificate or report
    matched_number = issued or (stamped.document_number if stamped else None)
    reports = validate_signatures(pdf, trust_roots)
    result: dict[str, Any] = {
        "sha256": digest,
        "issued_document": issued,
        "stamped_by_platform": stamped is not None,
        "document_number": matched_number,
        "signatures": [{
            "field_name": r.field_name, "signer": r.signer,
            "signing_time": r.signing_time.isoformat() if r.signing_time else None,
            "status": r.status, "trusted": r.trusted, "summary": r.summary_zh,
        } for r in reports],
    }
    if number is not None:
        result["matches_number"] = matched_number == number
    return result
