"""Credit agencies (policy 三(四), 四, 八(二)): registry, report scaffolds, uploads, review."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.intake import IntakeLimits, display_file_name, inspect_pdf
from app.archive.pii import PiiCipher
from app.documents.registry import CURRENT, Family
from app.domain.credit_check import Purpose, check_credit, validate_grade
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError, FieldErrors
from app.domain.identifiers import validate_uscc
from app.domain.names import normalise_free_text, normalise_org_name, normalise_person_name
from app.domain.numbers import DocumentType, format_document_number, verification_code
from app.domain.ratings import cancelled_agency_note, check_rating_valid_until, rating_valid_through
from app.domain.report_kinds import RECOMMENDATIONS, REPORT_KINDS, REPORT_STATUS, ReportKind
from app.domain.report_text import ReportText, read_report_text
from app.domain.urls import verify_url
from app.models import Agency, AgencyReport, CreditRecordRow, ReceivingUnit
from app.services.audit import AuditTrail
from app.services.commitments import next_serial
from app.services.credit import records_of, run_check

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


def set_status(session: Session, agency: Agency, status: str, *, reason: str = "", today: date,
               trail: AuditTrail) -> None:
    """Publish, suspend or cancel an agency, audited with ``reason``.

    Re-activating a cancelled (注销) agency needs a reason: the cancellation ended its right to
    work in 凌源 (八(二)), so bringing it back is a decision the audit log must explain."""
    if status not in AGENCY_STATUS:
        raise FieldError("status", f"状态应为：{'、'.join(AGENCY_STATUS.values())}")
    text = " ".join((reason or "").split())[:500]
    if agency.status == "cancelled" and status != "cancelled" and not text:
        raise FieldError("reason", f"“{agency.name}”已注销，恢复为{AGENCY_STATUS[status]}须填写理由"
                                   "（记入审计日志）")
    previous = agency.status
    if status == "cancelled" and previous != "cancelled":
        agency.cancelled_on = today
    elif status != "cancelled":
        agency.cancelled_on = None
    agency.status = status
    trail.record(session, "agency_status", "agency", agency.id, status=agency.status,
                 previous=previous, reason=text or None)


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
        issue_date=today, scaffold_date=today,
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


def _parse_upload_fields(report: AgencyReport, fields: dict[str, str], today: date
                         ) -> tuple[date, date | None, str | None, str | None]:
    """The form of an upload: (出具日期, 有效期至, 评价等级, 决策建议), the ones the kind has; every
    problem at once (FieldErrors), checked against the scaffold (subject, its date)."""
    errors: dict[str, str] = {}
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
        scaffold_date = report.scaffold_date or report.issue_date
        if issue > today:
            errors["issue_date"] = "出具日期不能晚于今天"
        elif issue < scaffold_date:
            errors["issue_date"] = (f"出具日期{format_cn_date(issue)}早于本平台出具报告模板的日期"
                                    f"{format_cn_date(scaffold_date)}，报告不能在模板之前出具")
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
    assert issue is not None  # no error: parsed
    return issue, expiry, grade, recommendation


def upload_report(session: Session, archive: BlobStore, *, agency: Agency, data: bytes, name: str,
                  fields: dict[str, str], today: date, limits: IntakeLimits,
                  trail: AuditTrail) -> AgencyReport:
    """The finished report: same intake gate as commitment letters, then checked against the
    scaffold this service issued (number, agency, subject) and the policy's rules."""
    require_published(agency)
    report = session.scalar(select(AgencyReport).where(
        AgencyReport.number == fields.get("number", "").strip().upper()))
    if report is None:
        raise FieldError("number", "报告编号不存在：请使用本平台为该报告出具的模板编号")
    if report.agency_id != agency.id:
        raise FieldError("number", "该报告编号不是出具给本机构的，不能上传")
    if report.status not in ("scaffold", "rejected"):
        raise FieldError("number", f"该报告当前状态为{REPORT_STATUS[report.status]}，不能重复上传")
    issue, expiry, grade, recommendation = _parse_upload_fields(report, fields, today)
    facts = inspect_pdf(data, replace(limits, text_pages=REPORT_TEXT_PAGES,
                                      text_chars=REPORT_TEXT_CHARS))
    foreign = [n for n in facts.document_numbers if n != report.number]
    if foreign and report.number not in facts.document_numbers:
        raise FieldError("file", f"文件中的报告编号{foreign[0]}与所填编号{report.number}不一致")
    _compare_with_file(report, facts.document_numbers, read_report_text(facts.text_sample),
                       issue=issue, expiry=expiry, grade=grade, recommendation=recommendation)
    report.sha256 = archive.put(data)
    report.original_name = display_file_name(name)
    report.issue_date, report.valid_until = issue, expiry
    report.grade, report.recommendation = grade, recommendation
    report.status, report.review_reason = "pending", None
    report.uploaded_at = datetime.now(UTC)
    session.flush()
    trail.record(session, "upload", "agency_report", report.number, sha256=report.sha256)
    return report


REPORT_TEXT_PAGES = 100
"""Pages of an uploaded report whose text is read (grade, dates, unfilled fields): ~3.5 s of the
intake worker's CPU at most; a report longer than this is checked on its first 100 pages."""
REPORT_TEXT_CHARS = 400_000


def _compare_with_file(report: AgencyReport, numbers: tuple[str, ...], text: ReportText, *,
                       issue: date | None, expiry: date | None, grade: str | None,
                       recommendation: str | None) -> None:
    """The uploaded file must be the finished report of this scaffold and say what the form says:
    its number, no unfilled field, and the same 出具日期, 评价等级 and 有效期至 (or 决策建议).
    Raises FieldErrors naming each field that differs ("file" for what the file lacks)."""
    if report.number not in numbers:
        raise FieldError("file", f"文件中未找到报告编号{report.number}：请上传由本平台报告模板填写完成后"
                                 "导出的PDF（扫描件没有可读取的文字，不能核对）")
    if text.placeholders:
        raise FieldError("file", f"文件中仍有{text.placeholders}处未填写的内容（“【请填写】”），"
                                 f"例如“{text.placeholder_example}”：请全部填写后再上传")
    errors: dict[str, str] = {}
    checks: list[tuple[str, str, tuple[object, ...], object, str]] = [
        ("issue_date", "出具日期", text.issue_dates, issue, "出具日期：YYYY年M月D日")]
    if report.kind == ReportKind.RATING:
        checks += [("grade", "评价等级", text.grades, grade, "评价等级：AA"),
                   ("valid_until", "有效期至", text.valid_until, expiry, "有效期至：YYYY年M月D日")]
    else:
        checks.append(("recommendation", "决策建议", text.recommendations, recommendation,
                       "决策建议：具备信用能力"))
    for field, label, found, typed, example in checks:
        shown = [_shown(v) for v in found]
        if not found:
            errors[field] = f"文件中未找到{label}（应写作“{example}”），无法与所填内容核对"
        elif len(found) > 1:
            errors[field] = f"文件中的{label}前后不一致：{'、'.join(shown)}"
        elif typed is not None and found[0] != typed:
            errors[field] = f"{label}与文件不符：文件为{shown[0]}，表单填写为{_shown(typed)}"
    if errors:
        raise FieldErrors(errors)


def _shown(value: object) -> str:
    return format_cn_date(value) if isinstance(value, date) else str(value)


def approve_report(session: Session, cipher: PiiCipher, report: AgencyReport, *,
                   reviewer_id: int, trail: AuditTrail) -> AgencyReport:
    """Approved ratings feed the credit check (三(四): 经审核通过后，方为履行…责任)."""
    if report.status != "pending":
        raise FieldError("status", "只有待审核的报告可以通过")
    agency = session.get(Agency, report.agency_id)
    if agency.status == "cancelled":
        raise FieldError("status", f"出具机构“{agency.name}”已注销，其报告不能审核通过"
                                   "（政策三(四)：须由经公示的第三方信用服务机构出具）")
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
    """Approved ratings of legal persons for the public site; expired ones show as 已过期, those of
    a cancelled agency carry its note (``ratings.cancelled_agency_note``)."""
    rows = session.execute(select(AgencyReport, Agency).join(Agency)
                           .where(AgencyReport.kind == ReportKind.RATING,
                                  AgencyReport.status == "approved")
                           .order_by(AgencyReport.issue_date.desc()).limit(500))
    result = []
    for r, agency in rows:
        # 三(五): one year at most, whatever an older upload stored.
        through = rating_valid_through(r.issue_date)
        until = min(r.valid_until, through) if r.valid_until else through
        result.append({"number": r.number, "subject_name": r.subject_name,
                       "subject_code": r.subject_code, "grade": r.grade, "agency": agency.name,
                       "agency_note": (cancelled_agency_note(agency.cancelled_on)
                                       if agency.status == "cancelled" else ""),
                       "issue_date": r.issue_date.isoformat(), "valid_until": until.isoformat(),
                       "expired": until < today})
    return result


def live_check(session: Session, cipher: PiiCipher, report: AgencyReport, today: date):
    """The subject's credit check as of ``today`` (conclusion, grounds), shown beside a report
    under review: a report recommending 具备信用能力 for a black-listed subject must not pass
    unnoticed (二(四)3)."""
    return run_check(session, cipher, code=report.subject_code, purpose=Purpose.OTHER, as_of=today,
                     subject_name=report.subject_name)


class ReportAlreadyUsed(FieldError):
    """A 信用报告 that already served a decision (policy 四(二): 一次性使用)."""


def use_note(report: AgencyReport) -> str:
    """"已于2026年11月29日用于“…”" for a used 信用报告; empty when unused."""
    if report.used_on is None:
        return ""
    return f"已于{format_cn_date(report.used_on)}用于“{report.used_for}”"


def record_use(session: Session, report: AgencyReport, *, unit_id: int | None, user_id: int | None,
               decision: str, decided_on: str, today: date, trail: AuditTrail) -> AgencyReport:
    """The commissioning department records the decision a 信用报告 served; the report is then
    used up (四(二): 仅限…一次性使用). Raises FieldError/FieldErrors (nothing stored) or
    ReportAlreadyUsed."""
    if report.kind != ReportKind.DECISION:
        raise FieldError("number", "只有信用报告（政策四）需要登记使用；企业综合信用等级评价报告"
                                   "在有效期内可无限次查询使用（三(五)）")
    if unit_id is None or report.requesting_unit_id != unit_id:
        raise FieldError("number", "只有委托出具该信用报告的部门可以登记其使用")
    if report.status != "approved":
        raise FieldError("number", f"该信用报告当前状态为{REPORT_STATUS[report.status]}，"
                                   "审核通过后方可用于决策")
    if report.used_on is not None:
        raise ReportAlreadyUsed("number", f"该信用报告{use_note(report)}，仅限一次性使用"
                                          "（政策四(二)），不能再次使用")
    errors: dict[str, str] = {}
    text = ""
    try:
        text = normalise_free_text(decision, "decision", "所作决策", 200)
        if not text:
            errors["decision"] = "请填写该信用报告所服务的决策（如决定文号或事项名称）"
    except FieldError as exc:
        errors[exc.field] = exc.message
    on = None
    try:
        on = _parse_date(decided_on, "decided_on", "决策日期")
        if on > today:
            errors["decided_on"] = "决策日期不能晚于今天"
        elif on < report.issue_date:
            errors["decided_on"] = (f"决策日期早于信用报告的出具日期"
                                    f"{format_cn_date(report.issue_date)}")
    except FieldError as exc:
        errors[exc.field] = exc.message
    if errors:
        raise FieldErrors(errors)
    report.used_on, report.used_for, report.used_by = on, text, user_id
    report.used_at = datetime.now(UTC)
    session.flush()
    trail.record(session, "use_report", "agency_report", report.number,
                 decided_on=on.isoformat(), decision=text)
    return report


def subject_reports(session: Session, code: str, *, unit_id: int | None, office: bool
                    ) -> list[AgencyReport]:
    """The approved 信用报告 about ``code`` a reader may see (the office: all; a department: those
    it commissioned), newest first: a check cites them with their use (四(二))."""
    query = select(AgencyReport).where(AgencyReport.subject_code == code,
                                       AgencyReport.kind == ReportKind.DECISION,
                                       AgencyReport.status == "approved")
    if not office:
        if unit_id is None:
            return []
        query = query.where(AgencyReport.requesting_unit_id == unit_id)
    return list(session.scalars(query.order_by(AgencyReport.id.desc()).limit(50)))
