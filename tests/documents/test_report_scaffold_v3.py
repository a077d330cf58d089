"""Issue 13, the paper's open items for the third-party report scaffolds (reports v3, DOCX
layout report-scaffold-3), measured from the PDFs and DOCX files we write: a one-page cover, no
page holding a single line, the sign-off with body text, no 孤字, header cells that fit, "1. "
items, the caption "扫码核验真伪", numbered headings indented two characters, and a DOCX that
starts its pages where the PDF does."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import zipfile
from dataclasses import replace
from datetime import date
from functools import cache

import pytest

from app.documents.registry import CURRENT, Family
from app.documents.reports import ScaffoldInfo, scaffold_docx, scaffold_pdf
from app.documents.reports.model import Fill
from app.documents.reports.pdf import PageStart, page_starts, tail_runs
from app.domain.report_kinds import ReportKind
from app.samples import scaffold_sample_info
from tests.documents.gbt9704 import BOTTOM_MM, CHAR_PITCH_MM, LEFT_MM, Line, pages

ON = date(2026, 11, 29)
KINDS = [ReportKind.RATING, ReportKind.DECISION]


def info(kind: ReportKind, **subject) -> ScaffoldInfo:
    i = scaffold_sample_info(kind, ON)
    return replace(i, subject=replace(i.subject, **subject)) if subject else i


@cache
def pdf(kind: ReportKind, version: str = CURRENT[Family.REPORT]) -> bytes:
    return scaffold_pdf(info(kind), version)


@cache
def measured(kind: ReportKind, version: str = CURRENT[Family.REPORT]) -> list[list[Line]]:
    return pages(pdf(kind, version))


def body(page: list[Line]) -> list[Line]:
    """Lines of the 版心 (not the page number)."""
    return [ln for ln in page if ln.top_mm < BOTTOM_MM - 1]


def docx_text(data: bytes) -> str:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    return "\n".join(re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<w:p[ >].*?</w:p>", xml))


def test_reports_v3_is_current() -> None:
    assert CURRENT[Family.REPORT] == "v3"


def test_the_decision_cover_is_one_page_with_long_names() -> None:
    """Item 1: whatever the project, agency and subject, the cover is page 1 alone."""
    long = replace(
        info(ReportKind.DECISION),
        project_name="凌源市城南片区道路改造工程及配套给排水、供热、燃气管网和照明设施建设项目（一期）",
        agency_name="辽宁省示例信用评价与信用管理咨询服务有限责任公司凌源分公司（演示）",
        requesting_department="凌源市住房和城乡建设局（凌源市人民防空办公室）")
    first, second = pages(scaffold_pdf(long))[:2]
    assert "一、基本情况" not in "".join(ln.text for ln in first)
    assert body(second)[0].text.startswith("一、基本情况")


@pytest.mark.parametrize("kind", KINDS)
def test_no_page_holds_a_single_line(kind: ReportKind) -> None:
    """Item 2: every page after the cover holds at least two lines of the 版心."""
    for number, page in enumerate(measured(kind)[1:], start=2):
        assert len(body(page)) >= 2, (number, [ln.text for ln in page])


@pytest.mark.parametrize("kind", KINDS)
def test_the_sign_off_keeps_two_lines_of_body(kind: ReportKind) -> None:
    """Item 2: the page of the 署名 and date also holds at least two lines of body text above."""
    page = next(p for p in measured(kind) if any("（签字）" in ln.text for ln in p))
    sign = min(n for n, ln in enumerate(page) if "（盖章）" in ln.text)
    assert len(body(page[:sign])) >= 2, [ln.text for ln in page]


@pytest.mark.parametrize("kind", KINDS)
def test_no_single_character_on_a_paragraphs_last_line(kind: ReportKind) -> None:
    """Item 3: no 3号 line holds a single character besides punctuation (孤字, e.g. "用。")."""
    for number, page in enumerate(measured(kind), start=1):
        for ln in body(page):
            letters = [c for c in ln.text if c.strip() and not unicodedata.category(c).startswith("P")]
            assert len(letters) > 1 or ln.size_pt < 16, (number, ln.text)


def test_tail_runs_bind_the_last_two_characters_across_segments() -> None:
    runs = tail_runs(("本报告。", Fill("【请填写】"), "。"))
    assert runs == [("本报告。", False, False), ("【请", True, False), ("填写】", True, True),
                    ("。", False, True)]
    assert tail_runs(("不予采用。",)) == [("不予", False, False), ("采用。", False, True)]
    assert tail_runs(("用", "。")) == [("用", False, True), ("。", False, True)]


@pytest.mark.parametrize("kind", KINDS)
def test_table_header_cells_are_not_split_mid_word(kind: ReportKind) -> None:
    """Item 3: every header cell prints on one line, or breaks only before its "（unit）"."""
    for page in measured(kind):
        heads = [c for ln in page for c in ln.chars
                 if c.fontname.endswith("LY-Hei") and round(c.size) == 14]
        rows: dict[int, list] = {}
        for c in heads:
            rows.setdefault(round(c.y1), []).append(c)
        tops = sorted(rows, reverse=True)
        for upper, lower in zip(tops, tops[1:], strict=False):
            if upper - lower < 35:  # the second line of a header row
                chars = sorted(rows[lower], key=lambda c: c.x0)
                assert "".join(c.get_text() for c in chars).startswith("（"), chars


@pytest.mark.parametrize("kind", KINDS)
def test_items_are_numbered_with_one_space(kind: ReportKind) -> None:
    """Item 4: "1. 本报告…" in PDF and DOCX, never "1.本报告"."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf(kind), capture_output=True,
                          check=True).stdout.decode()
    numbered = re.findall(r"^\s*\d\.(.)", text, re.M)
    assert numbered and set(numbered) == {" "}
    paragraphs = docx_text(scaffold_docx(info(kind))).splitlines()
    items = [p for p in paragraphs if re.match(r"\d\.", p)]
    assert items and all(re.match(r"\d\. \S", p) for p in items), items


@pytest.mark.parametrize("kind", KINDS)
def test_qr_caption_is_the_same_words_as_the_letters(kind: ReportKind) -> None:
    """Item 5: "扫码核验真伪" under the QR code in PDF and DOCX."""
    cover = "".join(ln.text for ln in measured(kind)[0])
    assert "扫码核验真伪" in cover and "扫码验证" not in cover
    text = docx_text(scaffold_docx(info(kind)))
    assert "扫码核验真伪" in text and "扫码验证" not in text


@pytest.mark.parametrize("kind", KINDS)
def test_numbered_headings_are_indented_two_characters(kind: ReportKind) -> None:
    """Item 6: "一、…" (黑体) and "（一）…" (楷体) start two characters in, as body paragraphs;
    "声明", "附件" stay flush left."""
    headings = [ln for page in measured(kind)[1:] for ln in page
                if re.match(r"^(（[一二三四五六]）|[一二三四五六]、)", ln.text)
                and ln.fonts <= {"LY-Hei", "LY-Kai"}]
    assert headings
    for ln in headings:
        assert abs(ln.left_mm - (LEFT_MM + 2 * CHAR_PITCH_MM)) < 0.6, (ln.text, ln.left_mm)
        assert ln.fonts == ({"LY-Hei"} if "、" in ln.text[:3] else {"LY-Kai"})
    xml = zipfile.ZipFile(io.BytesIO(scaffold_docx(info(kind)))).read("word/document.xml").decode()
    for p in re.findall(r'<w:p><w:pPr><w:pStyle w:val="Heading\d"/>.*?</w:p>', xml):
        numbered = re.search(r"<w:t[^>]*>(（|[一二三四五六]、)", p)
        assert ('w:firstLineChars="200"' in p) == bool(numbered), p


def test_the_docx_breaks_its_pages_where_the_pdf_does() -> None:
    """Item 8: report-scaffold-3 puts a page break at every block and table row that starts a
    page of the PDF, and no other."""
    i = info(ReportKind.RATING)
    starts = page_starts(i)
    assert len(starts) == len(measured(ReportKind.RATING)) - 1
    assert PageStart(1) in starts  # 声明 after the cover
    xml = zipfile.ZipFile(io.BytesIO(scaffold_docx(i))).read("word/document.xml").decode()
    assert xml.count("<w:pageBreakBefore/>") == len(starts)


TRIAL_NAME = "凌源市辽西北现代农业产业园区综合开发建设投资集团股份有限公司第一工程分公司"
LONG_SUBJECT = "凌源市恒通路桥建设工程集团股份有限公司第二分公司辽宁省朝阳市城关街道第十一项目部"


@pytest.mark.parametrize("name", [TRIAL_NAME, LONG_SUBJECT])
@pytest.mark.parametrize("kind", KINDS)
def test_the_cover_title_keeps_words_whole(kind: ReportKind, name: str) -> None:
    """Trial: the cover title broke "综合开 / 发" and "第一工程 / 分公司"; domain-rules §1.2."""
    from app.documents.linebreak import name_lines

    expected = name_lines(name, 16)
    assert len(expected) > 1
    scaffold = info(kind, name=name)
    cover = pages(scaffold_pdf(scaffold))[0]
    texts = [ln.text.replace(" ", "") for ln in cover]
    for line in expected:  # each expected line is a printed line of its own
        assert line in texts, (line, texts)
    docx = docx_text(scaffold_docx(scaffold))
    assert "\n".join(expected) in docx or all(line in docx for line in expected)


def test_the_purpose_leaves_no_lone_characters() -> None:
    """Trial: the 信用报告 purpose ended with "用）" alone on its last line."""
    long = replace(info(ReportKind.DECISION),
                   project_name="凌源市城南片区道路改造工程及配套给排水、供热、燃气管网和照明设施建设项目（一期）")
    texts = [ln.text.replace(" ", "") for ln in pages(scaffold_pdf(long))[0]]
    assert "（仅限本项目一次性使用）" in "".join(texts)
    assert not any(t in ("用）", "）") for t in texts), texts
    assert any(t.endswith("（仅限本项目一次性使用）") for t in texts), texts


def test_the_checkbox_instruction_stays_with_its_boxes() -> None:
    """Trial: "请在所选项前的方框内打“√”：" ended page 4 and its boxes began page 5 (PDF and DOCX,
    which breaks its pages where the PDF does)."""
    from app.documents.reports.content import scaffold_blocks
    from app.documents.reports.model import Para

    name = "凌源市城南片区道路改造工程及配套给排水供热燃气管"  # without the fix: ends page 4
    document = scaffold_pdf(replace(info(ReportKind.DECISION, name=name + "有限公司"), project_name=name))
    found = [n for n, page in enumerate(pages(document))
             if "方框内打" in "".join(ln.text for ln in page).replace(" ", "")]
    assert found, "instruction not printed"
    page = "".join(ln.text for ln in pages(document)[found[-1]]).replace(" ", "")
    assert "□" in page.split("方框内打")[-1], page
    intro = [b for b in scaffold_blocks(info(ReportKind.DECISION))
             if isinstance(b, Para) and "方框内打" in "".join(map(str, b.parts))]
    assert len(intro) == 1 and intro[0].keep_with_next
    assert "<w:keepNext/>" in zipfile.ZipFile(io.BytesIO(scaffold_docx(info(ReportKind.DECISION)))) \
        .read("word/document.xml").decode().split("方框内打")[0].rsplit("<w:p>", 1)[-1] \
        or "<w:keepNext/>" in zipfile.ZipFile(io.BytesIO(scaffold_docx(info(ReportKind.DECISION)))) \
        .read("word/document.xml").decode().split("方框内打")[0].rsplit("<w:p ", 1)[-1]
