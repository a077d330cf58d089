"""Credit agencies: their own pages (scaffolds, uploads), the office's registry and review,
departments' access to the 信用报告 they commissioned, and the public registry and ratings."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from sqlalchemy import select

from app.archive.intake import IntakeRejected
from app.db import get_session
from app.domain.access import Account, may_see_agency_report
from app.domain.errors import FieldError, FieldErrors
from app.domain.ratings import cancelled_agency_note
from app.domain.report_kinds import RECOMMENDATIONS, REPORT_KINDS, ReportKind
from app.domain.roles import OFFICE, Role
from app.models import Agency, AgencyReport, ReceivingUnit
from app.services import agencies as svc
from app.web.auth import current_user, login_required
from app.web.common import (
    archive,
    audit,
    base_url,
    intake_limits,
    pii_cipher,
    read_upload,
    secret,
    today,
    trail,
)

bp = Blueprint("agencies", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _errors(exc: FieldError | FieldErrors) -> dict[str, str]:
    return dict(exc.fields) if isinstance(exc, FieldErrors) else {exc.field: exc.message}


def _my_agency() -> Agency:
    return get_session().get(Agency, current_user().agency_id)


def _units() -> list[str]:
    return list(get_session().scalars(select(ReceivingUnit.name).order_by(ReceivingUnit.id)))


def _agency_home(errors: dict[str, str] | None = None, values: dict[str, str] | None = None,
                 status: int = 200):
    agency = _my_agency()
    reports = get_session().scalars(select(AgencyReport).where(AgencyReport.agency_id == agency.id)
                                    .order_by(AgencyReport.id.desc()).limit(200)).all()
    return render_template("agency/home.html", agency=agency, reports=reports, units=_units(),
                           errors=errors or {}, values=values or {}, kinds=REPORT_KINDS,
                           statuses=svc.REPORT_STATUS, agency_status=svc.AGENCY_STATUS,
                           recommendations=RECOMMENDATIONS), status


@bp.get("/agency/")
@login_required(Role.AGENCY_USER)
def agency_home():
    return _agency_home()


@bp.post("/agency/scaffolds")
@login_required(Role.AGENCY_USER)
def new_scaffold():
    values = request.form.to_dict()
    db = get_session()
    try:
        req = svc.parse_scaffold_request(db, values)
        report = svc.issue_scaffold(db, agency=_my_agency(), request=req, today=today(),
                                    secret=secret(), trail=trail())
        db.commit()
    except (FieldError, FieldErrors) as exc:
        db.rollback()
        return _agency_home(_errors(exc), values, 400)
    flash(f"已出具报告模板 {report.number}，请下载填写")
    return redirect(url_for("agencies.agency_home"), code=303)


def _own_report(number: str) -> AgencyReport:
    """Agencies see their own reports; the office all; a department its commissioned 信用报告."""
    report = get_session().scalar(select(AgencyReport).where(AgencyReport.number == number))
    user = current_user()
    if report is None:
        abort(404)
    if not may_see_agency_report(Account.of(user), kind=report.kind, agency_id=report.agency_id,
                                 requesting_unit_id=report.requesting_unit_id):
        abort(404)
    return report


@bp.get("/agency/scaffolds/<number>.<fmt>")
@login_required(Role.AGENCY_USER, *OFFICE)
def scaffold_file(number: str, fmt: str) -> Response:
    from app.documents.reports import scaffold_docx, scaffold_pdf

    report = _own_report(number)
    if fmt not in ("docx", "pdf"):
        abort(404)
    db = get_session()
    info = svc.scaffold_info(db, pii_cipher(), report, db.get(Agency, report.agency_id),
                             base_url())
    version = report.template_version  # the version the scaffold was issued with
    data = scaffold_docx(info, version) if fmt == "docx" else scaffold_pdf(info, version)
    name = f"{REPORT_KINDS[report.kind]}（{report.number}）.{fmt}"
    return send_file(BytesIO(data), mimetype=DOCX if fmt == "docx" else "application/pdf",
                     as_attachment=True, download_name=name)


@bp.post("/agency/reports")
@login_required(Role.AGENCY_USER)
def upload_report():
    values = request.form.to_dict()
    upload = request.files.get("file")
    db = get_session()
    try:
        if upload is None or not upload.filename:
            raise FieldError("file", "请选择填写完成并盖章的报告PDF")
        report = svc.upload_report(db, archive(), agency=_my_agency(), data=read_upload(upload),
                                   name=upload.filename, fields=values, today=today(),
                                   limits=intake_limits(), trail=trail())
        db.commit()
    except (FieldError, FieldErrors) as exc:
        db.rollback()
        return _agency_home(_errors(exc), values, 400)
    except IntakeRejected as exc:
        db.rollback()
        return _agency_home({"file": exc.message}, values, 400)
    flash(f"报告 {report.number} 已上传，等待发改局审核")
    return redirect(url_for("agencies.agency_home"), code=303)


@bp.get("/agency/reports/<number>.pdf")
@login_required(Role.AGENCY_USER, Role.UNIT_CLERK, *OFFICE)
def report_pdf(number: str) -> Response:
    report = _own_report(number)
    if report.sha256 is None:
        abort(404)
    audit("download_original", "agency_report", report.number)
    get_session().commit()
    return send_file(BytesIO(archive().get(report.sha256)), mimetype="application/pdf",
                     as_attachment=True, download_name=report.original_name or f"{number}.pdf")


# --- the credit office -----------------------------------------------------------------------


@bp.route("/staff/agencies", methods=["GET", "POST"])
@login_required(*OFFICE)
def registry():
    db = get_session()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            try:
                published_on = date.fromisoformat(request.form.get("published_on", ""))
            except ValueError:
                published_on = today()
            agency = svc.register_agency(db, name=request.form.get("name", ""),
                                         uscc=request.form.get("uscc", ""),
                                         filing_number=request.form.get("filing_number", ""),
                                         published_on=published_on, trail=trail())
            db.commit()
            flash(f"已登记并公示信用服务机构：{agency.name}")
            return redirect(url_for("agencies.registry"), code=303)
        except (FieldError, FieldErrors) as exc:
            db.rollback()
            errors, status = _errors(exc), 400
    agencies = db.scalars(select(Agency).order_by(Agency.id)).all()
    pending = db.scalars(select(AgencyReport).where(AgencyReport.status == "pending")
                         .order_by(AgencyReport.uploaded_at)).all()
    return render_template("staff/agencies.html", agencies=agencies, pending=pending,
                           errors=errors, statuses=svc.AGENCY_STATUS, kinds=REPORT_KINDS,
                           values=request.form), status


@bp.post("/staff/agencies/<int:agency_id>/status")
@login_required(Role.OFFICE_ADMIN)
def change_status(agency_id: int) -> Response:
    db = get_session()
    agency = db.get(Agency, agency_id) or abort(404)
    try:
        svc.set_status(db, agency, request.form.get("status", ""),
                       reason=request.form.get("reason", ""), today=today(), trail=trail())
    except FieldError as exc:
        db.rollback()
        flash(exc.message)
        return redirect(url_for("agencies.registry"), code=303)
    db.commit()
    flash(f"{agency.name}：{svc.AGENCY_STATUS[agency.status]}")
    return redirect(url_for("agencies.registry"), code=303)


def _report_page(report: AgencyReport, errors: dict[str, str] | None = None,
                 values: dict[str, str] | None = None, status: int = 200):
    """One report: its facts, its use (四(二)) and, for the office reviewing it, the subject's
    credit check as of today beside it (二(四))."""
    db = get_session()
    user = current_user()
    agency = db.get(Agency, report.agency_id)
    check = None
    if user.role in OFFICE and report.status in ("pending", "approved"):
        check = svc.live_check(db, pii_cipher(), report, today())
    may_use = (user.role == Role.UNIT_CLERK and report.kind == ReportKind.DECISION
               and report.status == "approved" and report.used_on is None
               and report.requesting_unit_id == user.unit_id)
    unit = db.get(ReceivingUnit, report.requesting_unit_id) if report.requesting_unit_id else None
    return render_template("staff/agency_report.html", report=report, agency=agency, check=check,
                           unit=unit, may_use=may_use, use_note=svc.use_note(report),
                           kinds=REPORT_KINDS, statuses=svc.REPORT_STATUS,
                           agency_status=svc.AGENCY_STATUS, errors=errors or {},
                           values=values or {}, today=today(),
                           agency_note=(cancelled_agency_note(agency.cancelled_on)
                                        if agency.status == "cancelled" else "")), status


@bp.get("/staff/agency-reports/<number>")
@login_required(Role.AGENCY_USER, Role.UNIT_CLERK, *OFFICE)
def report_page(number: str):
    return _report_page(_own_report(number))


@bp.post("/staff/reports/<number>/use")
@login_required(Role.UNIT_CLERK)
def use_report(number: str):
    """The commissioning department records the decision the 信用报告 served (四(二))."""
    report = _own_report(number)
    values = request.form.to_dict()
    db = get_session()
    try:
        svc.record_use(db, report, unit_id=current_user().unit_id, user_id=current_user().id,
                       decision=values.get("decision", ""), decided_on=values.get("decided_on", ""),
                       today=today(), trail=trail())
        db.commit()
    except svc.ReportAlreadyUsed as exc:
        db.rollback()
        return _report_page(report, {exc.field: exc.message}, values, 409)
    except (FieldError, FieldErrors) as exc:
        db.rollback()
        return _report_page(report, _errors(exc), values, 400)
    flash(f"已登记：信用报告 {report.number} {svc.use_note(report)}，不得再次使用")
    return redirect(url_for("agencies.report_page", number=report.number), code=303)


@bp.post("/staff/agency-reports/<number>/<action>")
@login_required(*OFFICE)
def review(number: str, action: str):
    report = _own_report(number)
    db = get_session()
    try:
        if action == "approve":
            svc.approve_report(db, pii_cipher(), report, reviewer_id=current_user().id,
                               trail=trail())
        elif action == "reject":
            svc.reject_report(db, report, reviewer_id=current_user().id,
                              reason=request.form.get("reason", ""), trail=trail())
        else:
            abort(404)
        db.commit()
    except FieldError as exc:
        db.rollback()
        flash(exc.message)
        return redirect(url_for("agencies.report_page", number=report.number), code=303)
    flash(f"报告 {report.number}：{svc.REPORT_STATUS[report.status]}")
    return redirect(url_for("agencies.registry"), code=303)


@bp.get("/staff/reports")
@login_required(Role.UNIT_CLERK)
def unit_reports() -> str:
    """信用报告 a department commissioned (四(三)): visible to it alone (and the office)."""
    reports = get_session().scalars(select(AgencyReport).where(
        AgencyReport.kind == ReportKind.DECISION, AgencyReport.requesting_unit_id == current_user().unit_id,
        AgencyReport.status == "approved").order_by(AgencyReport.id.desc())).all()
    return render_template("staff/unit_reports.html", reports=reports)


@bp.route("/staff/procurement-clause", methods=["GET", "POST"])
@login_required(Role.UNIT_CLERK, *OFFICE)
def procurement_clause():
    from app.documents.procurement import (
        SCOPE_LABELS,
        ClauseError,
        clause_warnings,
        parse_scope,
        render_clause,
    )

    values = request.form.to_dict() if request.method == "POST" else {
        "minimum_grade": "BBB", "incentive_percent": "8"}
    clause, scope, errors, warnings = None, None, {}, {}
    if request.method == "POST":
        try:
            scope = parse_scope(values.get("scope"))
        except ClauseError as exc:
            errors[exc.field] = exc.message
        try:
            clause = render_clause(values.get("minimum_grade", ""),
                                   values.get("incentive_percent", ""),
                                   values.get("project_name", ""), scope=scope)
        except ClauseError as exc:
            errors[exc.field or "form"] = exc.message
        if errors:
            clause = None
        else:
            warnings = clause_warnings(values.get("minimum_grade", ""),
                                       values.get("incentive_percent", ""), scope)
    return render_template("staff/procurement_clause.html", clause=clause, errors=errors,
                           warnings=warnings, values=values,
                           scopes=SCOPE_LABELS), 400 if errors else 200


# --- public ----------------------------------------------------------------------------------


@bp.get("/public/agencies")
def public_agencies() -> str:
    agencies = get_session().scalars(select(Agency).order_by(Agency.published_on.desc(),
                                                             Agency.id)).all()
    return render_template("public/agencies.html", agencies=agencies, statuses=svc.AGENCY_STATUS)


@bp.get("/public/ratings")
def public_ratings() -> str:
    return render_template("public/ratings.html", ratings=svc.public_ratings(get_session(), today()))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
