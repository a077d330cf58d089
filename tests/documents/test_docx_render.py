"""DOCX letters: GB/T 9704 page, fonts on every run, content order, copies, QR code, page number."""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from PIL import Image
from pypdf import PdfReader

from app.documents import docx_render
from app.documents.docx_render import render_letters_docx
from app.documents.letter import Letter, LetterField

CLAUSES = (
    "承诺本单位提供的所有资料均合法、真实、有效，并对所提供资料的真实性负责",
    "承诺本单位严格按照国家法律、法规和规章开展相关经济活动，全面履行应尽的责任和义务",
    "承诺本单位不违约毁约，守合同、重信用，维护经营者、消费者的合法权益",
    "承诺本单位自觉接受行业管理部门、行业组织、社会公众、新闻舆论的监督",
    "承诺本单位自愿将信用承诺信息和失信信息纳入社会信用信息共享交换平台并向社会公示",
    "在施工许可办理后六个月内补齐“消防验收备案”材料",  # the extra, matter-specific clause
)
NUMERALS = ("一", "二", "三", "四", "五", "六")
COPY_LABELS = ("承诺人留存", "接受承诺单位留存")
VERIFY_URL = "https://xy.lingyuan.gov.cn/verify/LYXY-CN-2026-000123K?c=7Q2M9KXD"
SEAL_ROOM_TWIPS = Mm(45).twips


@pytest.fixture(scope="module")
def unit_letter() -> Letter:
    return Letter(
        title="信用承诺书",
        subtitle="（适用于项目审批、核准、备案）",
        fields=(
            LetterField("承诺主体名称", "凌源市示例建筑工程有限公司"),
            LetterField("统一社会信用代码", "91211382MA0Y8K7Q3B"),
            LetterField("法定代表人（负责人）", "欧阳明"),
            LetterField("承诺事项", "凌源市城南片区道路改造工程施工许可"),
        ),
        preamble="为维护公平竞争的市场秩序，营造诚实守信的社会环境，本单位就上述事项郑重承诺如下：",
        clauses=CLAUSES,
        closing="本承诺书自签署之日起生效。",
        signature_lines=("承诺单位（盖章）：", "法定代表人（负责人）（签字）："),
        date_text="2026年3月7日",
        number="LYXY-CN-2026-000123K",
        verification_code="7Q2M9KXD",
        verify_url=VERIFY_URL,
        receiving_unit="凌源市住房和城乡建设局",
    )


@pytest.fixture(scope="module")
def unit_copies(unit_letter: Letter) -> list[Letter]:
    return [replace(unit_letter, copy_label=label) for label in COPY_LABELS]


@pytest.fixture(scope="module")
def blank_letter(unit_letter: Letter) -> Letter:
    return replace(
        unit_letter,
        fields=tuple(LetterField(f.label, "") for f in unit_letter.fields),
        date_text="\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
        number="",
        verification_code="",
        verify_url="",
        receiving_unit="",
    )


@pytest.fixture(scope="module")
def unit_docx(unit_copies: list[Letter]) -> bytes:
    return render_letters_docx(unit_copies)


@pytest.fixture(scope="module")
def blank_docx(blank_letter: Letter) -> bytes:
    return render_letters_docx([blank_letter])


def _open(data: bytes):
    return Document(io.BytesIO(data))


def _story_parts(document):
    """The document body and every header and footer part."""
    kinds = ("document.main+xml", "header+xml", "footer+xml")
    return [p for p in document.part.package.iter_parts() if p.content_type.endswith(kinds)]


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _section_of_each_body_paragraph(document) -> list[tuple[int, str]]:
    """(section index, text) per body paragraph; a paragraph holding w:sectPr ends its section."""
    section, out = 0, []
    for p in document.element.body.iter(qn("w:p")):
        out.append((section, "".join(t.text or "" for t in p.iter(qn("w:t")))))
        if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    return out


@pytest.mark.parametrize("which", ["unit_docx", "blank_docx"])
def test_every_section_is_a4_with_gbt9704_margins(
    which: str, request: pytest.FixtureRequest
) -> None:
    document = _open(request.getfixturevalue(which))
    sections = list(document.sections)
    assert len(sections) == (2 if which == "unit_docx" else 1)
    for section in sections:
        assert section.page_width.twips == 11906
        assert section.page_height.twips == 16838
        assert section.top_margin.twips == 2098  # 37 mm
        assert section.bottom_margin.twips == 1984  # 35 mm
        assert section.left_margin.twips == 1587  # 28 mm
        assert section.right_margin.twips == 1474  # 26 mm
        assert section.start_type == WD_SECTION.NEW_PAGE


@pytest.mark.parametrize("which", ["unit_docx", "blank_docx"])
def test_every_run_names_its_east_asian_and_latin_font(
    which: str, request: pytest.FixtureRequest
) -> None:
    document = _open(request.getfixturevalue(which))
    parts = _story_parts(document)
    assert {p.partname.split("/")[-1][:6] for p in parts} >= {"docume", "header", "footer"}
    runs = 0
    for part in parts:
        for run in part.element.iter(qn("w:r")):
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            assert fonts is not None, f"run without w:rFonts in {part.partname}"
            assert fonts.get(qn("w:eastAsia"))
            assert fonts.get(qn("w:ascii"))
            assert fonts.get(qn("w:hAnsi"))
            runs += 1
    assert runs > 30


def test_defaults_declare_chinese_fonts_and_language(unit_docx: bytes) -> None:
    styles = zipfile.ZipFile(io.BytesIO(unit_docx)).read("word/styles.xml").decode()
    defaults = styles[styles.index("<w:docDefaults>") : styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="仿宋"' in defaults
    assert 'w:ascii="Times New Roman"' in defaults
    assert 'w:eastAsia="zh-CN"' in defaults
    assert 'w:sz w:val="32"' in defaults


def test_body_is_3hao_fangsong_on_fixed_28_95pt_lines_indented_two_characters(
    unit_docx: bytes,
) -> None:
    document = _open(unit_docx)
    body = [p for p in document.paragraphs if p.text.startswith(("为维护", *NUMERALS, "本承诺书"))]
    assert len(body) == 2 * (1 + len(CLAUSES) + 1)
    for paragraph in body:
        fmt = paragraph.paragraph_format
        assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert fmt.line_spacing == Twips(579) == Pt(28.95)
        ind = paragraph._p.pPr.find(qn("w:ind"))
        assert ind.get(qn("w:firstLineChars")) == "200"
        for run in paragraph.runs:
            assert run.font.size == Pt(16)
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"


def test_title_is_centred_2hao_xiaobiaosong(unit_docx: bytes) -> None:
    document = _open(unit_docx)
    titles = [p for p in document.paragraphs if p.text == "信用承诺书"]
    assert len(titles) == 2
    for title in titles:
        assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
        (run,) = title.runs
        assert run.font.size == Pt(22)
        assert run.font.bold
        assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    subtitle = document.paragraphs[1]
    assert subtitle.text == "（适用于项目审批、核准、备案）"
    assert subtitle.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert subtitle.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"  # as the PDF: body face


def test_clauses_are_numbered_as_text_in_order_in_each_copy(unit_docx: bytes) -> None:
    document = _open(unit_docx)
    expected = [f"{n}、{clause}" for n, clause in zip(NUMERALS, CLAUSES, strict=True)]
    numbered = [t for t in _texts(document) if t.startswith(NUMERALS) and "、" in t[:3]]
    assert numbered == expected + expected
    assert document.element.body.find(f".//{qn('w:numPr')}") is None  # no Word auto-numbering


def test_addressee_stands_flush_left_right_before_the_preamble(unit_docx: bytes) -> None:
    texts = _texts(_open(unit_docx))
    i = texts.index("凌源市住房和城乡建设局：")
    assert texts[i + 1].startswith("为维护公平竞争")
    assert texts[i - 1].startswith("承诺事项：")
    paragraph = _open(unit_docx).paragraphs[i]
    assert paragraph.paragraph_format.first_line_indent in (None, 0)


def test_each_copy_is_its_own_section_with_its_label_and_number(unit_docx: bytes) -> None:
    document = _open(unit_docx)
    by_section = _section_of_each_body_paragraph(document)
    titles = [section for section, text in by_section if text == "信用承诺书"]
    assert titles == [0, 1]  # the second copy starts after a next-page section break
    for section, label in zip(document.sections, COPY_LABELS, strict=True):
        assert section.different_first_page_header_footer
        header = [p.text for p in section.first_page_header.paragraphs]
        assert header == [label, "编号：LYXY-CN-2026-000123K"]
        assert not section.first_page_header.is_linked_to_previous
    assert document.sections[1].footer.is_linked_to_previous  # same page-number footers


def test_blank_letter_has_no_number_code_or_picture(blank_docx: bytes) -> None:
    document = _open(blank_docx)
    everything = "\n".join(
        "".join(t.text or "" for t in part.element.iter(qn("w:t")))
        for part in _story_parts(document)
    )
    assert "编号" not in everything
    assert "验证码" not in everything
    assert "扫码" not in everything
    assert len(document.inline_shapes) == 0
    assert not any(
        name.startswith("word/media/")
        for name in zipfile.ZipFile(io.BytesIO(blank_docx)).namelist()
    )


def test_blank_fields_are_underlined_lines_to_the_right_edge(blank_docx: bytes) -> None:
    document = _open(blank_docx)
    fields = [p for p in document.paragraphs if p.text.startswith("承诺主体名称：")]
    assert len(fields) == 1
    (paragraph,) = fields
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert [stop.position for stop in paragraph.paragraph_format.tab_stops] == [text_width]
    last = paragraph.runs[-1]
    assert last.font.underline
    assert last._r.find(qn("w:tab")) is not None
    assert paragraph.text == "承诺主体名称：\t"


def test_filled_letter_prints_code_and_a_20mm_qr_code_in_each_copy(unit_docx: bytes) -> None:
    document = _open(unit_docx)
    texts = _texts(document)
    cells = [
        p.text for table in document.tables for cell in table.rows[0].cells for p in cell.paragraphs
    ]
    assert cells.count("验证码：7Q2M9KXD") == 2
    assert cells.count("扫码验证") == 2
    assert "验证码：7Q2M9KXD" not in texts  # in the signature table, not loose in the body
    shapes = document.inline_shapes
    assert len(shapes) == 2
    for shape in shapes:
        assert abs(shape.width.mm - 20) < 0.01
        assert abs(shape.height.mm - 20) < 0.01
    media = [
        n for n in zipfile.ZipFile(io.BytesIO(unit_docx)).namelist() if n.startswith("word/media/")
    ]
    assert len(media) == 1  # both copies show the same picture part
    png = Image.open(io.BytesIO(zipfile.ZipFile(io.BytesIO(unit_docx)).read(media[0])))
    assert png.format == "PNG"
    assert png.width == png.height >= 200


def test_signature_block_leaves_45mm_for_signature_and_seal(unit_docx: bytes) -> None:
    document = _open(unit_docx)
    for table in document.tables:
        right = table.rows[0].cells[1].paragraphs
        assert [p.text for p in right if p.text][:2] == [
            "承诺单位（盖章）：",
            "法定代表人（负责人）（签字）：",
        ]
        date = right[-1]
        assert date.text == "2026年3月7日"
        assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        assert date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "400"  # 右空四字
        above_date = sum(p.paragraph_format.line_spacing.twips for p in right[:-1])
        assert all(p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY for p in right)
        assert above_date >= SEAL_ROOM_TWIPS
        row = table.rows[0]._tr
        assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    closings = [p for p in document.paragraphs if p.text == "本承诺书自签署之日起生效。"]
    assert closings
    assert all(p.paragraph_format.keep_with_next for p in closings)


def test_footers_hold_page_field_right_on_odd_left_on_even_pages(unit_docx: bytes) -> None:
    document = _open(unit_docx)
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.first_page_footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == alignment
        instructions = [t.text for t in paragraph._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions] == ["PAGE"]
        assert paragraph.text.startswith("— ")
        assert paragraph.text.endswith(" —")
        for run in paragraph.runs:
            assert run.font.size == Pt(14)
            assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    sectPr = section._sectPr
    assert sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_core_properties_name_the_service_not_a_person_or_tool(unit_docx: bytes) -> None:
    props = _open(unit_docx).core_properties
    assert props.title == "信用承诺书"
    assert props.author == props.last_modified_by == "凌源市信用文书服务"
    assert props.language == "zh-CN"
    assert props.identifier == "LYXY-CN-2026-000123K"
    assert props.created.date().isoformat() == "2026-03-07" == props.modified.date().isoformat()
    package = zipfile.ZipFile(io.BytesIO(unit_docx))
    for name in package.namelist():
        assert b"python-docx" not in package.read(name), name


def test_same_letters_give_the_same_bytes(unit_copies: list[Letter], unit_docx: bytes) -> None:
    assert render_letters_docx(unit_copies) == unit_docx
    infos = zipfile.ZipFile(io.BytesIO(unit_docx)).infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_text_is_escaped_and_control_characters_dropped(unit_letter: Letter) -> None:
    odd = replace(unit_letter, clauses=("A&B <c> \x07“引号”",), receiving_unit="")
    document = _open(render_letters_docx([odd]))
    assert "一、A&B <c> “引号”" in _texts(document)


@pytest.mark.parametrize(
    ("n", "numeral"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"), (99, "九十九")],
)
def test_clause_numerals(n: int, numeral: str) -> None:
    assert docx_render._chinese_number(n) == numeral


def test_no_letters_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_letters_docx([])


def test_module_imports_nothing_from_flask() -> None:
    tree = ast.parse(Path(docx_render.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "flask" for name in imported)


def _pdf_pages(docx: bytes, tmp_path: Path, name: str) -> int:
    source = tmp_path / f"{name}.docx"
    source.write_bytes(docx)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return len(PdfReader(tmp_path / f"{name}.pdf").pages)


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_libreoffice_starts_each_copy_on_a_new_page(
    unit_letter: Letter, unit_docx: bytes, tmp_path: Path
) -> None:
    one = _pdf_pages(render_letters_docx([unit_letter]), tmp_path, "one")
    two = _pdf_pages(unit_docx, tmp_path, "two")
    assert two == 2 * one
    short = replace(unit_letter, clauses=CLAUSES[:2], fields=unit_letter.fields[:2])
    assert _pdf_pages(render_letters_docx([short, short]), tmp_path, "short") == 2
