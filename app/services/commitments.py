"""Issuing and verifying 信用承诺书: numbers, codes, rendering, archive and database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.archive.blobs import BlobCorrupt, BlobNotFound, BlobStore
from app.archive.pii import PiiCipher
from app.documents import commitment as doc
from app.documents.fonts import font_stack
from app.documents.registry import Family
from app.domain.access import AccessGround, Letter, Reader, letter_access
from app.domain.commitments import CommitmentRequest, Scenario, parse_commitment_request
from app.domain.errors import FieldError
from app.domain.masking import public_subject_code
from app.domain.numbers import (
    DocumentType,
    format_document_number,
    parse_document_number,
    verification_code,
)
from app.domain.subjects import SubjectKind
from app.domain.unit_clauses import clause_applies
from app.domain.urls import verify_url
from app.models import AgencyReport, CreditCheck, DocumentCounter, IssuedDocument, ReceivingUnit
from app.services.audit import AuditTrail
from app.services.numbering import next_serial

ENCRYPTED_PREFIX = "enc:"
TEXT_FIELDS = ("subject_name", "legal_representative", "matter", "receiving_unit")


class DocumentNotFound(LookupError):
    """No issued document with that number."""


class OriginalMissing(LookupError):
    """The archived original of an issued document is missing or damaged (存档原件缺失或损坏):
    nothing else may be served in its place."""

    def __init__(self, number: str, sha256: str) -> None:
        super().__init__(f"archived original of {number} (sha256 {sha256}) is missing")
        self.number = number
        self.sha256 = sha256


@dataclass(frozen=True)
class Issued:
    """Result of issuing a letter."""

    record: IssuedDocument
    pdf: bytes


def reserve_serial(session: Session, doc_type: DocumentType, year: int, serial: int) -> None:
    """Make ``next_serial`` continue after ``serial``: for a number that exists without having been
    allocated here (a loaded sample, ``app.services.samples``). Never moves the counter back."""
    bump = (update(DocumentCounter)
            .where(DocumentCounter.doc_type == doc_type.value, DocumentCounter.year == year)
            .values(last_serial=case((DocumentCounter.last_serial < serial, serial),
                                     else_=DocumentCounter.last_serial)))
    if session.execute(bump).rowcount:
        return
    try:
        with session.begin_nested():
            session.execute(insert(DocumentCounter).values(
                doc_type=doc_type.value, year=year, last_serial=serial))
    except IntegrityError:  # another request created the row first
        session.execute(bump)


def unit_names(session: Session) -> list[str]:
    """Every receiving unit's name, in registry order (the form's list, the API's check)."""
    return list(session.scalars(select(ReceivingUnit.name).order_by(ReceivingUnit.id)))


def matter_clause(session: Session, unit_name: str, scenario: Scenario,
                  kind: SubjectKind) -> str | None:
    """The receiving unit's clause 6 (policy 五(二)6) when it applies to this scenario and subject
    kind (issue 12 §2: the unit's scope, ``app.domain.unit_clauses``)."""
    row = session.execute(select(ReceivingUnit.matter_clause, ReceivingUnit.clause_scenarios,
                                 ReceivingUnit.clause_subject_kinds)
                          .where(ReceivingUnit.name == unit_name)).first()
    if row is None or not row.matter_clause:
        return None
    applies = clause_applies(row.clause_scenarios, row.clause_subject_kinds, scenario, kind)
    return row.matter_clause if applies else None


def check_renderable(req: CommitmentRequest) -> None:
    """Refuse any character no bundled font can draw (no tofu, ever)."""
    stack = font_stack()
    for field in TEXT_FIELDS:
        stack.check_text(getattr(req, field), field=field)


def payload_of(req: CommitmentRequest, issue: doc.IssueInfo, extra_clause: str | None,
               cipher: PiiCipher) -> dict[str, object]:
    """Everything needed to re-render the letter exactly (stored with the record); the
    subject code is kept encrypted, as everywhere personal data rests."""
    return {
        "request": {**asdict(req), "scenario": req.scenario.value,
                    "subject_kind": req.subject_kind.value,
                    "subject_code": ENCRYPTED_PREFIX + cipher.encrypt(req.subject_code)},
        "number": issue.number,
        "verification_code": issue.verification_code,
        "verify_url": issue.verify_url,
        "issued_on": issue.issued_on.isoformat(),
        "extra_clause": extra_clause,
    }


def request_data(payload: Mapping[str, object], cipher: PiiCipher) -> dict[str, str]:
    """The stored request fields with the subject code decrypted."""
    data = dict(payload["request"])  # type: ignore[arg-type]
    code = str(data["subject_code"])
    if code.startswith(ENCRYPTED_PREFIX):
        data["subject_code"] = cipher.decrypt(code[len(ENCRYPTED_PREFIX):])
    return data


def _request_from_payload(payload: Mapping[str, object], cipher: PiiCipher) -> CommitmentRequest:
    data: dict[str, object] = dict(request_data(payload, cipher))
    data["scenario"] = Scenario(data["scenario"])
    data["subject_kind"] = SubjectKind(data["subject_kind"])
    return CommitmentRequest(**data)


def _issue_of(payload: Mapping[str, object]) -> doc.IssueInfo:
    return doc.IssueInfo(
        number=str(payload["number"]), verification_code=str(payload["verification_code"]),
        verify_url=str(payload["verify_url"]),
        issued_on=date.fromisoformat(str(payload["issued_on"])))


def render_from_payload(payload: Mapping[str, object], version: str, cipher: PiiCipher) -> bytes:
    """Re-render an issued letter's PDF from its stored payload with template ``version`` (its
    wording, markup and styles): the same bytes as when it was issued (tests/documents/
    test_samples.py)."""
    req = _request_from_payload(payload, cipher)
    issue = _issue_of(payload)
    letters = doc.filled_letters(req, issue, payload.get("extra_clause"), version)  # type: ignore[arg-type]
    return doc.letters_pdf(letters, version, created=issue.issued_on)


def docx_from_payload(payload: Mapping[str, object], version: str, cipher: PiiCipher) -> bytes:
    """An issued letter's DOCX from its stored payload, in template ``version``."""
    req = _request_from_payload(payload, cipher)
    letters = doc.filled_letters(req, _issue_of(payload), payload.get("extra_clause"), version)  # type: ignore[arg-type]
    return doc.letters_docx(letters, version)


def issue_commitment(session: Session, data: Mapping[str, object], *, secret: bytes,
                     base_url: str, archive: BlobStore, cipher: PiiCipher, today: date,
                     trail: AuditTrail) -> Issued:
    """Validate ``data``, number, render, archive, record and audit a pre-filled letter.

    Raises ``FieldErrors`` for invalid fields and ``UncoverableCharacter`` for text no bundled
    font can draw; nothing is stored in either case. The caller commits the session.
    """
    req = parse_commitment_request(data, unit_names(session))
    check_renderable(req)
    extra = matter_clause(session, req.receiving_unit, req.scenario, req.subject_kind)
    serial = next_serial(session, DocumentType.CN, today.year)
    number = format_document_number(DocumentType.CN, today.year, serial)
    content_hash = hashlib.sha256(
        json.dumps([asdict(req), extra], sort_keys=True, default=str).encode()).hexdigest()
    code = verification_code(secret, number, req.subject_code, today, content_hash)
    issue = doc.IssueInfo(number=number, verification_code=code,
                          verify_url=verify_url(base_url, number, code),
                          issued_on=today)
    payload = payload_of(req, issue, extra, cipher)
    version = doc.CURRENT_TEMPLATE_VERSION
    pdf = render_from_payload(payload, version, cipher)
    digest = archive.put(pdf)
    record = IssuedDocument(
        number=number, doc_type=DocumentType.CN.value, year=today.year, serial=serial,
        verification_code=code, sha256=digest,
        template_name=Family.COMMITMENT.value, template_version=version,
        subject_kind=req.subject_kind.value, subject_name=req.subject_name,
        subject_code_public=public_subject_code(req.subject_kind, req.subject_code),
        subject_code_hash=cipher.lookup_hash(req.subject_code),
        subject_code_enc=cipher.encrypt(req.subject_code), scenario=req.scenario.value,
        receiving_unit=req.receiving_unit, issued_on=today, status="valid", payload=payload)
    session.add(record)
    session.flush()
    trail.record(session, "issue_commitment", "issued_document", record.number,
                 sha256=record.sha256)
    return Issued(record=record, pdf=pdf)


def find_document(session: Session, number_text: str) -> IssuedDocument:
    """The issued letter for a typed or scanned number; raises FieldError or DocumentNotFound."""
    doc_type, year, serial = parse_document_number(number_text)
    if doc_type is not DocumentType.CN:
        raise DocumentNotFound(number_text)
    record = session.scalar(select(IssuedDocument).where(
        IssuedDocument.doc_type == doc_type.value, IssuedDocument.year == year,
        IssuedDocument.serial == serial))
    if record is None:
        raise DocumentNotFound(number_text)
    return record


def find_readable_document(session: Session, number_text: str, reader: Reader,
                           code: str | None = None) -> tuple[IssuedDocument, AccessGround]:
    """The issued letter for ``number_text`` if ``reader`` (or the ``code`` they present) may
    read it (issue 10 §1, ``app.domain.access``), with the ground.

    Raises ``DocumentNotFound`` alike when the number is unknown and when the reader may not
    read the letter, so a refusal never confirms that a number exists; ``FieldError`` for a
    number that is malformed or fails its check character (computable by anyone).
    """
    record = find_document(session, number_text)
    ground = letter_access(reader, Letter(addressee=record.receiving_unit,
                                          verification_code=record.verification_code), code)
    if ground is None:
        raise DocumentNotFound(number_text)
    return record, ground


def may_read_number(session: Session, number: str, reader: Reader) -> bool:
    """Whether ``reader`` may read the issued letter stored under exactly ``number`` (a job's or
    a filing's canonical number); unknown numbers are not letters of this service: True."""
    record = session.scalar(select(IssuedDocument).where(IssuedDocument.number == number))
    return record is None or letter_access(
        reader, Letter(addressee=record.receiving_unit,
                       verification_code=record.verification_code)) is not None


def issued_pdf(record: IssuedDocument, archive: BlobStore) -> bytes:
    """The exact issued PDF, the archived original (never a re-render: a file that did not hash
    to ``record.sha256`` would not be the issued document); raises ``OriginalMissing`` when the
    original is gone or no longer matches its hash."""
    try:
        return archive.get(record.sha256)
    except (BlobNotFound, BlobCorrupt):
        raise OriginalMissing(record.number, record.sha256) from None


def find_verifiable(session: Session, number_text: str) -> IssuedDocument | CreditCheck | AgencyReport:
    """Any document with a number and QR code: a letter (CN), a certificate (HC), or an agency
    report (PJ rating, BG 信用报告)."""
    doc_type, year, serial = parse_document_number(number_text)
    if doc_type in (DocumentType.PJ, DocumentType.BG):
        report = session.scalar(select(AgencyReport).where(
            AgencyReport.number == format_document_number(doc_type, year, serial)))
        if report is None:
            raise DocumentNotFound(number_text)
        return report
    if doc_type is DocumentType.HC:
        cert = session.scalar(select(CreditCheck).where(CreditCheck.year == year,
                                                        CreditCheck.serial == serial))
        if cert is None:
            raise DocumentNotFound(number_text)
        return cert
    return find_document(session, number_text)


def code_matches(record: IssuedDocument | CreditCheck | AgencyReport, code: str | None) -> bool:
    import hmac

    return bool(code) and hmac.compare_digest(record.verification_code,
                                              (code or "").strip().upper())


def ensure_code(record: IssuedDocument | CreditCheck, code: str | None) -> None:
    if not code_matches(record, code):
        raise FieldError("c", "验证码不正确，请核对承诺书上打印的验证码")
