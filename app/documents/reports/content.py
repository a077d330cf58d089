"""What a report scaffold says: the sections, wording and pre-filled data of both kinds, as a list
of blocks (:func:`scaffold_blocks`) that ``pdf`` and ``docx`` lay out the same way."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.documents.reports.model import (
    DECISION_RECOMMENDATIONS,
    RATING,
    TITLE_SUFFIX,
    Block,
    Cell,
    Cover,
    Fill,
    Heading,
    Para,
    Parts,
    ScaffoldInfo,
    Segment,
    Signature,
    Table,
)
from app.domain.credit_check import rating_meaning
from app.domain.credit_records import GRADES
from app.domain.dates import format_cn_date
from app.domain.identifiers import find_resident_ids
from app.domain.masking import mask_resident_id

PLATFORM = "凌源市公共信用信息共享交换平台"
SOURCES = f"{PLATFORM}（含全国信用信息共享平台、信用中国、信用辽宁推送信息）"
POLICY = "《凌源市规范推进社会信用体系建设工作实施意见》"
FILING_AUTHORITY = "辽宁省发展和改革委员会"


def _mask_resident_ids(text: str) -> str:
    """Mask ID-like numbers in a line of the public credit information (domain-rules §7.2)."""
    out, end = [], 0
    for start, stop in find_resident_ids(text):
        out += [text[end:start], mask_resident_id(text[start:stop])]
        end = stop
    return "".join(out) + text[end:]


def _p(*segments: Segment, indent: bool = True, align: str = "both") -> Para:
    return Para(tuple(s for s in segments if s != ""), indent=indent, align=align)


def _c(*segments: Segment) -> Cell:
    return (tuple(s for s in segments if s != ""),)


def _value(text: str, hint: str) -> Segment:
    return text if text.strip() else Fill(hint)


def scaffold_blocks(info: ScaffoldInfo) -> tuple[Block, ...]:
    """The scaffold's content, in order, for either renderer."""
    return tuple(_rating_blocks(info) if info.kind == RATING else _decision_blocks(info))


def report_title(info: ScaffoldInfo) -> str:
    """The document title: subject name and kind, e.g. “…有限公司企业综合信用等级评价报告”."""
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


def printed_texts(blocks: Iterable[Block]) -> Iterator[tuple[str, str]]:
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

