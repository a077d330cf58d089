"""Report scaffolds (policy 三, 四): sections, pre-filled data, fonts, header rows, no ID numbers."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pypdf import PdfReader

from app.documents.reports import (
    DECISION,
    DECISION_RECOMMENDATIONS,
    NUMBER_TYPE,
    RATING,
    REQUIRED_SECTIONS,
    ReportSubject,
    ScaffoldInfo,
    default_valid_until,
    scaffold_docx,
    scaffold_pdf,
)
from app.domain.credit_check import Purpose, check_credit, rating_meaning
from app.domain.credit_records import GRADES, CreditRecord, RecordType
from app.domain.errors import FieldError
from app.domain.numbers import format_document_number

ISSUED = date(2026, 11, 29)
CODE = "91211382MA0Y8K7Q3B"
NAME = "凌源市示例建筑工程有限公司"
AGENCY = "辽宁示例信用评价有限公司"
FILING = "辽发改信备〔2025〕012号"
PROJECT = "凌源市城南片区道路改造工程"
DEPARTMENT = "凌源市住房和城乡建设局"
PERSON_ID = "211382199003071237"  # synthetic, domain-rules §3.2
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dX](?![0-9A-Za-z])")
KINDS = (RATING, DECISION)


def _records() -> list[CreditRecord]:
    return [
        CreditRecord(RecordType.PENALTY, CODE, NAME, "凌源市市场监督管理局", "凌市监罚〔2026〕15号",
                     date(2026, 6, 1), severity="一般", summary="未按规定公示年度报告"),
        CreditRecord(RecordType.LICENSE, CODE, NAME, DEPARTMENT, "凌住建许〔2026〕8号",
                     date(2026, 3, 2), summary="建筑工程施工许可"),
    ]


SUBJECT = ReportSubject(
    NAME, CODE, legal_representative="欧阳明", address="辽宁省朝阳市凌源市城关街道示例路88号",
    registered_capital="5000万元人民币", established_on="2012年3月8日",
    registration_authority="凌源市市场监督管理局", business_scope="房屋建筑工程施工总承包",
)


def make_info(kind: str, **overrides: object) -> ScaffoldInfo:
    number = format_document_number(NUMBER_TYPE[kind], 2026, 1)
    fields: dict[str, object] = dict(
        kind=kind, number=number, verification_code="7Q2M9KXD",
        verify_url=f"https://xy.lingyuan.gov.cn/verify?no={number}&c=7Q2M9KXD",
        agency_name=AGENCY, agency_filing_number=FILING, issue_date=ISSUED,
        valid_until=date(2027, 11, 29) if kind == RATING else None, subject=SUBJECT,
        public_rows=check_credit(_records(), Purpose.BIDDING, ISSUED).rows,
        project_name=PROJECT if kind == DECISION else "",
        requesting_department=DEPARTMENT if kind == DECISION else "",
    )
    fields.update(overrides)
    return ScaffoldInfo(**fields)  # type: ignore[arg-type]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf_checked(info: ScaffoldInfo) -> bytes:
    """scaffold_pdf, failing on any WeasyPrint warning (module fixtures run outside caplog)."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        pdf = scaffold_pdf(info)
    finally:
        logger.removeHandler(handler)
    assert not handler.messages, handler.messages
    return pdf


@pytest.fixture(scope="module")
def docx_bytes() -> dict[str, bytes]:
    return {kind: scaffold_docx(make_info(kind)) for kind in KINDS}


@pytest.fixture(scope="module")
def pdf_bytes() -> dict[str, bytes]:
    return {kind: render_pdf_checked(make_info(kind)) for kind in KINDS}


def open_docx(data: bytes) -> DocxDocument:
    return Document(io.BytesIO(data))


def docx_text(doc: DocxDocument) -> str:
    """All paragraph text, tables included, in document order."""
    return "\n".join(
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))
    )


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_in_order(needles: tuple[str, ...], haystack: str) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"{needle!r} missing (or out of order)"
        position = found + len(needle)


# --- Sections -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_required_sections_are_headings_in_order_in_docx(kind: str, docx_bytes: dict[str, bytes]) -> None:
    doc = open_docx(docx_bytes[kind])
    headings = [(p.style.name, p.text) for p in doc.paragraphs
                if p.style is not None and p.style.name in ("Heading 1", "Heading 2")]
    texts = [text for _, text in headings]
    position = 0
    for section in REQUIRED_SECTIONS[kind]:
        assert section in texts[position:], f"{section} missing or out of order"
        position = texts.index(section, position) + 1
        style = dict((t, s) for s, t in headings)[section]
        assert style == ("Heading 2" if section.startswith("（") else "Heading 1")
    # the outline levels the navigation pane uses
    styles = doc.styles
    for name, level in (("Heading 1", "0"), ("Heading 2", "1")):
        outline = styles[name].element.find(qn("w:pPr")).find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == level


@pytest.mark.parametrize("kind", KINDS)
def test_required_sections_in_order_in_pdf(kind: str, pdf_bytes: dict[str, bytes]) -> None:
    assert_in_order(REQUIRED_SECTIONS[kind], squeeze(pdf_text(pdf_bytes[kind])))


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_outline_lists_the_sections(kind: str, pdf_bytes: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes[kind]))

    def titles(items: list) -> list[str]:
        out: list[str] = []
        for item in items:
            out.extend(titles(item) if isinstance(item, list) else [item.title])
        return out

    assert_in_order(REQUIRED_SECTIONS[kind], "|".join(titles(reader.outline)))


# --- Pre-filled data ----------------------------------------------------------------------------


def expected_prefilled(kind: str) -> list[str]:
    rows = make_info(kind).public_rows
    values = [NAME, CODE, make_info(kind).number, AGENCY, FILING, "2026年11月29日", "7Q2M9KXD",
              "欧阳明", "5000万元人民币", "2012年3月8日", "辽宁省朝阳市凌源市城关街道示例路88号",
              "信息截至2026年11月29日"]
    values += [row.title_zh for row in rows]
    values += [line for row in rows for line in row.details]
    if kind == RATING:
        values += ["有效期至", "2027年11月29日"]
    else:
        values += [PROJECT, DEPARTMENT, "用于：" + PROJECT + "（仅限本项目一次性使用）"]
    return values


@pytest.mark.parametrize("kind", KINDS)
def test_prefilled_data_in_docx(kind: str, docx_bytes: dict[str, bytes]) -> None:
    text = docx_text(open_docx(docx_bytes[kind]))
    for value in expected_prefilled(kind):
        assert value in text, value
    assert "未发现" in text
    assert "凌市监罚〔2026〕15号" in text


@pytest.mark.parametrize("kind", KINDS)
def test_prefilled_data_in_pdf(kind: str, pdf_bytes: dict[str, bytes]) -> None:
    text = squeeze(pdf_text(pdf_bytes[kind]))
    for value in expected_prefilled(kind):
        assert squeeze(value) in text, value
    assert "未发现" in text


def test_public_rows_table_has_one_row_per_list(docx_bytes: dict[str, bytes]) -> None:
    doc = open_docx(docx_bytes[RATING])
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "信息类别")
    rows = make_info(RATING).public_rows
    assert [r.cells[0].text for r in table.rows[1:]] == [row.title_zh for row in rows]
    for docx_row, row in zip(table.rows[1:], rows, strict=True):
        assert docx_row.cells[1].text.split("\n") == list(row.details)


def test_decision_report_has_no_validity_end(
    docx_bytes: dict[str, bytes], pdf_bytes: dict[str, bytes]
) -> None:
    assert "有效期至" not in docx_text(open_docx(docx_bytes[DECISION]))
    assert "有效期至" not in pdf_text(pdf_bytes[DECISION])


# --- Rating specifics ---------------------------------------------------------------------------


def test_grade_table_has_all_nine_grades(docx_bytes: dict[str, bytes], pdf_bytes: dict[str, bytes]) -> None:
    doc = open_docx(docx_bytes[RATING])
    # One table, or (report-scaffold-3) its parts on the pages where the PDF prints them, each
    # with the header row.
    parts = [t for t in doc.tables if t.rows[0].cells[0].text == "等级符号"]
    assert parts
    body = []
    for table in parts:
        assert [c.text for c in table.rows[0].cells] == ["等级符号", "等级简称", "含义"]
        body += [[c.text for c in row.cells] for row in table.rows[1:]]
    assert body == [[grade, *rating_meaning(grade)] for grade in GRADES]
    text = squeeze(pdf_text(pdf_bytes[RATING]))
    for grade in GRADES:
        label, meaning = rating_meaning(grade)
        assert squeeze(label) in text
        assert squeeze(meaning) in text


def test_grade_is_a_field_to_fill_with_the_nine_choices(docx_bytes: dict[str, bytes],
                                                         pdf_bytes: dict[str, bytes]) -> None:
    marker = "评价等级：【请填写：AAA/AA/A/BBB/BB/B/CCC/CC/C】"
    assert marker in docx_text(open_docx(docx_bytes[RATING]))
    assert marker in squeeze(pdf_text(pdf_bytes[RATING]))


def test_financial_table_has_the_last_three_years_as_columns(docx_bytes: dict[str, bytes]) -> None:
    doc = open_docx(docx_bytes[RATING])
    table = next(t for t in doc.tables
                 if t.rows[0].cells[0].text == "项目" and "年" in t.rows[0].cells[1].text)
    assert [c.text for c in table.rows[0].cells] == ["项目", "2023年", "2024年", "2025年"]
    assert all(c.text == "【请填写】" for row in table.rows[1:] for c in row.cells[1:])


def test_rating_validity_defaults_to_one_year() -> None:
    info = make_info(RATING, valid_until=None)
    assert info.validity_end == default_valid_until(ISSUED) == date(2027, 11, 28)
    assert "有效期至2027年11月28日" in squeeze(docx_text(open_docx(scaffold_docx(info))))
    assert make_info(DECISION).validity_end is None


# --- Decision specifics -------------------------------------------------------------------------


def test_decision_has_the_three_recommendations_and_the_agency_declaration(
    docx_bytes: dict[str, bytes], pdf_bytes: dict[str, bytes]
) -> None:
    choices = "□具备信用能力\u3000\u3000□信用能力一般\u3000\u3000□不具备信用能力"
    declaration = "第三方社会信用服务机构对信用报告的真实性负责"
    docx = docx_text(open_docx(docx_bytes[DECISION]))
    pdf = squeeze(pdf_text(pdf_bytes[DECISION]))
    assert choices in docx
    assert squeeze(choices) in pdf
    for recommendation in DECISION_RECOMMENDATIONS:
        assert "□" + recommendation in docx
        assert "□" + recommendation in pdf
    assert declaration in docx
    assert declaration in pdf
    assert "本机构对本报告的真实性负责" in docx
    assert "决策建议：【请填写：具备信用能力/信用能力一般/不具备信用能力（三选一）】" in docx
    assert_in_order(("六、机构声明", declaration, "出具机构（盖章）：" + AGENCY, "2026年11月29日"), pdf)


def test_empty_project_and_department_become_fields_to_fill() -> None:
    doc = open_docx(scaffold_docx(make_info(DECISION, project_name="", requesting_department="")))
    text = docx_text(doc)
    assert "用于：【请填写：项目或活动名称】（仅限本项目一次性使用）" in text
    assert "【请填写：委托部门】" in text


# --- DOCX mechanics -----------------------------------------------------------------------------


def all_runs(doc: DocxDocument) -> list:
    parts = [doc.element.body]
    for section in doc.sections:
        for footer in (section.footer, section.even_page_footer, section.first_page_footer):
            parts.append(footer._element)
    return [run for part in parts for run in part.iter(qn("w:r"))]


@pytest.mark.parametrize("kind", KINDS)
def test_every_run_has_an_east_asian_font(kind: str, docx_bytes: dict[str, bytes]) -> None:
    runs = all_runs(open_docx(docx_bytes[kind]))
    assert len(runs) > 100
    for run in runs:
        fonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))
        assert fonts is not None, run.xml[:200]
        assert fonts.get(qn("w:eastAsia")), run.xml[:200]


@pytest.mark.parametrize("kind", KINDS)
def test_table_header_rows_repeat_on_every_page(kind: str, docx_bytes: dict[str, bytes]) -> None:
    doc = open_docx(docx_bytes[kind])
    assert len(doc.tables) >= 3
    for table in doc.tables:
        first, *others = table._tbl.findall(qn("w:tr"))
        assert first.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        for row in others:
            trpr = row.find(qn("w:trPr"))
            assert trpr is None or trpr.find(qn("w:tblHeader")) is None


@pytest.mark.parametrize("kind", KINDS)
def test_fields_to_fill_are_highlighted(kind: str, docx_bytes: dict[str, bytes]) -> None:
    doc = open_docx(docx_bytes[kind])
    fills = [run for run in doc.element.body.iter(qn("w:r"))
             if "【请填写" in "".join(t.text or "" for t in run.iter(qn("w:t")))]
    assert len(fills) >= 5
    for run in fills:
        rpr = run.find(qn("w:rPr"))
        assert rpr.find(qn("w:rStyle")).get(qn("w:val")) == "FillIn"
        assert rpr.find(qn("w:highlight")).get(qn("w:val")) == "yellow"


@pytest.mark.parametrize("kind", KINDS)
def test_docx_round_trips_through_python_docx(kind: str, docx_bytes: dict[str, bytes]) -> None:
    first = open_docx(docx_bytes[kind])
    saved = io.BytesIO()
    first.save(saved)
    second = Document(io.BytesIO(saved.getvalue()))
    assert docx_text(second) == docx_text(first)
    def outline(doc: DocxDocument) -> list[tuple[str, str]]:
        return [(p.style.name, p.text) for p in doc.paragraphs]

    assert outline(second) == outline(first)
    assert len(second.inline_shapes) == 1  # the QR code


@pytest.mark.parametrize("kind", KINDS)
def test_docx_page_is_a4_with_gbt9704_margins_and_page_numbers(
    kind: str, docx_bytes: dict[str, bytes]
) -> None:
    doc = open_docx(docx_bytes[kind])
    (section,) = doc.sections
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)
    # report-scaffold-3: the bottom margin is PAGED_SLACK_MM (less than a line) smaller, so that
    # a word processor's table rules fit what the PDF puts on a page; the page still holds 22
    # lines and the page number keeps its place (w:footer, from the paper's edge).
    from app.documents.reports.docx import PAGED_SLACK_MM

    bottom = 35 - PAGED_SLACK_MM
    assert PAGED_SLACK_MM < 225 / 22 - 3
    for margin, mm in (("top_margin", 37), ("bottom_margin", bottom), ("left_margin", 28),
                       ("right_margin", 26)):
        assert abs(getattr(section, margin) - Mm(mm)) < Mm(0.1), margin
    # the middle of the 14 pt page-number line 7 mm below the text block (report-scaffold-3)
    assert abs(section.footer_distance - (Mm(35 - 7) - Pt(14) + Pt(7))) < Mm(0.1)
    assert section.different_first_page_header_footer
    assert "PAGE" in section.footer._element.xml
    assert "PAGE" in section.even_page_footer._element.xml
    assert "PAGE" not in section.first_page_footer._element.xml  # no number on the cover


@pytest.mark.parametrize("kind", KINDS)
def test_docx_is_deterministic(kind: str, docx_bytes: dict[str, bytes]) -> None:
    assert scaffold_docx(make_info(kind)) == docx_bytes[kind]


# --- PDF mechanics ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_is_a4_with_a_qr_code_on_the_cover(kind: str, pdf_bytes: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(pdf_bytes[kind]))
    assert len(reader.pages) >= 5
    for page in reader.pages:
        assert round(float(page.mediabox.width) * 25.4 / 72) == 210
        assert round(float(page.mediabox.height) * 25.4 / 72) == 297
    assert len(reader.pages[0].images) == 1
    assert "— 2 —" in reader.pages[1].extract_text()
    assert "—" not in reader.pages[0].extract_text().replace("——", "")


# --- No ID numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_no_id_number_in_either_output(
    kind: str, docx_bytes: dict[str, bytes], pdf_bytes: dict[str, bytes]
) -> None:
    with zipfile.ZipFile(io.BytesIO(docx_bytes[kind])) as package:
        xml = "".join(package.read(n).decode("utf-8") for n in package.namelist() if n.endswith(".xml"))
    assert not ID_LIKE.search(xml)
    assert not ID_LIKE.search(pdf_text(pdf_bytes[kind]))


@pytest.mark.parametrize("field", ["legal_representative", "address", "business_scope"])
def test_an_id_number_in_the_subject_is_refused(field: str) -> None:
    subject = replace(SUBJECT, **{field: f"欧阳明（身份证{PERSON_ID}）"})
    with pytest.raises(FieldError) as error:
        make_info(RATING, subject=subject)
    assert error.value.field == f"subject.{field}"


def test_an_id_number_in_the_public_rows_is_masked() -> None:
    records = [CreditRecord(RecordType.PENALTY, CODE, NAME, "凌源市市场监督管理局", "凌市监罚〔2026〕16号",
                            date(2026, 6, 1), severity="一般", summary=f"责任人身份证号{PERSON_ID}")]
    info = make_info(RATING, public_rows=check_credit(records, Purpose.BIDDING, ISSUED).rows)
    docx = scaffold_docx(info)
    text = docx_text(open_docx(docx))
    assert PERSON_ID not in text
    assert "2*************1237" in text
    assert not ID_LIKE.search(pdf_text(render_pdf_checked(info)))


def test_an_all_digit_uscc_is_not_mistaken_for_an_id_number() -> None:
    info = make_info(RATING, subject=replace(SUBJECT, uscc="913502000728319549"))
    assert "913502000728319549" in docx_text(open_docx(scaffold_docx(info)))


# --- Validation ---------------------------------------------------------------------------------


def test_decision_report_cannot_have_a_validity_end() -> None:
    with pytest.raises(FieldError) as error:
        make_info(DECISION, valid_until=date(2027, 11, 29))
    assert error.value.field == "valid_until"


@pytest.mark.parametrize(("kind", "number"), [
    (RATING, format_document_number(NUMBER_TYPE[DECISION], 2026, 1)),
    (DECISION, format_document_number(NUMBER_TYPE[RATING], 2026, 1)),
    (RATING, "LYXY-PJ-2026-000001Z"),
])
def test_number_must_match_the_kind(kind: str, number: str) -> None:
    with pytest.raises(FieldError) as error:
        make_info(kind, number=number)
    assert error.value.field == "number"


def test_unknown_kind_and_past_validity_are_refused() -> None:
    with pytest.raises(FieldError):
        replace(make_info(RATING), kind="other")
    with pytest.raises(FieldError):
        make_info(RATING, valid_until=ISSUED)


def test_empty_subject_fields_are_printed_as_fields_to_fill() -> None:
    info = make_info(RATING, subject=ReportSubject(NAME, CODE))
    text = docx_text(open_docx(scaffold_docx(info)))
    for hint in ("姓名（不填写身份证号码）", "注册资本", "成立日期", "登记机关", "住所", "经营范围"):
        assert f"【请填写：{hint}】" in text
    assert "【请填写：住所】" in squeeze(pdf_text(render_pdf_checked(info)))
