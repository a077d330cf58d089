"""Public pages: choose a variant, fill and download a letter, blank forms, verification."""

from __future__ import annotations

import unicodedata
from io import BytesIO

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from app.archive.intake import IntakeRejected
from app.db import get_session
from app.documents.fonts import UncoverableCharacter
from app.domain.access import ANONYMOUS
from app.domain.commitments import Scenario
from app.domain.errors import FieldError, FieldErrors
from app.domain.subjects import SubjectKind
from app.domain.units import closest_unit_names
from app.domain.urls import verify_url_prefix
from app.models import AgencyReport, CreditCheck
from app.ratelimit import limit_commitment_creation, limit_number_lookups
from app.services import commitments as svc
from app.services import credit as credit_svc
from app.services import verification as verify_svc
from app.web.api_schemas import DocumentQuery
from app.web.auth import letter_reader
from app.web.common import (
    archive,
    base_url,
    blank_cache,
    intake_limits,
    pii_cipher,
    public_view,
    read_upload,
    secret,
    services,
    signer,
    today,
    trail,
)
from app.web.errors import error_response
from app.web.openapi import Reply, documented

bp = Blueprint("public", __name__)
WHO = {"unit": SubjectKind.ENTERPRISE, "person": SubjectKind.NATURAL_PERSON}
MIME = {"pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _download(data: bytes, filename: str, fmt: str, etag: str | None = None) -> Response:
    resp = send_file(BytesIO(data), mimetype=MIME[fmt], as_attachment=True,
                     download_name=filename, etag=etag or False, conditional=True,
                     max_age=3600 if etag else 0)
    return resp


@bp.get("/")
def index() -> str:
    return render_template("index.html", scenarios=list(Scenario))


@bp.get("/blank/<scenario>/<who>.<fmt>")
def blank(scenario: str, who: str, fmt: str) -> Response:
    try:
        sc, kind = Scenario(scenario), WHO[who]
    except (ValueError, KeyError):
        abort(404)
    if fmt not in MIME:
        abort(404)
    f = blank_cache().get(sc, kind, fmt)
    return _download(f.data, f.filename, fmt, etag=f.etag)


def _echo(value: str) -> str:
    """A submitted value as shown back in the form: without invisible format characters
    (bidi controls would reorder the field's text; the error message names them)."""
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cf")


def _form_context(values: dict[str, str], errors: dict[str, str]) -> dict[str, object]:
    values = {k: _echo(v) for k, v in values.items()}
    units = svc.unit_names(get_session())
    suggestions = (closest_unit_names(values.get("receiving_unit", ""), units)
                   if "receiving_unit" in errors else [])
    # Nothing close ("凌源市不存在局"): offer every registered unit, tappable without JavaScript
    # (the datalist alone is no list on many phones).
    everything = "receiving_unit" in errors and not suggestions
    return {"values": values, "errors": errors, "scenarios": list(Scenario),
            "kinds": list(SubjectKind), "units": units,
            "unit_suggestions": list(units) if everything else suggestions,
            "unit_suggestions_all": everything}


@bp.get("/commitments/new")
def new_commitment() -> str:
    values = {"scenario": request.args.get("scenario", Scenario.ADMINISTRATIVE_SERVICE.value),
              "subject_kind": request.args.get("kind", SubjectKind.ENTERPRISE.value)}
    return render_template("commitment_form.html", **_form_context(values, {}))


@bp.post("/commitments/new")
@limit_commitment_creation()
def create_commitment() -> Response | tuple[str, int]:
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if choice := values.pop("receiving_unit_choice", ""):  # a unit picked from the suggestions
        values["receiving_unit"] = choice
    session = get_session()
    try:
        issued = svc.issue_commitment(session, values, secret=secret(), base_url=base_url(),
                                      cipher=pii_cipher(),
                                      archive=archive(), today=today(), trail=trail())
        session.commit()
    except FieldErrors as exc:
        session.rollback()
        return render_template("commitment_form.html",
                               **_form_context(values, dict(exc.fields))), 400
    except UncoverableCharacter as exc:
        session.rollback()
        return render_template("commitment_form.html",
                               **_form_context(values, {exc.field or "subject_name": str(exc)})), 400
    rec = issued.record
    return redirect(url_for("public.show_commitment", number=rec.number,
                            c=rec.verification_code), code=303)


def _record_with_code(number: str):
    """The applicant's route to the full letter: only with its 验证码 (issue 10 §1 (a)); a
    missing or wrong code is answered like an unknown number (404), not "wrong code"."""
    try:
        record, _ground = svc.find_readable_document(get_session(), number, ANONYMOUS,
                                                     request.args.get("c"))
    except svc.DocumentNotFound:
        abort(error_response(404, "not_found",
                             "未找到该文书，或验证码不正确：请核对承诺书上打印的编号和验证码"))
    return record


@bp.get("/commitments/<number>")
def show_commitment(number: str) -> str:
    record = _record_with_code(number)
    return render_template("commitment_done.html", doc=public_view(record),
                           code=record.verification_code)


@bp.get("/commitments/<number>.<fmt>")
def download_commitment(number: str, fmt: str) -> Response:
    if fmt not in MIME:
        abort(404)
    record = _record_with_code(number)
    if fmt == "pdf":
        data = svc.issued_pdf(record, archive())
    else:
        data = svc.docx_from_payload(record.payload, record.template_version, pii_cipher())
    return _download(data, f"信用承诺书（{record.number}）.{fmt}", fmt)


@bp.get("/verify")
@limit_number_lookups()
def verify_form() -> Response | str:
    number = request.args.get("no", "").strip()
    if not number:
        return render_template("verify.html", doc=None, result=None, error=None, number="")
    try:
        record = svc.find_verifiable(get_session(), number)
    except FieldError as exc:
        return render_template("verify.html", doc=None, result=None, error=exc.message,
                               number=number)
    except svc.DocumentNotFound:
        return render_template("verify.html", doc=None, result=None, number=number,
                               error=f"未找到编号为“{number}”的文书，请核对编号"), 404
    params = {"c": request.args["c"]} if request.args.get("c") else {}
    return redirect(url_for("public.verify", number=record.number, **params), code=303)


@bp.route("/verify/<number>", methods=["GET", "POST"])
@documented(summary="公开核验页面（HTML）", tag="核验", methods=("GET",), errors_as="html",
            path={"number": "文书编号"}, query=DocumentQuery,
            responses={200: Reply("核验页面", None, "text/html")},
            errors={400: "编号格式或校验位错误", 404: "未找到", 429: "请求过于频繁"})
@limit_number_lookups()
def verify(number: str) -> str | tuple[str, int]:
    record = svc.find_verifiable(get_session(), number)
    code = request.args.get("c")
    code_ok = svc.code_matches(record, code) if code else None
    readable = bool(code_ok)
    if isinstance(record, CreditCheck) and not readable:  # its 主送 or issuer, signed in
        readable = credit_svc.certificate_ground(get_session(), record, letter_reader()) is not None
    result, status = None, 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            result, status = {"ok": False, "message": "请选择要核验的PDF文件"}, 400
        else:
            try:
                check = verify_svc.check_file(
                    get_session(), read_upload(upload), services().trust_roots(), number=record.number,
                    limits=intake_limits(), verify_url_prefix=verify_url_prefix(base_url()),
                    our_signers=[signer().signer_name],
                    sample_roots=services().sample_trust_roots(),
                    sample_files=services().sample_files())
            except IntakeRejected as exc:  # the gate's own Chinese message, on the page
                result = {"ok": False, "message": exc.message}
                status = 413 if exc.code == "too_large" else 400
            else:
                revoked = (check["public_copy"] or check["filed"] or {}).get("status") == "revoked"
                result = {**check, "ok": check["matches_number"] and not revoked}
    report_kind = record.kind if isinstance(record, AgencyReport) else None
    return render_template("verify.html", doc=public_view(record, code_ok=readable),
                           result=result, error=None, report_kind=report_kind,
                           number=record.number, code_ok=code_ok), status


@bp.route("/V/<number>")
@bp.route("/v/<number>", endpoint="verify_short_lower")
@limit_number_lookups()
def verify_short(number: str) -> Response:
    """The short address of the margin line's QR code (urls.short_verify_url): 302 to the public
    verification page of ``number``, never with a code (any query string is dropped), so it
    shows only what the number alone may show; unknown or malformed numbers answer as there."""
    record = svc.find_verifiable(get_session(), number)
    return redirect(url_for("public.verify", number=record.number), code=302)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
