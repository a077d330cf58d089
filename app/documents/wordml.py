"""WordprocessingML for our DOCX files: the GB/T 9704 page and type, run and paragraph snippets,
the base template package and deterministic saving, shared by letters and report scaffolds.

Snippets are XML strings with their children in schema order (Word refuses a file whose children
are out of order); callers join them and add them to a python-docx document with
:func:`append_body_xml`.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Mapping
from xml.sax.saxutils import escape

from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm

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

# --- Type (§1.1 sizes; fonts as Windows names them) ---------------------------------------------
TITLE_PT = 22.0  # 2号
BODY_PT = 16.0  # 3号
SMALL_PT = 14.0  # 4号
CAPTION_PT = 10.5  # 五号
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

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NSDECLS = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
"""Namespace declarations for a fragment's root element (``<w:body {NSDECLS}>``)."""
XML_DECLARATION = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Units --------------------------------------------------------------------------------------


def twips_from_mm(mm: float) -> int:
    """Millimetres to twips (1/20 pt), rounded."""
    return round(mm * 1440 / 25.4)


def text_width_twips() -> int:
    """Width of the 156 mm text block in twips, as Word adds it up from the page and margins."""
    return twips_from_mm(PAGE_WIDTH_MM) - twips_from_mm(MARGIN_LEFT_MM) - twips_from_mm(MARGIN_RIGHT_MM)


def width_chars(text: str) -> float:
    """Printed width in body characters: ASCII counts 1/2, everything else 1."""
    return sum(0.5 if c.isascii() else 1.0 for c in text)


# --- Runs ---------------------------------------------------------------------------------------


def fonts_xml(east_asia: str, latin: str = FONT_LATIN) -> str:
    """w:rFonts naming the Chinese and the Latin font; w:hint="eastAsia" sets “ ” — … · in the
    Chinese font, as Chinese Word does."""
    return (
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" w:cs="{latin}"'
        ' w:hint="eastAsia"/>'
    )


@functools.cache
def rpr(
    east_asia: str,
    size_pt: float,
    *,
    bold: bool = False,
    underline: bool = False,
    boxed: bool = False,
    latin: str = FONT_LATIN,
    tracking_pt: float | None = None,
    color: str = "",
    highlight: str = "",
    style: str = "",
) -> str:
    """Run properties (the inside of w:rPr) in schema order; every run carries its fonts itself,
    so no application falls back on its own.

    Body-size runs are tracked to CHAR_PITCH_PT (28 characters a line) unless ``tracking_pt``
    says otherwise. ``color`` is hex RGB ("C00000"), ``highlight`` a highlight name ("yellow"),
    ``style`` a character style id.
    """
    if tracking_pt is None:
        tracking_pt = CHAR_PITCH_PT - BODY_PT if size_pt == BODY_PT else 0.0
    xml = f'<w:rStyle w:val="{style}"/>' if style else ""
    xml += fonts_xml(east_asia, latin)
    if bold:
        xml += "<w:b/><w:bCs/>"
    if color:
        xml += f'<w:color w:val="{color}"/>'
    if tracking_pt:
        xml += f'<w:spacing w:val="{round(tracking_pt * 20)}"/>'
    half_points = round(size_pt * 2)
    xml += f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    if highlight:
        xml += f'<w:highlight w:val="{highlight}"/>'
    if underline:
        xml += '<w:u w:val="single"/>'
    if boxed:
        xml += '<w:bdr w:val="single" w:sz="6" w:space="1" w:color="000000"/>'
    return xml


def grid_rpr(east_asia: str, size_pt: float, **options: str | bool) -> str:
    """Run properties of the grid layouts (letters-3, report-scaffold-2): one face for Chinese
    and Latin, as the PDF prints them; body-size runs tracked to 28 characters a line."""
    return rpr(east_asia, size_pt, latin=east_asia, **options)


def body_rpr() -> str:
    """Run properties of body text: 仿宋 3号, tracked to 28 characters a line."""
    return rpr(FONT_BODY, BODY_PT)


def run(text: str, run_properties: str) -> str:
    """A run of ``text``: line feeds become w:br, characters XML 1.0 forbids are dropped."""
    pieces = []
    for n, line in enumerate(_INVALID_XML_CHARS.sub("", text).split("\n")):
        if n:
            pieces.append("<w:br/>")
        if line:
            pieces.append(f'<w:t xml:space="preserve">{escape(line)}</w:t>')
    return f"<w:r><w:rPr>{run_properties}</w:rPr>{''.join(pieces)}</w:r>"


# --- Paragraphs ---------------------------------------------------------------------------------


def paragraph(
    runs: str,
    *,
    style: str = "",
    align: str | None = "both",
    line_pt: float | None = LINE_PITCH_PT,
    before_pt: float = 0,
    after_pt: float = 0,
    first_line_chars: int = 0,
    right_chars: float = 0,
    left_twips: int = 0,
    hanging_twips: int = 0,
    tab_stop_twips: int = 0,
    keep_next: bool = False,
    page_break_before: bool = False,
    mark: tuple[str, float] = (FONT_BODY, BODY_PT),
    keep_lines: bool = False,
    mark_rpr: str | None = None,
    snap_to_grid: bool = True,
) -> str:
    """A paragraph, w:pPr children in schema order.

    ``line_pt`` is an exact line height (None: single, for pictures). ``align`` None leaves
    spacing and alignment to the paragraph style ``style``. Character indents use
    w:firstLineChars/w:rightChars so they follow the font size. ``tab_stop_twips`` sets a right
    tab stop; ``mark`` is the (font, size) of the paragraph mark, ``mark_rpr`` its run
    properties when given; ``keep_lines`` keeps the paragraph on one page. ``snap_to_grid``
    False frees the paragraph from the section's
    document grid (a title, a caption, a table cell on a page of grid layout).
    """
    ppr = f'<w:pStyle w:val="{style}"/>' if style else ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if keep_lines:
        ppr += "<w:keepLines/>"
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"
    if tab_stop_twips:
        ppr += f'<w:tabs><w:tab w:val="right" w:pos="{tab_stop_twips}"/></w:tabs>'
    if not snap_to_grid:
        ppr += '<w:snapToGrid w:val="0"/>'
    if align is not None:
        line = (
            f'w:line="{round(line_pt * 20)}" w:lineRule="exact"'
            if line_pt
            else 'w:line="240" w:lineRule="auto"'
        )
        ppr += f'<w:spacing w:before="{round(before_pt * 20)}" w:after="{round(after_pt * 20)}" {line}/>'
    ppr += _indent(first_line_chars, right_chars, left_twips, hanging_twips)
    if align is not None:
        ppr += f'<w:jc w:val="{align}"/>'
    ppr += f"<w:rPr>{mark_rpr if mark_rpr is not None else rpr(*mark)}</w:rPr>"
    return f"<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>"


def _indent(first_line_chars: int, right_chars: float, left_twips: int, hanging_twips: int) -> str:
    """w:ind, or nothing; one character is a body character (BODY_PT)."""
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
    return f"<w:ind{ind}/>" if ind else ""


PICTURE_PLACEHOLDER = "<w:drawing/>"
"""An empty w:drawing in a run: :func:`insert_picture` fills it."""


# --- Package ------------------------------------------------------------------------------------


def append_body_xml(document: DocxDocument, xml: str) -> None:
    """Add body-level elements (paragraphs, tables) before the document's final w:sectPr."""
    section_end = document.element.body.sectPr
    for child in list(parse_xml(f"<w:body {NSDECLS}>{xml}</w:body>")):
        section_end.addprevious(child)


def insert_picture(document: DocxDocument, placeholder: BaseOxmlElement, png: bytes, size_mm: float,
                   description: str) -> None:
    """Fill an empty w:drawing with a square PNG ``size_mm`` wide (python-docx dedupes equal
    images into one part by SHA-1)."""
    inline = document.part.new_pic_inline(io.BytesIO(png), Mm(size_mm), Mm(size_mm))
    inline.docPr.set("descr", description)
    placeholder.append(inline)


def zip_parts(parts: Mapping[str, str]) -> bytes:
    """A package from part name → XML, stored uncompressed with fixed timestamps (a template
    that python-docx reopens cheaply)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, xml in parts.items():
            package.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME), xml.encode("utf-8"))
    return out.getvalue()


def save_deterministic(document: DocxDocument) -> bytes:
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


def base_template_parts(*, grid: bool = False, simple_punctuation_wrap: bool = False,
                        dash_on_gap: bool = False) -> dict[str, str]:
    """Part name → XML of the base package: styles, settings, font table, page-number footers
    (footer3 on a section's first page), core properties and one empty A4 section.

    ``grid`` (layouts letters-3, report-scaffold-2): the section has a line grid of 22 lines
    (w:docGrid type "lines"; the 28 characters a line come from tracking, see below) and every
    run, page numbers included, prints Chinese and Latin in one face (:func:`grid_rpr`), as the
    PDF does.

    Not w:docGrid "linesAndChars" with a negative w:charSpace (a 15.79 pt pitch for 16 pt
    characters), though Word honours it: LibreOffice gives every character whose glyph is wider
    than the cell two cells (14 to 18 characters a line), and with a cell of 16 pt or more it
    centres 27 cells in the line. Tracking -0.25 pt gives 28 in both.

    ``simple_punctuation_wrap`` (letters-4): the Normal style says w:overflowPunct "1", which
    LibreOffice 7.4 imports as no hanging punctuation (ODF punctuation-wrap "simple"); it reads
    "0", which Word takes for no hanging, as punctuation-wrap "hanging", hangs a line-end "、"
    past the margin and prints nothing of it. Word may hang that mark in the margin instead.

    ``dash_on_gap`` (letters-4, report-scaffold-3): the page number's dash line, the middle of
    its 4号 line, stands PAGE_NUMBER_GAP_MM (7 mm) below the 版心, as GB/T 9704 and the PDF
    have it; older layouts put the top of that line there (the dash 9.6 mm below in LibreOffice)."""
    type_rpr = grid_rpr if grid else rpr
    overflow = "1" if simple_punctuation_wrap else "0"
    grid_ppr = f'<w:widowControl/><w:overflowPunct w:val="{overflow}"/>' if grid else ""
    declaration = XML_DECLARATION
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg_rels = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    lang = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
    body_size = f'<w:sz w:val="{round(BODY_PT * 2)}"/><w:szCs w:val="{round(BODY_PT * 2)}"/>'
    page_number_pt = SMALL_PT  # 4号半角宋体
    # The page-number line, exactly 4号 high, starts PAGE_NUMBER_GAP_MM below the text block;
    # w:footer is the distance from the paper's bottom edge to the bottom of that line.
    footer_twips = twips_from_mm(MARGIN_BOTTOM_MM - PAGE_NUMBER_GAP_MM) - round(
        page_number_pt * 20
    )
    if dash_on_gap:  # the line's middle, not its top, PAGE_NUMBER_GAP_MM below the text block
        footer_twips += round(page_number_pt * 10)

    def footer(align: str, side: str, shown: int) -> str:
        number_rpr = (grid_rpr(FONT_SONG, page_number_pt) if grid
                      else rpr(FONT_SONG, page_number_pt, latin=FONT_SONG))
        free = '<w:snapToGrid w:val="0"/>' if grid else ""

        def field_run(inner: str) -> str:
            return f"<w:r><w:rPr>{number_rpr}</w:rPr>{inner}</w:r>"

        return (
            f"{declaration}<w:ftr {NSDECLS}><w:p><w:pPr>{free}"
            '<w:spacing w:before="0" w:after="0"'
            f' w:line="{round(page_number_pt * 20)}" w:lineRule="exact"/>'
            f'<w:ind w:{side}="{twips_from_mm(PAGE_NUMBER_INDENT_MM)}"/><w:jc w:val="{align}"/>'
            f"<w:rPr>{number_rpr}</w:rPr></w:pPr>"
            + field_run('<w:t xml:space="preserve">— </w:t>')
            + field_run('<w:fldChar w:fldCharType="begin"/>')
            + field_run('<w:instrText xml:space="preserve"> PAGE </w:instrText>')
            + field_run('<w:fldChar w:fldCharType="separate"/>')
            + field_run(f"<w:t>{shown}</w:t>")
            + field_run('<w:fldChar w:fldCharType="end"/>')
            + field_run('<w:t xml:space="preserve"> —</w:t>')
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
        f'<w:pgSz w:w="{twips_from_mm(PAGE_WIDTH_MM)}" w:h="{twips_from_mm(PAGE_HEIGHT_MM)}"/>'
        f'<w:pgMar w:top="{twips_from_mm(MARGIN_TOP_MM)}"'
        f' w:right="{twips_from_mm(MARGIN_RIGHT_MM)}"'
        f' w:bottom="{twips_from_mm(MARGIN_BOTTOM_MM)}" w:left="{twips_from_mm(MARGIN_LEFT_MM)}"'
        f' w:header="{twips_from_mm(HEADER_TOP_MM)}" w:footer="{footer_twips}" w:gutter="0"/>'
        '<w:pgNumType w:start="1"/><w:cols w:space="425"/><w:titlePg/>'
        + (f'<w:docGrid w:type="lines" w:linePitch="{round(LINE_PITCH_PT * 20)}"/>' if grid
           else f'<w:docGrid w:linePitch="{round(LINE_PITCH_PT * 20)}"/>')
        + "</w:sectPr>"
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
            f"{declaration}<w:document {NSDECLS}"
            ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
            ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
            ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f"<w:body>{section}</w:body></w:document>"
        ),
        "word/styles.xml": (
            f"{declaration}<w:styles {NSDECLS}><w:docDefaults>"
            f"<w:rPrDefault><w:rPr>{fonts_xml(FONT_BODY, FONT_BODY if grid else FONT_LATIN)}"
            f"{body_size}{lang}</w:rPr></w:rPrDefault>"
            '<w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:pPrDefault>'
            '</w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
            '<w:name w:val="Normal"/><w:qFormat/>'
            # No automatic space between Chinese and Latin text: the PDF has none either. The grid
            # layouts keep 2 lines of a paragraph together at a page break and let no punctuation
            # hang past the right edge (Word and LibreOffice do by default), as the PDF does.
            f"<w:pPr>{grid_ppr}"
            '<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
            '<w:spacing w:before="0" w:after="0"'
            f' w:line="{round(LINE_PITCH_PT * 20)}" w:lineRule="exact"/>'
            f'<w:jc w:val="both"/></w:pPr><w:rPr>{type_rpr(FONT_BODY, BODY_PT)}{lang}</w:rPr></w:style>'
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
            f'{declaration}<w:settings {NSDECLS}><w:zoom w:percent="100"/>'
            '<w:defaultTabStop w:val="420"/>'
            '<w:evenAndOddHeaders/><w:characterSpacingControl w:val="doNotCompress"/>'
            "<w:compat><w:useFELayout/>"
            '<w:compatSetting w:name="compatibilityMode"'
            ' w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
            '</w:compat><w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
            '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/></w:settings>'
        ),
        "word/fontTable.xml": (
            f"{declaration}<w:fonts {NSDECLS}>"
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
