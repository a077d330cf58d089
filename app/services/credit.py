"""Credit records and checks: import, lookup, the check, certificates, breaches, statistics."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.pii import PiiCipher
from app.documents.certificate import CURRENT_TEMPLATE_VERSION as CERTIFICATE_VERSION
from app.documents.certificate import CertificateHeader, certificate_context, certificate_pdf
from app.documents.registry import Family
from app.domain.credit_check import CheckResult, Purpose, check_credit
from app.domain.credit_import import ImportReport, natural_key
from app.domain.credit_records import CreditRecord, RecordType
from app.domain.errors import FieldError
from app.domain.identifiers import validate_resident_id, validate_uscc
from app.domain.masking import mask_person_name, mask_resident_id
from app.domain.names import normalise_free_text
from app.domain.numbers import DocumentType, format_document_number, verification_code
from app.domain.ratings import cancelled_agency_note
from app.domain.urls import verify_url
from app.models import Agency, AgencyReport, CreditCheck, CreditRecordRow, ReceivingUnit
from app.services.audit import AuditTrail
from app.services.commitments import next_serial
from app.services.seals import seal_image, seals_of_unit
from app.stamping import overlay
from app.stamping.signing import DocumentSigner


class SubjectNotFound(LookupError):
    """No credit record and no check mentions this subject."""


def normalise_code(code: str) -> tuple[str, bool]:
    """The validated code and whether it is a resident ID (natural person)."""
    text = (code or "").strip().upper()
    if len(text) == 18 and text[:17].isdigit():
        try:
            return validate_resident_id(text, field="subject_code"), True
        except FieldError:
            pass
    return validate_uscc(text, field="subject_code"), False


@dataclass(frozen=True)
class ImportOutcome:
    inserted: int
    updated: int
    unchanged: int
    report: ImportReport


_COPIED = ("subject_name", "source_department", "decided_on", "valid_until", "grade", "ground",
           "severity", "repaired_on", "summary")


def import_records(session: Session, cipher: PiiCipher, report: ImportReport, *, source: str,
                   trail: AuditTrail) -> ImportOutcome:
    """Upsert the valid rows of ``report`` by natural key (type, code, decision number), and
    audit the import of the file named ``source``."""
    inserted = updated = unchanged = 0
    for record in report.records:
        kind, code, number = natural_key(record)
        code_hash = cipher.lookup_hash(code)
        row = session.scalar(select(CreditRecordRow).where(
            CreditRecordRow.record_type == kind, CreditRecordRow.subject_code_hash == code_hash,
            CreditRecordRow.decision_number == number))
        values = {f: getattr(record, f) for f in _COPIED}
        if row is None:
            session.add(_new_row(record, cipher, values))
            inserted += 1
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            row.updated_at = datetime.now(UTC)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    trail.record(session, "import_credit_records", "file", source, inserted=inserted,
                 updated=updated, rejected=report.rejected_rows)
    return ImportOutcome(inserted, updated, unchanged, report)


def _new_row(record: CreditRecord, cipher: PiiCipher, values: dict[str, object]) -> CreditRecordRow:
    _, is_person = normalise_code(record.subject_code)
    return CreditRecordRow(
        record_type=record.record_type.value,
        subject_code_public=mask_resident_id(record.subject_code) if is_person else record.subject_code,
        subject_code_hash=cipher.lookup_hash(record.subject_code),
        subject_code_enc=cipher.encrypt(record.subject_code),
        decision_number=record.decision_number, **values)


def records_of(session: Session, cipher: PiiCipher, code: str) -> list[CreditRecord]:
    """Every stored record of the subject with ``code`` (already validated)."""
    rows = session.scalars(select(CreditRecordRow).where(
        CreditRecordRow.subject_code_hash == cipher.lookup_hash(code)).order_by(CreditRecordRow.id)
                           ).all()
    cancelled = _cancelled_agencies(session, [r.decision_number for r in rows
                                              if r.record_type == RecordType.RATING.value])
    return [CreditRecord(record_type=RecordType(r.record_type), subject_code=code,
                         subject_name=r.subject_name,
                         source_department=r.source_department + cancelled.get(r.decision_number, ""),
                         decision_number=r.decision_number, decided_on=r.decided_on,
                         valid_until=r.valid_until, grade=r.grade, ground=r.ground,
                         severity=r.severity, repaired_on=r.repaired_on, summary=r.summary)
            for r in rows]


def _cancelled_agencies(session: Session, numbers: list[str]) -> dict[str, str]:
    """Rating number -> the note after its agency's name, for ratings of cancelled agencies
    (``ratings.cancelled_agency_note``: they still count, marked)."""
    if not numbers:
        return {}
    rows = session.execute(select(AgencyReport.number, Agency.cancelled_on).join(Agency)
                           .where(AgencyReport.number.in_(numbers), Agency.status == "cancelled"))
    return {number: cancelled_agency_note(on) for number, on in rows}


def find_subjects(session: Session, cipher: PiiCipher, query: str, limit: int = 20
                  ) -> list[tuple[str, str, int]]:
    """(name, public code, record count) of subjects matching a code or part of a name."""
    text = query.strip()
    if not text:
        return []
    conditions = [CreditRecordRow.subject_name.contains(text, autoescape=True)]
    try:
        code, _ = normalise_code(text)
        conditions.append(CreditRecordRow.subject_code_hash == cipher.lookup_hash(code))
    except FieldError:
        pass
    stmt = (select(CreditRecordRow.subject_name, CreditRecordRow.subject_code_public,
                   func.count()).where(or_(*conditions))
            .group_by(CreditRecordRow.subject_name, CreditRecordRow.subject_code_public)
            .order_by(CreditRecordRow.subject_name).limit(limit))
    return [(n, c, k) for n, c, k in session.execute(stmt)]


def parse_purpose(value: object) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        allowed = "、".join(f"{p.value}（{p.label}）" for p in Purpose)
        raise FieldError("purpose", f"核查用途无效，应为：{allowed}") from None


def parse_as_of(value: object, today: date) -> date:
    if value in (None, ""):
        return today
    try:
        as_of = date.fromisoformat(str(value))
    except ValueError:
        raise FieldError("as_of", f"核查时点“{value}”不是有效日期（格式2026-11-29）") from None
    if as_of > today:
        raise FieldError("as_of", "核查时点不能晚于今天")
    return as_of


@dataclass(frozen=True)
class SubjectCheck:
    code: str
    is_person: bool
    name: str
    records: list[CreditRecord]
    result: CheckResult


def run_check(session: Session, cipher: PiiCipher, *, code: str, purpose: Purpose, as_of: date,
              subject_name: str | None = None) -> SubjectCheck:
    """The check for a subject known by its code (SubjectNotFound when nothing is known)."""
    code, is_person = normalise_code(code)
    records = records_of(session, cipher, code)
    if not records and not subject_name:
        raise SubjectNotFound(code)
    name = subject_name or records[-1].subject_name
    enterprise = not is_person and not code.startswith("92")  # 三(二): 企业不含个体工商户
    result = check_credit(records, purpose, as_of, subject_is_enterprise=enterprise)
    return SubjectCheck(code, is_person, name, records, result)


def issue_certificate(session: Session, archive: BlobStore, cipher: PiiCipher,
                      signer: DocumentSigner, *, check: SubjectCheck, unit: ReceivingUnit,
                      secret: bytes, base_url: str, today: date, trail: AuditTrail,
                      user_id: int | None = None, api_key_id: int | None = None) -> CreditCheck:
    """Render, seal (the unit's seal at the signature anchor), sign, store and audit a
    certificate."""
    seals = seals_of_unit(session, unit.id)
    if not seals:
        raise FieldError("seal", f"{unit.name}尚未登记印章，请先在“印章管理”中登记后再出具告知书")
    serial = next_serial(session, DocumentType.HC, today.year)
    number = format_document_number(DocumentType.HC, today.year, serial)
    snapshot_hash = hashlib.sha256(repr((check.records, check.result.category)).encode()).hexdigest()
    code_v = verification_code(secret, number, check.code, today, snapshot_hash)
    public_code = mask_resident_id(check.code) if check.is_person else check.code
    header = CertificateHeader(
        number=number, verification_code=code_v,
        verify_url=verify_url(base_url, number, code_v),
        subject_name=mask_person_name(check.name) if check.is_person else check.name,
        subject_code=public_code, code_label="身份证号码" if check.is_person else "统一社会信用代码",
        issuer=unit.name, issued_on=today)
    context = certificate_context(header, check.result)
    version = CERTIFICATE_VERSION
    pdf = certificate_pdf(context, version)
    pdf = overlay.stamp_at_anchors(pdf, seal_image(seals[0], archive))
    pdf = signer.sign(pdf, reason="信用核查结果告知书", location="辽宁省凌源市")
    record = CreditCheck(
        number=number, serial=serial, year=today.year, verification_code=code_v, unit_id=unit.id,
        created_by=user_id, api_key_id=api_key_id, subject_name=check.name,
        subject_kind="natural_person" if check.is_person else "organisation",
        subject_code_public=public_code, subject_code_hash=cipher.lookup_hash(check.code),
        purpose=check.result.purpose.value, as_of=check.result.as_of,
        category=check.result.category.value, issued_on=today, sha256=archive.put(pdf),
        template_name=Family.CERTIFICATE.value, template_version=version,
        snapshot={"certificate": context,
                  "records": [_redacted(r, public_code) for r in check.records]})
    session.add(record)
    session.flush()
    trail.record(session, "issue_certificate", "credit_check", record.number,
                 category=record.category)
    return record


def _redacted(record: CreditRecord, public_code: str) -> dict[str, object]:
    data = replace(record, subject_code=public_code).__dict__
    return {k: (v.value if isinstance(v, RecordType) else v.isoformat() if isinstance(v, date)
                else v) for k, v in data.items()}


def record_breach(session: Session, cipher: PiiCipher, *, unit: ReceivingUnit, code: str,
                  name: str, decision_number: str, decided_on: date, summary: str,
                  today: date, trail: AuditTrail) -> CreditRecordRow:
    """违诺 recorded by a unit: the subject goes on the black list with ground 14 (五(四)3)."""
    code, _ = normalise_code(code)
    if decided_on > today:
        raise FieldError("decided_on", "认定日期不能晚于今天")
    number = normalise_free_text(decision_number, "decision_number", "认定文书编号", 100)
    text = normalise_free_text(summary, "summary", "违诺情况", 500) if summary.strip() else ""
    existing = session.scalar(select(CreditRecordRow.id).where(
        CreditRecordRow.record_type == RecordType.BREACH.value,
        CreditRecordRow.subject_code_hash == cipher.lookup_hash(code),
        CreditRecordRow.decision_number == number))
    if existing is not None:
        raise FieldError("decision_number", f"该主体已有文书编号为“{number}”的违诺记录")
    record = CreditRecord(record_type=RecordType.BREACH, subject_code=code, subject_name=name,
                          source_department=unit.name, decision_number=number,
                          decided_on=decided_on, ground=14, summary=text)
    row = _new_row(record, cipher, {f: getattr(record, f) for f in _COPIED})
    row.recorded_by_unit_id = unit.id
    session.add(row)
    session.flush()
    trail.record(session, "record_breach", "credit_record", row.id)
    return row


def monthly_statistics(session: Session, year: int, month: int) -> list[tuple[str, str, int]]:
    """(unit, category, count) of certificates dated in a month (policy 八(三) reporting): the
    date printed on the certificate counts, not the server's clock."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    stmt = (select(ReceivingUnit.name, CreditCheck.category, func.count())
            .join(ReceivingUnit, ReceivingUnit.id == CreditCheck.unit_id)
            .where(CreditCheck.issued_on >= start, CreditCheck.issued_on < end)
            .group_by(ReceivingUnit.name, CreditCheck.category)
            .order_by(ReceivingUnit.name, CreditCheck.category))
    return [(u, c, n) for u, c, n in session.execute(stmt)]


def statistics_csv(rows: list[tuple[str, str, int]]) -> bytes:
    from app.domain.credit_check import Category

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["单位", "核查结论", "份数"])
    for unit, category, count in rows:
        writer.writerow([unit, Category(category).label, count])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 CSV correctly
