"""The shared WordprocessingML helpers: schema order, units, runs, paragraphs, the base package."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree

import pytest
from docx import Document

from app.documents import wordml
from app.documents.wordml import (
    BODY_PT,
    FONT_BODY,
    FONT_HEADING,
    NSDECLS,
    W_NS,
    ZIP_DATE_TIME,
    append_body_xml,
    base_template_parts,
    paragraph,
    rpr,
    run,
    save_deterministic,
    text_width_twips,
    twips_from_mm,
    width_chars,
    zip_parts,
)

W = f"{{{W_NS}}}"


def _element(tag: str, inner: str) -> ElementTree.Element:
    return ElementTree.fromstring(f"<w:{tag} {NSDECLS}>{inner}</w:{tag}>")


def _children(element: ElementTree.Element) -> list[str]:
    return [child.tag.removeprefix(W) for child in element]


def _attr(element: ElementTree.Element | None, name: str) -> str | None:
    assert element is not None
    return element.get(W + name)


def test_run_properties_keep_schema_order() -> None:
    xml = rpr(FONT_BODY, BODY_PT, bold=True, underline=True, boxed=True, color="C00000",
              highlight="yellow", style="FillIn")
    # CT_RPr sequence: rStyle, rFonts, b, bCs, color, spacing, sz, szCs, highlight, u, bdr.
    assert _children(_element("rPr", xml)) == [
        "rStyle", "rFonts", "b", "bCs", "color", "spacing", "sz", "szCs", "highlight", "u", "bdr",
    ]


def test_every_run_names_its_chinese_and_latin_font() -> None:
    fonts = _element("rPr", rpr(FONT_HEADING, 14)).find(W + "rFonts")
    assert (_attr(fonts, "eastAsia"), _attr(fonts, "ascii"), _attr(fonts, "hint")) == (
        FONT_HEADING, "Times New Roman", "eastAsia")


@pytest.mark.parametrize(
    ("size_pt", "tracking_pt", "spacing"),
    [(BODY_PT, None, "-5"), (14, None, None), (22, 2.2, "44"), (BODY_PT, 0.0, None)],
)
def test_body_size_is_tracked_to_28_characters_a_line(
    size_pt: float, tracking_pt: float | None, spacing: str | None
) -> None:
    element = _element("rPr", rpr(FONT_BODY, size_pt, tracking_pt=tracking_pt))
    found = element.find(W + "spacing")
    assert (None if found is None else _attr(found, "val")) == spacing


def test_size_is_in_half_points() -> None:
    assert _attr(_element("rPr", rpr(FONT_BODY, 10.5)).find(W + "sz"), "val") == "21"


def test_run_breaks_lines_escapes_and_drops_forbidden_characters() -> None:
    element = _element("body", run("A&B <c>\n第二行\x07", rpr(FONT_BODY, BODY_PT))).find(W + "r")
    assert element is not None
    assert _children(element) == ["rPr", "t", "br", "t"]
    assert [t.text for t in element.iter(W + "t")] == ["A&B <c>", "第二行"]


def test_paragraph_properties_keep_schema_order() -> None:
    xml = paragraph("", style="Heading1", keep_next=True, page_break_before=True, tab_stop_twips=8845,
                    first_line_chars=2)
    ppr = _element("body", xml).find(f"{W}p/{W}pPr")
    assert ppr is not None
    assert _children(ppr) == ["pStyle", "keepNext", "pageBreakBefore", "tabs", "spacing", "ind", "jc", "rPr"]


def test_paragraph_without_alignment_leaves_spacing_and_alignment_to_its_style() -> None:
    ppr = _element("body", paragraph("", style="Heading2", align=None)).find(f"{W}p/{W}pPr")
    assert ppr is not None
    assert _children(ppr) == ["pStyle", "rPr"]


@pytest.mark.parametrize(
    ("line_pt", "line", "rule"),
    [(wordml.LINE_PITCH_PT, "579", "exact"), (22.0, "440", "exact"), (None, "240", "auto")],
)
def test_paragraph_line_height(line_pt: float | None, line: str, rule: str) -> None:
    spacing = _element("body", paragraph("", line_pt=line_pt)).find(f"{W}p/{W}pPr/{W}spacing")
    assert (_attr(spacing, "line"), _attr(spacing, "lineRule")) == (line, rule)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"first_line_chars": 2}, {"firstLineChars": "200", "firstLine": "640"}),
        ({"right_chars": 4}, {"rightChars": "400", "right": "1280"}),
        ({"left_twips": 454, "hanging_twips": 800}, {"left": "1254", "hanging": "800"}),
        ({"left_twips": 1280}, {"left": "1280"}),
    ],
)
def test_paragraph_indents(kwargs: dict[str, int], expected: dict[str, str]) -> None:
    ind = _element("body", paragraph("", **kwargs)).find(f"{W}p/{W}pPr/{W}ind")
    assert ind is not None
    assert {k.removeprefix(W): v for k, v in ind.attrib.items()} == expected


def test_paragraph_without_indent_has_no_ind() -> None:
    assert _element("body", paragraph("")).find(f"{W}p/{W}pPr/{W}ind") is None


@pytest.mark.parametrize(("mm", "twips"), [(25.4, 1440), (210, 11906), (0, 0)])
def test_twips_from_mm(mm: float, twips: int) -> None:
    assert twips_from_mm(mm) == twips


def test_text_block_is_156_mm() -> None:
    assert text_width_twips() == 8845


@pytest.mark.parametrize(("text", "width"), [("编号：", 3.0), ("LYXY-CN", 3.5), ("", 0.0)])
def test_width_in_body_characters(text: str, width: float) -> None:
    assert width_chars(text) == width


@pytest.mark.parametrize("name", sorted(base_template_parts()))
def test_base_package_parts_are_well_formed(name: str) -> None:
    ElementTree.fromstring(base_template_parts()[name].encode("utf-8"))


def test_append_body_xml_keeps_the_section_last() -> None:
    document = Document(io.BytesIO(zip_parts(base_template_parts())))
    append_body_xml(document, paragraph(run("一", rpr(FONT_BODY, BODY_PT))) + paragraph(""))
    assert [child.tag.removeprefix(W) for child in document.element.body] == ["p", "p", "sectPr"]


def test_saved_package_is_reproducible() -> None:
    def build() -> bytes:
        document = Document(io.BytesIO(zip_parts(base_template_parts())))
        append_body_xml(document, paragraph(run("承诺", rpr(FONT_BODY, BODY_PT))))
        return save_deterministic(document)

    first = build()
    assert first == build()
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert {member.date_time for member in package.infolist()} == {ZIP_DATE_TIME}
