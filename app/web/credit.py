"""信用核查 pages: find a subject, run the check, issue the certificate, record a breach;
the office imports records; monthly statistics (policy 二, 七, 八(三))."""

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

from app.db import get_session
from app.domain.access import Account, may_see_unit_record, unit_scope
from app.domain.credit_check import Purpose
from app.domain.credit_import import ImportFileError, parse_credit_records
from app.domain.credit_records import SEVERITIES
from app.domain.errors import FieldError
from app.domain.roles import OFFICE, Role
from app.domain.statistics import CATEGORY_ORDER, report_csv
from app.models import CreditCheck, ReceivingUnit
from app.services import agencies as agency_svc
from app.services import credit as svc
from app.web.auth import current_user, login_required
from app.web.charts import monthly_work_chart
from app.web.common import (
    archive,
    audit,
    base_url,
    pii_cipher,
    read_upload,
    secret,
    signer,
    today,
    trail,
)

bp = Blueprint("credit", __name__, url_prefix="/staff/credit")
CHECKERS = (Role.UNIT_CLERK, *OFFICE)


def _page(**ctx: object) -> dict[str, object]:
    db = get_session()
    user = current_user()
    own = db.get(ReceivingUnit, user.unit_id) if user and user.unit_id is not None else None
    units = list(db.scalars(select(ReceivingUnit.name).order_by(ReceivingUnit.name)))
    return {"purposes": list(Purpose), "errors": {}, "values": {}, "units": units,
            "default_addressee": own.name if own else "", **ctx}


def _addressee(values: dict[str, str]) -> ReceivingUnit | None:
    """主送 of the request (issue 14 §2): the unit chosen, by default the clerk's own; None for
    the office, which checks but does not issue."""
    db = get_session()
    user = current_user()
    own = db.get(ReceivingUnit, user.unit_id) if user.unit_id is not None else None
    if own is None and not values.get("addressee", "").strip():
        return None
    return svc.parse_addressee(db, values.get("addressee"), own)


@bp.get("/")
@login_required(*CHECKERS)
def home() -> str:
    q = request.args.get("q", "").strip()
    found = svc.find_subjects(get_session(), pii_cipher(), q) if q else []
    return render_template("staff/credit.html", **_page(q=q, found=found))


@bp.post("/check")
@login_required(*CHECKERS)
def check() -> str | tuple[str, int]:
    values = request.form.to_dict()
    db = get_session()
    try:
        purpose = svc.parse_purpose(values.get("purpose"))
        as_of = svc.parse_as_of(values.get("as_of"), today())
        result = svc.run_check(db, pii_cipher(), code=values.get("subject_code", ""),
                               purpose=purpose, as_of=as_of, subject_name=values.get("subject_name"))
        addressee = _addressee(values)
    except FieldError as exc:
        return render_template("staff/credit.html", **_page(
            q="", found=[], values=values, errors={exc.field: exc.message})), 400
    audit("credit_check", "subject", result.code[:2] + "…" + result.code[-4:],
          purpose=purpose.value)
    db.commit()
    if addressee is not None:
        values["addressee"] = addressee.name
    user = current_user()
    reports = agency_svc.subject_reports(db, result.code, unit_id=user.unit_id,
                                         office=user.role in OFFICE)
    return render_template("staff/credit_result.html", check=result, values=values,
                           addressee=addressee.name if addressee else "—",
                           can_issue=user.role == Role.UNIT_CLERK, reports=reports,
                           use_note=agency_svc.use_note)


@bp.post("/certificate")
@login_required(Role.UNIT_CLERK)
def issue() -> Response | tuple[str, int]:
    values = request.form.to_dict()
    db = get_session()
    user = current_user()
    try:
        purpose = svc.parse_purpose(values.get("purpose"))
        as_of = svc.parse_as_of(values.get("as_of"), today())
        result = svc.run_check(db, pii_cipher(), code=values.get("subject_code", ""),
                               purpose=purpose, as_of=as_of, subject_name=values.get("subject_name"))
        unit = db.get(ReceivingUnit, user.unit_id)
        cert = svc.issue_certificate(db, archive(), pii_cipher(), signer(), check=result,
                                     unit=unit, addressee=svc.parse_addressee(
                                         db, values.get("addressee"), unit),
                                     secret=secret(), base_url=base_url(), today=today(),
                                     user_id=user.id, trail=trail())
        db.commit()
    except FieldError as exc:
        db.rollback()
        return render_template("staff/credit.html", **_page(
            q="", found=[], values=values, errors={exc.field or "subject_code": exc.message})), 400
    flash(f"已出具信用核查结果告知书 {cert.number}")
    return redirect(url_for("credit.certificate", number=cert.number), code=303)


def _own_certificate(number: str) -> CreditCheck:
    cert = get_session().scalar(select(CreditCheck).where(CreditCheck.number == number))
    user = current_user()
    if cert is None or not may_see_unit_record(Account.of(user), cert.unit_id,
                                               cert.addressee_unit_id):
        abort(404)
    return cert


@bp.get("/certificates/<number>")
@login_required(*CHECKERS)
def certificate(number: str) -> str:
    return render_template("staff/credit_certificate.html", cert=_own_certificate(number))


@bp.get("/certificates/<number>.pdf")
@login_required(*CHECKERS)
def certificate_pdf(number: str) -> Response:
    cert = _own_certificate(number)
    return send_file(BytesIO(archive().get(cert.sha256)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"信用核查结果告知书（{cert.number}）.pdf")


@bp.route("/breach", methods=["GET", "POST"])
@login_required(Role.UNIT_CLERK)
def breach() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("staff/credit_breach.html", values={}, errors={},
                               severities=SEVERITIES)
    values = request.form.to_dict()
    db = get_session()
    user = current_user()
    try:
        try:
            decided_on = date.fromisoformat(values.get("decided_on", ""))
        except ValueError:
            raise FieldError("decided_on", "请按2026-11-29的格式填写认定日期") from None
        name = values.get("subject_name", "").strip()
        if not name:
            raise FieldError("subject_name", "请填写主体名称")
        row = svc.record_breach(db, pii_cipher(), unit=db.get(ReceivingUnit, user.unit_id),
                                code=values.get("subject_code", ""), name=name,
                                decision_number=values.get("decision_number", ""),
                                decided_on=decided_on, summary=values.get("summary", ""),
                                severity=values.get("severity"),
                                commitment_number=values.get("commitment_number", ""),
                                today=today(), trail=trail())
        db.commit()
    except FieldError as exc:
        db.rollback()
        return render_template("staff/credit_breach.html", values=values,
                               errors={exc.field: exc.message}, severities=SEVERITIES), 400
    linked = row.commitment_document_id or row.commitment_filing_id
    flash("已记录违诺：该主体列入失信黑名单（第十四项，政策五(四)3）"
          + (f"；已关联本平台承诺书{row.commitment_number}，其核验页面显示该违诺" if linked else ""))
    return redirect(url_for("credit.home", q=values.get("subject_code", "")), code=303)


@bp.route("/import", methods=["GET", "POST"])
@login_required(*OFFICE)
def import_records() -> str | tuple[str, int]:
    if request.method == "GET":
        return render_template("staff/credit_import.html", outcome=None, error=None,
                               imports=svc.recent_imports(get_session()))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("staff/credit_import.html", outcome=None,
                               error="请选择CSV或JSON文件"), 400
    db = get_session()
    try:
        report = parse_credit_records(read_upload(upload), filename=upload.filename,
                                      today=today())
    except ImportFileError as exc:
        return render_template("staff/credit_import.html", outcome=None, error=exc.message), 400
    mode = request.form.get("mode", "import")
    if mode == "dry_run" or (mode == "atomic" and report.rejected_rows):
        outcome = svc.preview_import(db, pii_cipher(), report)  # reads only
        db.rollback()
        return render_template("staff/credit_import.html", outcome=outcome, error=None,
                               stored=False, mode=mode)
    outcome = svc.import_records(db, pii_cipher(), report, source=upload.filename,
                                 trail=trail())
    return render_template("staff/credit_import.html", outcome=outcome, error=None, stored=True,
                           mode=mode)


def _month() -> tuple[int, int]:
    year = request.args.get("year", type=int) or today().year
    month = request.args.get("month", type=int) or today().month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        abort(400)
    return year, month


def _report() -> svc.MonthlyReport:
    year, month = _month()
    report = svc.monthly_statistics(get_session(), year, month)
    scope = unit_scope(Account.of(current_user()))
    if scope is not None:
        report = report.only(get_session().get(ReceivingUnit, scope).name)
    return report


@bp.get("/statistics")
@login_required(*CHECKERS)
def statistics() -> str:
    report = _report()
    return render_template("staff/credit_statistics.html", report=report,
                           year=report.year, month=report.month, categories=CATEGORY_ORDER,
                           chart=monthly_work_chart(report))


@bp.get("/statistics.csv")
@login_required(*CHECKERS)
def statistics_csv() -> Response:
    report = _report()
    return send_file(BytesIO(report_csv(report)), mimetype="text/csv", as_attachment=True,
                     download_name=f"信用工作月报-{report.year}年{report.month}月.csv")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
