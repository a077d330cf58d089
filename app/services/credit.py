"""Credit records and checks: import, lookup, the check, certificates, breaches, statistics."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.pii import PiiCipher
from app.documents.certificate import CURRENT_TEMPLATE_VERSION as CERTIFICATE_VERSION
from app.documents.certificate import CertificateHeader, certificate_context, certificate_pdf
from app.documents.registry import Family
from app.domain.access import AccessGround, Certificate, Reader, certificate_access
from app.domain.chars import fullwidth_to_ascii
from app.domain.credit_check import CheckResult, Purpose, check_credit
from app.domain.credit_import import ImportReport, natural_key
from app.domain.credit_records import DEFAULT_SEVERITY, SEVERITIES, CreditRecord, RecordType
from app.domain.dates import to_beijing
from app.domain.errors import FieldError
from app.domain.identifiers import validate_resident_id, validate_uscc
from app.domain.masking import mask_resident_id
from app.domain.names import normalise_free_text
from app.domain.numbers import (
    NUMBER_PREFIX,
    DocumentType,
    format_document_number,
    parse_document_number,
    verification_code,
)
from app.domain.ratings import cancelled_agency_note
from app.domain.statistics import MonthlyReport, build_report, month_bounds_utc, next_month
from app.domain.subjects import is_enterprise
from app.domain.urls import verify_url
from app.models import (
    Agency,
    AgencyReport,
    AuditEntry,
    CreditCheck,
    CreditImport,
    CreditRecordRow,
    Filing,
    IssuedDocument,
    ReceivingUnit,
)
from app.services.audit import AuditTrail
from app.services.commitments import next_serial
from app.services.seals import seal_image, seals_of_unit
from app.stamping import overlay
from app.stamping.signing import DocumentSigner

IMPORT_ACTION = "import_credit_records"
"""Audit action of an import: its date is the date of the platform's data."""


def normalise_code(code: str) -> tuple[str, bool]:
    """The validated code and whether it is a resident ID (natural person)."""
    text = (code or "").strip().upper()
    if len(text) == 18 and text[:17].isdigit():
        try:
            return validate_resident_id(text, field="subject_code"), True
        except FieldError:
            pass
    return validate_uscc(text, field="subject_code"), False


IMPORT_BATCH_SIZE = 1000
"""Records stored per transaction: a batch holds the database's write lock for well under a
second (bench/credit_import_bench.py), so checks, uploads and breaches go on during an import."""


@dataclass(frozen=True)
class ImportOutcome:
    inserted: int
    updated: int
    unchanged: int
    report: ImportReport
    import_id: int | None = None
    """The ``credit_imports`` row (None for a dry run)."""
    resumed_from: int = 0
    """Records already stored by an earlier, interrupted run of the same file."""
    already_done: bool = False
    """The same file was imported completely before: nothing was written this time."""
    batches: int = 0
    """Transactions committed by this run."""

    def lines_zh(self) -> list[str]:
        """The outcome in Chinese, after the report's lines."""
        lines = []
        if self.already_done:
            lines.append("该文件此前已完整导入，本次未重复写入")
        elif self.resumed_from:
            lines.append(f"该文件上次导入中断，已从第{self.resumed_from + 1}条有效记录继续导入")
        lines.append(f"新增 {self.inserted}，更新 {self.updated}，未变 {self.unchanged}，"
                     f"拒绝 {self.report.rejected_rows} 行")
        return lines


_COPIED = ("subject_name", "source_department", "decided_on", "valid_until", "grade", "ground",
           "severity", "repaired_on", "summary")

BatchHook = Callable[[int, int], None]
"""Called after each committed batch with (records stored so far, records to store)."""


def records_digest(report: ImportReport) -> str:
    """SHA-256 over the valid records of a file, in file order: the same file in any encoding
    (or as CSV and JSON) is the same import."""
    digest = hashlib.sha256()
    for record in report.records:
        digest.update(repr(sorted(_record_values(record).items())).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _record_values(record: CreditRecord) -> dict[str, object]:
    kind, code, number = natural_key(record)
    return {"kind": kind, "code": code, "number": number,
            **{f: getattr(record, f) for f in _COPIED}}


def _classify(session: Session, cipher: PiiCipher, chunk: Sequence[CreditRecord]
              ) -> list[tuple[CreditRecord, str, CreditRecordRow | None, dict[str, object]]]:
    """Each record of ``chunk`` with its code's lookup hash, its stored row (one query for the
    chunk) and its values."""
    hashes = {r.subject_code: cipher.lookup_hash(r.subject_code) for r in chunk}
    stored: dict[tuple[str, str, str], CreditRecordRow] = {}
    for row in session.scalars(select(CreditRecordRow).where(
            CreditRecordRow.subject_code_hash.in_(set(hashes.values())))):
        stored[(row.record_type, row.subject_code_hash, row.decision_number)] = row
    out = []
    for record in chunk:
        kind, code, number = natural_key(record)
        code_hash = hashes[code]
        out.append((record, code_hash, stored.get((kind, code_hash, number)),
                    {f: getattr(record, f) for f in _COPIED}))
    return out


def _differs(row: CreditRecordRow, values: dict[str, object]) -> bool:
    return any(getattr(row, f) != v for f, v in values.items())


def preview_import(session: Session, cipher: PiiCipher, report: ImportReport, *,
                   batch_size: int = IMPORT_BATCH_SIZE) -> ImportOutcome:
    """What importing ``report`` would do (试运行, ``--dry-run``): reads only, writes nothing."""
    inserted = updated = unchanged = 0
    for i in range(0, len(report.records), batch_size):
        for _, _, row, values in _classify(session, cipher, report.records[i:i + batch_size]):
            if row is None:
                inserted += 1
            elif _differs(row, values):
                updated += 1
            else:
                unchanged += 1
    return ImportOutcome(inserted, updated, unchanged, report)


def import_records(session: Session, cipher: PiiCipher, report: ImportReport, *, source: str,
                   trail: AuditTrail, batch_size: int = IMPORT_BATCH_SIZE,
                   on_batch: BatchHook | None = None, now: datetime | None = None
                   ) -> ImportOutcome:
    """Upsert the valid rows of ``report`` by natural key (type, code, decision number), and
    audit the import of the file named ``source``.

    The records are stored ``batch_size`` at a time, one commit per batch (issue 14 §4: one
    transaction for a whole 40k-row file locked every other writer out for its whole run), and
    the import's position is committed with each batch in ``credit_imports``. A run that stops
    part-way (crash, Ctrl-C) is resumed by importing the same file again: it continues after the
    last committed batch. A file imported completely before is not written again. The session
    is committed by this function (any pending work of the caller with the first batch)."""
    moment = now or datetime.now(UTC)
    digest = records_digest(report)
    run = session.scalar(select(CreditImport).where(CreditImport.digest == digest))
    if run is not None and run.status == "done":
        trail.record(session, IMPORT_ACTION, "file", source, inserted=0, updated=0,
                     rejected=report.rejected_rows, import_id=run.id, already_done=True)
        session.commit()
        return ImportOutcome(0, 0, len(report.records), report, run.id, already_done=True)
    if run is None:
        run = CreditImport(digest=digest, source=source[:200], total_records=len(report.records),
                           rejected_rows=report.rejected_rows, started_at=moment)
        session.add(run)
        session.commit()
    resumed_from = run.position
    inserted = updated = unchanged = batches = 0
    while run.position < len(report.records):
        chunk = report.records[run.position:run.position + batch_size]
        # Everything is prepared (encrypted, compared) before the first write, so the write
        # lock is held only for the batch's two statements and the commit.
        inserts: list[dict[str, object]] = []
        updates: list[dict[str, object]] = []
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        for record, code_hash, row, values in _classify(session, cipher, chunk):
            if row is None:
                inserts.append(_new_values(record, cipher, values, code_hash, moment))
                counts["inserted"] += 1
            elif _differs(row, values):
                updates.append({"id": row.id, **values, "updated_at": moment})
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        if inserts:
            session.execute(insert(CreditRecordRow), inserts)
        if updates:
            session.execute(update(CreditRecordRow), updates)
        run.position += len(chunk)
        run.inserted += counts["inserted"]
        run.updated += counts["updated"]
        run.unchanged += counts["unchanged"]
        session.commit()
        inserted += counts["inserted"]
        updated += counts["updated"]
        unchanged += counts["unchanged"]
        batches += 1
        if on_batch is not None:
            on_batch(run.position, len(report.records))
    run.status = "done"
    run.finished_at = moment
    trail.record(session, IMPORT_ACTION, "file", source, inserted=inserted,
                 updated=updated, rejected=report.rejected_rows, import_id=run.id,
                 resumed_from=resumed_from)
    session.commit()
    return ImportOutcome(inserted, updated, unchanged, report, run.id, resumed_from,
                         batches=batches)


def recent_imports(session: Session, limit: int = 10) -> list[CreditImport]:
    """The latest imports, newest first: a running or interrupted one shows how far it got."""
    return list(session.scalars(select(CreditImport).order_by(CreditImport.id.desc())
                                .limit(limit)))


def _new_values(record: CreditRecord, cipher: PiiCipher, values: dict[str, object],
                code_hash: str, moment: datetime) -> dict[str, object]:
    """The columns of a new row, for a bulk insert."""
    _, is_person = normalise_code(record.subject_code)
    return {"record_type": record.record_type.value,
            "subject_code_public": mask_resident_id(record.subject_code) if is_person
            else record.subject_code,
            "subject_code_hash": code_hash, "subject_code_enc": cipher.encrypt(record.subject_code),
            "decision_number": record.decision_number, **values, "created_at": moment,
            "updated_at": moment}


def _new_row(record: CreditRecord, cipher: PiiCipher, values: dict[str, object], *,
             code_hash: str | None = None) -> CreditRecordRow:
    _, is_person = normalise_code(record.subject_code)
    return CreditRecordRow(
        record_type=record.record_type.value,
        subject_code_public=mask_resident_id(record.subject_code) if is_person else record.subject_code,
        subject_code_hash=code_hash or cipher.lookup_hash(record.subject_code),
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
    if as_of < EARLIEST_AS_OF:
        raise FieldError("as_of", f"核查时点不能早于{EARLIEST_AS_OF.isoformat()}（本平台信用记录的起始年份）")
    return as_of


CERTIFICATE_LOOKBACK_DAYS = 30
"""How far back a certificate's 核查时点 may lie: a matter's own deadline (投标截止日, 申请日) within
the month it is handled; older dates are for the look-back check page only (trial 14 item 3)."""
EARLIEST_AS_OF = date(2020, 1, 1)
"""The earliest 核查时点 a look-back may ask for (the platform's records begin later)."""


@dataclass(frozen=True)
class SubjectCheck:
    code: str
    is_person: bool
    name: str
    records: list[CreditRecord]
    result: CheckResult


def last_import_date(session: Session) -> date | None:
    """Date (Beijing) of the last import of platform records, or None before the first one."""
    moment = session.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.action == IMPORT_ACTION))
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite returns naive UTC
        moment = moment.replace(tzinfo=UTC)
    return to_beijing(moment).date()


def run_check(session: Session, cipher: PiiCipher, *, code: str, purpose: Purpose, as_of: date,
              subject_name: str | None = None) -> SubjectCheck:
    """The check for a subject by its code. Policy 二(一): every subject is checked, so a valid
    code the platform has no record of is 无不良记录, stating the date of the last import; its
    name is then the one given (``name`` is "" when none was, and a certificate needs one)."""
    code, is_person = normalise_code(code)
    records = records_of(session, cipher, code)
    # The platform's name for a subject it has records of; a typed name only for one it has
    # none of (二(一)), checked like any name a clerk types.
    if records:
        name = records[-1].subject_name
    elif (subject_name or "").strip():
        name = normalise_free_text(subject_name or "", "subject_name", "主体名称", 100)
    else:
        name = ""
    result = check_credit(records, purpose, as_of,
                          subject_is_enterprise=is_enterprise(code, is_person=is_person),
                          data_as_of=last_import_date(session))
    return SubjectCheck(code, is_person, name, records, result)


def parse_addressee(session: Session, value: object, default: ReceivingUnit) -> ReceivingUnit:
    """主送 of a check request: a registered unit by its name; empty: ``default`` (the
    department of the clerk or API key asking)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if not isinstance(value, str):
        raise FieldError("addressee", "主送单位应为已登记单位的名称")
    name = value.strip()
    unit = session.scalar(select(ReceivingUnit).where(ReceivingUnit.name == name))
    if unit is None:
        raise FieldError("addressee", f"主送单位“{name[:50]}”不是已登记的单位，请从单位列表中选择")
    return unit


def issue_certificate(session: Session, archive: BlobStore, cipher: PiiCipher,
                      signer: DocumentSigner, *, check: SubjectCheck, unit: ReceivingUnit,
                      secret: bytes, base_url: str, today: date, trail: AuditTrail,
                      addressee: ReceivingUnit | None = None,
                      user_id: int | None = None, api_key_id: int | None = None) -> CreditCheck:
    """Render, seal (the unit's seal at the signature anchor), sign, store and audit a
    certificate addressed (主送) to ``addressee``, the requesting department (default: ``unit``,
    the department asking).

    :raises FieldError: ``subject_name`` when the platform has no record of the subject and no
        name was given; ``seal`` when the unit has no seal."""
    if check.result.as_of < today - timedelta(days=CERTIFICATE_LOOKBACK_DAYS):
        raise FieldError("as_of", f"告知书服务于正在办理的事项（政策二(一)、二(四)），核查时点最早为"
                                  f"{CERTIFICATE_LOOKBACK_DAYS}天前（如投标截止日）；查看更早某日的"
                                  "情况请使用“核查”页面，不出具告知书")
    if not check.name:
        raise FieldError("subject_name", "平台上没有该主体的信用记录：请填写主体名称（核查对象名称），"
                                         "告知书将写明无不良记录及数据截至日期")
    addressee = addressee or unit
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
        subject_name=check.name,  # in full: the certificate goes to the requesting department
        subject_code=public_code, code_label="身份证号码" if check.is_person else "统一社会信用代码",
        issuer=unit.name, issued_on=today, addressee=addressee.name)
    context = certificate_context(header, check.result)
    version = CERTIFICATE_VERSION
    pdf = certificate_pdf(context, version)
    pdf = overlay.stamp_at_anchors(pdf, seal_image(seals[0], archive))
    pdf = signer.sign(pdf, reason="信用核查结果告知书", location="辽宁省凌源市")
    record = CreditCheck(
        number=number, serial=serial, year=today.year, verification_code=code_v, unit_id=unit.id,
        addressee_unit_id=addressee.id, created_by=user_id, api_key_id=api_key_id, subject_name=check.name,
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
                 category=record.category, addressee=addressee.name)
    return record


def certificate_units(session: Session, cert: CreditCheck) -> tuple[str, str]:
    """(issuing unit, 主送 unit) names of a certificate."""
    issuer = session.get(ReceivingUnit, cert.unit_id)
    addressee = (session.get(ReceivingUnit, cert.addressee_unit_id)
                 if cert.addressee_unit_id is not None else issuer)
    return (issuer.name if issuer else "", addressee.name if addressee else "")


def certificate_ground(session: Session, cert: CreditCheck, reader: Reader,
                       code: str | None = None) -> AccessGround | None:
    """Why ``reader`` (or the ``code`` they present) may read the certificate's content, or None
    (``app.domain.access.certificate_access``, issue 14 §2)."""
    issuer, addressee = certificate_units(session, cert)
    return certificate_access(reader, Certificate(issuer=issuer, addressee=addressee,
                                                  verification_code=cert.verification_code), code)


def _redacted(record: CreditRecord, public_code: str) -> dict[str, object]:
    data = replace(record, subject_code=public_code).__dict__
    return {k: (v.value if isinstance(v, RecordType) else v.isoformat() if isinstance(v, date)
                else v) for k, v in data.items()}


BREACH_COMMITMENT_LABEL = "承诺书编号"


@dataclass(frozen=True)
class CommitmentLink:
    """The 承诺书编号 a breach names: as written, and our letter / filing when it is ours."""

    number: str | None
    document: IssuedDocument | None = None
    filing: Filing | None = None


def link_commitment(session: Session, cipher: PiiCipher, text: str, code: str, *,
                    unit: ReceivingUnit, decided_on: date) -> CommitmentLink:
    """Read the 承诺书编号 of a breach (issue 14 §4).

    Empty: no number. A number in our form (LYXY-…) must be a 信用承诺书 this service issued to
    ``unit`` or that ``unit`` filed (the unit that accepted the commitment is the one that finds
    it broken), of the same subject (its code), made on or before ``decided_on``; any other
    text is another issuer's number, kept as written. Another unit's letter is answered like an
    unknown number: the form never tells one unit about another's letters.

    :raises FieldError: field ``commitment_number``: malformed number of ours, not a 承诺书, no
        such letter of this unit, a letter of another subject, or one made after the breach.
    """
    if not (text or "").strip():
        return CommitmentLink(None)
    written = normalise_free_text(text, "commitment_number", BREACH_COMMITMENT_LABEL, 100)
    if not fullwidth_to_ascii(written).strip().upper().startswith(NUMBER_PREFIX):
        return CommitmentLink(written)
    try:
        doc_type, year, serial = parse_document_number(written)
    except FieldError as exc:
        raise FieldError("commitment_number", f"{BREACH_COMMITMENT_LABEL}：{exc.message}") from None
    number = format_document_number(doc_type, year, serial)
    if doc_type is not DocumentType.CN:
        raise FieldError("commitment_number", f"{BREACH_COMMITMENT_LABEL}“{number}”是"
                         f"{doc_type.label}文书的编号，不是信用承诺书（LYXY-CN-…）")
    document = session.scalar(select(IssuedDocument).where(
        IssuedDocument.number == number, IssuedDocument.receiving_unit == unit.name))
    filing = session.scalar(select(Filing).where(
        Filing.document_number == number, Filing.unit_id == unit.id, Filing.status != "rejected")
        .order_by((Filing.status == "published").desc(), Filing.id.desc()).limit(1))
    if document is None and filing is None:
        raise FieldError("commitment_number", f"本单位没有编号为“{number}”的信用承诺书（本平台出具给"
                         "本单位或本单位上传备案的），请核对编号（其他机关出具的承诺书请照原样填写其编号）")
    code_hash = cipher.lookup_hash(code)
    for held in (document, filing):
        if held is not None and held.subject_code_hash != code_hash:
            raise FieldError("commitment_number", f"承诺书{number}的承诺主体与所填主体代码不符，"
                             "请核对主体代码或承诺书编号")
    made = document.issued_on if document is not None else filing.commitment_date
    if decided_on < made:
        raise FieldError("decided_on", f"认定日期早于承诺书{number}的出具日期"
                         f"（{made.isoformat()}）：违诺只能发生在承诺之后")
    return CommitmentLink(number, document, filing)


def record_breach(session: Session, cipher: PiiCipher, *, unit: ReceivingUnit, code: str,
                  name: str, decision_number: str, decided_on: date, summary: str,
                  today: date, trail: AuditTrail, severity: str | None = None,
                  commitment_number: str = "") -> CreditRecordRow:
    """违诺 recorded by a unit: the subject goes on the black list with ground 14 (五(四)3), with
    the severity the unit decided (its publicity window, domain-rules §8) and the 承诺书编号 it
    breached, linked to our letter when the number is ours (``link_commitment``)."""
    code, _ = normalise_code(code)
    if decided_on > today:
        raise FieldError("decided_on", "认定日期不能晚于今天")
    if severity is None:  # a caller that does not say: the type's default (domain-rules §8.1)
        severity = DEFAULT_SEVERITY[RecordType.BREACH]
    if severity not in SEVERITIES:
        raise FieldError("severity", f"请选择失信程度（{'、'.join(SEVERITIES)}）")
    number = normalise_free_text(decision_number, "decision_number", "认定文书编号", 100)
    text = normalise_free_text(summary, "summary", "违诺情况", 500) if summary.strip() else ""
    link = link_commitment(session, cipher, commitment_number, code, unit=unit,
                           decided_on=decided_on)
    existing = session.scalar(select(CreditRecordRow.id).where(
        CreditRecordRow.record_type == RecordType.BREACH.value,
        CreditRecordRow.subject_code_hash == cipher.lookup_hash(code),
        CreditRecordRow.decision_number == number))
    if existing is not None:
        raise FieldError("decision_number", f"该主体已有文书编号为“{number}”的违诺记录")
    name = normalise_free_text(name, "subject_name", "主体名称", 100)
    known = records_of(session, cipher, code)
    if known and name != known[-1].subject_name:
        # one mistyped name would rename the subject on every later check and certificate
        raise FieldError("subject_name", f"该代码在平台上的主体名称为“{known[-1].subject_name}”，"
                                         "与所填名称不符：请核对主体代码，或照此填写（主体已更名的，"
                                         "以最新信用记录为准）")
    record = CreditRecord(record_type=RecordType.BREACH, subject_code=code, subject_name=name,
                          source_department=unit.name, decision_number=number,
                          decided_on=decided_on, ground=14, severity=severity, summary=text)
    row = _new_row(record, cipher, {f: getattr(record, f) for f in _COPIED})
    row.recorded_by_unit_id = unit.id
    row.commitment_number = link.number
    row.commitment_document_id = link.document.id if link.document else None
    row.commitment_filing_id = link.filing.id if link.filing else None
    session.add(row)
    session.flush()
    trail.record(session, "record_breach", "credit_record", row.id, severity=severity,
                 commitment_number=link.number,
                 linked=bool(link.document or link.filing))
    return row


def breaches_of_commitment(session: Session, document: IssuedDocument) -> list[CreditRecordRow]:
    """The 违诺 recorded against one of our letters (directly, or through one of its filings)."""
    filing_ids = select(Filing.id).where(Filing.document_number == document.number)
    return list(session.scalars(select(CreditRecordRow).where(
        CreditRecordRow.record_type == RecordType.BREACH.value,
        or_(CreditRecordRow.commitment_document_id == document.id,
            CreditRecordRow.commitment_filing_id.in_(filing_ids)))
        .order_by(CreditRecordRow.decided_on, CreditRecordRow.id)))


def monthly_statistics(session: Session, year: int, month: int) -> MonthlyReport:
    """The month's report of the whole work (policy 八(三)): per unit, certificates by the date
    printed on them (Beijing's day), letters filed and breaches recorded by the instant they
    were received, the month cut at Beijing midnight (``app.domain.statistics``)."""
    start = date(year, month, 1)
    ny, nm = next_month(year, month)
    end = date(ny, nm, 1)
    certificates = (select(ReceivingUnit.name, CreditCheck.category, func.count())
                    .join(ReceivingUnit, ReceivingUnit.id == CreditCheck.unit_id)
                    .where(CreditCheck.issued_on >= start, CreditCheck.issued_on < end)
                    .group_by(ReceivingUnit.name, CreditCheck.category))
    since, until = month_bounds_utc(year, month)
    filed = (select(ReceivingUnit.name, func.count()).select_from(Filing)
             .join(ReceivingUnit, ReceivingUnit.id == Filing.unit_id)
             .where(Filing.created_at >= since, Filing.created_at < until)
             .group_by(ReceivingUnit.name))
    breaches = (select(ReceivingUnit.name, func.count()).select_from(CreditRecordRow)
                .join(ReceivingUnit, ReceivingUnit.id == CreditRecordRow.recorded_by_unit_id)
                .where(CreditRecordRow.record_type == RecordType.BREACH.value,
                       CreditRecordRow.created_at >= since, CreditRecordRow.created_at < until)
                .group_by(ReceivingUnit.name))
    return build_report(year, month,
                        [(u, c, n) for u, c, n in session.execute(certificates)],
                        [(u, n) for u, n in session.execute(filed)],
                        [(u, n) for u, n in session.execute(breaches)])
