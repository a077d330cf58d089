"""Staff pages: the seal registry and stamping (preview, place, seal, sign, download)."""

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
from app.domain.access import Account, unit_scope
from app.domain.errors import FieldError
from app.domain.roles import STAFF_ROLES
from app.models import ReceivingUnit, Seal, StampJob
from app.services import seals as seal_svc
from app.services import stamping as stamp_svc
from app.stamping.seal_images import MAX_UPLOAD_BYTES
from app.stamping.types import StampingError
from app.web.auth import current_user, letter_reader, login_required
from app.web.common import (
    archive,
    base_url,
    intake_limits,
    pii_cipher,
    read_upload,
    services,
    signer,
    trail,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _unit_scope() -> int | None:
    """The unit whose seals and jobs the user may use; None for the credit office (all)."""
    user = current_user()
    return unit_scope(None if user is None else Account.of(user))


def _units() -> list[ReceivingUnit]:
    scope = _unit_scope()
    stmt = select(ReceivingUnit).order_by(ReceivingUnit.id)
    if scope is not None:
        stmt = stmt.where(ReceivingUnit.id == scope)
    return list(get_session().scalars(stmt))


@bp.get("/")
@login_required(*STAFF_ROLES)
def home() -> str:
    return render_template("staff/home.html")


@bp.get("/seals")
@login_required(*STAFF_ROLES)
def seals() -> str:
    return _seals_page({}, 200)


def _seals_page(errors: dict[str, str], status: int):
    units = _units()
    rows = list(get_session().scalars(
        select(Seal).where(Seal.unit_id.in_([u.id for u in units]), Seal.active)
        .order_by(Seal.unit_id, Seal.id)))
    names = {u.id: u.name for u in units}
    return render_template("staff/seals.html", seals=rows, units=units, unit_names=names,
                           errors=errors, kinds=seal_svc.SEAL_KINDS), status


def _unit_from_form() -> ReceivingUnit:
    try:
        unit_id = int(request.form.get("unit_id", ""))
    except ValueError:
        raise FieldError("unit_id", "请选择印章所属单位") from None
    unit = next((u for u in _units() if u.id == unit_id), None)
    if unit is None:
        raise FieldError("unit_id", "您无权为该单位登记印章")
    return unit


def _diameter() -> float:
    try:
        return float(request.form.get("diameter_mm", "42"))
    except ValueError:
        raise FieldError("diameter_mm", "印章直径应为数字（毫米）") from None


@bp.post("/seals")
@login_required(*STAFF_ROLES)
def upload_seal() -> Response | tuple[str, int]:
    db = get_session()
    upload = request.files.get("image")
    try:
        unit = _unit_from_form()
        if upload is None or not upload.filename:
            raise FieldError("image", "请选择印章图片（PNG或JPEG，不超过2 MB）")
        seal = seal_svc.add_uploaded_seal(
            db, archive(), unit=unit, name=request.form.get("name", "").strip() or unit.name,
            kind=request.form.get("kind", "公章"), diameter_mm=_diameter(),
            image=read_upload(upload, MAX_UPLOAD_BYTES), trail=trail())
        db.commit()
    except FieldError as exc:
        db.rollback()
        return _seals_page({exc.field: exc.message}, 400)
    except StampingError as exc:
        db.rollback()
        return _seals_page({"image": exc.message}, 400)
    flash(f"已登记印章 #{seal.id}")
    return redirect(url_for("staff.seals"), code=303)


@bp.post("/seals/generate")
@login_required(*STAFF_ROLES)
def generate_seal() -> Response | tuple[str, int]:
    db = get_session()
    try:
        seal = seal_svc.add_generated_seal(db, archive(), unit=_unit_from_form(),
                                           kind=request.form.get("kind", "公章"),
                                           diameter_mm=_diameter(), trail=trail())
        db.commit()
    except FieldError as exc:
        db.rollback()
        return _seals_page({exc.field: exc.message}, 400)
    flash(f"已生成演示印章 #{seal.id}（带“演示”字样，不可用于正式文书）")
    return redirect(url_for("staff.seals"), code=303)


@bp.get("/seals/<int:seal_id>.png")
@login_required(*STAFF_ROLES)
def seal_png(seal_id: int) -> Response:
    try:
        seal = seal_svc.get_seal_for(get_session(), seal_id, _unit_scope())
    except FieldError:  # another unit's or no such seal: not found (trial 12 item 17), not 400
        abort(404)
    return send_file(BytesIO(archive().get(seal.png_sha256)), mimetype="image/png", max_age=0)


# --- stamping ---------------------------------------------------------------------------------


def _job(job_id: int) -> StampJob:
    """A job the user may see (own unit's; every one for the office), on a letter they may
    read (issue 10 §1); 404 otherwise."""
    db = get_session()
    job = db.get(StampJob, job_id)
    if job is None or not stamp_svc.job_readable(db, job, unit_id=_unit_scope(),
                                                 reader=letter_reader()):
        abort(404)
    return job


@bp.route("/stamp", methods=["GET", "POST"])
@login_required(*STAFF_ROLES)
def stamp_new() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("staff/stamp_new.html", errors={})
    db = get_session()
    user = current_user()
    try:
        number = request.form.get("document_number", "").strip()
        upload = request.files.get("file")
        if number:
            # issue 10 §1: a letter addressed to the clerk's unit (the office: any letter)
            job, _ground = stamp_svc.create_job_for_document(
                db, archive(), number=number, unit_id=_unit_scope(), cipher=pii_cipher(),
                reader=letter_reader(), user_id=user.id, limits=intake_limits(), trail=trail())
        elif upload is not None and upload.filename:
            job = stamp_svc.create_job(db, archive(), pdf=read_upload(upload), name=upload.filename,
                                       unit_id=_unit_scope(), user_id=user.id, limits=intake_limits(),
                                       trail=trail())
        else:
            raise FieldError("file", "请上传PDF文件，或填写本平台出具的文书编号")
        db.commit()
    except (FieldError, StampingError, IntakeRejected) as exc:
        db.rollback()
        field = getattr(exc, "field", "file")
        return render_template("staff/stamp_new.html", errors={field: exc.message}), 400
    except stamp_svc.DocumentNotFound:
        db.rollback()
        return render_template("staff/stamp_new.html", errors={
            "document_number": "未找到该编号的文书（只能盖章寄给本单位的承诺书）"}), 404
    return redirect(url_for("staff.stamp_job", job_id=job.id), code=303)


def _job_page(job: StampJob, errors: dict[str, str], status: int = 200):
    db = get_session()
    scope = _unit_scope()
    available = (seal_svc.seals_of_unit(db, scope) if scope is not None
                 else list(db.scalars(select(Seal).where(Seal.active).order_by(Seal.id))))
    sizes = stamp_svc.page_sizes(job, archive())
    anchor = stamp_svc.anchor_kind(job, archive()) if job.result_sha256 is None else None
    return render_template("staff/stamp_job.html", job=job, seals=available, errors=errors,
                           sizes=sizes, px_per_mm=stamp_svc.preview_px_per_mm,
                           anchor_label=stamp_svc.ANCHOR_LABELS.get(anchor or ""),
                           signatures=stamp_svc.signature_reports(
                               job, archive(), services().trust_roots())), status


@bp.get("/stamp/<int:job_id>")
@login_required(*STAFF_ROLES)
def stamp_job(job_id: int):
    return _job_page(_job(job_id), {})


@bp.post("/stamp/<int:job_id>")
@login_required(*STAFF_ROLES)
def stamp_apply(job_id: int):
    job = _job(job_id)
    db = get_session()
    try:
        ops = stamp_svc.operations_from_form(request.form, page_count=job.page_count,
                                             page_sizes_mm=stamp_svc.page_sizes(job, archive()))
        stamp_svc.apply_operations(db, archive(), job, ops, unit_id=_unit_scope(),
                                   signer=signer(), base_url=base_url(), trail=trail())
        db.commit()
    except (FieldError, StampingError) as exc:
        db.rollback()
        return _job_page(job, {getattr(exc, "field", "operations"): exc.message}, 400)
    # the job page itself says 已盖章并签名 (trial 15: a flash said it a second time)
    return redirect(url_for("staff.stamp_job", job_id=job.id), code=303)


@bp.get("/stamp/<int:job_id>/<which>/<int:page>.png")
@login_required(*STAFF_ROLES)
def stamp_preview(job_id: int, which: str, page: int) -> Response:
    job = _job(job_id)
    sha = job.original_sha256 if which == "original" else job.result_sha256
    if which not in ("original", "result") or sha is None or not 1 <= page <= job.page_count:
        abort(404)
    try:
        png = page_png(archive().get(sha), page, dpi=stamp_svc.PREVIEW_DPI)
    except PreviewUnavailable:
        abort(404)
    return send_file(BytesIO(png), mimetype="image/png", max_age=3600)


@bp.get("/stamp/<int:job_id>/result.pdf")
@login_required(*STAFF_ROLES)
def stamp_download(job_id: int) -> Response:
    job = _job(job_id)
    if job.result_sha256 is None:
        abort(404)
    name = job.original_name.rsplit(".", 1)[0] + "（已盖章）.pdf"
    return send_file(BytesIO(archive().get(job.result_sha256)), mimetype="application/pdf",
                     as_attachment=True, download_name=name)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
