"""What a report scaffold is made of: its input (:class:`ScaffoldInfo`, the checks on it) and the
content blocks (:class:`Cover`, :class:`Heading`, :class:`Para`, :class:`Table`,
:class:`Signature`) that ``content`` fills and ``pdf`` and ``docx`` lay out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from app.domain.credit_check import ListRow
from app.domain.errors import FieldError
from app.domain.identifiers import find_resident_ids
from app.domain.numbers import DocumentType, parse_document_number
from app.domain.ratings import rating_valid_through
from app.domain.report_kinds import RECOMMENDATIONS, ReportKind

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


# --- Input --------------------------------------------------------------------------------------


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


# --- Content blocks (shared by DOCX and PDF) ----------------------------------------------------


@dataclass(frozen=True)
class Fill:
    """A field the agency fills in, printed highlighted (``ReportWording.fill``)."""

    text: str
    """The printed marker, e.g. "【请填写：住所】" (the version's wording.json)."""


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
    qr_caption: str = ""
    """The words under the QR code ("扫码核验真伪" and the 验证码, the version's wording); versions
    before v3 print their own."""
    qr_alt: str = ""


@dataclass(frozen=True)
class Heading:
    """A section heading: level 1 (黑体, "一、") or level 2 (楷体, "（一）")."""

    tag: ClassVar[str] = "heading"
    level: int
    text: str
    new_page: bool = False

    @property
    def numbered(self) -> bool:
        """A structure level of GB/T 9704 ("一、", "（一）"), indented two characters like the body
        (reports v3 on); "声明", "附件" and the like are not."""
        return self.text.startswith("（") or "、" in self.text[:4]


@dataclass(frozen=True)
class Para:
    """A paragraph of body text; ``indent`` = two characters on the first line."""

    tag: ClassVar[str] = "para"
    parts: Parts
    indent: bool = True
    align: str = "both"
    """"both", "left" or "center"."""
    keep_with_next: bool = False
    """On the page of the block after it (reports v3: the instruction before the checkboxes)."""


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
