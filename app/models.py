"""SQLAlchemy 2 models: units, agencies, accounts, API keys, seals, counters, issued documents."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


MAX_ROW_ID = 2**31 - 1
"""Largest id a row can have (PostgreSQL ``integer``). A larger number must not reach a query:
SQLite cannot bind integers over 2**63 - 1 and the request would fail with a 500."""


class Base(DeclarativeBase):
    pass


class ReceivingUnit(Base):
    """接受承诺单位: a department that receives commitment letters."""

    __tablename__ = "receiving_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    matter_clause: Mapped[str | None] = mapped_column(Text)
    """五(二)6: the unit's matter-specific clause, printed as clause 6 when set."""
    clause_scenarios: Mapped[str | None] = mapped_column(String(200))
    """Comma-separated ``Scenario`` values the clause applies to; NULL: every scenario."""
    clause_subject_kinds: Mapped[str | None] = mapped_column(String(200))
    """Comma-separated ``SubjectKind`` values the clause applies to; NULL: every kind."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DocumentCounter(Base):
    """Last serial issued per document type and year (编号流水号)."""

    __tablename__ = "document_counters"

    doc_type: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class VoidNumber(Base):
    """A number allocated and never issued (作废编号): the request that took it failed or was
    rolled back after the counter had moved on (PostgreSQL allocates in its own short
    transaction, ``app.services.numbering``). Recorded so that a gap is never silent."""

    __tablename__ = "void_numbers"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(4))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    voided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("doc_type", "year", "serial"),)


class IssuedDocument(Base):
    """A document the service issued: number, codes, hash and the data to re-render it."""

    __tablename__ = "issued_documents"
    __table_args__ = (UniqueConstraint("doc_type", "year", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    doc_type: Mapped[str] = mapped_column(String(4))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    verification_code: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    """SHA-256 of the issued PDF (both copies), hex."""
    template_name: Mapped[str] = mapped_column(String(100))
    """Document family the PDF was rendered with (app/documents/registry.py): "commitment"."""
    template_version: Mapped[str] = mapped_column(String(20))
    """Released version of that family, e.g. "v2"; re-renders use exactly this version."""
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_name: Mapped[str] = mapped_column(String(100))
    subject_code_public: Mapped[str] = mapped_column(String(18))
    """USCC in full, or the masked resident ID for natural persons."""
    subject_code_hash: Mapped[str] = mapped_column(String(64), index=True)
    """Keyed HMAC of the code, for exact lookups."""
    subject_code_enc: Mapped[str] = mapped_column(Text)
    """The code encrypted with the PII key; the payload holds the same token, never plaintext."""
    scenario: Mapped[str] = mapped_column(String(32))
    receiving_unit: Mapped[str] = mapped_column(String(100))
    issued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="valid")
    """valid | revoked."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Everything the template needs to re-render the PDF exactly."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Agency(Base):
    """第三方信用服务机构 filed with the provincial NDRC (policy 三(四), 八(二))."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    filing_number: Mapped[str] = mapped_column(String(50))
    """省发改委备案号."""
    status: Mapped[str] = mapped_column(String(16), default="published")
    """published (公示中) | suspended (暂停) | cancelled (注销)."""
    published_on: Mapped[date | None] = mapped_column(Date)
    """Date the credit office published the agency (policy 三(四): 经凌源市发改局公示)."""
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    """Date the office cancelled (注销) the agency; None while it is not cancelled."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    """A staff or agency account; role decides what the account may do."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    """office_admin | office_reviewer | unit_clerk | agency_user."""
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Copied into the session at login; logout (password change, deactivation) increments it,
    so every session cookie issued before is refused from then on."""


class AuthFailureCount(Base):
    """Failed logins / API keys per client address or account in the current window, shared by
    every worker (the embedded rate-limit storage, memory://, is per process)."""

    __tablename__ = "auth_failures"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    """``<scope>:<sha256 of the address, username or key prefix>`` (no plaintext stored)."""
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    """End of the window, Unix seconds; a failure after it starts a new window."""


class ApiKey(Base):
    """A machine client's key: shown once, stored hashed, scoped to a unit or an agency."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    """Public part of the key (lyxy_<prefix>_...), used to find the record."""
    key_hash: Mapped[str] = mapped_column(String(64))
    """HMAC-SHA256 of the whole key with the server secret, hex."""
    name: Mapped[str] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Seal(Base):
    """A unit's seal (印章) record: image, printed diameter and kind."""

    __tablename__ = "seals"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("receiving_units.id"))
    name: Mapped[str] = mapped_column(String(100))
    """Text on the seal, usually the unit's name."""
    kind: Mapped[str] = mapped_column(String(20))
    """公章 | 业务专用章."""
    diameter_mm: Mapped[float] = mapped_column(Float)
    png_sha256: Mapped[str] = mapped_column(String(64))
    """The normalised PNG, stored in the archive."""
    generated: Mapped[bool] = mapped_column(Boolean, default=False)
    """True for demo seals drawn by the generator (they carry the word 演示)."""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StampJob(Base):
    """A PDF a clerk (or an API client) stamps and signs: original, operations and result."""

    __tablename__ = "stamp_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"))
    """Owning unit; None for jobs of the credit office itself."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    document_number: Mapped[str | None] = mapped_column(String(32))
    """Set when the job stamps a document the service issued."""
    original_name: Mapped[str] = mapped_column(String(200))
    original_sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    result_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    stamped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Filing(Base):
    """An uploaded, stamped 信用承诺书 (policy 五(三)2): reviewed, then published (公示)."""

    __tablename__ = "filings"
    __table_args__ = (UniqueConstraint("unit_id", "sha256", name="uq_filings_unit_id_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the original upload; the same file uploaded twice by one unit is one filing
    (unique per unit, 0010: another unit's upload of the same bytes is that unit's own record)."""
    original_name: Mapped[str] = mapped_column(String(200))
    """Display-only file name (NFC, no path parts or control characters)."""
    size_bytes: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("receiving_units.id"), index=True)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_name: Mapped[str] = mapped_column(String(100))
    subject_code_public: Mapped[str] = mapped_column(String(18), index=True)
    """USCC in full for units; the masked ID (2*************1237) for natural persons."""
    subject_code_hash: Mapped[str] = mapped_column(String(64), index=True)
    """Keyed HMAC of the code, for exact lookups without decrypting."""
    subject_code_enc: Mapped[str] = mapped_column(Text)
    """The code encrypted with the PII key (AES-GCM), base64."""
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    matter: Mapped[str] = mapped_column(String(200))
    scenario: Mapped[str] = mapped_column(String(32))
    commitment_date: Mapped[date] = mapped_column(Date)
    document_number: Mapped[str | None] = mapped_column(String(32), index=True)
    """Number of the letter the service issued, when there is one."""
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    """pending (待审核) | published (公示中) | rejected (已驳回) | revoked (已撤销)."""
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"))
    """The rejected filing this upload corrects."""
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("filings.id"))
    """A newer published commitment of the same subject with another name or legal
    representative (policy 五(三)2: such changes need a new commitment) -> 已更新."""
    public_copy_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    """Derived blob: the public copy, page pictures under our watermark (never the original)."""
    review_flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    """What intake noticed for the reviewer (issue 12 §3, 0016): ``[{"code": "unsigned"}]`` (未见签章),
    ``{"code": "number_filed_before", "filing_id": n}``; see ``app.services.filings.FLAG_LABELS``."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)


class AuditEntry(Base):
    """Append-only, hash-chained audit log: logins, uploads, reviews, downloads, key use.

    The database refuses UPDATE, DELETE and TRUNCATE on it (triggers, migration 0012); its head
    is checkpointed outside the database (``app.archive.checkpoints``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    """user:<username>, apikey:<prefix>, or system."""
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50), default="")
    object_id: Mapped[str] = mapped_column(String(100), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int | None] = mapped_column(Integer, unique=True, index=True)
    """The entry's place in the chain, 1, 2, 3, … without gaps (``id`` comes from a sequence
    that a failed insert consumes: migration 0026)."""
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """Hash of the previous entry; unique, so two writers can never fork the chain."""
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """HMAC-SHA256 (audit key) over this entry's fields and ``prev_hash``."""


class CreditRecordRow(Base):
    """A credit record of a subject (red/black list, minor, license, penalty, rating, breach)."""

    __tablename__ = "credit_records"
    __table_args__ = (UniqueConstraint("record_type", "subject_code_hash", "decision_number",
                                       name="uq_credit_records_natural_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(16))
    subject_name: Mapped[str] = mapped_column(String(100), index=True)
    subject_code_public: Mapped[str] = mapped_column(String(18))
    subject_code_hash: Mapped[str] = mapped_column(String(64), index=True)
    subject_code_enc: Mapped[str] = mapped_column(Text)
    source_department: Mapped[str] = mapped_column(String(100))
    decision_number: Mapped[str] = mapped_column(String(100))
    decided_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(4))
    ground: Mapped[int | None] = mapped_column(Integer)
    severity: Mapped[str | None] = mapped_column(String(4))
    repaired_on: Mapped[date | None] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by_unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"))
    """For 违诺 records: the unit that recorded the breach."""
    commitment_number: Mapped[str | None] = mapped_column(String(100))
    """For 违诺 records: the 承诺书编号 breached, as the unit wrote it (0022)."""
    commitment_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_documents.id", name="fk_credit_records_commitment_document"), index=True)
    """The letter we issued under that number, when the number is ours."""
    commitment_filing_id: Mapped[int | None] = mapped_column(
        ForeignKey("filings.id", name="fk_credit_records_commitment_filing"), index=True)
    """The filed (uploaded) letter under that number, when it was filed with us."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CreditImport(Base):
    """One import of a platform export (0022): committed batch by batch, resumable, once per file."""

    __tablename__ = "credit_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the file's valid records: the same file (in any encoding) is the same import."""
    source: Mapped[str] = mapped_column(String(200))
    """The file name as given (display only)."""
    total_records: Mapped[int] = mapped_column(Integer)
    """Valid records to store."""
    rejected_rows: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Records stored so far (in file order): a resumed import starts here."""
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running (进行中, or stopped part-way) | done (已完成)."""
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CreditCheck(Base):
    """An issued 信用核查结果告知书, with the inputs it was based on (so it verifies later)."""

    __tablename__ = "credit_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    serial: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    verification_code: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int] = mapped_column(ForeignKey("receiving_units.id"), index=True)
    """The issuing unit (its seal, its clerk or API key)."""
    addressee_unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"),
                                                          index=True)
    """主送: the requesting department the certificate is addressed to, which may read it
    (issue 14 §2); by default the issuing unit. Migration 0023 set it to ``unit_id`` for the
    certificates issued before."""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    subject_name: Mapped[str] = mapped_column(String(100))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_code_public: Mapped[str] = mapped_column(String(18))
    subject_code_hash: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(16), index=True)
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    """The date printed on the certificate (Lingyuan's calendar day), which statistics count by."""
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The records used (codes redacted) and the full result, frozen at issue time."""
    template_name: Mapped[str] = mapped_column(String(100))
    """Document family of the certificate (app/documents/registry.py): "credit_check"."""
    template_version: Mapped[str] = mapped_column(String(20))
    """Released version it was rendered with (migration 0014 backfilled "v1", the only one then)."""
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    """The stamped and signed certificate PDF."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 index=True)


class AgencyReport(Base):
    """A third-party report: scaffold issued to an agency, the uploaded report, its review."""

    __tablename__ = "agency_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """rating (企业综合信用等级评价报告, 三) | decision (信用报告, 四)."""
    number: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    verification_code: Mapped[str] = mapped_column(String(16))
    subject_name: Mapped[str] = mapped_column(String(100))
    subject_code: Mapped[str] = mapped_column(String(18), index=True)
    """USCC (reports are about 企事业单位等社会法人, 四)."""
    legal_representative: Mapped[str] = mapped_column(String(50), default="", server_default="")
    """法定代表人 given when the scaffold was asked for (a name only; "" prints a field to fill)."""
    project_name: Mapped[str] = mapped_column(String(200), default="")
    requesting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("receiving_units.id"))
    """信用报告: the department that commissioned it; only it (and the office) may read it."""
    issue_date: Mapped[date] = mapped_column(Date)
    """出具日期: the scaffold's date until the upload, then the date the report states."""
    scaffold_date: Mapped[date | None] = mapped_column(Date)
    """Date the scaffold was issued (never changes); a report may not be dated before it."""
    valid_until: Mapped[date | None] = mapped_column(Date)
    grade: Mapped[str | None] = mapped_column(String(4))
    recommendation: Mapped[str | None] = mapped_column(String(20))
    template_name: Mapped[str] = mapped_column(String(100))
    """Document family of the scaffold (app/documents/registry.py): "reports"."""
    template_version: Mapped[str] = mapped_column(String(20))
    """Released version the scaffold renders with (migration 0014 backfilled "v1")."""
    status: Mapped[str] = mapped_column(String(16), default="scaffold", index=True)
    """scaffold (已出具模板) | pending (待审核) | approved (已通过) | rejected (已驳回)."""
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_on: Mapped[date | None] = mapped_column(Date)
    """信用报告: date of the decision it served (policy 四(二): 一次性使用); None: not used yet."""
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The department clerk who recorded the decision."""
    used_for: Mapped[str | None] = mapped_column(Text)
    """The decision the report served (文号 or description), as the department recorded it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
