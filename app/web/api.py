"""JSON API v1: a contract other systems code against (keep the names stable)."""

from __future__ import annotations

from dataclasses import asdict
from io import BytesIO
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request, send_file, url_for
from sqlalchemy import select, text

from app.db import get_session
from app.documents.fonts import check_fonts
from app.domain.bounded_json import InvalidJson, loads_bounded
from app.domain.errors import FieldError
from app.domain.urls import verify_url, verify_url_prefix
from app.models import Agency, AgencyReport, CreditCheck, Filing, ReceivingUnit, StampJob
from app.ratelimit import limit_commitment_creation, limit_number_lookups
from app.services import agencies as agency_svc
from app.services import commitments as svc
from app.services import credit as credit_svc
from app.services import filings as filing_svc
from app.services import seals as seal_svc
from app.services import stamping as stamp_svc
from app.services import verification as verify_svc
from app.web import api_schemas as schema
from app.web import filings as filings_web
from app.web.auth import api_key_optional, api_key_required, csrf, letter_reader
from app.web.common import (
    archive,
    base_url,
    intake_limits,
    pii_cipher,
    public_view,
    read_upload,
    secret,
    services,
    signature_trust,
    signer,
    today,
    trail,
)
from app.web.errors import error_response
from app.web.jsonbody import NUL_REFUSED, holds_nul, json_object
from app.web.openapi import Reply, documented, openapi_spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# A view that raises never commits: the session is closed (rolled back) at request teardown,
# so a refused request stores nothing without a try/except in every view.


@bp.post("/commitments")
@documented(summary="出具一份预填的信用承诺书（一式两份）", tag="信用承诺书",
            json_body=schema.CommitmentRequest,
            responses={201: Reply("已出具；Location 指向文书的公开信息", schema.Issued,
                                  headers={"Location": "GET /api/v1/documents/{number}"})},
            errors={400: "字段错误（invalid_fields）或无法显示的字符（uncoverable_character）",
                    429: "请求过于频繁（rate_limited）"})
@limit_commitment_creation()
def create_commitment() -> Response:
    data = json_object()
    session = get_session()
    issued = svc.issue_commitment(session, data, secret=secret(), base_url=base_url(),
                                  cipher=pii_cipher(),
                                  archive=archive(), today=today(), trail=trail())
    session.commit()
    rec = issued.record
    root = base_url().rstrip("/")
    code = rec.verification_code
    body = {
        "number": rec.number,
        "verification_code": code,
        "sha256": rec.sha256,
        "pdf_url": f"{root}/commitments/{rec.number}.pdf?c={code}",
        "docx_url": f"{root}/commitments/{rec.number}.docx?c={code}",
        "verify_url": verify_url(root, rec.number, code),
    }
    resp = jsonify(body)
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.get_document", number=rec.number)
    return resp


@bp.get("/receiving-units")
@documented(summary="已登记的接受承诺单位（出具承诺书时 receiving_unit 的可选值）", tag="信用承诺书",
            responses={200: Reply("单位名称列表", schema.ReceivingUnitList)})
def list_receiving_units() -> Response:
    return jsonify({"units": svc.unit_names(get_session())})


@bp.get("/documents/<number>")
@documented(summary="按编号查询已出具文书的公开信息（不含身份证号码）", tag="核验",
            description="信用核查结果告知书：无验证码 c 且无主送单位或出具单位的接口密钥时，只答复编号"
                        "是否存在、是否有效（number、document_type、status、status_label、"
                        "verify_url）；凭正确的验证码或该单位的接口密钥另答复核查对象（自然人姓名"
                        "遮蔽，不含身份证号码）、用途、结论、发文字号、主送单位等。",
            path={"number": "文书编号"}, query=schema.DocumentQuery,
            responses={200: Reply("公开信息", schema.PublicDocument)},
            errors={400: "编号格式或校验位错误（invalid_fields）",
                    401: "提供了无效的接口密钥（unauthorized；不提供密钥即按公众答复）",
                    404: "未找到（not_found）", 429: "请求过于频繁（rate_limited）"})
@limit_number_lookups()
@api_key_optional
def get_document(number: str) -> Response:
    db = get_session()
    record = svc.find_verifiable(db, number)
    code = request.args.get("c")
    readable = svc.code_matches(record, code)
    if isinstance(record, CreditCheck) and not readable:
        readable = credit_svc.certificate_ground(db, record, letter_reader()) is not None
    return jsonify(public_view(record, code_ok=readable))


@bp.get("/openapi.json")
@documented(summary="本接口说明（OpenAPI 3.1，由代码生成）", tag="说明",
            responses={200: Reply("OpenAPI 3.1 文档", None, "application/json")})
def openapi() -> Response:
    return jsonify(openapi_spec())


def _job_json(job: StampJob) -> dict[str, object]:
    root = base_url().rstrip("/")
    return {
        "id": job.id,
        "document_number": job.document_number,
        "original_name": job.original_name,
        "page_count": job.page_count,
        "original_sha256": job.original_sha256,
        "result_sha256": job.result_sha256,
        "operations": job.operations,
        "download_url": f"{root}/api/v1/stamp-jobs/{job.id}/result.pdf" if job.result_sha256 else None,
        "signatures": [_signature_json(r) for r in stamp_svc.signature_reports(
            job, archive(), services().trust_roots())],
    }


def _signature_json(report: Any) -> dict[str, Any]:
    """A signature report as JSON: times in ISO 8601 like every other API time (not HTTP dates)."""
    data = asdict(report)
    if data.get("signing_time") is not None:
        data["signing_time"] = data["signing_time"].isoformat()
    return data


@bp.get("/seals")
@documented(summary="本单位可用的印章", tag="盖章",
            responses={200: Reply("印章列表", schema.SealList)},
            errors={403: "接口密钥不属于接受承诺单位（forbidden）"})
@api_key_required
def list_seals() -> Response:
    key = g.api_key
    if key.unit_id is None:
        return error_response(403, "forbidden", "该接口密钥不属于接受承诺单位，不能使用印章")
    return jsonify({"seals": [
        {"id": s.id, "name": s.name, "kind": s.kind, "diameter_mm": s.diameter_mm,
         "generated": s.generated} for s in seal_svc.seals_of_unit(get_session(), key.unit_id)]})


@bp.post("/stamp-jobs")
@documented(summary="盖章：对上传的PDF或本平台文书按 operations 盖章，并由平台签名", tag="盖章",
            description="operations 为 JSON 数组（multipart 表单中的一个文本字段），按顺序执行，"
                        "每项的格式见 StampOperations；坐标单位为毫米，原点在页面左上角。"
                        "请求被拒绝时不保存任何内容。",
            form_body=schema.StampJobForm,
            responses={201: Reply("已盖章签名；Location 指向盖章任务", schema.StampJob,
                                  headers={"Location": "GET /api/v1/stamp-jobs/{job_id}"})},
            errors={400: "字段错误，如 operations 格式不符、印章不存在（invalid_fields）；"
                         "文件未通过上传检查（error 为检查代码，如 not_pdf、javascript）；"
                         "无法盖章（invalid_pdf、encrypted_pdf、invalid_placement、signing_error）",
                    403: "接口密钥不属于接受承诺单位（forbidden）",
                    404: "document_number 不存在或不是出具给本单位的（not_found）",
                    413: "文件过大（too_large）",
                    503: "文件检查暂不可用，请稍后再试"})
@api_key_required
def create_stamp_job() -> Response:
    key = g.api_key
    if key.unit_id is None:
        return error_response(403, "forbidden", "该接口密钥不属于接受承诺单位，不能盖章")
    try:
        operations = loads_bounded(request.form.get("operations", ""))
    except InvalidJson as exc:
        if exc.field:
            raise FieldError("operations", f"operations 中的 {exc.message}") from None
        raise FieldError("operations", "operations 应为JSON数组，例如 "
                         '[{"op": "seal", "seal_id": 1, "page": 1, "x_mm": 150, "y_mm": 240}]') from None
    if holds_nul(operations):
        return error_response(400, "invalid_characters", NUL_REFUSED, {"operations": NUL_REFUSED})
    db = get_session()
    number = request.form.get("document_number", "").strip() or None
    upload = request.files.get("file")
    if number:
        # issue 10 §1: only a letter addressed to the key's unit; others are "not found" (404)
        number, pdf, _ground = stamp_svc.issued_document_pdf(db, archive(), number, pii_cipher(),
                                                             letter_reader(), trail=trail())
        name = f"{number}.pdf"
    elif upload is not None:
        name = upload.filename or "upload.pdf"
        pdf = read_upload(upload)
    else:
        raise FieldError("file", "请上传PDF文件（file），或提供本平台文书编号（document_number）")
    job = stamp_svc.stamp_now(db, archive(), pdf=pdf, name=name, operations=operations,
                              unit_id=key.unit_id, api_key_id=key.id, document_number=number,
                              limits=intake_limits(), signer=signer(), base_url=base_url(),
                              trail=trail())
    db.commit()
    resp = jsonify(_job_json(job))
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.get_stamp_job", job_id=job.id)
    return resp


def _own_job(job_id: int) -> StampJob:
    """The key's unit's job (an agency key has none: ``unit_id`` None must not match the
    office's jobs, whose ``unit_id`` is None too); 404 otherwise."""
    db = get_session()
    job = db.get(StampJob, job_id)
    unit_id = g.api_key.unit_id
    if job is None or unit_id is None or not stamp_svc.job_readable(
            db, job, unit_id=unit_id, reader=letter_reader()):
        abort(404)
    return job


@bp.get("/stamp-jobs/<int:job_id>")
@documented(summary="查询本单位的盖章任务", tag="盖章", path={"job_id": "盖章任务编号"},
            responses={200: Reply("盖章任务", schema.StampJob)},
            errors={404: "不存在或不属于本单位（not_found）"})
@api_key_required
def get_stamp_job(job_id: int) -> Response:
    return jsonify(_job_json(_own_job(job_id)))


@bp.get("/stamp-jobs/<int:job_id>/result.pdf")
@documented(summary="下载盖章签名后的PDF", tag="盖章", path={"job_id": "盖章任务编号"},
            responses={200: Reply("盖章签名后的PDF（附件）", None, "application/pdf")},
            errors={404: "不存在、不属于本单位或尚无结果（not_found）"})
@api_key_required
def download_stamp_job(job_id: int) -> Response:
    job = _own_job(job_id)
    if job.result_sha256 is None:
        abort(404)
    return send_file(BytesIO(archive().get(job.result_sha256)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"stamped-{job.id}.pdf")


@bp.post("/verify")
@documented(summary="核验一个PDF文件：是否为本平台出具、盖章或公示的文件，签名是否有效",
            tag="核验", form_body=schema.VerifyForm,
            responses={200: Reply("核验结论", schema.Verdict)},
            errors={400: "未上传文件（invalid_fields）；文件未通过上传检查"
                         "（error 为检查代码，如 not_pdf、javascript）",
                    413: "文件过大（too_large）", 503: "文件检查暂不可用，请稍后再试"})
def verify_file() -> Response:
    """Public: is this PDF one we issued, stamped or published (``match``), and do its signatures hold?

    The file passes the intake gate first (a refusal is 400 with the gate's code and message)."""
    upload = request.files.get("file")
    if upload is None:
        raise FieldError("file", "请上传要核验的PDF文件（file）")
    return jsonify(verify_svc.check_file(
        get_session(), read_upload(upload), services().trust_roots(), limits=intake_limits(),
        verify_url_prefix=verify_url_prefix(base_url()), our_signers=[signer().signer_name],
        sample_roots=services().sample_trust_roots(), sample_files=services().sample_files()))


@bp.post("/filings")
@documented(summary="上传已盖章的信用承诺书（公示备案）", tag="公示",
            form_body=schema.FilingForm,
            responses={201: Reply("已收到，待审核；Location 指向备案", schema.FilingCreated,
                                  headers={"Location": "GET /api/v1/filings/{filing_id}"}),
                       200: Reply("同一文件此前已上传（duplicate 为 true）", schema.FilingCreated,
                                  headers={"Location": "GET /api/v1/filings/{filing_id}"})},
            errors={400: "字段错误（invalid_fields）；文件未通过上传检查（error 为检查代码）",
                    403: "接口密钥不属于接受承诺单位（forbidden）",
                    413: "文件过大（too_large）", 503: "文件检查暂不可用，请稍后再试"})
@api_key_required
def create_filing() -> Response:
    """A receiving unit's system uploads a stamped letter (multipart: file + metadata)."""
    key = g.api_key
    if key.unit_id is None:
        return error_response(403, "forbidden", "该接口密钥不属于接受承诺单位，不能上传承诺书")
    upload = request.files.get("file")
    if upload is None:
        raise FieldError("file", "请上传已盖章的承诺书PDF文件（file）")
    db = get_session()
    fields = {k: request.form.get(k, "") for k in filings_web.META_FIELDS}
    result = filing_svc.file_upload(db, archive(), pii_cipher(), data=read_upload(upload),
                                    name=upload.filename or "", fields=fields,
                                    unit=db.get(ReceivingUnit, key.unit_id), today=today(),
                                    limits=intake_limits(), api_key_id=key.id,
                                    signatures=signature_trust(), trail=trail())
    db.commit()
    filing = result.filing
    resp = jsonify({"id": filing.id, "sha256": filing.sha256, "status": filing.status,
                    "status_label": filing_svc.STATUS_LABELS[filing.status],
                    "document_number": filing.document_number, "duplicate": not result.created,
                    "flags": filing_svc.review_flags(filing),
                    **({"differences": result.differences} if result.differences else {})})
    resp.status_code = 201 if result.created else 200
    resp.headers["Location"] = url_for("api.get_filing", filing_id=filing.id)
    return resp


@bp.get("/filings/<int:filing_id>")
@documented(summary="查询本单位上传的承诺书的审核状态", tag="公示",
            path={"filing_id": "备案编号"}, responses={200: Reply("备案状态", schema.Filing)},
            errors={404: "不存在或不属于本单位（not_found）"})
@api_key_required
def get_filing(filing_id: int) -> Response:
    filing = get_session().get(Filing, filing_id)
    if filing is None or filing.unit_id != g.api_key.unit_id:
        abort(404)
    return jsonify({"id": filing.id, "sha256": filing.sha256, "status": filing.status,
                    "status_label": filing_svc.STATUS_LABELS[filing.status],
                    "review_reason": filing.review_reason, "document_number": filing.document_number,
                    "subject_name": filing.subject_name, "subject_code": filing.subject_code_public,
                    "flags": filing_svc.review_flags(filing)})


@bp.post("/checks")
@documented(summary="信用核查：类别、措施及政策条款、准入规则，并出具告知书", tag="信用核查",
            json_body=schema.CheckRequest,
            responses={201: Reply("已核查并出具告知书；Location 指向告知书的公开信息",
                                  schema.CheckResult,
                                  headers={"Location": "GET /api/v1/documents/{number}"})},
            errors={400: "字段错误，如核查用途无效、核查时点晚于今天，或平台上没有该主体的记录而未填写"
                         "主体名称 subject_name（invalid_fields）",
                    403: "接口密钥不属于行政机关单位（forbidden）"})
@api_key_required
def create_check() -> Response:
    """信用核查 for other systems: category, measures with clauses, entry rule, certificate."""
    key = g.api_key
    if key.unit_id is None:
        return error_response(403, "forbidden", "该接口密钥不属于行政机关单位，不能出具核查结果")
    data = json_object("请求体应为JSON对象，含 subject_code、purpose，可选 as_of、addressee、subject_name")
    db = get_session()
    purpose = credit_svc.parse_purpose(data.get("purpose"))
    as_of = credit_svc.parse_as_of(data.get("as_of"), today())
    unit = db.get(ReceivingUnit, key.unit_id)
    addressee = credit_svc.parse_addressee(db, data.get("addressee"), unit)
    name = data.get("subject_name")
    if name is not None and not isinstance(name, str):
        raise FieldError("subject_name", "主体名称（subject_name）应为字符串")
    # 二(一): a subject the platform has no record of is checked too (无不良记录).
    checked = credit_svc.run_check(db, pii_cipher(), code=str(data.get("subject_code") or ""),
                                   purpose=purpose, as_of=as_of, subject_name=name)
    cert = credit_svc.issue_certificate(
        db, archive(), pii_cipher(), signer(), check=checked, unit=unit, addressee=addressee,
        secret=secret(), base_url=base_url(), today=today(), api_key_id=key.id, trail=trail())
    db.commit()
    result = checked.result
    entry = result.entry_rule
    resp = jsonify({
        "number": cert.number,
        "file_number": cert.snapshot["certificate"]["file_number"],
        "addressee": addressee.name,
        "category": result.category.value,
        "category_label": result.category.label,
        "reasons": list(result.reasons),
        "measures": [{"code": m.code, "text": m.text_zh, "clause": m.clause}
                     for m in result.measures],
        "entry_rule": None if entry is None else {
            "passed": entry.passed, "reason": entry.reason_zh,
            "minimum_grade": entry.minimum_grade,
            "incentive_weight_min_percent": entry.incentive_weight_min_percent},
        "as_of": result.as_of.isoformat(),
        "data_as_of": result.data_as_of.isoformat() if result.data_as_of else None,
        "certificate_url": f"{base_url().rstrip('/')}/api/v1/checks/{cert.number}/certificate.pdf",
        "verify_url": verify_url(base_url(), cert.number, cert.verification_code),
    })
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.get_document", number=cert.number)
    return resp


@bp.get("/checks/<number>/certificate.pdf")
@documented(summary="下载本单位出具或主送本单位的信用核查结果告知书PDF", tag="信用核查",
            path={"number": "告知书编号"},
            responses={200: Reply("告知书PDF（附件）", None, "application/pdf")},
            errors={404: "不存在，或既不是本单位出具的也不是主送本单位的（not_found）"})
@api_key_required
def check_certificate(number: str) -> Response:
    cert = get_session().scalar(select(CreditCheck).where(CreditCheck.number == number))
    unit = g.api_key.unit_id
    if cert is None or unit is None or unit not in (cert.unit_id, cert.addressee_unit_id):
        abort(404)
    return send_file(BytesIO(archive().get(cert.sha256)), mimetype="application/pdf",
                     as_attachment=True, download_name=f"{cert.number}.pdf")


def _api_agency() -> Agency:
    key = g.api_key
    if key.agency_id is None:
        abort(403)
    return agency_svc.require_published(get_session().get(Agency, key.agency_id))


@bp.post("/agency/scaffolds")
@documented(summary="信用服务机构申请已编号的报告模板（DOCX 填写，PDF 预览）", tag="信用服务机构",
            json_body=schema.ScaffoldRequest,
            responses={201: Reply("已出具模板；Location 指向 PDF 预览", schema.Scaffold,
                                  headers={"Location": "GET /api/v1/agency/scaffolds/{number}.pdf"})},
            errors={400: "字段错误，或机构当前不能开展业务（invalid_fields）",
                    403: "接口密钥不属于信用服务机构（forbidden）"})
@api_key_required
def api_new_scaffold() -> Response:
    """A registered agency asks for a numbered report scaffold (DOCX to fill, PDF preview)."""
    data = json_object("请求体应为JSON对象")
    db = get_session()
    agency = _api_agency()
    req = agency_svc.parse_scaffold_request(db, {k: str(v) for k, v in data.items()})
    report = agency_svc.issue_scaffold(db, agency=agency, request=req, today=today(),
                                       secret=secret(), trail=trail())
    db.commit()
    root = base_url().rstrip("/")
    resp = jsonify({"number": report.number, "kind": report.kind,
                    "verification_code": report.verification_code,
                    "valid_until": report.valid_until.isoformat() if report.valid_until else None,
                    "docx_url": f"{root}/api/v1/agency/scaffolds/{report.number}.docx",
                    "pdf_url": f"{root}/api/v1/agency/scaffolds/{report.number}.pdf"})
    resp.status_code = 201
    resp.headers["Location"] = url_for("api.api_scaffold_file", number=report.number, fmt="pdf")
    return resp


@bp.get("/agency/scaffolds/<number>.<fmt>")
@documented(summary="下载报告模板（docx 待填写，pdf 预览）", tag="信用服务机构",
            path={"number": "报告编号", "fmt": ("文件格式", {"enum": ["docx", "pdf"]})},
            responses={200: Reply("报告模板（附件）；pdf 时为 application/pdf", None,
                                  "application/vnd.openxmlformats-officedocument"
                                  ".wordprocessingml.document")},
            errors={400: "机构当前不能开展业务（invalid_fields）",
                    403: "接口密钥不属于信用服务机构（forbidden）",
                    404: "不存在或不是出具给本机构的（not_found）"})
@api_key_required
def api_scaffold_file(number: str, fmt: str) -> Response:
    from app.documents.reports import scaffold_docx, scaffold_pdf

    db = get_session()
    agency = _api_agency()
    report = db.scalar(select(AgencyReport).where(AgencyReport.number == number))
    if report is None or report.agency_id != agency.id or fmt not in ("docx", "pdf"):
        abort(404)
    info = agency_svc.scaffold_info(db, pii_cipher(), report, agency, base_url())
    version = report.template_version  # the version the scaffold was issued with
    data = scaffold_docx(info, version) if fmt == "docx" else scaffold_pdf(info, version)
    mime = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            if fmt == "docx" else "application/pdf")
    return send_file(BytesIO(data), mimetype=mime, as_attachment=True,
                     download_name=f"{report.number}.{fmt}")


@bp.post("/agency/reports")
@documented(summary="信用服务机构上传完成的报告（待信用办审核）", tag="信用服务机构",
            form_body=schema.ReportForm,
            responses={200: Reply("已收到", schema.ReportUploaded)},
            errors={400: "字段错误，如编号不存在、等级无效（invalid_fields）；"
                         "文件未通过上传检查（error 为检查代码）",
                    403: "接口密钥不属于信用服务机构（forbidden）",
                    413: "文件过大（too_large）", 503: "文件检查暂不可用，请稍后再试"})
@api_key_required
def api_upload_report() -> Response:
    """The finished report (multipart: file, number, subject_code, issue_date, grade and
    valid_until for ratings, recommendation for 信用报告)."""
    upload = request.files.get("file")
    if upload is None:
        raise FieldError("file", "请上传报告PDF（file）")
    db = get_session()
    agency = _api_agency()
    report = agency_svc.upload_report(db, archive(), agency=agency, data=read_upload(upload),
                                      name=upload.filename or "", fields=request.form.to_dict(),
                                      today=today(), limits=intake_limits(), trail=trail())
    db.commit()
    return jsonify({"number": report.number, "status": report.status,
                    "status_label": agency_svc.REPORT_STATUS[report.status],
                    "sha256": report.sha256})


@bp.post("/reports/<number>/use")
@documented(summary="委托部门登记信用报告所服务的决策（仅限一次性使用）", tag="信用服务机构",
            path={"number": "信用报告编号（LYXY-BG-…）"}, json_body=schema.ReportUseRequest,
            responses={200: Reply("已登记；该信用报告此后不能再次使用", schema.ReportUse)},
            errors={400: "字段错误，如报告未审核通过、决策日期无效（invalid_fields）",
                    403: "接口密钥不属于政府部门（forbidden）",
                    404: "不存在或不是本部门委托的信用报告（not_found）",
                    409: "该信用报告已使用过（already_used，政策四(二)）"})
@api_key_required
def api_use_report(number: str) -> Response:
    """The commissioning department's system records the decision a 信用报告 served."""
    key = g.api_key
    if key.unit_id is None:
        return error_response(403, "forbidden", "该接口密钥不属于政府部门，不能登记信用报告的使用")
    db = get_session()
    report = db.scalar(select(AgencyReport).where(AgencyReport.number == number))
    if report is None or report.requesting_unit_id != key.unit_id:
        abort(404)
    data = json_object()
    try:
        agency_svc.record_use(db, report, unit_id=key.unit_id, user_id=None,
                              decision=str(data.get("decision") or ""),
                              decided_on=str(data.get("decided_on") or ""), today=today(),
                              trail=trail())
    except agency_svc.ReportAlreadyUsed as exc:
        return error_response(409, "already_used", exc.message)
    db.commit()
    return jsonify({"number": report.number, "used_on": report.used_on.isoformat(),
                    "used_for": report.used_for, "note": agency_svc.use_note(report)})


@documented(summary="健康检查（数据库、字体）", tag="说明",
            responses={200: Reply("正常", schema.Health)},
            errors={503: "异常：status 为 error，出错的检查项为 error"})
def healthz() -> tuple[Response, int]:
    checks: dict[str, str] = {}
    try:
        get_session().execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, never crash the probe
        current_app.logger.warning("healthz database: %s", exc)
        checks["database"] = "error"
    problems = check_fonts(verify_checksums=False)
    checks["fonts"] = "ok" if not problems else "error"
    ok = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ok else "error", **checks}), 200 if ok else 503


@documented(summary="就绪检查（数据库、归档存储、限流存储、签名证书、字体）", tag="说明",
            responses={200: Reply("全部可用，可以接收请求", schema.Readiness)},
            errors={503: "有不可用的后端：status 为 error，出错的项为 error"})
def readyz() -> tuple[Response, int]:
    from app.readiness import (
        probe_archive,
        probe_database,
        probe_rate_limit_store,
        probe_signer,
        readiness,
    )

    context, config = services(), current_app.config
    checks = readiness({
        "database": lambda: probe_database(current_app.extensions["lyxy_engine"]),
        "archive": lambda: probe_archive(config, context.archive),
        "rate_limit_store": lambda: probe_rate_limit_store(config),
        "signing": lambda: probe_signer(config, context.pki_dir),
    })
    checks["fonts"] = "ok" if not check_fonts(verify_checksums=False) else "error"
    ok = all(v == "ok" for v in checks.values())
    return jsonify({"status": "ok" if ok else "error", **checks}), 200 if ok else 503


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # machine clients authenticate with API keys, not cookies
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
