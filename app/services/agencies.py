"""Credit agencies (policy 三(四), 四, 八(二)): registry, report scaffolds, uploads, review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.intake import IntakeLimits, display_file_name, inspect_pdf
from app.archive.pii import PiiCipher
from app.documents.registry import CURRENT, Family
from app.domain.credit_check import Purpose, check_credit, validate_grade
from app.domain.errors import FieldError, FieldErrors
from app.domain.identifiers import validate_uscc
from app.domain.names import normalise_free_text, normalise_org_name, normalise_person_name
from app.domain.numbers import DocumentType, format_document_number, verification_code
from app.domain.ratings import check_rating_valid_until, rating_valid_through
from app.domain.report_kinds import RECOMMENDATIONS, REPORT_KINDS, REPORT_STATUS, ReportKind
from app.domain.urls import verify_url
from app.models import Agency, AgencyReport, CreditRecordRow, ReceivingUnit
from app.services.audit import AuditTrail
from app.services.commitments import next_serial
from app.services.credit import records_of

AGENCY_STATUS = {"published": "公示中", "suspended": "暂停", "cancelled": "注销"}


def require_published(agency: Agency | None) -> Agency:
    """Only agencies the office published may work (八(二): 领取信用报告上传端口)."""
    if agency is None:
        raise FieldError("agency", "该账号未关联信用服务机构")
    if agency.status != "published":
        raise FieldError("agency", f"信用服务机构“{agency.name}”当前状态为"
                                   f"{AGENCY_STATUS.get(agency.status, agency.status)}，不能开展业务")
    return agency


def register_agency(session: Session, *, name: str, uscc: str, filing_number: str,
                    published_on: date, trail: AuditTrail) -> Agency:
    """Register and publish an agency (八(二)), audited."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, fn in (("name", lambda: normalise_org_name(name, "name", "机构名称")),
                      ("uscc", lambda: validate_uscc(uscc, field="uscc")),
                      ("filing_number", lambda: normalise_free_text(filing_number, "filing_number",
                                                                    "省发改委备案号", 50))):
        try:
            values[field] = fn()
        except FieldError as exc:
            errors[exc.field] = exc.message
    if errors:
        raise FieldErrors(errors)
    if session.scalar(select(Agency.id).where(Agency.uscc == values["uscc"])):
        raise FieldError("uscc", "该统一社会信用代码的机构已登记")
    agency = Agency(**values, status="published", published_on=published_on)
    session.add(agency)
    session.flush()
    trail.record(session, "register_agency", "agency", agency.id)
    return agency


def set_status(session: Session, agency: Agency, status: str, *, trail: AuditTrail) -> None:
    """Publish, suspend or cancel an agency, audited."""
    if status not in AGENCY_STATUS:
        raise FieldError("status", f"状态应为：{'、'.join(AGENCY_STATUS.values())}")
    agency.status = status
    trail.record(session, "agency_status", "agency", agency.id, status=agency.status)


@dataclass(frozen=True)
class ScaffoldRequest:
    kind: str
    subject_name: str
    subject_code: str
    legal_representative: str
    project_name: str
    requesting_unit_id: int | None


def parse_scaffold_request(session: Session, data: dict[str, str]) -> ScaffoldRequest:
    """Validate what an agency asks a scaffold for; all problems at once."""
    errors: dict[str, str] = {}
    kind = data.get("kind", "")
    if kind not in REPORT_KINDS:
        errors["kind"] = "报告类型应为 rating（企业综合信用等级评价报告）或 decision（信用报告）"
    values: dict[str, str] = {}
    checks = {
        "subject_name": lambda v: normalise_org_name(v, "subject_name", "评价对象名称"),
        "subject_code": lambda v: validate_uscc(v, field="subject_code"),
    }
    for field, fn in checks.items():
        try:
            values[field] = fn(data.get(field, ""))
        except FieldError as exc:
            errors[exc.field] = exc.message
    rep = data.get("legal_representative", "").strip()
    if rep:
        try:
            rep = normalise_person_name(rep, "legal_representative", "法定代表人")
        except FieldError as exc:
            errors[exc.field] = exc.message
    project, unit_id = "", None
    if kind == ReportKind.DECISION:
        try:
            project = normalise_free_text(data.get("project_name", ""), "project_name",
                                          "项目或活动名称", 200)
            if not project:
                raise FieldError("project_name", "信用报告须写明所用于的具体项目或活动（四(二)）")
        except FieldError as exc:
            errors[exc.field] = exc.message
        unit = session.scalar(select(ReceivingUnit).where(
            ReceivingUnit.name == data.get("requesting_unit", "").strip()))
        if unit is None:
            errors["requesting_unit"] = "请选择委托出具信用报告的政府部门"
        else:
            unit_id = unit.id
    if errors:
        raise FieldErrors(errors)
    return ScaffoldRequest(kind, values["subject_name"], values["subject_code"], rep, project,
                           unit_id)


def issue_scaffold(session: Session, *, agency: Agency, request: ScaffoldRequest, today: date,
                   secret: bytes, trail: AuditTrail) -> AgencyReport:
    """Number a new report for ``agency`` (PJ for ratings, BG for 信用报告)."""
    require_published(agency)
    doc_type = DocumentType.PJ if request.kind == ReportKind.RATING else DocumentType.BG
    serial = next_serial(session, doc_type, today.year)
    number = format_document_number(doc_type, today.year, serial)
    report = AgencyReport(
        agency_id=agency.id, kind=request.kind, number=number, year=today.year, serial=serial,
        verification_code=verification_code(secret, number, request.subject_code, today, "0" * 64),
        subject_name=request.subject_name, subject_code=request.subject_code,
        legal_representative=request.legal_representative, project_name=request.project_name,
        requesting_unit_id=request.requesting_unit_id,
        issue_date=today,
        valid_until=rating_valid_through(today) if request.kind == ReportKind.RATING else None,
        template_name=Family.REPORT.value, template_version=CURRENT[Family.REPORT],
        status="scaffold")
    session.add(report)
    session.flush()
    trail.record(session, "issue_scaffold", "agency_report", report.number)
    return report


def scaffold_info(session: Session, cipher: PiiCipher, report: AgencyReport, agency: Agency,
                  base_url: str):
    """The pre-filled scaffold: subject (with the 法定代表人 given when it was asked for) and
    public credit information as of the issue date."""
    from app.documents.reports import ReportSubject, ScaffoldInfo

    records = records_of(session, cipher, report.subject_code)
    rows = check_credit(records, Purpose.OTHER, report.issue_date).rows
    return ScaffoldInfo(
        kind=report.kind, number=report.number, verification_code=report.verification_code,
        verify_url=verify_url(base_url, report.number, report.verification_code),
        agency_name=agency.name, agency_filing_number=agency.filing_number,
        issue_date=report.issue_date, valid_until=report.valid_until,
        subject=ReportSubject(name=report.subject_name, uscc=report.subject_code,
                              legal_representative=report.legal_representative or ""),
        public_rows=rows, project_name=report.project_name,
        requesting_department=(session.get(ReceivingUnit, report.requesting_unit_id).name
                               if report.requesting_unit_id else ""))


def _parse_date(raw: str, field: str, label: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise FieldError(field, f"{label}“{raw}”不是有效日期（格式2026-11-29）") from None


def upload_report(session: Session, archive: BlobStore, *, agency: Agency, data: bytes, name: str,
                  fields: dict[str, str], today: date, limits: IntakeLimits,
                  trail: AuditTrail) -> AgencyReport:
    """The finished report: same intake gate as commitment letters, then checked against the
    scaffold this service issued (number, agency, subject) and the policy's rules."""
    require_published(agency)
    errors: dict[str, str] = {}
    report = session.scalar(select(AgencyReport).where(
        AgencyReport.number == fields.get("number", "").strip().upper()))
    if report is None:
        raise FieldError("number", "报告编号不存在：请使用本平台为该报告出具的模板编号")
    if report.agency_id != agency.id:
        raise FieldError("number", "该报告编号不是出具给本机构的，不能上传")
    if report.status not in ("scaffold", "rejected"):
        raise FieldError("number", f"该报告当前状态为{REPORT_STATUS[report.status]}，不能重复上传")
    try:
        code = validate_uscc(fields.get("subject_code", ""), field="subject_code")
        if code != report.subject_code:
            errors["subject_code"] = (f"评价对象代码与模板不符：模板为{report.subject_code}，"
                                      f"上传为{code}")
    except FieldError as exc:
        errors[exc.field] = exc.message
    issue = expiry = None
    try:
        issue = _parse_date(fields.get("issue_date", ""), "issue_date", "出具日期")
        if issue > today:
            errors["issue_date"] = "出具日期不能晚于今天"
    except FieldError as exc:
        errors[exc.field] = exc.message
    grade = recommendation = None
    if report.kind == ReportKind.RATING:
        try:
            grade = validate_grade(fields.get("grade", ""))
        except FieldError as exc:
            errors["grade"] = exc.message
        try:
            expiry = _parse_date(fields.get("valid_until", ""), "valid_until", "有效期至")
            if issue and expiry <= issue:
                errors["valid_until"] = "有效期至应晚于出具日期"
            elif issue:
                check_rating_valid_until(issue, expiry)  # 三(五): valid one year
        except FieldError as exc:
            errors[exc.field] = exc.message
    else:
        recommendation = fields.get("recommendation", "").strip()
        if recommendation not in RECOMMENDATIONS:
            errors["recommendation"] = f"决策建议应为以下之一：{'、'.join(RECOMMENDATIONS)}（四(一)）"
    if errors:
        raise FieldErrors(errors)
    facts = inspect_pdf(data, limits)
    foreign = [n for n in facts.document_numbers if n != report.number]
    if foreign and report.number not in facts.document_numbers:
        raise FieldError("file", f"文件中的报告编号{foreign[0]}与所填编号{report.number}不一致")
    report.sha256 = archive.put(data)
    report.original_name = display_file_name(name)
    report.issue_date, report.valid_until = issue, expiry
    report.grade, report.recommendation = grade, recommendation
    report.status, report.review_reason = "pending", None
    report.uploaded_at = datetime.now(UTC)
    session.flush()
    trail.record(session, "upload", "agency_report", report.number, sha256=report.sha256)
    return report


def approve_report(session: Session, cipher: PiiCipher, report: AgencyReport, *,
                   reviewer_id: int, trail: AuditTrail) -> AgencyReport:
    """Approved ratings feed the credit check (三(四): 经审核通过后，方为履行…责任)."""
    if report.status != "pending":
        raise FieldError("status", "只有待审核的报告可以通过")
    report.status, report.reviewed_by = "approved", reviewer_id
    report.reviewed_at = datetime.now(UTC)
    if report.kind == ReportKind.RATING:
        agency = session.get(Agency, report.agency_id)
        session.add(CreditRecordRow(
            record_type="rating", subject_name=report.subject_name,
            subject_code_public=report.subject_code,
            subject_code_hash=cipher.lookup_hash(report.subject_code),
            subject_code_enc=cipher.encrypt(report.subject_code),
            source_department=agency.name, decision_number=report.number,
            decided_on=report.issue_date, valid_until=report.valid_until, grade=report.grade,
            summary=f"{agency.name}出具的企业综合信用等级评价报告"))
    session.flush()
    trail.record(session, "approve", "agency_report", report.number, reason=None)
    return report


def reject_report(session: Session, report: AgencyReport, *, reviewer_id: int, reason: str,
                  trail: AuditTrail) -> AgencyReport:
    if report.status != "pending":
        raise FieldError("status", "只有待审核的报告可以驳回")
    text = " ".join(reason.split())
    if not text:
        raise FieldError("reason", "请填写驳回原因，机构将看到这段说明")
    report.status, report.review_reason = "rejected", text[:500]
    report.reviewed_by, report.reviewed_at = reviewer_id, datetime.now(UTC)
    trail.record(session, "reject", "agency_report", report.number, reason=reason)
    return report


def public_ratings(session: Session, today: date) -> list[dict[str, object]]:
    """Approved ratings of legal persons for the public site; expired ones show as 已过期."""
    rows = session.execute(select(AgencyReport, Agency.name).join(Agency)
                           .where(AgencyReport.kind == ReportKind.RATING,
                                  AgencyReport.status == "approved")
                           .order_by(AgencyReport.issue_date.desc()).limit(500))
    result = []
    for r, agency_name in rows:
        # 三(五): one year at most, whatever an older upload stored.
        through = rating_valid_through(r.issue_date)
        until = min(r.valid_until, through) if r.valid_until else through
        result.append({"number": r.number, "subject_name": r.subject_name,
                       "subject_code": r.subject_code, "grade": r.grade, "agency": agency_name,
                       "issue_date": r.issue_date.isoformat(), "valid_until": until.isoformat(),
                       "expired": until < today})
    return result
