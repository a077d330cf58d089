"""DOCX rendering of 信用承诺书 letters: the GB/T 9704 page of the PDF, editable in Word/WPS/LO.

The package starts from a small template built once per process (styles, settings, font table,
page-number footers, the A4 section). Each call reopens it with python-docx, appends the letters as
WordprocessingML, one section per copy, and saves with fixed zip timestamps: the same letters give
the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
import math
import re
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm

from app.documents.letter import Letter, LetterField
from app.documents.qr import qr_png

# --- Page geometry (domain-rules §1.1) ----------------------------------------------------------
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 37.0
MARGIN_BOTTOM_MM = 35.0
MARGIN_LEFT_MM = 28.0
MARGIN_RIGHT_MM = 26.0
LINE_PITCH_PT = 28.95
"""Fixed pitch of every body line: 22 lines fill the 225 mm text block."""
CHAR_PITCH_PT = 15.75
"""Body character pitch: 16 pt glyphs tracked -0.25 pt put 28 characters on the 156 mm line
(156 mm / 28 = 15.79 pt; -0.2 pt would still leave 27 in Word)."""
PAGE_NUMBER_GAP_MM = 7.0
"""The page-number line starts 7 mm below the text block (§1.2 页码)."""
PAGE_NUMBER_INDENT_MM = 5.57
"""空一字: one body character between the page number and the text-block edge (as the PDF)."""
HEADER_TOP_MM = 21.0
"""Top of the copy label in the 天头; label and number (two 20 pt lines) end above the 版心."""
SEAL_ROOM_MM = 45.0
"""Room for signature and seal between the last body line and the date line (§2.3)."""
SIGNATURE_INDENT_MM = 62.0
"""Start of the signature lines from the left of the text block (as the PDF)."""
QR_SIZE_MM = 20.0
QR_COLUMN_MM = 38.0
"""Left column of the signature block, holding the QR code and its caption."""

# --- Type (§1.1 sizes; fonts as Windows names them) ---------------------------------------------
TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号
SMALL_PT = 14.0  # 4号
CAPTION_PT = 10.5  # 五号
TITLE_LINE_PT = 34.0
TITLE_TRACKING_PT = 2.2
"""0.1 em between title characters, as the PDF."""
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋"
FONT_HEADING = "黑体"
FONT_KAI = "楷体"
FONT_SONG = "宋体"
FONT_LATIN = "Times New Roman"

AUTHOR = "凌源市信用文书服务"
"""Author and last editor in the core properties, so no person's or tool's name leaks."""
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
"""Timestamp of every zip member: the earliest DOS date, as reproducible builds use."""

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NSDECLS = f'xmlns:w="{_W_NS}" xmlns:r="{_R_NS}"'
_CHINESE_DIGITS = "零一二三四五六七八九"
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DATE_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def render_letters_docx(letters: Sequence[Letter]) -> bytes:
    """Render letters into one DOCX, each letter (copy) in its own section starting on a new page.

    Page numbers restart at "— 1 —" in every copy, since each copy is handed over on its own.

    Args:
        letters: the copies in print order, usually one letter with copy_label "承诺人留存" then
            "接受承诺单位留存"; a blank form is a letter with empty values.

    Returns:
        The DOCX bytes; the same letters always give the same bytes.

    Raises:
        ValueError: ``letters`` is empty.
    """
    if not letters:
        raise ValueError("没有可输出的承诺书")
    document = Document(io.BytesIO(_template_docx()))
    body = document.element.body
    last_sectPr = body.sectPr
    fragment = parse_xml(
        f"<w:body {_NSDECLS}>"
        + "".join(
            _letter_xml(letter, ends_section=n < len(letters))
            for n, letter in enumerate(letters, 1)
        )
        + "</w:body>"
    )
    for child in list(fragment):
        last_sectPr.addprevious(child)

    # Every copy but the last ends with a paragraph holding its section's w:sectPr. Later sections
    # inherit the footers ("linked to previous", as Word writes it) but each gets its own
    # first-page header: otherwise a copy would inherit the previous copy's label.
    breaks = [p for p in body.iter(qn("w:sectPr")) if p is not last_sectPr]
    for index, placeholder in enumerate(breaks):
        sectPr = copy.deepcopy(last_sectPr)
        if index > 0:
            _drop_footer_references(sectPr)
        placeholder.getparent().replace(placeholder, sectPr)
    if breaks:
        _drop_footer_references(last_sectPr)
    for section, letter in zip(document.sections, letters, strict=True):
        header = section.first_page_header
        header.is_linked_to_previous = False
        header_element = header.part.element
        for child in list(header_element):
            header_element.remove(child)
        for paragraph in parse_xml(f"<w:hdr {_NSDECLS}>{_first_page_header_xml(letter)}</w:hdr>"):
            header_element.append(paragraph)

    _insert_qr_codes(document, letters)
    _set_core_properties(document, letters[0])
    return _save_deterministic(document)


# --- One copy -----------------------------------------------------------------------------------


def _letter_xml(letter: Letter, ends_section: bool) -> str:
    """One copy's paragraphs, ending in a 1 pt paragraph (holding the section break if asked)."""
    parts: list[str] = []
    if letter.title:
        rpr = _rpr(FONT_TITLE, TITLE_PT, bold=True, tracking_pt=TITLE_TRACKING_PT)
        parts.append(
            _paragraph(
                _run(letter.title, rpr),
                align="center",
                line_pt=TITLE_LINE_PT,
                after_pt=4,
                keep_next=True,
            )
        )
    if letter.subtitle:
        parts.append(
            _paragraph(
                _run(letter.subtitle, _rpr(FONT_BODY, BODY_PT)),
                align="center",
                after_pt=6,
                keep_next=True,
            )
        )
    for n, field in enumerate(letter.fields, start=1):
        parts.append(_field_line(field, after_pt=4 if n == len(letter.fields) else 0))
    if letter.receiving_unit:
        # 主送机关 (§1.2): flush left with a full-width colon, directly above the text it addresses.
        parts.append(_paragraph(_run(letter.receiving_unit + "：", _body_rpr()), before_pt=4))
    texts = [letter.preamble] if letter.preamble else []
    texts += [
        _chinese_number(n) + "、" + clause for n, clause in enumerate(letter.clauses, start=1)
    ]
    if letter.closing:
        texts.append(letter.closing)
    for n, text in enumerate(texts, start=1):
        # The last body line travels with the signature block, so that signature and seal
        # share a page with the text (§1.3: no "此页无正文").
        parts.append(
            _paragraph(_run(text, _body_rpr()), first_line_chars=2, keep_next=n == len(texts))
        )
    parts.append(_signature_table(letter))
    # Word wants a paragraph after a table; at 1 pt it cannot push anything onto a new page.
    # An empty w:sectPr is a placeholder for the section break that render_letters_docx fills in.
    parts.append(
        '<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        f"<w:rPr>{_rpr(FONT_BODY, 1)}</w:rPr>{'<w:sectPr/>' if ends_section else ''}</w:pPr></w:p>"
    )
    return "".join(parts)


def _first_page_header_xml(letter: Letter) -> str:
    """Copy label (小标宋, boxed) above the number, both flush right in the 天头, as the PDF."""
    line_pt = 20.0
    label = ""
    if letter.copy_label:
        label = _run(letter.copy_label, _rpr(FONT_TITLE, SMALL_PT, boxed=True))
    number = _run("编号：" + letter.number, _rpr(FONT_BODY, SMALL_PT)) if letter.number else ""
    return _paragraph(label, align="right", line_pt=line_pt) + _paragraph(
        number, align="right", line_pt=line_pt
    )


def _field_line(field: LetterField, after_pt: float) -> str:
    """A field line, label：value, the value underlined to the right edge (blank: the bare line).

    The underline is an underlined tab to a right tab stop at the edge, so it ends exactly at the
    text block in every application; wrapped value lines hang under the value's first character.
    """
    label = field.label + "："
    label_twips = round(_width_chars(label) * CHAR_PITCH_PT * 20)
    underlined = _rpr(FONT_BODY, BODY_PT, underline=True)
    value = _run(field.value, underlined) if field.value else ""
    runs = (
        _run(label, _rpr(FONT_BODY, BODY_PT))
        + value
        + f"<w:r><w:rPr>{underlined}</w:rPr><w:tab/></w:r>"
    )
    return _paragraph(
        runs,
        align="left",
        tab_stop_twips=_text_width_twips(),
        hanging_twips=label_twips,
        after_pt=after_pt,
    )


def _signature_table(letter: Letter) -> str:
    """Borderless one-row table: QR code and "扫码验证" on the left, signature lines and date right.

    Blank lines keep at least SEAL_ROOM_MM between the last body line and the date line: one above
    the signature lines, the rest between them and the date, where the seal presses on both.
    The date stands 4 characters in from the right (§1.3 加盖印章).
    """
    text_width = _text_width_twips()
    left_width = _twips_from_mm(QR_COLUMN_MM)
    right_width = text_width - left_width
    seal_room_pt = SEAL_ROOM_MM * 72 / 25.4
    signature_count = len(letter.signature_lines)
    blank_lines = max(2, math.ceil(seal_room_pt / LINE_PITCH_PT - signature_count - 1e-9))
    indent_twips = max(0, _twips_from_mm(SIGNATURE_INDENT_MM) - left_width)

    right = [_paragraph("")]
    right += [
        _paragraph(_run(line, _body_rpr()), align="left", left_twips=indent_twips)
        for line in letter.signature_lines
    ]
    # 署名 centred over the date, the pair standing 4 characters in from the right (§1.3).
    block = max(_width_chars(letter.signer), _width_chars(letter.date_text))
    right += [_paragraph("")] * (blank_lines - (2 if letter.signer else 1))
    if letter.signer:
        right.append(_paragraph(_run(letter.signer, _body_rpr()), align="right",
                                right_chars=4 + (block - _width_chars(letter.signer)) / 2))
    date = _run(letter.date_text, _body_rpr()) if letter.date_text else ""
    right.append(_paragraph(date, align="right",
                            right_chars=4 + (block - _width_chars(letter.date_text)) / 2))

    if letter.verify_url:
        caption = _rpr(FONT_KAI, CAPTION_PT)
        # The empty w:drawing is a placeholder for the picture that _insert_qr_codes adds; the line
        # is auto-spaced because an exact 28.95 pt line would crop the 20 mm picture.
        left = _paragraph(
            f"<w:r><w:rPr>{_body_rpr()}</w:rPr><w:drawing/></w:r>",
            align="center",
            line_pt=None,
            before_pt=6,
        ) + _paragraph(_run("扫码验证", caption), align="center", line_pt=CAPTION_PT * 1.4)
        if letter.verification_code:
            left += _paragraph(
                _run("验证码：" + letter.verification_code, caption),
                align="center",
                line_pt=CAPTION_PT * 1.4,
            )
    else:
        left = _paragraph("")
    no_margins = "".join(
        f'<w:{side} w:w="0" w:type="dxa"/>' for side in ("top", "left", "bottom", "right")
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{text_width}" w:type="dxa"/><w:tblInd w:w="0" w:type="dxa"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{no_margins}</w:tblCellMar>'
        '<w:tblLook w:val="0000"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{left_width}"/><w:gridCol w:w="{right_width}"/></w:tblGrid>'
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        f'<w:tc><w:tcPr><w:tcW w:w="{left_width}" w:type="dxa"/></w:tcPr>{left}</w:tc>'
        f'<w:tc><w:tcPr><w:tcW w:w="{right_width}" w:type="dxa"/></w:tcPr>{"".join(right)}</w:tc>'
        "</w:tr></w:tbl>"
    )


# --- WordprocessingML snippets ------------------------------------------------------------------


def _fonts(east_asia: str, latin: str = FONT_LATIN) -> str:
    """w:rFonts naming the Chinese and the Latin font; w:hint="eastAsia" sets “ ” — … · in the
    Chinese font, as Chinese Word does."""
    return (
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}"'
        ' w:hint="eastAsia"/>'
    )


@functools.cache
def _rpr(
    east_asia: str,
    size_pt: float,
    *,
    bold: bool = False,
    underline: bool = False,
    boxed: bool = False,
    latin: str = FONT_LATIN,
    tracking_pt: float | None = None,
) -> str:
    """Run properties; every run carries its fonts itself, so no application falls back on its own.

    Body-size runs are tracked to CHAR_PITCH_PT unless ``tracking_pt`` says otherwise.
    """
    if tracking_pt is None:
        tracking_pt = CHAR_PITCH_PT - BODY_PT if size_pt == BODY_PT else 0.0
    xml = _fonts(east_asia, latin)
    if bold:
        xml += "<w:b/><w:bCs/>"
    if tracking_pt:
        xml += f'<w:spacing w:val="{round(tracking_pt * 20)}"/>'
    half_points = round(size_pt * 2)
    xml += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    if underline:
        xml += '<w:u w:val="single"/>'
    if boxed:
        xml += '<w:bdr w:val="single" w:sz="6" w:space="1" w:color="000000"/>'
    return xml


def _body_rpr() -> str:
    return _rpr(FONT_BODY, BODY_PT)


def _run(text: str, rpr: str) -> str:
    pieces = []
    for n, line in enumerate(_INVALID_XML_CHARS.sub("", text).split("\n")):
        if n:
            pieces.append("<w:br/>")
        if line:
            pieces.append(f'<w:t xml:space="preserve">{escape(line)}</w:t>')
    return f"<w:r><w:rPr>{rpr}</w:rPr>{''.join(pieces)}</w:r>"


def _paragraph(
    runs: str,
    *,
    align: str = "both",
    line_pt: float | None = LINE_PITCH_PT,
    before_pt: float = 0,
    after_pt: float = 0,
    first_line_chars: int = 0,
    right_chars: float = 0,
    left_twips: int = 0,
    hanging_twips: int = 0,
    tab_stop_twips: int = 0,
    keep_next: bool = False,
) -> str:
    """A paragraph; ``line_pt`` is an exact line height (None: single, for pictures).

    Character indents use w:firstLineChars/w:rightChars so they follow the font size.
    """
    ppr = "<w:keepNext/>" if keep_next else ""
    if tab_stop_twips:
        ppr += f'<w:tabs><w:tab w:val="right" w:pos="{tab_stop_twips}"/></w:tabs>'
    line = (
        f'w:line="{round(line_pt * 20)}" w:lineRule="exact"'
        if line_pt
        else 'w:line="240" w:lineRule="auto"'
    )
    ppr += (
        f'<w:spacing w:before="{round(before_pt * 20)}" w:after="{round(after_pt * 20)}" {line}/>'
    )
    char_twips = round(BODY_PT * 20)
    ind = ""
    if first_line_chars:
        ind += f' w:firstLineChars="{first_line_chars * 100}"'
        ind += f' w:firstLine="{first_line_chars * char_twips}"'
    if right_chars:
        ind += f' w:rightChars="{round(right_chars * 100)}" w:right="{round(right_chars * char_twips)}"'
    if left_twips or hanging_twips:
        ind += f' w:left="{left_twips + hanging_twips}"'
    if hanging_twips:
        ind += f' w:hanging="{hanging_twips}"'
    if ind:
        ppr += f"<w:ind{ind}/>"
    ppr += f'<w:jc w:val="{align}"/><w:rPr>{_body_rpr()}</w:rPr>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def _chinese_number(n: int) -> str:
    """Clause number: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < n < 100:
        raise ValueError(f"条款编号超出范围：{n}")
    tens, units = divmod(n, 10)
    text = (_CHINESE_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (_CHINESE_DIGITS[units] if units else "")


def _width_chars(text: str) -> float:
    """Printed width in body characters: ASCII counts 1/2, everything else 1."""
    return sum(0.5 if c.isascii() else 1.0 for c in text)


def _twips_from_mm(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _text_width_twips() -> int:
    return (
        _twips_from_mm(PAGE_WIDTH_MM)
        - _twips_from_mm(MARGIN_LEFT_MM)
        - _twips_from_mm(MARGIN_RIGHT_MM)
    )


def _drop_footer_references(sectPr: BaseOxmlElement) -> None:
    for reference in sectPr.findall(qn("w:footerReference")):
        sectPr.remove(reference)


# --- Package ------------------------------------------------------------------------------------


def _insert_qr_codes(document: DocxDocument, letters: Sequence[Letter]) -> None:
    """Fill each placeholder w:drawing, in letter order, with that letter's 20 mm QR code."""
    placeholders = [d for d in document.element.body.iter(qn("w:drawing")) if len(d) == 0]
    urls = [letter.verify_url for letter in letters if letter.verify_url]
    pngs: dict[str, bytes] = {}
    for placeholder, url in zip(placeholders, urls, strict=True):
        if url not in pngs:
            pngs[url] = qr_png(url)
        # Identical PNGs (two copies) share one image part: python-docx dedupes by SHA-1.
        inline = document.part.new_pic_inline(io.BytesIO(pngs[url]), Mm(QR_SIZE_MM), Mm(QR_SIZE_MM))
        inline.docPr.set("descr", "扫码验证二维码")
        placeholder.append(inline)


def _set_core_properties(document: DocxDocument, letter: Letter) -> None:
    """Title and number; created and modified from the 成文日期 (left out for a blank date)."""
    props = document.core_properties
    props.title = letter.title
    props.identifier = letter.number
    match = _DATE_TEXT.search(letter.date_text)
    if match:
        try:
            signed = dt.datetime(*map(int, match.groups()), tzinfo=dt.UTC)
        except ValueError:  # an impossible date such as 2月30日 is printed as given, not stamped
            return
        props.created = signed
        props.modified = signed


def _save_deterministic(document: DocxDocument) -> bytes:
    """Save, then rewrite the zip with fixed member timestamps (python-docx stamps the time)."""
    saved = io.BytesIO()
    document.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # otherwise the host OS is written into every entry
            target.writestr(info, source.read(member))
    return out.getvalue()


@functools.cache
def _template_docx() -> bytes:
    """A minimal DOCX (no theme, no 440 kB style sheet) that python-docx reopens cheaply."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, xml in _template_parts().items():
            package.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME), xml.encode("utf-8"))
    return out.getvalue()


def _template_parts() -> dict[str, str]:
    """Part name → XML of the template package."""
    declaration = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg_rels = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    lang = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    body_size = f'<w:sz w:val="{round(BODY_PT * 2)}"/><w:szCs w:val="{round(BODY_PT * 2)}"/>'
    page_number_pt = SMALL_PT  # 4号半角宋体
    # The page-number line, exactly 4号 high, starts PAGE_NUMBER_GAP_MM below the text block;
    # w:footer is the distance from the paper's bottom edge to the bottom of that line.
    footer_twips = _twips_from_mm(MARGIN_BOTTOM_MM - PAGE_NUMBER_GAP_MM) - round(
        page_number_pt * 20
    )

    def footer(align: str, side: str, shown: int) -> str:
        rpr = _rpr(FONT_SONG, page_number_pt, latin=FONT_SONG)

        def run(inner: str) -> str:
            return f"<w:r><w:rPr>{rpr}</w:rPr>{inner}</w:r>"

        return (
            f"{declaration}<w:ftr {_NSDECLS}><w:p><w:pPr>"
            '<w:spacing w:before="0" w:after="0"'
            f' w:line="{round(page_number_pt * 20)}" w:lineRule="exact"/>'
            f'<w:ind w:{side}="{_twips_from_mm(PAGE_NUMBER_INDENT_MM)}"/><w:jc w:val="{align}"/>'
            f"<w:rPr>{rpr}</w:rPr></w:pPr>"
            + run('<w:t xml:space="preserve">— </w:t>')
            + run('<w:fldChar w:fldCharType="begin"/>')
            + run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
            + run('<w:fldChar w:fldCharType="separate"/>')
            + run(f"<w:t>{shown}</w:t>")
            + run('<w:fldChar w:fldCharType="end"/>')
            + run('<w:t xml:space="preserve"> —</w:t>')
            + "</w:p></w:ftr>"
        )

    def font(name: str, alt: str, panose: str, family: str, pitch: str, charset: str = "86") -> str:
        """Font-table entry; charset 86 (GB2312) and altName guide substitution when missing."""
        alt_xml = f'<w:altName w:val="{alt}"/>' if alt else ""
        panose_xml = f'<w:panose1 w:val="{panose}"/>' if panose else ""
        return (
            f'<w:font w:name="{name}">{alt_xml}{panose_xml}<w:charset w:val="{charset}"/>'
            f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        )

    section = (
        '<w:sectPr><w:footerReference w:type="default" r:id="rId4"/>'
        '<w:footerReference w:type="even" r:id="rId5"/>'
        '<w:footerReference w:type="first" r:id="rId6"/>'
        f'<w:pgSz w:w="{_twips_from_mm(PAGE_WIDTH_MM)}" w:h="{_twips_from_mm(PAGE_HEIGHT_MM)}"/>'
        f'<w:pgMar w:top="{_twips_from_mm(MARGIN_TOP_MM)}"'
        f' w:right="{_twips_from_mm(MARGIN_RIGHT_MM)}"'
        f' w:bottom="{_twips_from_mm(MARGIN_BOTTOM_MM)}" w:left="{_twips_from_mm(MARGIN_LEFT_MM)}"'
        f' w:header="{_twips_from_mm(HEADER_TOP_MM)}" w:footer="{footer_twips}" w:gutter="0"/>'
        '<w:pgNumType w:start="1"/><w:cols w:space="425"/><w:titlePg/>'
        f'<w:docGrid w:linePitch="{round(LINE_PITCH_PT * 20)}"/></w:sectPr>'
    )
    footer_part = f'ContentType="{wml}.footer+xml"'
    return {
        "[Content_Types].xml": (
            f'{declaration}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels"'
            ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{wml}.document.main+xml"/>'
            f'<Override PartName="/word/styles.xml" ContentType="{wml}.styles+xml"/>'
            f'<Override PartName="/word/settings.xml" ContentType="{wml}.settings+xml"/>'
            f'<Override PartName="/word/fontTable.xml" ContentType="{wml}.fontTable+xml"/>'
            f'<Override PartName="/word/footer1.xml" {footer_part}/>'
            f'<Override PartName="/word/footer2.xml" {footer_part}/>'
            f'<Override PartName="/word/footer3.xml" {footer_part}/>'
            '<Override PartName="/docProps/core.xml"'
            ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f"{declaration}<Relationships {pkg_rels}>"
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Target="docProps/core.xml"'
            ' Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"/>'
            "</Relationships>"
        ),
        "word/_rels/document.xml.rels": (
            f"{declaration}<Relationships {pkg_rels}>"
            f'<Relationship Id="rId1" Type="{rel}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/settings" Target="settings.xml"/>'
            f'<Relationship Id="rId3" Type="{rel}/fontTable" Target="fontTable.xml"/>'
            f'<Relationship Id="rId4" Type="{rel}/footer" Target="footer1.xml"/>'
            f'<Relationship Id="rId5" Type="{rel}/footer" Target="footer2.xml"/>'
            f'<Relationship Id="rId6" Type="{rel}/footer" Target="footer3.xml"/>'
            "</Relationships>"
        ),
        "word/document.xml": (
            f"{declaration}<w:document {_NSDECLS}"
            ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
            ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
            ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f"<w:body>{section}</w:body></w:document>"
        ),
        "word/styles.xml": (
            f"{declaration}<w:styles {_NSDECLS}><w:docDefaults>"
            f"<w:rPrDefault><w:rPr>{_fonts(FONT_BODY)}{body_size}{lang}</w:rPr></w:rPrDefault>"
            '<w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:pPrDefault>'
            '</w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
            '<w:name w:val="Normal"/><w:qFormat/>'
            # No automatic space between Chinese and Latin text: the PDF has none either.
            '<w:pPr><w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
            '<w:spacing w:before="0" w:after="0"'
            f' w:line="{round(LINE_PITCH_PT * 20)}" w:lineRule="exact"/>'
            f'<w:jc w:val="both"/></w:pPr><w:rPr>{_body_rpr()}{lang}</w:rPr></w:style>'
            '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
            '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
            "<w:unhideWhenUsed/></w:style>"
            '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
            '<w:name w:val="Normal Table"/>'
            '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
            '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
            '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
            "</w:tblPr></w:style>"
            '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
            '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
            "</w:styles>"
        ),
        "word/settings.xml": (
            f'{declaration}<w:settings {_NSDECLS}><w:zoom w:percent="100"/>'
            '<w:defaultTabStop w:val="420"/>'
            '<w:evenAndOddHeaders/><w:characterSpacingControl w:val="doNotCompress"/>'
            "<w:compat><w:useFELayout/>"
            '<w:compatSetting w:name="compatibilityMode"'
            ' w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
            '</w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
            '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
        ),
        "word/fontTable.xml": (
            f"{declaration}<w:fonts {_NSDECLS}>"
            + font(FONT_LATIN, "", "02020603050405020304", "roman", "variable", charset="00")
            + font(FONT_TITLE, "FZXiaoBiaoSong-B05S", "", "auto", "variable")
            + font(FONT_BODY, "FangSong", "02010609060101010101", "modern", "fixed")
            + font(FONT_HEADING, "SimHei", "02010609060101010101", "modern", "fixed")
            + font(FONT_KAI, "KaiTi", "02010609060101010101", "modern", "fixed")
            + font(FONT_SONG, "SimSun", "02010600030101010101", "auto", "variable")
            + "</w:fonts>"
        ),
        # §1.2 页码: odd pages right, even pages left, one character in; a copy's first page is odd.
        "word/footer1.xml": footer("right", "right", 1),
        "word/footer2.xml": footer("left", "left", 2),
        "word/footer3.xml": footer("right", "right", 1),
        "docProps/core.xml": (
            f"{declaration}<cp:coreProperties"
            ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
            ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
            ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title/><dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR}</cp:lastModifiedBy>"
            "<cp:revision>1</cp:revision><dc:language>zh-CN</dc:language></cp:coreProperties>"
        ),
    }
