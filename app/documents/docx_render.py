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
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement

from app.documents.docx_fonts import PDF_FONT_ROLES, embed_fonts
from app.documents.letter import Letter, LetterField
from app.documents.qr import qr_png
from app.documents.signoff import balanced_lines, signer_room
from app.documents.wordml import (
    BODY_PT,
    CAPTION_PT,
    CHAR_PITCH_PT,
    FONT_BODY,
    FONT_HEADING,
    FONT_KAI,
    FONT_TITLE,
    LINE_PITCH_PT,
    NSDECLS,
    PICTURE_PLACEHOLDER,
    SMALL_PT,
    TITLE_PT,
    append_body_xml,
    base_template_parts,
    body_rpr,
    grid_rpr,
    insert_picture,
    paragraph,
    rpr,
    run,
    save_deterministic,
    text_width_twips,
    twips_from_mm,
    width_chars,
    zip_parts,
)

SEAL_ROOM_MM = 45.0
"""Room for signature and seal between the last body line and the date line (§2.3)."""
SIGNATURE_INDENT_MM = 62.0
"""Start of the signature lines from the left of the text block (as the PDF)."""
QR_SIZE_MM = 20.0
QR_COLUMN_MM = 38.0
"""Left column of the signature block, holding the QR code and its caption."""
GRID_QR_MM = 32.0
GRID_QR_QUIET_ZONE = 4
GRID_QR_COLUMN_MM = 40.0
GRID_CAPTION_LINE_PT = 14.0
GRID_SIGNATURE_LINES = 5
SIGNER_CHARS = 16
"""letters-4: the 署名's lines are at most this wide, as in commitment v5's markup."""
GRID_VERIFY_CAPTION = "扫码核验真伪"
GRID_CODE_LABEL = "验证码："
"""letters-3, as the v4 PDF (letter.css .verify, .signature; letter.html): a 32 mm QR code with
ISO/IEC 18004's 4-module quiet zone in a 40 mm column, captions 五号 on 14 pt lines, a signature
block of at least 5 lines. v4's markup prints the caption and code label itself; a later version
that puts them in its wording.json (``verify_caption``, ``code_label``) is printed with those."""
TITLE_LINE_PT = 34.0
TITLE_TRACKING_PT = 2.2
"""0.1 em between title characters, as the PDF."""

_CHINESE_DIGITS = "零一二三四五六七八九"
_DATE_TEXT = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")




def render_letters_docx(letters: Sequence[Letter], *, layout: str = "letters-2") -> bytes:
    """Render letters into one DOCX, each letter (copy) in its own section starting on a new page.

    Page numbers restart at "— 1 —" in every copy, since each copy is handed over on its own.

    Layouts letters-1 and letters-2 (the same code: letters-1 versions have no open lines) put the
    copy label and number in the 天头 and track the body to 28 characters; letters-3 is the PDF of
    commitment v4 on GB/T 9704's 28 × 22 document grid: label and number in the 版心's first lines,
    the PDF's faces, the wording's QR caption, and the faces' subsets embedded (docx_fonts).

    Args:
        letters: the copies in print order, usually one letter with copy_label "承诺人留存" then
            "接受承诺单位留存"; a blank form is a letter with empty values.
        layout: "letters-1", "letters-2", "letters-3" or "letters-4" (letters-3 with the 署名
            of commitment v5 in balanced lines, a title off the grid and simple punctuation
            wrap, so that LibreOffice prints it as the PDF).

    Returns:
        The DOCX bytes; the same letters always give the same bytes.

    Raises:
        ValueError: ``letters`` is empty.
    """
    if not letters:
        raise ValueError("没有可输出的承诺书")
    grid = layout in ("letters-3", "letters-4")
    v5 = layout == "letters-4"
    document = Document(io.BytesIO(_template_docx(grid, simple_wrap=v5)))
    body = document.element.body
    last_sectPr = body.sectPr
    append_body_xml(
        document,
        "".join(
            _letter_xml(letter, ends_section=n < len(letters), grid=grid, v5=v5)
            for n, letter in enumerate(letters, 1)
        ),
    )

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
        header_xml = paragraph("", line_pt=20.0) if grid else _first_page_header_xml(letter)
        for element in parse_xml(f"<w:hdr {NSDECLS}>{header_xml}</w:hdr>"):
            header_element.append(element)

    _insert_qr_codes(document, letters, grid)
    _set_core_properties(document, letters[0])
    docx = save_deterministic(document)
    return embed_fonts(docx, PDF_FONT_ROLES) if grid else docx


# --- One copy -----------------------------------------------------------------------------------


def _letter_xml(letter: Letter, ends_section: bool, grid: bool = False, v5: bool = False) -> str:
    """One copy's paragraphs, ending in a 1 pt paragraph (holding the section break if asked).
    ``v5`` (letters-4): the title off the document grid, the 署名 in balanced lines."""
    parts: list[str] = []
    body = grid_rpr(FONT_BODY, BODY_PT) if grid else body_rpr()
    if grid:
        parts.append(_grid_head_xml(letter))
    if grid and letter.title:
        # 2号小标宋, not bold (小标宋 is heavy already), untracked so the title reads as one word.
        # letters-4: off the grid, exactly one line: LibreOffice gives a snapped 22 pt line two
        # grid lines whatever its exact height, and the page then breaks a clause later.
        parts.append(paragraph(run(letter.title, grid_rpr(FONT_TITLE, TITLE_PT)), align="center",
                               keep_next=True, mark_rpr=grid_rpr(FONT_TITLE, TITLE_PT),
                               snap_to_grid=not v5))
    elif letter.title:
        title_rpr = rpr(FONT_TITLE, TITLE_PT, bold=True, tracking_pt=TITLE_TRACKING_PT)
        parts.append(
            paragraph(
                run(letter.title, title_rpr),
                align="center",
                line_pt=TITLE_LINE_PT,
                after_pt=4,
                keep_next=True,
            )
        )
    if letter.subtitle:
        parts.append(
            paragraph(
                run(letter.subtitle, body if grid else rpr(FONT_BODY, BODY_PT)),
                align="center",
                after_pt=0 if grid else 6,
                keep_next=True,
            )
        )
    for n, field in enumerate(letter.fields, start=1):
        parts.append(_field_line(field, after_pt=4 if n == len(letter.fields) and not grid else 0,
                                 grid=grid))
    if letter.receiving_unit:
        # 主送机关 (§1.2): flush left with a full-width colon, directly above the text it addresses.
        parts.append(paragraph(run(letter.receiving_unit + "：", body),
                               before_pt=0 if grid else 4))
    elif grid:
        # A blank form of letters-3: a line to write the receiving unit's name on, as the PDF.
        parts.append(paragraph(run("\u3000" * 14, grid_rpr(FONT_BODY, BODY_PT, underline=True))
                               + run("：", body), before_pt=0))
    parts += _body(letter, grid)
    parts.append(_grid_signature_xml(letter, v5) if grid else _signature_table(letter))
    # Word wants a paragraph after a table; at 1 pt it cannot push anything onto a new page.
    # An empty w:sectPr is a placeholder for the section break that render_letters_docx fills in.
    free = '<w:snapToGrid w:val="0"/>' if grid else ""
    parts.append(
        f"<w:p><w:pPr>{free}"
        '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
        f"<w:rPr>{rpr(FONT_BODY, 1)}</w:rPr>{'<w:sectPr/>' if ends_section else ''}</w:pPr></w:p>"
    )
    return "".join(parts)


def _grid_head_xml(letter: Letter) -> str:
    """版头 of letters-3, as the v4 PDF: the copy label where GB/T 9704 puts the 份号 (版心 line 1,
    flush left, 3号黑体), the 编号 on the next line, flush left."""
    xml = ""
    if letter.copy_label:
        xml += paragraph(run(letter.copy_label, grid_rpr(FONT_HEADING, BODY_PT)), align="left",
                         keep_next=True)
    if letter.number:
        xml += paragraph(run("编号：" + letter.number, grid_rpr(FONT_BODY, BODY_PT)),
                         align="left", keep_next=True)
    return xml


def _first_page_header_xml(letter: Letter) -> str:
    """Copy label (小标宋, boxed) above the number, both flush right in the 天头, as the PDF."""
    line_pt = 20.0
    label = ""
    if letter.copy_label:
        label = run(letter.copy_label, rpr(FONT_TITLE, SMALL_PT, boxed=True))
    number = run("编号：" + letter.number, rpr(FONT_BODY, SMALL_PT)) if letter.number else ""
    return paragraph(label, align="right", line_pt=line_pt) + paragraph(
        number, align="right", line_pt=line_pt
    )


def _field_line(field: LetterField, after_pt: float, grid: bool = False) -> str:
    """A field line, label：value, the value underlined to the right edge (blank: the bare line).

    The underline is an underlined tab to a right tab stop at the edge, so it ends exactly at the
    text block in every application; wrapped value lines hang under the value's first character.
    """
    label = field.label + "："
    label_twips = round(width_chars(label) * CHAR_PITCH_PT * 20)
    if grid:  # as the v4 PDF: wrapped lines 2 characters in
        label_twips = round(2 * CHAR_PITCH_PT * 20)
    type_rpr = grid_rpr if grid else rpr
    underlined = type_rpr(FONT_BODY, BODY_PT, underline=True)
    value = run(field.value, underlined) if field.value else ""
    runs = (
        run(label, type_rpr(FONT_BODY, BODY_PT))
        + value
        + f"<w:r><w:rPr>{underlined}</w:rPr><w:tab/></w:r>"
    )
    return paragraph(
        runs,
        align="left",
        tab_stop_twips=text_width_twips(),
        hanging_twips=label_twips,
        after_pt=after_pt,
    )


def _body(letter: Letter, grid: bool) -> list[str]:
    """Preamble, numbered clauses, the open item's ruled lines (layout letters-2) and closing."""
    texts = [letter.preamble] if letter.preamble else []
    texts += [
        _chinese_number(n) + "、" + clause for n, clause in enumerate(letter.clauses, start=1)
    ]
    body_run = grid_rpr(FONT_BODY, BODY_PT) if grid else body_rpr()
    body = [paragraph(run(text, body_run), first_line_chars=2) for text in texts]
    if letter.open_lines:
        body.append(_open_item(_chinese_number(len(letter.clauses) + 1), letter.open_lines, grid))
    if letter.closing:
        body.append(paragraph(run(letter.closing, body_run), first_line_chars=2))
    if body and not grid:
        # The last body line travels with the signature block, so that signature and seal
        # share a page with the text (§1.3: no "此页无正文"). No body paragraph has a style,
        # so w:keepNext is the first child of its w:pPr (schema order).
        body[-1] = _keep_with_next(body[-1])
    return body


def _keep_with_next(paragraph_xml: str) -> str:
    """``paragraph_xml`` (its last w:p, without w:pStyle) kept on the page of what follows."""
    head, sep, tail = paragraph_xml.rpartition("<w:pPr>")
    if "<w:keepNext/>" in tail.split("</w:pPr>", 1)[0]:
        return paragraph_xml
    return head + sep + "<w:keepNext/>" + tail


def _open_item(numeral: str, lines: int, grid: bool) -> str:
    """The open item (policy 五(二)6 written in by hand, layout letters-2): its numeral 2
    characters in, then ``lines`` ruled lines, the first from after the numeral, the others
    across the text block; the lines keep together on one page.

    A ruled line is an underlined tab to a right tab stop at the edge, as a blank field's.
    """
    underlined = (grid_rpr if grid else rpr)(FONT_BODY, BODY_PT, underline=True)
    rule = f"<w:r><w:rPr>{underlined}</w:rPr><w:tab/></w:r>"
    edge = text_width_twips()
    body_run = grid_rpr(FONT_BODY, BODY_PT) if grid else body_rpr()
    first = paragraph(run(numeral + "、", body_run) + rule, align="left", first_line_chars=2,
                      tab_stop_twips=edge, keep_next=lines > 1)
    rest = [paragraph(rule, align="left", tab_stop_twips=edge, keep_next=n < lines)
            for n in range(2, lines + 1)]
    return first + "".join(rest)


def _grid_signature_xml(letter: Letter, v5: bool = False) -> str:
    """Signature block of letters-3, line for line the v4 PDF's: a blank line, then a borderless
    row: on the left (40 mm) the QR code (26 mm, 4-module quiet zone) a line down with the
    wording's caption and code; on the right the signature lines 8 characters in from the text
    block's left edge, a blank line, the 署名 centred over the 成文日期 4 characters in from the
    right (§1.3), at least 5 lines in all. The row never splits across pages."""
    text_width = text_width_twips()
    left_width = twips_from_mm(GRID_QR_COLUMN_MM)
    right_width = text_width - left_width
    body = grid_rpr(FONT_BODY, BODY_PT)
    indent_twips = round(8 * CHAR_PITCH_PT * 20) - left_width
    right = [paragraph(run(line, body), align="left", left_twips=indent_twips)
             for line in letter.signature_lines]
    right.append(paragraph(""))
    if v5:
        right += _v5_sign_off(letter, body)
    else:
        block = max(width_chars(letter.signer), width_chars(letter.date_text))
        right.append(paragraph(run(letter.signer, body) if letter.signer else "", align="right",
                               right_chars=4 + (block - width_chars(letter.signer)) / 2))
        right.append(paragraph(run(letter.date_text, body) if letter.date_text else "",
                               align="right",
                               right_chars=4 + (block - width_chars(letter.date_text)) / 2))
    right += [paragraph("")] * max(0, GRID_SIGNATURE_LINES - len(right))
    left = paragraph("")
    if letter.verify_url:
        left += _grid_verify_xml(letter)
    return paragraph("") + _borderless_row(left_width, left, right_width, "".join(right))


def _v5_sign_off(letter: Letter, body: str) -> list[str]:
    """署名 and 成文日期 of letters-4, as the v5 PDF (GB/T 9704 7.3.5, domain-rules §1.3 with
    seal): the date right-indented 4 characters; the 署名 in the PDF's lines
    (signoff.balanced_lines within signoff.signer_room), each centred on the date's centre and
    moved left only where it would pass the 版心's right edge."""
    names = balanced_lines(letter.signer, signer_room(letter.date_text, SIGNER_CHARS))
    date_width = width_chars(letter.date_text)
    out = [paragraph(run(name, body), align="right",
                     right_chars=max(0.0, 4 + (date_width - width_chars(name)) / 2))
           for name in names]
    if not names:
        out.append(paragraph(""))
    out.append(paragraph(run(letter.date_text, body) if letter.date_text else "", align="right",
                         right_chars=4))
    return out


def _borderless_row(left_width: int, left: str, right_width: int, right: str) -> str:
    """A one-row table without borders or cell margins that never splits."""
    no_margins = "".join(
        f'<w:{side} w:w="0" w:type="dxa"/>' for side in ("top", "left", "bottom", "right")
    )
    return (
        f'<w:tbl><w:tblPr><w:tblW w:w="{left_width + right_width}" w:type="dxa"/>'
        '<w:tblInd w:w="0" w:type="dxa"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{no_margins}</w:tblCellMar>'
        '<w:tblLook w:val="0000"/></w:tblPr>'
        f'<w:tblGrid><w:gridCol w:w="{left_width}"/><w:gridCol w:w="{right_width}"/></w:tblGrid>'
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
        f'<w:tc><w:tcPr><w:tcW w:w="{left_width}" w:type="dxa"/></w:tcPr>{left}</w:tc>'
        f'<w:tc><w:tcPr><w:tcW w:w="{right_width}" w:type="dxa"/></w:tcPr>{right}</w:tc>'
        "</w:tr></w:tbl>"
    )


def _signature_table(letter: Letter, grid: bool = False) -> str:
    """Borderless one-row table: QR code and "扫码验证" on the left, signature lines and date right
    (letters-3: the caption and code label of the wording, in the PDF's faces).

    Blank lines keep at least SEAL_ROOM_MM between the last body line and the date line: one above
    the signature lines, the rest between them and the date, where the seal presses on both.
    The date stands 4 characters in from the right (§1.3 加盖印章).
    """
    text_width = text_width_twips()
    left_width = twips_from_mm(QR_COLUMN_MM)
    right_width = text_width - left_width
    seal_room_pt = SEAL_ROOM_MM * 72 / 25.4
    signature_count = len(letter.signature_lines)
    blank_lines = max(2, math.ceil(seal_room_pt / LINE_PITCH_PT - signature_count - 1e-9))
    indent_twips = max(0, twips_from_mm(SIGNATURE_INDENT_MM) - left_width)
    body = grid_rpr(FONT_BODY, BODY_PT) if grid else body_rpr()

    right = [paragraph("")]
    right += [
        paragraph(run(line, body), align="left", left_twips=indent_twips)
        for line in letter.signature_lines
    ]
    # 署名 centred over the date, the pair standing 4 characters in from the right (§1.3).
    block = max(width_chars(letter.signer), width_chars(letter.date_text))
    right += [paragraph("")] * (blank_lines - (2 if letter.signer else 1))
    if letter.signer:
        right.append(paragraph(run(letter.signer, body), align="right",
                               right_chars=4 + (block - width_chars(letter.signer)) / 2))
    date = run(letter.date_text, body) if letter.date_text else ""
    right.append(paragraph(date, align="right",
                           right_chars=4 + (block - width_chars(letter.date_text)) / 2))

    if letter.verify_url and grid:
        left = _grid_verify_xml(letter)
    elif letter.verify_url:
        caption = rpr(FONT_KAI, CAPTION_PT)
        # The empty w:drawing is a placeholder for the picture that _insert_qr_codes adds; the line
        # is auto-spaced because an exact 28.95 pt line would crop the 20 mm picture.
        left = paragraph(
            f"<w:r><w:rPr>{body_rpr()}</w:rPr>{PICTURE_PLACEHOLDER}</w:r>",
            align="center",
            line_pt=None,
            before_pt=6,
        ) + paragraph(run("扫码验证", caption), align="center", line_pt=CAPTION_PT * 1.4)
        if letter.verification_code:
            left += paragraph(
                run("验证码：" + letter.verification_code, caption),
                align="center",
                line_pt=CAPTION_PT * 1.4,
            )
    else:
        left = paragraph("")
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


def _grid_verify_xml(letter: Letter) -> str:
    """QR code, caption and verification code of letters-3, off the document grid (lines of the
    caption's size), in the wording's text."""
    caption = grid_rpr(FONT_BODY, CAPTION_PT)
    line_pt = GRID_CAPTION_LINE_PT
    xml = paragraph(
        f"<w:r><w:rPr>{caption}</w:rPr>{PICTURE_PLACEHOLDER}</w:r>",
        align="center", line_pt=None, mark_rpr=caption, snap_to_grid=False,
    ) + paragraph(run(letter.verify_caption or GRID_VERIFY_CAPTION, caption), align="center",
                  line_pt=line_pt, mark_rpr=caption, snap_to_grid=False)
    if letter.verification_code:
        label = letter.code_label or GRID_CODE_LABEL
        xml += paragraph(run(label + letter.verification_code, caption),
                         align="center", line_pt=line_pt, mark_rpr=caption, snap_to_grid=False)
    return xml


def _chinese_number(n: int) -> str:
    """Clause number: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < n < 100:
        raise ValueError(f"条款编号超出范围：{n}")
    tens, units = divmod(n, 10)
    text = (_CHINESE_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (_CHINESE_DIGITS[units] if units else "")


def _drop_footer_references(sectPr: BaseOxmlElement) -> None:
    for reference in sectPr.findall(qn("w:footerReference")):
        sectPr.remove(reference)


# --- Package ------------------------------------------------------------------------------------


def _insert_qr_codes(document: DocxDocument, letters: Sequence[Letter], grid: bool = False) -> None:
    """Fill each placeholder w:drawing, in letter order, with that letter's QR code (20 mm;
    letters-3: 26 mm with a 4-module quiet zone)."""
    placeholders = [d for d in document.element.body.iter(qn("w:drawing")) if len(d) == 0]
    urls = [letter.verify_url for letter in letters if letter.verify_url]
    pngs: dict[str, bytes] = {}
    for placeholder, url in zip(placeholders, urls, strict=True):
        if url not in pngs:
            pngs[url] = qr_png(url, quiet_zone=GRID_QR_QUIET_ZONE) if grid else qr_png(url)
        # Identical PNGs (two copies) share one image part: python-docx dedupes by SHA-1.
        insert_picture(document, placeholder, pngs[url], GRID_QR_MM if grid else QR_SIZE_MM,
                       "扫码验证二维码")


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


@functools.cache
def _template_docx(grid: bool = False, simple_wrap: bool = False) -> bytes:
    """The base package (wordml), built once per process per layout family (``simple_wrap``:
    letters-4, which also puts the page number's dash 7 mm below the 版心)."""
    return zip_parts(base_template_parts(grid=grid, simple_punctuation_wrap=simple_wrap,
                                         dash_on_gap=simple_wrap))
