"""Staff pages for uploaded letters: units upload and correct, the credit office reviews."""

from __future__ import annotations

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
from app.documents.preview import PreviewUnavailable, page_png
from app.domain.access import Account, may_see_id_numbers, may_see_unit_record, unit_scope
from app.domain.errors import FieldError, FieldErrors
from app.domain.filings import receipt_number
from app.domain.roles import OFFICE, Role
from app.domain.scenario_labels import SCENARIO_LABELS
from app.domain.subjects import SubjectKind
from app.models import Filing, ReceivingUnit
from app.services import filings as svc
from app.web.auth import current_user, login_required
from app.web.common import (
    archive,
    audit,
    intake_limits,
    pii_cipher,
    read_upload,
    signature_trust,
    signer,
    today,
    trail,
)

bp = Blueprint("filings", __name__, url_prefix="/staff")
UNIT_AND_OFFICE = (Role.UNIT_CLERK, *OFFICE)
META_FIELDS = ("scenario", "subject_kind", "subject_name", "subject_code", "legal_representative",
               "matter", "commitment_date", "document_number")
MAX_PREVIEWS = 30
"""Pages pictured on a filing's page (a letter has 2 to 12; a longer file is downloaded)."""


def _visible(filing_id: int) -> Filing:
    """A filing the user may see: own unit's for clerks, every one for the office."""
    filing = get_session().get(Filing, filing_id)
    user = current_user()
    if filing is None or not may_see_unit_record(Account.of(user), filing.unit_id):
        abort(404)
    return filing


def _context(**extra: object) -> dict[str, object]:
    from app.domain.commitments import Scenario
    from app.domain.subjects import SubjectKind

    return {"scenarios": list(Scenario), "kinds": list(SubjectKind), "labels": svc.STATUS_LABELS,
            "reject_audience": svc.REJECT_REASON_AUDIENCE, "revoke_audience": svc.REVOKE_REASON_AUDIENCE,
            "scenario_labels": SCENARIO_LABELS, "receipt_number": receipt_number, **extra}


@bp.get("/filings")
@login_required(*UNIT_AND_OFFICE)
def list_filings() -> str:
    """Staff search over every status (clerks: their own unit's uploads only)."""
    from app.archive.search import SearchFilters, search_index_for
    from app.web.publicity import last_page

    user = current_user()
    db = get_session()
    status = request.args.get("status") or None
    scope = unit_scope(Account.of(user))
    filters = SearchFilters(
        status=(status,) if status in svc.STATUS_LABELS else None,
        unit_id=scope if scope is not None else request.args.get("unit", type=int))
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 500))  # clamped below to the last page
    q = request.args.get("q", "").strip()[:100]
    index = search_index_for(db)
    found = index.query_index(db, q, filters, page=page, per_page=50)
    if page > (last := last_page(found.total, 50)):  # a page past the end shows the last one
        page, found = last, index.query_index(db, q, filters, page=last, per_page=50)
    rows = {f.id: f for f in db.scalars(select(Filing).where(Filing.id.in_(found.ids)))}
    persons = []
    if q and page == 1 and may_see_id_numbers(Account.of(user)):
        persons = svc.find_persons_by_full_name(db, q, statuses=filters.status,
                                                unit_id=filters.unit_id, trail=trail())
        if persons:
            db.commit()  # the audit entry of a search that found someone
    return render_template("staff/filings.html", **_context(
        filings=[rows[i] for i in found.ids if i in rows], q=q, status=status, page=page,
        persons=persons,
        total=f"{found.total:,}{'+' if found.total_capped else ''}",
        more=page * 50 < found.total))


@bp.route("/filings/new", methods=["GET", "POST"])
@login_required(Role.UNIT_CLERK)
def upload() -> Response | str | tuple[str, int]:
    replaces_id = request.values.get("replaces", type=int)
    if request.method == "GET":
        return render_template("staff/filing_new.html", **_context(values={}, errors={},
                                                                   replaces_id=replaces_id))
    user = current_user()
    db = get_session()
    values = {k: request.form.get(k, "") for k in META_FIELDS}
    upload_file = request.files.get("file")
    try:
        if upload_file is None or not upload_file.filename:
            raise FieldError("file", "请选择已盖章的承诺书PDF文件")
        replaces = db.get(Filing, replaces_id) if replaces_id else None
        if replaces_id and replaces is None:  # the same answer as for another unit's filing
            raise FieldError("replaces", "只能为本单位被驳回的上传提交更正文件")
        result = svc.file_upload(db, archive(), pii_cipher(), data=read_upload(upload_file),
                                 name=upload_file.filename, fields=values,
                                 unit=db.get(ReceivingUnit, user.unit_id), today=today(),
                                 limits=intake_limits(), user_id=user.id, replaces=replaces,
                                 signatures=signature_trust(), trail=trail())
        db.commit()
    except IntakeRejected as exc:
        db.rollback()
        return render_template("staff/filing_new.html", **_context(
            values=values, errors={"file": exc.message}, replaces_id=replaces_id)), 400
    except (FieldErrors, FieldError) as exc:
        db.rollback()
        errors = exc.fields if isinstance(exc, FieldErrors) else {exc.field: exc.message}
        return render_template("staff/filing_new.html", **_context(
            values=values, errors=dict(errors), replaces_id=replaces_id,
            earlier_id=getattr(exc, "filing_id", None))), 400
    if result.created:
        flash("上传成功，等待发改局审核")
    elif result.differences:  # issue 12 §3: never silently the old record
        flash("该文件此前已上传过，已有记录未作修改；本次填写的信息与已有记录不同："
              + "；".join(result.differences.values())
              + "。如已有记录有误，请待审核驳回后在该上传页面点击“上传更正后的文件”重新上传", "warning")
    else:
        flash("该文件此前已上传过，以下是已有记录")
    return redirect(url_for("filings.detail", filing_id=result.filing.id), code=303)


@bp.get("/filings/<int:filing_id>")
@login_required(*UNIT_AND_OFFICE)
def detail(filing_id: int) -> str:
    filing = _visible(filing_id)
    return _detail_page(filing, office=current_user().role in OFFICE)


def _detail_page(filing: Filing, *, office: bool, id_number: str | None = None,
                 errors: dict[str, str] | None = None) -> str:
    """The filing's page: details, intake flags beside the decision buttons, every page."""
    db = get_session()
    unit = db.get(ReceivingUnit, filing.unit_id)
    effect = svc.approval_effect(db, filing) if office and filing.status == "pending" else None
    return render_template("staff/filing_detail.html", **_context(
        filing=filing, unit=unit, id_number=id_number, office=office, errors=errors or {},
        effect=effect, corrects=db.get(Filing, filing.replaces_id) if filing.replaces_id else None,
        corrections=svc.corrections_of(db, filing),
        flags=svc.review_flags(filing), pages=range(1, min(filing.page_count, MAX_PREVIEWS) + 1)))


@bp.post("/filings/<int:filing_id>/id-number")
@login_required(*OFFICE)
def reveal_id_number(filing_id: int) -> str:
    """Staff view of a natural person's ID number: only for the office, and logged."""
    filing = _visible(filing_id)
    number = pii_cipher().decrypt(filing.subject_code_enc)
    audit("view_id_number", "filing", filing.id)
    get_session().commit()
    return _detail_page(filing, office=True, id_number=number)


@bp.get("/filings/<int:filing_id>/original.pdf")
@login_required(*UNIT_AND_OFFICE)
def original(filing_id: int) -> Response:
    filing = _visible(filing_id)
    audit("download_original", "filing", filing.id)
    get_session().commit()
    return send_file(BytesIO(archive().get(filing.sha256)), mimetype="application/pdf",
                     as_attachment=True, download_name=filing.original_name)


@bp.get("/filings/<int:filing_id>/page-<int:page>.png")
@login_required(*UNIT_AND_OFFICE)
def preview(filing_id: int, page: int) -> Response:
    filing = _visible(filing_id)
    if not 1 <= page <= filing.page_count:
        abort(404)
    try:
        png = page_png(archive().get(filing.sha256), page, dpi=60)
    except PreviewUnavailable:
        abort(404)
    if filing.subject_kind == SubjectKind.NATURAL_PERSON.value:
        # the picture shows the person's ID number as printed: staff access to it is logged
        audit("view_page_picture", "filing", filing.id, page=page)
        get_session().commit()
    return send_file(BytesIO(png), mimetype="image/png", max_age=3600)


@bp.get("/review")
@login_required(*OFFICE)
def review_queue() -> str:
    db = get_session()
    pending = db.scalars(select(Filing).where(Filing.status == "pending")
                         .order_by(Filing.id).limit(200)).all()
    published = db.scalars(select(Filing).where(Filing.status == "published")
                           .order_by(Filing.published_at.desc()).limit(50)).all()
    return render_template("staff/review.html", **_context(
        pending=pending, published=published, flag_names=svc.FLAG_NAMES,
        flags={f.id: svc.review_flags(f) for f in pending}))


def _decide(filing_id: int, action: str) -> Response | tuple[str, int]:
    filing = _visible(filing_id)
    db = get_session()
    reviewer = current_user().id
    reason = request.form.get("reason", "")
    try:
        if action == "approve":
            svc.approve(db, archive(), filing, reviewer_id=reviewer, signer=signer(),
                        trail=trail())
        elif action == "reject":
            svc.reject(db, filing, reviewer_id=reviewer, reason=reason, trail=trail())
        else:
            svc.revoke(db, filing, reviewer_id=reviewer, reason=reason, trail=trail())
        db.commit()
    except FieldError as exc:
        db.rollback()
        return _detail_page(filing, office=True, errors={exc.field: exc.message}), 400
    flash({"approve": "已通过，承诺书已公示", "reject": "已驳回，上传单位将看到驳回原因",
           "revoke": "已撤销公示，文件仍保留在档案中"}[action])
    return redirect(url_for("filings.detail", filing_id=filing.id), code=303)


@bp.post("/review/<int:filing_id>/approve")
@login_required(*OFFICE)
def approve(filing_id: int):
    return _decide(filing_id, "approve")


@bp.post("/review/<int:filing_id>/reject")
@login_required(*OFFICE)
def reject(filing_id: int):
    return _decide(filing_id, "reject")


@bp.post("/review/<int:filing_id>/revoke")
@login_required(*OFFICE)
def revoke(filing_id: int):
    return _decide(filing_id, "revoke")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
