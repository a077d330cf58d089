"""Scaffolds of third-party credit reports (policy 三 and 四): editable DOCX plus a PDF preview.

Two kinds, both issued by a registered 第三方信用服务机构 and later uploaded to the platform:

- ``"rating"``: 企业综合信用等级评价报告 (policy 三; outline of domain-rules §5.2), valid one year
  (三(五));
- ``"decision"``: 信用报告 for a major government decision (policy 四(一)), for one named project
  or activity only (四(二)), with the agency answering for its truth (四(三)).

The service pre-fills what it knows (subject, number, agency, dates, the public credit information
as of the issue date, the grade scale); everything the agency must write is printed as a field to
fill, "【请填写：…】", highlighted. The content is built once as a list of blocks
(:func:`scaffold_blocks`) and laid out twice: WordprocessingML for the DOCX (fonts and page as
``docx_render``) and Jinja2 + WeasyPrint for the PDF (``templates/reports/v1/``), so both carry
the same sections and the same data.

No ID numbers are ever printed: :class:`ReportSubject` has no ID field, the legal representative is
a name only, and any text that looks like a 居民身份证号码 is refused (subject and project fields)
or masked (lines of the public credit information).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import ClassVar

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm

from app.documents.docx_render import (
    BODY_PT,
    CAPTION_PT,
    CHAR_PITCH_PT,
    FONT_BODY,
    FONT_HEADING,
    FONT_KAI,
    FONT_LATIN,
    FONT_TITLE,
    LINE_PITCH_PT,
    SMALL_PT,
    ZIP_DATE_TIME,
    _run,
    _save_deterministic,
    _template_parts,
    _text_width_twips,
    _twips_from_mm,
)
from app.documents.fonts import font_stack
from app.documents.qr import qr_png
from app.documents.render import render_pdf
from app.domain.credit_check import ListRow, rating_meaning
from app.domain.credit_records import GRADES
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError
from app.domain.identifiers import find_resident_ids
from app.domain.masking import mask_resident_id
from app.domain.numbers import DocumentType, parse_document_number
from app.domain.ratings import rating_valid_through
from app.domain.report_kinds import RECOMMENDATIONS, ReportKind

TEMPLATE_VERSION = "v1"
RATING = ReportKind.RATING
"""企业综合信用等级评价报告 (policy 三)."""
DECISION = ReportKind.DECISION
"""信用报告 for a major decision (policy 四)."""
KINDS = tuple(ReportKind)

DECISION_RECOMMENDATIONS = RECOMMENDATIONS
"""四(一): the decision recommendation is exactly one of these three (``report_kinds``)."""

REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    RATING: (
        "声明",
        "报告说明",
        "报告摘要",
        "一、基本信息",
        "二、经营与财务状况",
        "三、公共信用信息",
        "四、评价方法与指标",
        "五、评价结论",
        "附件",
    ),
    DECISION: (
        "一、基本情况",
        "二、近三年同类项目信用状况",
        "三、信用能力分析",
        "（一）技术水平",
        "（二）设备条件",
        "（三）人力资源",
        "（四）资金实力",
        "四、决策建议",
        "五、风险提示",
        "六、机构声明",
    ),
}
"""Per kind, the headings a report must carry, in order (domain-rules §5.2; policy 四(一) names the
four capability subsections). Headings starting with "（" are level 2, the others level 1. The
scaffolds add a few more level-2 headings of their own (e.g. "（一）近三年主要财务数据")."""

TITLE_SUFFIX = {kind: kind.label for kind in ReportKind}
NUMBER_TYPE = {RATING: DocumentType.PJ, DECISION: DocumentType.BG}
"""Number type per kind: LYXY-PJ-… for ratings, LYXY-BG-… for decision reports (domain-rules §5.3)."""

PLATFORM = "凌源市公共信用信息共享交换平台"
SOURCES = f"{PLATFORM}（含全国信用信息共享平台、信用中国、信用辽宁推送信息）"
POLICY = "《凌源市规范推进社会信用体系建设工作实施意见》"
FILING_AUTHORITY = "辽宁省发展和改革委员会"



# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportSubject:
    """The enterprise (社会法人) the report is about, as registered; an empty field is printed as a
    field to fill. There is deliberately no ID number: the legal representative is a name only."""

    name: str
    """企业名称, as on the business licence."""
    uscc: str
    """统一社会信用代码."""
    legal_representative: str = ""
    """法定代表人 (负责人) name, never an ID number."""
    address: str = ""
    """住所."""
    registered_capital: str = ""
    """注册资本, as printed, e.g. "5000万元人民币"."""
    established_on: str = ""
    """成立日期, as printed, e.g. "2012年3月8日"."""
    registration_authority: str = ""
    """登记机关."""
    business_scope: str = ""
    """经营范围."""


@dataclass(frozen=True)
class ScaffoldInfo:
    """Everything the service pre-fills in a report scaffold.

    Raises :class:`~app.domain.errors.FieldError` on construction when ``kind`` is unknown, the
    number is malformed or of the wrong type, a decision report has a validity end, a rating's
    validity end is not after its issue date, or a subject/project field holds an ID number.
    """

    kind: str
    """"rating" (企业综合信用等级评价报告, policy 三) or "decision" (信用报告, policy 四(一))."""
    number: str
    """报告编号: LYXY-PJ-YYYY-NNNNNNC (rating) or LYXY-BG-YYYY-NNNNNNC (decision), check character
    included (domain-rules §5.3)."""
    verification_code: str
    """验证码 printed under the QR code."""
    verify_url: str
    """Public verification URL encoded in the QR code (no personal data in it)."""
    agency_name: str
    """出具机构: the 第三方信用服务机构."""
    agency_filing_number: str
    """The agency's 辽宁省发展和改革委员会 备案号 (policy 三(四), 八(二))."""
    issue_date: date
    """出具日期; also the cut-off date of the public credit information (信息截至)."""
    valid_until: date | None
    """Rating: 有效期至, last valid day; None means one year after ``issue_date`` (三(五), see
    :func:`default_valid_until`). Decision: must be None, the report is for one-time use (四(二))."""
    subject: ReportSubject
    public_rows: tuple[ListRow, ...]
    """``check_credit(records, purpose, issue_date).rows``: one row per list, as of the issue date."""
    project_name: str = ""
    """Decision only: the one project or activity the report is for (empty: a field to fill)."""
    requesting_department: str = ""
    """Decision only: the 委托部门 (empty: a field to fill)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FieldError("kind", f"报告类型“{self.kind}”无效：应为{'、'.join(KINDS)}之一")
        doc_type, _, _ = parse_document_number(self.number)
        if doc_type is not NUMBER_TYPE[self.kind]:
            expected = NUMBER_TYPE[self.kind].value
            raise FieldError("number", f"{TITLE_SUFFIX[self.kind]}的编号应以LYXY-{expected}-开头")
        if self.kind == DECISION and self.valid_until is not None:
            raise FieldError("valid_until", "信用报告仅限特定项目一次性使用（四(二)），不设有效期")
        if self.kind == RATING and self.valid_until is not None and self.valid_until <= self.issue_date:
            raise FieldError("valid_until", "有效期至应晚于出具日期")
        fields = {
            "subject.name": self.subject.name,
            "subject.uscc": self.subject.uscc,
            "subject.legal_representative": self.subject.legal_representative,
            "subject.address": self.subject.address,
            "subject.registered_capital": self.subject.registered_capital,
            "subject.established_on": self.subject.established_on,
            "subject.registration_authority": self.subject.registration_authority,
            "subject.business_scope": self.subject.business_scope,
            "agency_name": self.agency_name,
            "agency_filing_number": self.agency_filing_number,
            "project_name": self.project_name,
            "requesting_department": self.requesting_department,
        }
        for name, value in fields.items():
            if _has_resident_id(value):
                raise FieldError(name, "报告中不得填写身份证号码（法定代表人只填写姓名）")
        if not self.subject.name.strip():
            raise FieldError("subject.name", "请填写企业名称")

    @property
    def validity_end(self) -> date | None:
        """The printed 有效期至: ``valid_until`` or the one-year default for a rating; None for a
        decision report."""
        if self.kind == DECISION:
            return None
        return self.valid_until or default_valid_until(self.issue_date)


def default_valid_until(issue_date: date) -> date:
    """有效期至 of a rating issued on ``issue_date``: ``ratings.rating_valid_through`` (三(五)),
    the same day the credit check uses: 2026-11-29 -> 2027-11-28."""
    return rating_valid_through(issue_date)


def _has_resident_id(text: str) -> bool:
    return bool(find_resident_ids(text))


def _mask_resident_ids(text: str) -> str:
    """Mask ID-like numbers in a line of the public credit information (domain-rules §7.2)."""
    out, end = [], 0
    for start, stop in find_resident_ids(text):
        out += [text[end:start], mask_resident_id(text[start:stop])]
        end = stop
    return "".join(out) + text[end:]


# --------------------------------------------------------------------------------------------
# Content blocks (shared by DOCX and PDF)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """A field the agency fills in: printed "【请填写：hint】", highlighted."""

    hint: str = ""

    @property
    def text(self) -> str:
        """The printed marker."""
        return f"【请填写：{self.hint}】" if self.hint else "【请填写】"


Segment = str | Fill
Parts = tuple[Segment, ...]
Cell = tuple[Parts, ...]
"""A table cell: one or more paragraphs."""


@dataclass(frozen=True)
class Cover:
    """The cover page: title, purpose line, fields, QR code and 验证码."""

    tag: ClassVar[str] = "cover"
    title_lines: tuple[str, ...]
    purpose: Parts
    fields: tuple[tuple[str, Parts], ...]
    verify_url: str
    verification_code: str
    basis: str


@dataclass(frozen=True)
class Heading:
    """A section heading: level 1 (黑体, "一、") or level 2 (楷体, "（一）")."""

    tag: ClassVar[str] = "heading"
    level: int
    text: str
    new_page: bool = False


@dataclass(frozen=True)
class Para:
    """A paragraph of body text; ``indent`` = two characters on the first line."""

    tag: ClassVar[str] = "para"
    parts: Parts
    indent: bool = True
    align: str = "both"
    """"both", "left" or "center"."""


@dataclass(frozen=True)
class Table:
    """A ruled table whose first row is a header row repeated on every page."""

    tag: ClassVar[str] = "table"
    columns: tuple[str, ...]
    widths_mm: tuple[float, ...]
    """Relative column widths (scaled to the 156 mm text block)."""
    rows: tuple[tuple[Cell, ...], ...]
    centre_from: int = 99
    """Cells in columns from this index on are centred (figures)."""


@dataclass(frozen=True)
class Signature:
    """Signature and seal block: labelled lines, room for the seal, then the date."""

    tag: ClassVar[str] = "signature"
    lines: tuple[tuple[str, str], ...]
    date_text: str


Block = Cover | Heading | Para | Table | Signature


def _p(*segments: Segment, indent: bool = True, align: str = "both") -> Para:
    return Para(tuple(s for s in segments if s != ""), indent=indent, align=align)


def _c(*segments: Segment) -> Cell:
    return (tuple(s for s in segments if s != ""),)


def _value(text: str, hint: str) -> Segment:
    return text if text.strip() else Fill(hint)


def scaffold_blocks(info: ScaffoldInfo) -> tuple[Block, ...]:
    """The scaffold's content, in order, for either renderer."""
    return tuple(_rating_blocks(info) if info.kind == RATING else _decision_blocks(info))


def _title(info: ScaffoldInfo) -> str:
    return info.subject.name + TITLE_SUFFIX[info.kind]


def _cover(info: ScaffoldInfo) -> Cover:
    s = info.subject
    issued = format_cn_date(info.issue_date)
    if info.kind == RATING:
        end = info.validity_end
        assert end is not None
        fields: tuple[tuple[str, Parts], ...] = (
            ("评价对象", (s.name,)),
            ("统一社会信用代码", (s.uscc,)),
            ("报告编号", (info.number,)),
            ("评价机构", (info.agency_name,)),
            ("机构备案号", (info.agency_filing_number,)),
            ("出具日期", (issued,)),
            ("有效期至", (format_cn_date(end),)),
        )
        purpose: Parts = ()
        basis = f"依据{POLICY}第三条出具"
    else:
        fields = (
            ("报告对象", (s.name,)),
            ("统一社会信用代码", (s.uscc,)),
            ("委托部门", (_value(info.requesting_department, "委托部门"),)),
            ("报告编号", (info.number,)),
            ("出具机构", (info.agency_name,)),
            ("机构备案号", (info.agency_filing_number,)),
            ("出具日期", (issued,)),
        )
        purpose = ("用于：", _value(info.project_name, "项目或活动名称"), "（仅限本项目一次性使用）")
        basis = f"依据{POLICY}第四条出具"
    return Cover(
        title_lines=(s.name, TITLE_SUFFIX[info.kind]),
        purpose=purpose,
        fields=fields,
        verify_url=info.verify_url,
        verification_code=info.verification_code,
        basis=basis,
    )


def _registration_table(info: ScaffoldInfo) -> Table:
    s = info.subject
    rows = (
        ("企业名称", s.name, ""),
        ("统一社会信用代码", s.uscc, ""),
        ("企业类型", "", "企业类型"),
        ("法定代表人", s.legal_representative, "姓名（不填写身份证号码）"),
        ("注册资本", s.registered_capital, "注册资本"),
        ("成立日期", s.established_on, "成立日期"),
        ("登记机关", s.registration_authority, "登记机关"),
        ("住所", s.address, "住所"),
        ("经营范围", s.business_scope, "经营范围"),
    )
    return Table(
        columns=("项目", "内容"),
        widths_mm=(48, 108),
        rows=tuple((_c(label), _c(_value(value, hint or label))) for label, value, hint in rows),
    )


def _public_rows_table(info: ScaffoldInfo) -> Table:
    rows = []
    for row in info.public_rows:
        details = tuple((_mask_resident_ids(line),) for line in row.details) or (("未发现",),)
        rows.append((_c(row.title_zh), details))
    return Table(columns=("信息类别", "查询结果"), widths_mm=(36, 120), rows=tuple(rows))


def _cut_off(info: ScaffoldInfo) -> str:
    return f"信息截至{format_cn_date(info.issue_date)}"


def _public_summary(info: ScaffoldInfo) -> str:
    parts = []
    for row in info.public_rows:
        parts.append(f"{row.title_zh}{len(row.details)}条" if row.found else f"{row.title_zh}未发现")
    return "；".join(parts) if parts else "未查询到公共信用信息"


def _fill_rows(count: int, width: int) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(_c(Fill()) for _ in range(width)) for _ in range(count))


def _grade_choice() -> Fill:
    return Fill("/".join(GRADES))


def _rating_blocks(info: ScaffoldInfo) -> Iterator[Block]:
    s = info.subject
    issued = format_cn_date(info.issue_date)
    end = info.validity_end
    assert end is not None
    valid = format_cn_date(end)
    yield _cover(info)

    yield Heading(1, "声明", new_page=True)
    statements = (
        f"本报告由{info.agency_name}（{FILING_AUTHORITY}备案号：{info.agency_filing_number}）"
        "独立、客观、公正地出具。评价机构及评价人员与评价对象不存在任何影响评价行为独立、客观、公正的"
        "利害关系。",
        f"本报告所依据的公共信用信息来源于{SOURCES}，其他资料由评价对象提供或由评价机构调查取得，"
        f"{_cut_off(info)}。评价对象对其所提供资料的真实性、准确性、完整性负责。",
        f"本报告评价结论的有效期为一年，自{issued}起至{valid}止（{POLICY}第三条第（五）项）；有效期内可在"
        f"{PLATFORM}查询使用。本报告仅作为信用核查、行政管理和重点领域信用应用的参考，不构成对评价对象的"
        "担保或投资建议。",
        "未经评价机构和评价对象书面同意，任何单位和个人不得复制、转载、摘录本报告或向第三方提供，"
        "不得将本报告用于上述以外的用途。",
        "已完成信用修复或公示期满的失信信息，本报告不予采用。",
        "本报告所载公共信用信息与“信用中国”网站公示信息不一致的，以“信用中国”网站公示信息为准。",
        f"本报告经凌源市发展和改革局审核通过并上传至{PLATFORM}后，方为履行提供信用等级评价报告责任"
        "（第三条第（四）项）。可扫描封面二维码，或输入报告编号和验证码核验本报告。",
    )
    for n, text in enumerate(statements, 1):
        yield _p(f"{n}.", text)

    yield Heading(1, "报告说明", new_page=True)
    yield _p(
        f"本报告依据{POLICY}第三条和GB/T 22116《企业信用等级表示方法》编制，由封面、声明、报告说明、"
        "报告摘要、正文（基本信息、经营与财务状况、公共信用信息、评价方法与指标、评价结论）和附件组成。"
    )
    yield _p(f"公共信用信息来源：{SOURCES}；{_cut_off(info)}。财务资料来源见正文第二部分。")
    yield _p(
        "企业信用等级采用“三等九级”：A等（AAA、AA、A）、B等（BBB、BB、B）、C等（CCC、CC、C），"
        "不使用“+”“-”修饰符。信用等级符号及含义如下表。"
    )
    yield Table(
        columns=("等级符号", "等级简称", "含义"),
        widths_mm=(24, 28, 104),
        rows=tuple(
            (_c(grade), _c(rating_meaning(grade)[0]), _c(rating_meaning(grade)[1])) for grade in GRADES
        ),
        centre_from=0,
    )
    yield _p(
        "信用等级在A级以上的，适用守信激励措施；B级至BBB级的，有关部门持审慎态度；CCC级以下的，"
        "依法依规实施信用惩戒（第二条第（四）项）。重点项目招标投标和公开招标的政府采购，"
        "信用准入条件不得低于BBB级（第三条第（二）项）。"
    )

    yield Heading(1, "报告摘要")
    yield _p("评价对象：", s.name, indent=False)
    yield _p("统一社会信用代码：", s.uscc, indent=False)
    yield _p("评价等级：", _grade_choice(), indent=False)
    yield _p("等级简称及含义：", Fill("所选等级的简称及含义，见报告说明"), indent=False)
    yield _p("评价基准日：", Fill("评价基准日"), indent=False)
    yield _p("有效期：", f"{issued}至{valid}", indent=False)
    yield _p(f"公共信用信息（{_cut_off(info)}）：", _public_summary(info), "。", indent=False)
    yield _p("基本结论：", Fill("评价结论概述"), indent=False)

    yield Heading(1, "一、基本信息", new_page=True)
    yield Heading(2, "（一）登记信息")
    yield _registration_table(info)
    # Paragraphs rather than tables: their layout is agency-specific, and every table cell costs
    # PDF layout time (bench/bench_reports.py).
    yield Heading(2, "（二）股东及出资情况")
    yield _p(Fill("股东名称、出资额（万元）、出资比例和出资方式"))
    yield Heading(2, "（三）主要管理人员")
    yield _p(Fill("姓名、职务和任职时间；不填写身份证号码等个人信息"))

    years = tuple(str(info.issue_date.year - n) for n in (3, 2, 1))
    yield Heading(1, "二、经营与财务状况")
    yield _p("经营概况：", Fill("主营业务、经营规模、主要客户和供应商等"))
    yield Heading(2, "（一）近三年主要财务数据")
    yield _p("金额单位：万元。数据来源：", Fill("经审计的财务报告（审计机构、报告文号）或企业自行申报"), "。")
    items = ("资产总额", "负债总额", "所有者权益", "营业收入", "利润总额", "净利润", "经营活动现金流量净额")
    yield Table(
        columns=("项目", *(f"{y}年" for y in years)),
        widths_mm=(54, 34, 34, 34),
        rows=tuple((_c(item), *(_c(Fill()) for _ in years)) for item in items),
        centre_from=1,
    )
    yield Heading(2, "（二）主要财务比率")
    ratios = ("资产负债率（%）", "流动比率", "速动比率", "净资产收益率（%）", "营业收入增长率（%）")
    yield Table(
        columns=("指标", *(f"{y}年" for y in years)),
        widths_mm=(54, 34, 34, 34),
        rows=tuple((_c(item), *(_c(Fill()) for _ in years)) for item in ratios),
        centre_from=1,
    )
    yield _p("财务状况分析：", Fill("资产质量、偿债能力、盈利能力、现金流及异常事项说明"))

    yield Heading(1, "三、公共信用信息")
    yield _p(
        f"以下信息来源于{SOURCES}，{_cut_off(info)}。已完成信用修复或公示期满的信息不予列示；"
        "与“信用中国”网站公示信息不一致的，以“信用中国”网站为准。"
    )
    yield _public_rows_table(info)
    yield _p("其他公共信用信息（司法、舆情等）：", Fill("查询范围、查询日期和结果"))

    yield Heading(1, "四、评价方法与指标")
    yield _p("评价方法：", Fill("评价模型、指标体系和计分方法"))
    yield Table(
        columns=("一级指标", "二级指标", "权重（%）", "得分"),
        widths_mm=(38, 52, 33, 33),
        rows=(*_fill_rows(5, 4), (_c("合计"), _c("—"), _c("100"), _c(Fill()))),
        centre_from=2,
    )
    yield _p("等级划分标准：", Fill("各等级对应的分值区间"))

    yield Heading(1, "五、评价结论")
    yield _p(
        "经综合评价，", s.name, "的企业综合信用等级为", _grade_choice(), "级（",
        Fill("等级简称"), f"），有效期至{valid}。",
    )
    yield _p("评价结论说明：", Fill("主要优势、风险因素及跟踪评价安排"))
    yield Signature(
        lines=(
            ("评价机构（盖章）：", info.agency_name),
            ("评价人员（签字）：", ""),
            ("审核人（签字）：", ""),
        ),
        date_text=issued,
    )

    yield Heading(1, "附件", new_page=True)
    attachments = (
        "营业执照复印件",
        "信用承诺书",
        "公共信用信息查询记录（截图或查询回执）",
        "经审计的财务报告",
    )
    for n, name in enumerate(attachments, 1):
        yield _p(f"{n}.{name}")
    yield _p(f"{len(attachments) + 1}.", Fill("其他附件名称"))


def _decision_blocks(info: ScaffoldInfo) -> Iterator[Block]:
    s = info.subject
    issued = format_cn_date(info.issue_date)
    project = _value(info.project_name, "项目或活动名称")
    department = _value(info.requesting_department, "委托部门")
    yield _cover(info)

    yield Heading(1, "一、基本情况", new_page=True)
    yield _p(
        "受", department, "委托，", info.agency_name, "对", s.name, "申请实施", project,
        f"的信用能力和风险进行调查分析，出具本报告（{POLICY}第四条）。",
    )
    yield _registration_table(info)

    yield Heading(1, "二、近三年同类项目信用状况")
    first = info.issue_date.year - 3
    yield Heading(2, "（一）同类项目或活动履约情况")
    yield _p(f"{first}年以来承担同类项目或从事同类经济社会活动的情况：")
    yield Table(
        columns=("项目或活动名称", "委托或建设单位", "起止时间", "合同金额（万元）", "履约情况"),
        widths_mm=(36, 30, 30, 30, 30),
        rows=_fill_rows(3, 5),
        centre_from=2,
    )
    yield Heading(2, "（二）公共信用信息")
    yield _p(
        f"以下信息来源于{SOURCES}，{_cut_off(info)}。已完成信用修复或公示期满的信息不予列示；"
        "与“信用中国”网站公示信息不一致的，以“信用中国”网站为准。"
    )
    yield _public_rows_table(info)
    yield _p("总体信用状况：", Fill("近三年同类项目的合同履行、质量安全、款项和工资支付等总体信用状况"))

    yield Heading(1, "三、信用能力分析")
    yield _p(
        "结合", project,
        "的要求，对其技术水平、设备条件、人力资源、资金实力等及其运用方面的信用能力分析如下。",
    )
    capabilities = (
        ("（一）技术水平", "资质等级、技术人员、同类项目技术业绩和技术方案"),
        ("（二）设备条件", "主要设备、产权或租赁情况及其与项目需要的匹配程度"),
        ("（三）人力资源", "项目负责人和主要人员的资格、经验和稳定性（不填写身份证号码）"),
        ("（四）资金实力", "近三年财务状况、融资能力和项目资金保障"),
    )
    for heading, hint in capabilities:
        yield Heading(2, heading)
        yield _p(Fill(hint))

    yield Heading(1, "四、决策建议")
    yield _p(
        "根据上述调查分析，对", s.name, "实施", project,
        "的决策建议为下列三项之一（第四条第（一）项），请在所选项前的方框内打“√”：",
    )
    yield _p("\u3000\u3000".join("□" + r for r in DECISION_RECOMMENDATIONS), indent=False, align="center")
    yield _p("决策建议：", Fill("/".join(DECISION_RECOMMENDATIONS) + "（三选一）"))
    yield _p("建议理由：", Fill("主要依据和结论"))

    yield Heading(1, "五、风险提示")
    yield _p(Fill("实施本项目可能面临的信用风险及防范建议"))

    yield Heading(1, "六、机构声明")
    statements: tuple[tuple[Segment, ...], ...] = (
        (f"本报告由{info.agency_name}（{FILING_AUTHORITY}备案号：{info.agency_filing_number}）受", department,
         "委托，根据信用调查结果撰写，作为政府及政府部门重大决策的参考（第四条第（三）项）。",),
        ("依据第四条第（三）项“第三方社会信用服务机构对信用报告的真实性负责”的规定，本机构对本报告的"
         "真实性负责；决策相对人对其所提供资料的真实性负责。",),
        (f"本报告所依据的公共信用信息来源于{SOURCES}，{_cut_off(info)}。已完成信用修复或公示期满的失信"
         "信息不予采用；与“信用中国”网站公示信息不一致的，以“信用中国”网站公示信息为准。",),
        ("本报告仅限", s.name, "申请实施", project,
         "时一次性使用（第四条第（二）项），不得用于其他项目或活动；未经本机构同意，不得复制或向第三方提供。",),
        ("可扫描封面二维码，或输入报告编号和验证码核验本报告。",),
    )
    for n, parts in enumerate(statements, 1):
        yield _p(f"{n}.", *parts)
    yield Signature(
        lines=(
            ("出具机构（盖章）：", info.agency_name),
            ("法定代表人或授权签字人（签字）：", ""),
            ("报告撰写人（签字）：", ""),
        ),
        date_text=issued,
    )


def _texts(blocks: Iterable[Block]) -> Iterator[tuple[str, str]]:
    """(context, text) of every printed string, for the font coverage check."""
    for block in blocks:
        if isinstance(block, Cover):
            for line in block.title_lines:
                yield "title", line
            for label, parts in block.fields:
                yield label, "".join(p for p in parts if isinstance(p, str))
            yield "purpose", "".join(p for p in block.purpose if isinstance(p, str))
        elif isinstance(block, Para):
            yield "text", "".join(p for p in block.parts if isinstance(p, str))
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    for parts in cell:
                        yield "table", "".join(p for p in parts if isinstance(p, str))
        elif isinstance(block, Signature):
            for label, value in block.lines:
                yield label, value


# --------------------------------------------------------------------------------------------
# PDF preview
# --------------------------------------------------------------------------------------------


def scaffold_pdf(info: ScaffoldInfo) -> bytes:
    """PDF preview of the scaffold (GB/T 9704 page, our fonts, cover with QR code).

    :raises UncoverableCharacter: a character of the pre-filled text that no bundled font draws.
    :raises RenderError: a template problem.
    """
    blocks = scaffold_blocks(info)
    stack = font_stack()
    for context, text in _texts(blocks):
        stack.check_text(text, context)
    stamp = info.issue_date.isoformat()
    return render_pdf(
        f"reports/{TEMPLATE_VERSION}/report.html",
        {"r": {"title": _title(info), "blocks": blocks}},
        stylesheets=(f"reports/{TEMPLATE_VERSION}/report.css",),
        metadata={"title": _title(info), "created": stamp, "modified": stamp},
    )


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------

COVER_TITLE_PT = 26.0  # 一号
COVER_TITLE_LINE_PT = 40.0
TABLE_PT = SMALL_PT  # 4号
TABLE_LINE_PT = 22.0
COVER_QR_MM = 25.0
FILL_COLOR = "C00000"
FILL_HIGHLIGHT = "yellow"
HEADER_SHADING = "E7E6E6"
SEAL_ROOM_LINES = 4
"""Blank lines above the date: with the signature lines, about 45 mm for the seal (§2.3)."""

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NSDECLS = f'xmlns:w="{_W_NS}" xmlns:r="{_R_NS}"'


@functools.cache
def _rpr(font: str, size_pt: float, *, bold: bool = False, fill: bool = False, style: str = "") -> str:
    """Run properties in schema order; every run names its East Asian font itself (w:eastAsia)."""
    xml = f'<w:rStyle w:val="{style}"/>' if style else ""
    xml += (
        f'<w:rFonts w:ascii="{FONT_LATIN}" w:hAnsi="{FONT_LATIN}" w:eastAsia="{font}"'
        f' w:cs="{FONT_LATIN}" w:hint="eastAsia"/>'
    )
    if bold:
        xml += "<w:b/><w:bCs/>"
    if fill:
        xml += f'<w:color w:val="{FILL_COLOR}"/>'
    if size_pt == BODY_PT:  # 28 characters per line, as docx_render
        xml += f'<w:spacing w:val="{round((CHAR_PITCH_PT - BODY_PT) * 20)}"/>'
    half_points = round(size_pt * 2)
    xml += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    if fill:
        xml += f'<w:highlight w:val="{FILL_HIGHLIGHT}"/>'
    return xml


def _runs(parts: Parts, font: str = FONT_BODY, size_pt: float = BODY_PT) -> str:
    out = []
    for part in parts:
        if isinstance(part, Fill):
            out.append(_run(part.text, _rpr(font, size_pt, fill=True, style="FillIn")))
        elif part:
            out.append(_run(part, _rpr(font, size_pt)))
    return "".join(out)


def _para(
    runs: str,
    *,
    style: str = "",
    align: str | None = "both",
    line_pt: float | None = LINE_PITCH_PT,
    before_pt: float = 0,
    after_pt: float = 0,
    first_line_chars: int = 0,
    left_twips: int = 0,
    hanging_twips: int = 0,
    right_chars: float = 0,
    keep_next: bool = False,
    page_break_before: bool = False,
    mark: tuple[str, float] = (FONT_BODY, BODY_PT),
) -> str:
    """A paragraph, pPr children in schema order. ``line_pt`` None = auto (for pictures); a styled
    paragraph (``style``) with ``align`` None keeps its style's spacing and alignment."""
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"
    if align is not None:
        line = (
            f'w:line="{round(line_pt * 20)}" w:lineRule="exact"'
            if line_pt
            else 'w:line="240" w:lineRule="auto"'
        )
        ppr += f'<w:spacing w:before="{round(before_pt * 20)}" w:after="{round(after_pt * 20)}" {line}/>'
    ind = ""
    if first_line_chars:
        ind += f' w:firstLineChars="{first_line_chars * 100}" w:firstLine="{first_line_chars * 320}"'
    if left_twips or hanging_twips:
        ind += f' w:left="{left_twips + hanging_twips}"'
    if hanging_twips:
        ind += f' w:hanging="{hanging_twips}"'
    if right_chars:
        ind += f' w:rightChars="{round(right_chars * 100)}" w:right="{round(right_chars * 320)}"'
    if ind:
        ppr += f"<w:ind{ind}/>"
    if align is not None:
        ppr += f'<w:jc w:val="{align}"/>'
    ppr += f"<w:rPr>{_rpr(*mark)}</w:rPr>"
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def _blank(line_pt: float = LINE_PITCH_PT) -> str:
    return _para("", line_pt=line_pt)


def _width_chars(text: str) -> float:
    return sum(0.5 if c.isascii() else 1.0 for c in text)


def _cover_xml(cover: Cover) -> str:
    title_rpr = _rpr(FONT_TITLE, COVER_TITLE_PT)
    title = _run("\n".join(cover.title_lines), title_rpr)
    parts = [
        _blank(),
        _para(title, style="Title", align="center", line_pt=COVER_TITLE_LINE_PT, after_pt=12,
              mark=(FONT_TITLE, COVER_TITLE_PT)),
    ]
    if cover.purpose:
        parts.append(_para(_runs(cover.purpose, FONT_KAI), align="center"))
    parts.append(_blank())
    label_width = max(_width_chars(label + "：") for label, _ in cover.fields)
    label_twips = round(label_width * BODY_PT * 20)
    for label, value in cover.fields:
        runs = _run(label + "：", _rpr(FONT_HEADING, BODY_PT)) + _runs(value)
        # Wrapped values hang under the value's first character.
        parts.append(_para(runs, align="left", left_twips=_twips_from_mm(8), hanging_twips=label_twips))
    parts.append(_blank())
    parts.append(_para(f"<w:r><w:rPr>{_rpr(FONT_BODY, BODY_PT)}</w:rPr><w:drawing/></w:r>",
                       align="center", line_pt=None))
    caption = "扫码验证" + (f"\u3000验证码：{cover.verification_code}" if cover.verification_code else "")
    parts.append(_para(_run(caption, _rpr(FONT_KAI, CAPTION_PT)), align="center", line_pt=CAPTION_PT * 1.6,
                       mark=(FONT_KAI, CAPTION_PT)))
    parts.append(_para(_run(cover.basis, _rpr(FONT_KAI, CAPTION_PT)), align="center",
                       line_pt=CAPTION_PT * 1.6, before_pt=6, mark=(FONT_KAI, CAPTION_PT)))
    return "".join(parts)


def _heading_xml(heading: Heading) -> str:
    font = FONT_HEADING if heading.level == 1 else FONT_KAI
    return _para(
        _run(heading.text, _rpr(font, BODY_PT)),
        style=f"Heading{heading.level}",
        align=None,
        keep_next=True,
        page_break_before=heading.new_page,
        mark=(font, BODY_PT),
    )


def _table_xml(table: Table) -> str:
    total = _text_width_twips()
    scale = total / sum(table.widths_mm)
    widths = [round(w * scale) for w in table.widths_mm[:-1]]
    widths.append(total - sum(widths))
    border = '<w:{0} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    borders = "".join(border.format(side) for side in sides)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    cell_margins = (
        '<w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
    )
    mark = (FONT_BODY, TABLE_PT)

    def cell(width: int, paragraphs: Cell, *, header: bool, centre: bool) -> str:
        tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if header:
            tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_SHADING}"/>'
        tcpr += '<w:vAlign w:val="center"/>'
        font = FONT_HEADING if header else FONT_BODY
        body = "".join(
            _para(_runs(parts, font, TABLE_PT), align="center" if header or centre else "left",
                  line_pt=TABLE_LINE_PT, mark=mark)
            for parts in paragraphs
        ) or _para("", line_pt=TABLE_LINE_PT, mark=mark)
        return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{body}</w:tc>"

    # The header row repeats on every page (w:tblHeader) and never splits.
    header = "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" + "".join(
        cell(w, ((title,),), header=True, centre=True) for w, title in zip(widths, table.columns, strict=True)
    ) + "</w:tr>"
    rows = "".join(
        "<w:tr>"
        + "".join(
            cell(w, c, header=False, centre=i >= table.centre_from)
            for i, (w, c) in enumerate(zip(widths, row, strict=True))
        )
        + "</w:tr>"
        for row in table.rows
    )
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{total}" w:type="dxa"/>'
        f'<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{cell_margins}</w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{header}{rows}</w:tbl>"
    )


def _signature_xml(signature: Signature) -> str:
    """Signature lines from 4 characters in, blank lines for the seal, the date 4 characters in
    from the right (GB/T 9704 7.3.5); kept on one page with the text above."""
    indent = round(4 * BODY_PT * 20)
    parts = [_para("", keep_next=True)]
    for label, value in signature.lines:
        parts.append(_para(_runs((label, value)), align="left", left_twips=indent, keep_next=True))
    parts += [_para("", keep_next=True)] * SEAL_ROOM_LINES
    parts.append(_para(_runs((signature.date_text,)), align="right", right_chars=4))
    return "".join(parts)


def _body_xml(blocks: Iterable[Block]) -> str:
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        if isinstance(block, Cover):
            out.append(_cover_xml(block))
        elif isinstance(block, Heading):
            out.append(_heading_xml(block))
        elif isinstance(block, Para):
            out.append(
                _para(
                    _runs(block.parts),
                    align=block.align,
                    first_line_chars=2 if block.indent else 0,
                )
            )
        elif isinstance(block, Table):
            if isinstance(previous, Table):  # two adjacent tables would merge into one
                out.append(_blank())
            out.append(_table_xml(block))
        elif isinstance(block, Signature):
            out.append(_signature_xml(block))
        previous = block
    if isinstance(previous, Table):  # Word wants a paragraph between a table and the section end
        out.append(_blank())
    return "".join(out)


_EXTRA_STYLES = (
    # Built-in names ("heading 1", "Title", "Table Grid"): Word, WPS and LibreOffice map them to
    # their own built-in styles, so the navigation pane shows the outline.
    '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>'
    '<w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>'
    f'<w:pPr><w:spacing w:before="0" w:after="240" w:line="{round(COVER_TITLE_LINE_PT * 20)}"'
    ' w:lineRule="exact"/><w:jc w:val="center"/></w:pPr>'
    f"<w:rPr>{_rpr(FONT_TITLE, COVER_TITLE_PT)}</w:rPr></w:style>"
    + "".join(
        f'<w:style w:type="paragraph" w:styleId="Heading{level}"><w:name w:val="heading {level}"/>'
        '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>'
        f'<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{before}" w:after="0"'
        f' w:line="{round(LINE_PITCH_PT * 20)}" w:lineRule="exact"/><w:jc w:val="left"/>'
        f'<w:outlineLvl w:val="{level - 1}"/></w:pPr><w:rPr>{_rpr(font, BODY_PT)}</w:rPr></w:style>'
        for level, font, before in ((1, FONT_HEADING, 120), (2, FONT_KAI, 60))
    )
    + '<w:style w:type="character" w:customStyle="1" w:styleId="FillIn"><w:name w:val="待填写"/>'
    '<w:uiPriority w:val="1"/><w:qFormat/>'
    f'<w:rPr><w:color w:val="{FILL_COLOR}"/><w:highlight w:val="{FILL_HIGHLIGHT}"/></w:rPr></w:style>'
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
    '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/><w:tblPr><w:tblBorders>'
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders></w:tblPr></w:style>"
)


@functools.cache
def _report_template() -> bytes:
    """The letters' template package (docx_render) with headings, title, table and fill styles, and
    no page number on the cover (first-page footer emptied)."""
    import zipfile

    parts = dict(_template_parts())
    parts["word/styles.xml"] = parts["word/styles.xml"].replace("</w:styles>", _EXTRA_STYLES + "</w:styles>")
    declaration = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    empty_mark = f"<w:rPr>{_rpr(FONT_BODY, SMALL_PT)}</w:rPr>"
    parts["word/footer3.xml"] = (
        f"{declaration}<w:ftr {_NSDECLS}><w:p><w:pPr>{empty_mark}</w:pPr></w:p></w:ftr>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, xml in parts.items():
            package.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME), xml.encode("utf-8"))
    return out.getvalue()


def scaffold_docx(info: ScaffoldInfo) -> bytes:
    """The editable scaffold as DOCX (Word, WPS, LibreOffice): A4 with GB/T 9704 margins, page
    numbers "— 1 —" from the second page, Heading 1/2 outline, header rows repeated on every page,
    fields to fill highlighted with the character style "待填写".

    :returns: DOCX bytes; the same info always gives the same bytes.
    """
    blocks = scaffold_blocks(info)
    document = Document(io.BytesIO(_report_template()))
    body = document.element.body
    section_end = body.sectPr
    for child in list(parse_xml(f"<w:body {_NSDECLS}>{_body_xml(blocks)}</w:body>")):
        section_end.addprevious(child)

    for placeholder in body.iter(qn("w:drawing")):
        if len(placeholder) == 0:
            inline = document.part.new_pic_inline(
                io.BytesIO(qr_png(info.verify_url)), Mm(COVER_QR_MM), Mm(COVER_QR_MM)
            )
            inline.docPr.set("descr", "扫码验证二维码")
            placeholder.append(inline)
            break

    props = document.core_properties
    props.title = _title(info)
    props.identifier = info.number
    props.subject = TITLE_SUFFIX[info.kind]
    issued = datetime(info.issue_date.year, info.issue_date.month, info.issue_date.day, tzinfo=UTC)
    props.created = issued
    props.modified = issued
    return _save_deterministic(document)
