"""Request and response schemas of API v1 (pydantic models): what /api/v1/openapi.json describes.

The views read their input themselves (the domain validates it and answers in Chinese); these
models only describe the contract. Response models forbid unknown keys, so the schemathesis run
in tests/web/test_openapi.py fails when a view answers with a key the description lacks.
Field descriptions are Chinese: they are what a client's developer reads.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from app.domain.commitments import Scenario
from app.domain.credit_check import Category, Purpose
from app.domain.credit_records import GRADES
from app.domain.report_kinds import RECOMMENDATIONS, REPORT_STATUS, ReportKind
from app.domain.subjects import SubjectKind
from app.services.stamping import MAX_OPERATIONS, MAX_WATERMARK_LEN

Grade = Enum("Grade", {g: g for g in GRADES}, type=str)  # type: ignore[misc]
Grade.__doc__ = "信用等级（政策三(三)）"
Recommendation = Enum("Recommendation", {r: r for r in RECOMMENDATIONS}, type=str)  # type: ignore[misc]
Recommendation.__doc__ = "决策建议（政策四(一)）"
ReportStatus = Enum("ReportStatus", {s: s for s in REPORT_STATUS}, type=str)  # type: ignore[misc]
ReportStatus.__doc__ = "报告状态：" + "；".join(f"{k} {v}" for k, v in REPORT_STATUS.items())


def described(description: str, **kwargs: object) -> object:
    return Field(description=description, **kwargs)  # type: ignore[call-overload]


class Response(BaseModel):
    """Base of response bodies: every key is declared."""

    model_config = ConfigDict(extra="forbid")


class Error(Response):
    """统一的错误格式：所有接口的错误都是这个形状。"""

    error: str = described("稳定的错误代码，例如 invalid_fields、invalid_json、unauthorized、forbidden、"
                      "not_found、too_large、rate_limited，或上传检查的代码（not_pdf、javascript…）")
    message: str = described("中文错误说明，可直接展示给用户")
    fields: dict[str, str] = described("字段名 -> 该字段的中文错误说明（仅字段错误时出现）",
                                       default_factory=dict)


# --- letters (信用承诺书) -----------------------------------------------------------------------


class CommitmentRequest(BaseModel):
    """出具信用承诺书的请求（JSON）。"""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "scenario": "project_approval", "subject_kind": "enterprise",
        "subject_name": "凌源市示例建筑工程有限公司", "subject_code": "91211382MA0Y8K7Q3B",
        "legal_representative": "欧阳明", "matter": "凌源市城南片区道路改造工程施工许可",
        "receiving_unit": "凌源市住房和城乡建设局"}]})

    scenario: Scenario = described("承诺适用情形（政策五(一)）")
    subject_kind: SubjectKind = described("承诺主体类型")
    subject_name: str = described("主体名称或自然人姓名")
    subject_code: str = described("统一社会信用代码，自然人为身份证号码")
    legal_representative: str = described("法定代表人（负责人），单位必填，自然人留空", default="")
    matter: str = described("承诺事项")
    receiving_unit: str = described(
        "接受承诺单位：须为已登记的单位名称（GET /api/v1/receiving-units 列出全部）；"
        "未登记的名称返回 400，message 中给出最接近的已登记单位")


class ReceivingUnitList(Response):
    """已登记的接受承诺单位（承诺书只能出具给这些单位）。"""

    units: list[str] = described("单位名称，按登记顺序")


class Issued(Response):
    """已出具的信用承诺书。"""

    number: str = described("文书编号")
    verification_code: str = described("核验码：查看、下载原件时作为 c 参数")
    sha256: str = described("PDF 的 SHA-256（十六进制）")
    pdf_url: str = described("PDF 下载地址（含核验码）")
    docx_url: str = described("DOCX 下载地址（含核验码）")
    verify_url: str = described("公开核验页面地址")


class PublicBreach(Response):
    """信用承诺书的一条违诺记录（公示期内、未修复；不含主体代码和违诺情况）。"""

    decided_on: str = described("认定日期 YYYY-MM-DD")
    unit: str = described("认定违诺的单位")
    decision_number: str = described("认定文书编号")
    severity: str = described("失信程度：一般、严重（轻微原则上不公示）")
    publicity_until: str | None = described("公示截止日期 YYYY-MM-DD（此后不再公示）")


class PublicDocument(Response):
    """任何人可见的文书公开信息：信用承诺书、信用核查结果告知书或信用服务机构报告（不含身份证号码）。"""

    number: str = described("文书编号")
    document_type: str = described("文书类型，例如 信用承诺书、信用核查结果告知书、企业综合信用等级评价报告")
    subject_kind: str | None = described(
        "主体类型（机构报告为 organisation）；信用核查结果告知书无验证码时不答复（下同）", default=None)
    subject_kind_label: str | None = described("主体类型的中文名称", default=None)
    subject_name: str | None = described(
        "主体名称（自然人姓名已遮蔽）；信用报告为 null（仅限委托部门查阅，政策四(二)）", default=None)
    subject_code: str | None = described(
        "统一社会信用代码；自然人为 null（身份证号码不公开）；信用报告为空", default=None)
    file_number: str | None = described("发文字号（仅核查结果告知书，且须提供验证码 c）", default=None)
    addressee: str | None = described("主送单位（同上）", default=None)
    scenario: str | None = described("承诺适用情形（仅信用承诺书）", default=None)
    scenario_label: str | None = described("承诺适用情形的中文名称（仅信用承诺书）", default=None)
    receiving_unit: str | None = described("接受承诺单位（仅信用承诺书）", default=None)
    purpose: str | None = described("核查用途（仅核查结果告知书，且须提供核验码 c）", default=None)
    purpose_label: str | None = described("核查用途的中文名称（同上）", default=None)
    category: str | None = described("核查结果类别（同上）", default=None)
    category_label: str | None = described("核查结果类别的中文名称（同上）", default=None)
    as_of: str | None = described("核查时点 YYYY-MM-DD（同上）", default=None)
    issuer: str | None = described("出具单位或机构（核查结果告知书、机构报告）", default=None)
    grade: str | None = described("信用等级（机构的评价报告；信用报告不公开）", default=None)
    valid_until: str | None = described("有效期至 YYYY-MM-DD（机构的评价报告）", default=None)
    issued_on: str | None = described("出具日期 YYYY-MM-DD（核查结果告知书须提供验证码 c）",
                                      default=None)
    status: str = described(
        "状态。信用承诺书：published 有效（已公示）、superseded 已更新（同一主体更新的承诺已公示）、"
        "pending 已出具未公示（接受承诺单位已上传，待审核）、not_published 已出具未公示（尚未备案，"
        "或备案未通过审核）、publication_revoked 已撤销公示、revoked 已撤销；核查结果告知书为 valid 有效；"
        "机构报告另有 pending、approved、expired 等")
    status_label: str = described("状态的中文名称")
    status_note: str | None = described("状态的一句中文说明（仅信用承诺书）", default=None)
    superseded_by_filing: int | None = described(
        "已更新时：取代本承诺公示的新公示记录编号（/public/commitments/{id}）", default=None)
    public_filing: int | None = described(
        "有效（已公示）时：本承诺的公示记录编号（/public/commitments/{id}）", default=None)
    revoked_reason: str | None = described("已撤销公示时：信用管理部门公开的撤销原因", default=None)
    breaches: list[PublicBreach] | None = described(
        "信用承诺书的违诺记录（政策五(四)：违反承诺的，记入信用记录并公示；仅公示期内、未修复的）；"
        "没有时不出现", default=None)
    sha256: str | None = described("原件 PDF 的 SHA-256（机构报告上传之前为 null；核查结果告知书须"
                                   "提供验证码 c）", default=None)
    template_version: str | None = described("模板版本（同上）", default=None)
    verify_url: str = described("公开核验页面地址")


# --- seals and stamp jobs (盖章) ------------------------------------------------------------------


class Seal(Response):
    """本单位的一枚印章。"""

    id: int = described("印章编号，盖章操作中的 seal_id")
    name: str = described("印章名称")
    kind: str = described("印章类型")
    diameter_mm: float = described("印章直径（毫米）")
    generated: bool = described("是否由平台按规格生成（否则为上传的印章图片）")


class SealList(Response):
    seals: list[Seal] = described("本单位可用的印章")


class SealOperation(BaseModel):
    """在指定页的指定位置盖一枚印章。坐标以毫米为单位，原点在页面（按显示方向）的左上角，
    x 向右、y 向下，指印章圆心的位置；印章按其自身直径盖印。印章不得压盖正文或签字行
    （GB/T 9704 7.3.5“上不压正文”，可下压署名和成文日期），否则报错并给出最近的可盖位置。"""

    op: Literal["seal"]
    seal_id: int = described("印章编号（GET /api/v1/seals）")
    page: int = described("页码，从 1 开始", ge=1)
    x_mm: float = described("印章圆心距页面左边缘的距离（毫米）")
    y_mm: float = described("印章圆心距页面上边缘的距离（毫米）")


class AnchorSealOperation(BaseModel):
    """按文书约定的位置盖本单位的章。信用承诺书：落款处属于承诺人，本操作改为在接受承诺单位留存联
    首页右上角（正文之外）加盖收件章（单位名称、收件日期），不盖圆章；其他文书：在预留的盖章位置盖章，
    没有预留位置或印章会压盖正文、签字行时报错。"""

    op: Literal["anchor_seal"]
    seal_id: int = described("印章编号（GET /api/v1/seals）")


class CrossPageSealOperation(BaseModel):
    """骑缝章：把印章等分到各页的右边缘。信用承诺书只骑接受承诺单位留存联的各页（两联分别交给不同的人），
    其他文件骑全部页面；至少两页。"""

    op: Literal["cross_page_seal"]
    seal_id: int = described("印章编号（GET /api/v1/seals）")


class WatermarkOperation(BaseModel):
    """在每一页加斜向文字水印。"""

    op: Literal["watermark"]
    text: str = described(f"水印文字，1–{MAX_WATERMARK_LEN} 个字符", min_length=1,
                                max_length=MAX_WATERMARK_LEN)


class MarginLineOperation(BaseModel):
    """在每一页页边加文书编号和核验地址；仅适用于本平台出具的文书（须提供 document_number）。"""

    op: Literal["margin_line"]


Operation = Annotated[SealOperation | AnchorSealOperation | CrossPageSealOperation
                      | WatermarkOperation | MarginLineOperation, Field(discriminator="op")]
OPERATION_MODELS: tuple[type[BaseModel], ...] = (SealOperation, AnchorSealOperation,
                                                  CrossPageSealOperation, WatermarkOperation,
                                                  MarginLineOperation)


OPERATIONS_EXAMPLE: list[dict[str, object]] = [
    {"op": "anchor_seal", "seal_id": 1},
    {"op": "seal", "seal_id": 1, "page": 4, "x_mm": 105, "y_mm": 235},  # the unit's copy, below the text
    {"op": "cross_page_seal", "seal_id": 1},
    {"op": "watermark", "text": "仅供备案使用"},
    {"op": "margin_line"},
]
"""Every operation kind once, on an issued letter (``margin_line`` needs ``document_number``)."""


class StampOperations(RootModel[Annotated[list[Operation],
                                          Field(min_length=1, max_length=MAX_OPERATIONS)]]):
    """盖章操作列表（JSON 数组）：按顺序执行，最后由平台签名。"""

    model_config = ConfigDict(json_schema_extra={"examples": [OPERATIONS_EXAMPLE]})


class StampJobForm(BaseModel):
    """盖章请求（multipart/form-data）：上传 PDF（file），或给出本平台文书编号（document_number）。"""

    file: bytes | None = described("要盖章的 PDF 文件（与 document_number 二选一）", default=None)
    document_number: str | None = described(
        "本平台出具给本单位的文书编号：对该文书原件盖章（与 file 二选一，优先）", default=None)
    operations: str = Field(
        description=f"盖章操作：JSON 数组（表单中的一个文本字段），例如 "
                    f"{json.dumps(OPERATIONS_EXAMPLE, ensure_ascii=False)}；"
                    f"每一项的格式见 StampOperations；至多 {MAX_OPERATIONS} 项",
        json_schema_extra={"contentMediaType": "application/json",
                           "contentSchema": {"$ref": "#/components/schemas/StampOperations"}})


class SignatureCheck(Response):
    """结果文件中一个签名的核验情况。"""

    field_name: str = described("签名域名称")
    signer: str = described("签名人（证书主题的 CN）")
    signing_time: str | None = described("签名时间（ISO 8601，含时区）")
    status: str = described("intact 完好、modified 签名后被修改、unknown_signer 签名人不受信任、invalid 无效")
    intact: bool = described("签名覆盖的字节未被修改")
    valid: bool = described("签名值可用签名人公钥验证")
    trusted: bool = described("签名证书链接到平台信任的根证书")
    covers_whole_document: bool = described("签名之后没有追加内容")
    modification_level: str = described("签名后的修改程度：none、lta_updates、form_filling、annotations、"
                                   "other、unknown")
    docmdp_ok: bool | None = described("签名后的修改是否符合 DocMDP 权限（null：未判断）")
    timestamped: bool = described("是否带有可信时间戳（PAdES B-T）")
    summary_zh: str = described("一句中文结论")
    trust_problem: str | None = described("不受信任的原因（ETSI 子指示码）")
    timestamp_trusted: bool = described("时间戳机构是否受信任")
    error: str | None = described("技术细节（英文，仅无效时）")
    long_term: bool = described("文件内嵌的验证数据（DSS：证书链与吊销列表）足以离线验证该签名")
    level: str = described("PAdES 级别：B-B、B-T（含时间戳）、B-B+LTV（含长期验证数据）、B-LT（两者皆有）")
    level_zh: str = described("PAdES 级别的中文说明，如“PAdES B-LT（含时间戳与长期验证数据）”")
    sample_ca: bool = described("仅经样例的示例签章证书（仅供演示）受信任；盖章结果恒为 false")


class StampJob(Response):
    """一次盖章的结果。"""

    id: int = described("盖章任务编号")
    document_number: str | None = described("盖章的本平台文书编号（上传文件时为 null）")
    original_name: str = described("原文件名")
    page_count: int = described("页数")
    original_sha256: str = described("原文件的 SHA-256")
    result_sha256: str | None = described("盖章签名后文件的 SHA-256")
    operations: list[dict[str, object]] = described("已执行的操作（格式同请求中的 operations）")
    download_url: str | None = described("盖章签名后 PDF 的下载地址（需同一接口密钥）")
    signatures: list[SignatureCheck] = described("结果文件中各签名的核验情况")


# --- verification (核验) --------------------------------------------------------------------------


class VerifyForm(BaseModel):
    """核验请求（multipart/form-data）。"""

    file: bytes = described("要核验的 PDF 文件")


class PublicCopyStatus(Response):
    """与本站公示副本一致时，该公示的状态。"""

    status: Literal["published", "superseded", "revoked"] = described("公示状态")
    status_label: str = described("公示中、已更新或已撤销")
    filing_id: int | None = described("公示记录编号（仅公示中或已更新时）", default=None)


class FiledStatus(Response):
    """与接受承诺单位上传备案的原件一致时：该承诺的公示状态。"""

    status: Literal["published", "superseded", "revoked", "not_published"] = described(
        "published 公示中；superseded 已更新；revoked 已撤销；not_published 尚未公示")
    status_label: str = described("公示中、已更新、已撤销或尚未公示")
    filing_id: int | None = described("公示中时：公示记录编号（/public/commitments/{id}）", default=None)


class VerifySignature(Response):
    field_name: str = described("签名域名称")
    signer: str = described("签名人")
    signing_time: str | None = described("签名时间（ISO 8601）")
    status: str = described("intact、modified、unknown_signer 或 invalid")
    trusted: bool = described("签名证书是否受信任")
    summary: str = described("一句中文结论")
    level: str = described("PAdES 级别：B-B、B-T、B-B+LTV 或 B-LT")
    level_zh: str = described("PAdES 级别的中文说明，如“PAdES B-LT（含时间戳与长期验证数据）”")
    sample_ca: bool = described("签名证书为样例目录的示例签章证书（仅供演示；仅在载入样例的实例上受信任）")


class Verdict(Response):
    """核验结论。"""

    sha256: str = described("文件的 SHA-256")
    match: Literal["issued", "stamped", "public_copy", "filed", "sample", "modified",
                   "unknown"] = described(
        "issued 本平台出具；stamped 本平台盖章签名；public_copy 本站公示副本；filed 接受承诺单位上传备案的"
        "原件；sample 本平台的示例文件（仅供演示，仅在载入样例的实例上）；"
        "modified 载有本站编号或签名但已被修改；unknown 非本平台文件")
    message: str = described("中文结论")
    document_number: str | None = described("对应的文书编号")
    issued_document: str | None = described("与本平台出具的原件完全一致时，其编号")
    stamped_by_platform: bool = described("是否为本平台盖章签名的结果文件")
    public_copy: PublicCopyStatus | None = described("与本站公示副本一致时，该公示的状态")
    filed: FiledStatus | None = described("与上传备案的原件一致时，该承诺的公示状态", default=None)
    signatures: list[VerifySignature] = described("文件中各签名的核验情况")
    signature_problem: str | None = described("签名无法读取时的中文说明", default=None)


# --- filings (公示备案) ----------------------------------------------------------------------------


class FilingForm(BaseModel):
    """上传已盖章的信用承诺书（multipart/form-data）：文件和承诺书信息。

    本平台出具的承诺书：编号从文件中读取（也可填写 document_number），其余信息按出具记录自动
    填写，可全部留空；填写的值须与承诺书一致。其他承诺书：除 file 外各项均须填写
    （legal_representative 仅单位必填）。"""

    file: bytes = described("已盖章的信用承诺书 PDF")
    scenario: Scenario | None = described("承诺适用情形（本平台出具的承诺书可留空）", default=None)
    subject_kind: SubjectKind | None = described("承诺主体类型（同上）", default=None)
    subject_name: str = described("主体名称或自然人姓名（同上）", default="")
    subject_code: str = described("统一社会信用代码或身份证号码（同上）", default="")
    legal_representative: str = described("法定代表人（负责人），单位必填（同上）", default="")
    matter: str = described("承诺事项（同上）", default="")
    commitment_date: str = described("承诺日期 YYYY-MM-DD（同上；留空为出具日期）", default="")
    document_number: str = described("本平台出具的文书编号（如有；留空时从文件中读取）", default="")


class FilingFlag(Response):
    """上传检查发现、提请审核人员注意的情况（不是拒收）。"""

    code: str = described("unsigned 未见签章、greyscale 黑白扫描无法判断印章、not_checked 未能检查签章、"
                          "number_filed_before 同一编号此前已上传、number_not_in_file 未在文件中识别到编号")
    message: str = described("中文说明")
    filing_id: int | None = described("相关的此前上传的备案编号（number_filed_before）")


class FilingCreated(Response):
    """已收到的承诺书（201 新上传；200 同一文件已上传过）。"""

    id: int = described("备案编号")
    sha256: str = described("文件的 SHA-256")
    status: str = described("pending 待审核、published 公示中、rejected 已驳回、revoked 已撤销")
    status_label: str = described("状态的中文名称")
    document_number: str | None = described("文书编号")
    duplicate: bool = described("同一文件此前已上传（此时状态码为 200）")
    flags: list[FilingFlag] = described("提请审核人员注意的情况，如未见签章")
    differences: dict[str, str] | None = described(
        "同一文件此前已上传、而本次填写的信息与已有记录不同时：字段名 -> 中文说明（已有记录未作修改）",
        default=None)


class Filing(Response):
    """本单位上传的一份承诺书的审核状态。"""

    id: int = described("备案编号")
    sha256: str = described("文件的 SHA-256")
    status: str = described("pending 待审核、published 公示中、rejected 已驳回、revoked 已撤销")
    status_label: str = described("状态的中文名称")
    review_reason: str | None = described("驳回或撤销的理由")
    document_number: str | None = described("文书编号")
    subject_name: str = described("主体名称")
    subject_code: str | None = described("公开的主体代码（身份证号码已遮蔽）")
    flags: list[FilingFlag] = described("提请审核人员注意的情况，如未见签章")


class PublicFiling(Response):
    """一条公示中的信用承诺（不含身份证号码，自然人姓名已遮蔽）。"""

    id: int = described("公示记录编号")
    subject_kind: str = described("主体类型")
    subject_kind_label: str = described("主体类型的中文名称")
    subject_name: str = described("主体名称")
    subject_code: str | None = described("统一社会信用代码（自然人为 null：身份证号码不公开）")
    legal_representative: str | None = described("法定代表人（自然人为 null）")
    matter: str = described("承诺事项")
    scenario: str = described("承诺适用情形")
    scenario_label: str = described("承诺适用情形的中文名称")
    receiving_unit: str = described("接受承诺单位")
    commitment_date: str = described("承诺日期 YYYY-MM-DD")
    published_at: str | None = described("公示日期 YYYY-MM-DD")
    status: Literal["published", "superseded"] = described("published 公示中；superseded 已更新")
    status_label: str = described("公示中或已更新")
    public_copy: bool = described("是否有可下载的公示副本（自然人没有）")


class PublicFilingPage(Response):
    """公示查询的一页结果。"""

    q: str = described("查询词（最多 100 个字符）")
    items: list[PublicFiling] = described("本页的公示记录")
    total: int = described("命中总数")
    total_capped: bool = described("命中过多时总数只计到上限")
    page: int = described("页码")
    per_page: int = described("每页条数")


class PublicFilingQuery(BaseModel):
    """公示查询参数（全部可选）。"""

    q: str | None = described("查询词：主体名称、代码、承诺事项等", default=None)
    unit: int | None = described("接受承诺单位编号", default=None)
    scenario: Scenario | None = described("承诺适用情形", default=None)
    kind: SubjectKind | None = described("主体类型", default=None)
    from_: str | None = Field(default=None, alias="from", description="公示日期起 YYYY-MM-DD")
    to: str | None = described("公示日期止 YYYY-MM-DD", default=None)
    page: int | None = described("页码，1–500，每页 20 条", default=None)


class DocumentQuery(BaseModel):
    c: str | None = described(
        "验证码：信用核查结果告知书无正确的验证码（或主送、出具单位的接口密钥）时只答复编号是否存在、"
        "是否有效；有则另答复核查对象、用途、结论等", default=None)


# --- credit checks (信用核查) ---------------------------------------------------------------------


class CheckRequest(BaseModel):
    """信用核查请求（JSON）。"""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "subject_code": "91211382MA0Y8K7Q3B", "purpose": "bidding", "as_of": "2026-11-29"}]})

    subject_code: str = described("被核查主体的统一社会信用代码或身份证号码")
    purpose: Purpose = described("核查用途（政策三(二)的事项或其他）")
    as_of: str | None = described("核查时点 YYYY-MM-DD，缺省为今天，不能晚于今天", default=None)
    addressee: str | None = described(
        "主送单位：申请核查的部门（已登记单位的名称，见 GET /api/v1/receiving-units），"
        "告知书送达该部门，该部门可凭接口密钥查阅；缺省为接口密钥所属单位", default=None)
    subject_name: str | None = described(
        "主体名称；平台上没有该主体的记录时必填（按无不良记录出具告知书，政策二(一)），"
        "有记录时缺省为记录中的名称", default=None)


class Measure(Response):
    code: str = described("措施代码")
    text: str = described("措施内容（中文）")
    clause: str = described("依据的政策条款")


class EntryRule(Response):
    """政府采购、招标投标的准入规则（政策三(二)）。"""

    passed: bool = described("是否满足准入条件")
    reason: str = described("中文说明")
    minimum_grade: str | None = described("要求的最低信用等级")
    incentive_weight_min_percent: float | None = described("激励分值的最低占比（百分数）")


class CheckResult(Response):
    """信用核查结果，已出具信用核查结果告知书。"""

    number: str = described("告知书编号")
    file_number: str = described("发文字号，如 凌信核〔2026〕12号（由编号得出）")
    addressee: str = described("主送单位（申请核查的部门）")
    category: Category = described("核查结果类别（政策二(四)）")
    category_label: str = described("类别的中文名称：激励、审慎、惩戒、无不良记录")
    reasons: list[str] = described("归入该类别的理由")
    measures: list[Measure] = described("应采取的措施及政策条款")
    entry_rule: EntryRule | None = described("准入规则（仅政府采购、招标投标）")
    as_of: str = described("核查时点 YYYY-MM-DD")
    data_as_of: str | None = described("平台信用记录最近一次导入的日期 YYYY-MM-DD（尚未导入时为 null）")
    certificate_url: str = described("告知书 PDF 下载地址（需同一接口密钥）")
    verify_url: str = described("公开核验页面地址")


# --- agency reports (信用服务机构) -----------------------------------------------------------------


class ScaffoldRequest(BaseModel):
    """信用服务机构申请报告模板（JSON）。"""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "rating", "subject_name": "凌源市示例建筑工程有限公司",
        "subject_code": "91211382MA0Y8K7Q3B", "legal_representative": "欧阳明"}]})

    kind: ReportKind = described("报告类型：rating 企业综合信用等级评价报告；decision 信用报告")
    subject_name: str = described("评价对象名称")
    subject_code: str = described("评价对象的统一社会信用代码")
    legal_representative: str = described("法定代表人", default="")
    project_name: str = described("所用于的具体项目或活动（信用报告必填，政策四(二)）", default="")
    requesting_unit: str = described("委托出具信用报告的政府部门名称（信用报告必填）", default="")


class Scaffold(Response):
    """已编号的报告模板。"""

    number: str = described("报告编号")
    kind: ReportKind = described("报告类型")
    verification_code: str = described("核验码")
    valid_until: str | None = described("有效期至 YYYY-MM-DD（评价报告，一年，政策三(五)）")
    docx_url: str = described("待填写的 DOCX 模板地址（需同一接口密钥）")
    pdf_url: str = described("PDF 预览地址（需同一接口密钥）")


class ReportForm(BaseModel):
    """上传完成的报告（multipart/form-data）。"""

    file: bytes = described("报告 PDF")
    number: str = described("本平台出具的报告编号")
    subject_code: str = described("评价对象的统一社会信用代码")
    issue_date: str = described("出具日期 YYYY-MM-DD")
    grade: Grade | None = described("信用等级（评价报告必填）", default=None)
    valid_until: str | None = described("有效期至 YYYY-MM-DD（评价报告必填）", default=None)
    recommendation: Recommendation | None = described("决策建议（信用报告必填）", default=None)


class ReportUploaded(Response):
    number: str = described("报告编号")
    status: ReportStatus = described("报告状态")
    status_label: str = described("状态的中文名称")
    sha256: str = described("文件的 SHA-256")


class Readiness(Response):
    """就绪检查结果：每个已配置的后端是否可用。"""

    status: Literal["ok", "error"] = described("ok 全部可用；error 有不可用项（状态码 503）")
    database: Literal["ok", "error"] = described("数据库")
    archive: Literal["ok", "error"] = described("归档存储（本地目录或 S3）")
    rate_limit_store: Literal["ok", "error"] = described("限流计数存储（如 Redis）")
    signing: Literal["ok", "error"] = described("平台签名证书")
    fonts: Literal["ok", "error"] = described("内置字体")
class ReportUseRequest(BaseModel):
    """委托部门登记信用报告所服务的决策（政策四(二)：一次性使用）。"""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "decision": "凌住建〔2026〕12号 城南片区道路改造工程施工单位确定", "decided_on": "2026-11-29"}]})

    decision: str = described("所作决策：决定文号或事项（最多200字）")
    decided_on: str = described("决策日期 YYYY-MM-DD（不早于报告出具日期，不晚于今天）")


class ReportUse(Response):
    """已登记使用的信用报告；此后不能再次使用。"""

    number: str = described("报告编号")
    used_on: str = described("决策日期 YYYY-MM-DD")
    used_for: str = described("所作决策")
    note: str = described("中文说明，如“已于2026年11月29日用于“…””")


class Health(Response):
    """健康检查结果。"""

    status: Literal["ok", "error"] = described("ok 正常；error 异常（状态码 503）")
    database: Literal["ok", "error"] = described("数据库")
    fonts: Literal["ok", "error"] = described("内置字体")
