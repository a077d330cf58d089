"""Uploaded commitment letters: intake, archive, review, publication (公示), revocation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.intake import IntakeLimits, display_file_name, inspect_pdf
from app.archive.pii import PiiCipher
from app.archive.search import search_index_for
from app.domain.access import Reader
from app.domain.errors import FieldError
from app.domain.filings import parse_filing_metadata
from app.domain.masking import public_subject_code
from app.domain.subjects import SubjectKind
from app.models import Filing, ReceivingUnit
from app.services.commitments import DocumentNotFound, find_readable_document
from app.stamping.overlay import add_watermark

PUBLIC_WATERMARK = "公示专用"
STATUS_LABELS = {"pending": "待审核", "published": "公示中", "rejected": "已驳回",
                 "revoked": "已撤销"}
MAX_REASON_LEN = 500


@dataclass(frozen=True)
class UploadResult:
    filing: Filing
    created: bool
    """False when the same file had been uploaded before (the existing record is returned)."""


def issued_letter_fields(session: Session, number: object, cipher: PiiCipher,
                         unit: ReceivingUnit) -> dict[str, str]:
    """The metadata of a letter this service issued, to pre-fill an upload that carries its
    number (printed on the letter and in its QR code); empty when unknown.

    Only a letter addressed to the uploading ``unit`` pre-fills (issue 10 §1): any PDF or form
    can carry any number, and the pre-filled fields (the full name and ID number among them)
    would otherwise hand another unit's applicant data to whoever uploads. A letter addressed
    elsewhere is treated exactly as an unknown number.
    """
    if not isinstance(number, str) or not number.strip():
        return {}
    try:
        record, _ground = find_readable_document(session, number, Reader(unit_name=unit.name))
    except (FieldError, DocumentNotFound):
        return {}
    from app.services.commitments import request_data

    request = request_data(record.payload, cipher)
    request.pop("receiving_unit", None)
    return {**{k: str(v) for k, v in request.items()}, "document_number": record.number,
            "commitment_date": record.issued_on.isoformat()}


def file_upload(session: Session, archive: BlobStore, cipher: PiiCipher, *, data: bytes,
                name: str, fields: Mapping[str, object], unit: ReceivingUnit,
                today: date, limits: IntakeLimits, user_id: int | None = None,
                api_key_id: int | None = None, replaces: Filing | None = None) -> UploadResult:
    """Check, archive and record an uploaded letter; the same file twice from the same unit
    gives one record. Duplicates are per receiving unit (issue 10 §1): bytes another unit filed
    make a record of this unit's own, never an answer about the other unit's filing.

    Raises ``IntakeRejected`` (the file) or ``FieldErrors`` (the metadata) before anything is
    stored. The caller commits.
    """
    facts = inspect_pdf(data, limits)
    existing = _own_filing(session, unit, facts.sha256)
    if existing is not None:
        return UploadResult(existing, created=False)
    fields = dict(fields)
    if not fields.get("document_number") and facts.document_numbers:
        fields["document_number"] = facts.document_numbers[0]
    fields = {**issued_letter_fields(session, fields.get("document_number"), cipher, unit),
              **{k: v for k, v in fields.items() if v not in (None, "")}}
    meta = parse_filing_metadata(fields, receiving_unit=unit.name, today=today)
    if replaces is not None and (replaces.status != "rejected" or replaces.unit_id != unit.id):
        raise FieldError("replaces", "只能为本单位被驳回的上传提交更正文件")
    req = meta.request
    archive.put(data)  # before the row: a failed transaction leaves at most an orphaned blob
    filing = Filing(
        sha256=facts.sha256, original_name=display_file_name(name), size_bytes=facts.size_bytes,
        page_count=facts.page_count, unit_id=unit.id, uploaded_by=user_id, api_key_id=api_key_id,
        subject_kind=req.subject_kind.value, subject_name=req.subject_name,
        subject_code_public=public_subject_code(req.subject_kind, req.subject_code),
        subject_code_hash=cipher.lookup_hash(req.subject_code),
        subject_code_enc=cipher.encrypt(req.subject_code),
        legal_representative=req.legal_representative, matter=req.matter,
        scenario=req.scenario.value, commitment_date=meta.commitment_date,
        document_number=meta.document_number, status="pending",
        replaces_id=replaces.id if replaces else None)
    try:
        with session.begin_nested():
            session.add(filing)
    except IntegrityError:  # an identical upload of this unit committed a moment earlier
        existing = _own_filing(session, unit, facts.sha256)
        if existing is None:
            raise
        return UploadResult(existing, created=False)
    return UploadResult(filing, created=True)


def _own_filing(session: Session, unit: ReceivingUnit, sha256: str) -> Filing | None:
    """This unit's filing of exactly these bytes (unique per unit: uq_filings_unit_id_sha256)."""
    return session.scalar(select(Filing).where(Filing.unit_id == unit.id,
                                               Filing.sha256 == sha256))


def _reason(reason: str, field: str = "reason") -> str:
    text = " ".join(reason.split())
    if not text:
        raise FieldError(field, "请填写原因，上传单位和公众将看到这段说明")
    if len(text) > MAX_REASON_LEN:
        raise FieldError(field, f"原因不能超过{MAX_REASON_LEN}个字符")
    return text


def _now() -> datetime:
    return datetime.now(UTC)


def approve(session: Session, archive: BlobStore, filing: Filing, *, reviewer_id: int) -> Filing:
    """待审核 -> 公示中: make the watermarked public copy (units only) and mark older
    commitments of the same subject with another name or legal representative 已更新."""
    if filing.status != "pending":
        raise FieldError("status", f"只有待审核的上传可以通过（当前：{STATUS_LABELS[filing.status]}）")
    if SubjectKind(filing.subject_kind) is not SubjectKind.NATURAL_PERSON:
        # policy 五(三)2 publication; natural persons get no PDF on the public site (§7.2)
        public_copy = add_watermark(archive.get(filing.sha256), PUBLIC_WATERMARK)
        filing.public_copy_sha256 = archive.put(public_copy)
    filing.status = "published"
    filing.reviewed_by, filing.reviewed_at = reviewer_id, _now()
    filing.published_at = filing.reviewed_at
    filing.review_reason = None
    _supersede_older(session, filing)
    session.flush()
    _reindex(session, filing)
    return filing


def _supersede_older(session: Session, newer: Filing) -> None:
    """Policy 五(三)2: a change of name or legal representative requires a new commitment."""
    older = session.scalars(select(Filing).where(
        Filing.subject_code_hash == newer.subject_code_hash, Filing.status == "published",
        Filing.id != newer.id, Filing.superseded_by_id.is_(None),
        Filing.commitment_date <= newer.commitment_date))
    for filing in older:
        if (filing.subject_name, filing.legal_representative) != \
                (newer.subject_name, newer.legal_representative):
            filing.superseded_by_id = newer.id


def reject(session: Session, filing: Filing, *, reviewer_id: int, reason: str) -> Filing:
    if filing.status != "pending":
        raise FieldError("status", f"只有待审核的上传可以驳回（当前：{STATUS_LABELS[filing.status]}）")
    filing.status = "rejected"
    filing.review_reason = _reason(reason)
    filing.reviewed_by, filing.reviewed_at = reviewer_id, _now()
    session.flush()
    return filing


def revoke(session: Session, filing: Filing, *, reviewer_id: int, reason: str) -> Filing:
    """公示中 -> 已撤销: leaves the public site at once, stays in the archive."""
    if filing.status != "published":
        raise FieldError("status", "只有公示中的承诺书可以撤销")
    filing.status = "revoked"
    filing.revoked_reason = _reason(reason)
    filing.revoked_at = _now()
    session.flush()
    _reindex(session, filing)
    return filing


def _reindex(session: Session, filing: Filing) -> None:
    unit_name = session.scalar(select(ReceivingUnit.name).where(ReceivingUnit.id == filing.unit_id))
    search_index_for(session).add_to_index(session, filing, unit_name or "")


def index_new(session: Session, filing: Filing) -> None:
    """Called after an upload is committed: make it findable by staff search."""
    _reindex(session, filing)
