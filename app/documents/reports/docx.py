"""Editable DOCX of a report scaffold: the content blocks as WordprocessingML (``wordml``) on the
letters' page (GB/T 9704 margins, fonts, page numbers), with outline, table and fill styles."""

from __future__ import annotations

import functools
import io
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from docx import Document
from docx.oxml.ns import qn

from app.documents.docx_fonts import PDF_FONT_ROLES, embed_fonts
from app.documents.qr import qr_png
from app.documents.registry import CURRENT, Family, template_version
from app.documents.reports.content import report_title, scaffold_blocks
from app.documents.reports.model import (
    TITLE_SUFFIX,
    Block,
    Cell,
    Cover,
    Fill,
    Heading,
    Para,
    Parts,
    ScaffoldInfo,
    Signature,
    Table,
)
from app.documents.reports.pdf import PageStart, page_starts
from app.documents.reports.wording import ReportWording, report_wording
from app.documents.wordml import (
    BODY_PT,
    CAPTION_PT,
    FONT_BODY,
    FONT_HEADING,
    FONT_KAI,
    FONT_TITLE,
    LINE_PITCH_PT,
    MARGIN_BOTTOM_MM,
    NSDECLS,
    PICTURE_PLACEHOLDER,
    SMALL_PT,
    XML_DECLARATION,
    append_body_xml,
    base_template_parts,
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

COVER_TITLE_PT = 26.0  # 一号
COVER_TITLE_LINE_PT = 40.0
TABLE_PT = SMALL_PT  # 4号
TABLE_LINE_PT = 22.0
COVER_QR_MM = 25.0
GRID_COVER_QR_MM = 28.0
GRID_QR_QUIET_ZONE = 4
GRID_CAPTION_LINE_PT = 16.0
"""report-scaffold-2, as the reports v2 PDF (report.css .qr): a 28 mm QR code with a 4-module
quiet zone, captions 五号 on 16 pt lines."""
FILL_COLOR = "C00000"
FILL_HIGHLIGHT = "yellow"
HEADER_SHADING = "E7E6E6"
SEAL_ROOM_LINES = 4
"""Blank lines above the date: with the signature lines, about 45 mm for the seal (§2.3)."""


LAYOUTS = ("report-scaffold-1", "report-scaffold-2", "report-scaffold-3")
"""report-scaffold-2 is report-scaffold-1 in the PDF's faces on the 22-line grid
(wordml.base_template_parts(grid=True)), the faces' subsets embedded (docx_fonts).
report-scaffold-3 is report-scaffold-2 with the PDF's pages (:class:`Pages`)."""


@dataclass(frozen=True)
class Pages:
    """report-scaffold-3: where the PDF starts its pages (``pdf.page_starts``), for a DOCX that
    starts them at the same blocks and table rows, whatever the word processor's line breaking
    (LibreOffice hangs punctuation and breaks around Latin letters otherwise than the PDF and
    Word); paragraphs are kept whole as the PDF keeps them; numbered headings are indented two
    characters."""

    blocks: frozenset[int] = frozenset()
    """Blocks that start a page (a page break before them)."""
    rows: frozenset[tuple[int, int]] = frozenset()
    """(table block, body row) that start a page: the table is split there, its header row
    repeated."""

    @classmethod
    def of(cls, starts: Iterable[PageStart]) -> Pages:
        starts = tuple(starts)
        return cls(frozenset(s.block for s in starts if s.row is None),
                   frozenset((s.block, s.row) for s in starts if s.row is not None))


COMPACT_COVER_LINE_PT = 24.0
"""report-scaffold-3's cover: purpose and fields on 24 pt lines (reports v3 report.css)."""
PAGED_SLACK_MM = 6.5
"""report-scaffold-3: how much taller its text block is at the bottom than the PDF's (half a
line: the page still holds 22 lines; see ``_report_template``)."""
BREAK_LINE_PT = 0.5
"""The empty paragraph between the parts of a table split where the PDF starts a page."""


def _type(grid: bool) -> Callable[..., str]:
    return grid_rpr if grid else rpr


@functools.cache
def _fill_rpr(font: str, size_pt: float, grid: bool = False) -> str:
    """A field to fill: red, highlighted, in the character style "待填写" (FillIn)."""
    return _type(grid)(font, size_pt, color=FILL_COLOR, highlight=FILL_HIGHLIGHT, style="FillIn")


def _runs(parts: Parts, font: str = FONT_BODY, size_pt: float = BODY_PT, grid: bool = False) -> str:
    out = []
    for part in parts:
        if isinstance(part, Fill):
            out.append(run(part.text, _fill_rpr(font, size_pt, grid)))
        elif part:
            out.append(run(part, _type(grid)(font, size_pt)))
    return "".join(out)


def _blank(line_pt: float = LINE_PITCH_PT) -> str:
    return paragraph("", line_pt=line_pt)


def _cover_xml(cover: Cover, w: ReportWording, grid: bool = False, compact: bool = False) -> str:
    """The cover; ``compact`` (report-scaffold-3, as the reports v3 PDF): purpose and fields on
    24 pt lines, gaps of 4 to 6 mm, so that it stays one page whatever the lengths."""
    t = _type(grid)
    title_rpr = t(FONT_TITLE, COVER_TITLE_PT)
    title = run("\n".join(cover.title_lines), title_rpr)

    def gap(mm: float) -> str:
        if not compact:
            return _blank()
        return paragraph("", align="left", line_pt=mm * 72 / 25.4, snap_to_grid=False)

    line = {"line_pt": COMPACT_COVER_LINE_PT, "snap_to_grid": False} if compact else {}
    parts = [
        gap(4),
        paragraph(title, style="Title", align="center", line_pt=COVER_TITLE_LINE_PT,
                  after_pt=11 if compact else 12,
                  mark=(FONT_TITLE, COVER_TITLE_PT), snap_to_grid=not grid),
    ]
    if cover.purpose:
        parts.append(paragraph(_runs(cover.purpose, FONT_KAI, grid=grid), align="center", **line))
    parts.append(gap(6))
    label_width = max(width_chars(label + "：") for label, _ in cover.fields)
    label_twips = round(label_width * BODY_PT * 20)
    for label, value in cover.fields:
        runs = run(label + "：", t(FONT_HEADING, BODY_PT)) + _runs(value, grid=grid)
        # Wrapped values hang under the value's first character.
        parts.append(paragraph(runs, align="left", left_twips=twips_from_mm(8), hanging_twips=label_twips,
                               **line))
    parts.append(gap(6))
    parts.append(paragraph(f"<w:r><w:rPr>{t(FONT_BODY, BODY_PT)}</w:rPr>{PICTURE_PLACEHOLDER}</w:r>",
                           align="center", line_pt=None, snap_to_grid=not grid))
    caption = w.text("cover.qr_caption")
    if cover.verification_code:
        caption += w.text("cover.qr_code", code=cover.verification_code)
    caption_line_pt = GRID_CAPTION_LINE_PT if grid else CAPTION_PT * 1.6
    parts.append(paragraph(run(caption, t(FONT_KAI, CAPTION_PT)), align="center", line_pt=caption_line_pt,
                           mark=(FONT_KAI, CAPTION_PT), snap_to_grid=not grid))
    parts.append(paragraph(run(cover.basis, t(FONT_KAI, CAPTION_PT)), align="center",
                           line_pt=caption_line_pt, before_pt=6,
                           mark=(FONT_KAI, CAPTION_PT),
                           snap_to_grid=not grid))
    return "".join(parts)


def _heading_xml(heading: Heading, grid: bool = False, *, page_break: bool = False,
                 indent: bool = False) -> str:
    font = FONT_HEADING if heading.level == 1 else FONT_KAI
    return paragraph(
        run(heading.text, _type(grid)(font, BODY_PT)),
        style=f"Heading{heading.level}",
        align=None,
        first_line_chars=2 if indent and heading.numbered else 0,
        keep_next=True,
        page_break_before=heading.new_page or page_break,
        mark=(font, BODY_PT),
    )


def _separator() -> str:
    """An empty paragraph half a point high: two tables side by side would merge into one."""
    return paragraph("", align="left", line_pt=BREAK_LINE_PT, mark=(FONT_BODY, 1),
                     snap_to_grid=False)


def _table_xml(table: Table, grid: bool = False, split_before: Iterable[int] = (), *,
               page_break: bool = False) -> str:
    """The table; ``split_before``: body rows that start a page (the table is split there, the
    header row repeated); ``page_break``: the table starts a page. The page break is the first
    header cell's (Word and LibreOffice start the table on a new page)."""
    total = text_width_twips()
    scale = total / sum(table.widths_mm)
    widths = [round(w * scale) for w in table.widths_mm[:-1]]
    widths.append(total - sum(widths))
    border = '<w:{0} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    borders = "".join(border.format(side) for side in sides)
    columns = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    # The grid layout's rows are whole lines, as the PDF's (whose rules take no room): no top or
    # bottom cell margin, 0.25 pt rules, rows that never split, text at the top.
    vertical = 0 if grid else 28
    cell_margins = (
        f'<w:top w:w="{vertical}" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        f'<w:bottom w:w="{vertical}" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
    )
    if grid:
        borders = borders.replace('w:sz="6"', 'w:sz="2"')
    line_pt = LINE_PITCH_PT if grid else TABLE_LINE_PT
    mark = (FONT_BODY, TABLE_PT)

    def cell(width: int, paragraphs: Cell, *, header: bool, centre: bool,
             new_page: bool = False) -> str:
        tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if header:
            tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_SHADING}"/>'
        tcpr += f'<w:vAlign w:val="{"top" if grid else "center"}"/>'
        font = FONT_HEADING if header else FONT_BODY
        body = "".join(
            paragraph(_runs(parts, font, TABLE_PT, grid), align="center" if header or centre else "left",
                      line_pt=line_pt, mark=mark, snap_to_grid=not grid,
                      page_break_before=new_page and n == 0)
            for n, parts in enumerate(paragraphs)
        ) or paragraph("", line_pt=line_pt, mark=mark, snap_to_grid=not grid)
        return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{body}</w:tc>"

    # The header row repeats on every page (w:tblHeader) and never splits.
    def header(new_page: bool) -> str:
        return "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" + "".join(
            cell(w, ((title,),), header=True, centre=True, new_page=new_page and n == 0)
            for n, (w, title) in enumerate(zip(widths, table.columns, strict=True))
        ) + "</w:tr>"
    rows = [
        ("<w:tr><w:trPr><w:cantSplit/></w:trPr>" if grid else "<w:tr>")
        + "".join(
            cell(w, c, header=False, centre=i >= table.centre_from)
            for i, (w, c) in enumerate(zip(widths, row, strict=True))
        )
        + "</w:tr>"
        for row in table.rows
    ]
    table_pr = (
        f'<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="{total}" w:type="dxa"/>'
        f'<w:tblInd w:w="0" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        f'<w:tblLayout w:type="fixed"/><w:tblCellMar>{cell_margins}</w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
        ' w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{columns}</w:tblGrid>"
    )
    # Split where the PDF starts a page: one table per page, each with the header row, as the
    # PDF repeats it.
    cuts = [0, *sorted(r for r in set(split_before) if 0 < r < len(rows)), len(rows)]
    return _separator().join(
        f"<w:tbl>{table_pr}{header(page_break or a > 0)}{''.join(rows[a:b])}</w:tbl>"
        for a, b in itertools.pairwise(cuts)
    )


def _signature_xml(signature: Signature, grid: bool = False, *, page_break: bool = False) -> str:
    """Signature lines from 4 characters in, blank lines for the seal, the date 4 characters in
    from the right (GB/T 9704 7.3.5); kept on one page with the text above."""
    indent = round(4 * BODY_PT * 20)
    parts = [paragraph("", keep_next=True, page_break_before=page_break)]
    for label, value in signature.lines:
        parts.append(paragraph(_runs((label, value), grid=grid), align="left", left_twips=indent,
                               keep_next=True))
    parts += [paragraph("", keep_next=True)] * SEAL_ROOM_LINES
    parts.append(paragraph(_runs((signature.date_text,), grid=grid), align="right", right_chars=4))
    return "".join(parts)


def _body_xml(blocks: Iterable[Block], w: ReportWording, grid: bool = False,
              pages: Pages | None = None) -> str:
    """The blocks as body XML; ``pages`` (report-scaffold-3): the PDF's page starts."""
    out: list[str] = []
    previous: Block | None = None
    for index, block in enumerate(blocks):
        page_break = pages is not None and index in pages.blocks
        if isinstance(block, Cover):
            out.append(_cover_xml(block, w, grid, compact=pages is not None))
        elif isinstance(block, Heading):
            out.append(_heading_xml(block, grid, page_break=page_break, indent=pages is not None))
        elif isinstance(block, Para):
            out.append(
                paragraph(
                    _runs(block.parts, grid=grid),
                    align=block.align,
                    first_line_chars=2 if block.indent else 0,
                    page_break_before=page_break,
                    keep_lines=pages is not None,
                    keep_next=block.keep_with_next,
                )
            )
        elif isinstance(block, Table):
            if isinstance(previous, Table):  # two adjacent tables would merge into one
                out.append(_blank())
            rows = () if pages is None else (r for b, r in pages.rows if b == index)
            out.append(_table_xml(block, grid, rows, page_break=page_break))
        elif isinstance(block, Signature):
            out.append(_signature_xml(block, grid, page_break=page_break))
        previous = block
    if isinstance(previous, Table):  # Word wants a paragraph between a table and the section end
        out.append(_blank())
    return "".join(out)


def _extra_styles(grid: bool) -> str:
    """Title, Heading 1/2, 待填写 and Table Grid styles (the grid layout's in the PDF's faces)."""
    t = _type(grid)
    return (
        # Built-in names ("heading 1", "Title", "Table Grid"): Word, WPS and LibreOffice map them to
        # their own built-in styles, so the navigation pane shows the outline.
        '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>'
        '<w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>'
        f'<w:pPr><w:spacing w:before="0" w:after="240" w:line="{round(COVER_TITLE_LINE_PT * 20)}"'
        ' w:lineRule="exact"/><w:jc w:val="center"/></w:pPr>'
        f"<w:rPr>{t(FONT_TITLE, COVER_TITLE_PT)}</w:rPr></w:style>"
        + "".join(
            f'<w:style w:type="paragraph" w:styleId="Heading{level}"><w:name w:val="heading {level}"/>'
            '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>'
            f'<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="{0 if grid else before}" w:after="0"'
            f' w:line="{round(LINE_PITCH_PT * 20)}" w:lineRule="exact"/><w:jc w:val="left"/>'
            f'<w:outlineLvl w:val="{level - 1}"/></w:pPr><w:rPr>{t(font, BODY_PT)}</w:rPr></w:style>'
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
def _report_template(grid: bool = False, paged: bool = False) -> bytes:
    """The base package (wordml, as the letters) with headings, title, table and fill styles, and
    no page number on the cover (first-page footer emptied).

    ``paged`` (report-scaffold-3, whose pages break where the PDF's do): a text block
    ``PAGED_SLACK_MM`` taller at the bottom, less than a line, so that a word processor whose
    table rules take room of their own still fits what the PDF puts on a page (the page number
    keeps its place, measured from the paper's edge), its dash 7 mm below the 版心 (wordml
    ``dash_on_gap``)."""
    parts = base_template_parts(grid=grid, dash_on_gap=paged)
    parts["word/styles.xml"] = parts["word/styles.xml"].replace(
        "</w:styles>", _extra_styles(grid) + "</w:styles>")
    if paged:
        # LibreOffice 7.4 reads w:overflowPunct the other way round: with "0" it lets a line's
        # last 。，： hang past the margin and does not print it (the character is lost); with
        # "1" it moves the character before it down with it, as the PDF does. Word with "1"
        # hangs the mark in the margin, its default for Chinese text: the text is the same.
        parts["word/styles.xml"] = parts["word/styles.xml"].replace(
            '<w:overflowPunct w:val="0"/>', '<w:overflowPunct w:val="1"/>')
        bottom = f'w:bottom="{twips_from_mm(MARGIN_BOTTOM_MM)}"'
        assert bottom in parts["word/document.xml"]
        parts["word/document.xml"] = parts["word/document.xml"].replace(
            bottom, f'w:bottom="{twips_from_mm(MARGIN_BOTTOM_MM - PAGED_SLACK_MM)}"')
    empty_mark = f"<w:rPr>{_type(grid)(FONT_BODY, SMALL_PT)}</w:rPr>"
    parts["word/footer3.xml"] = (
        f"{XML_DECLARATION}<w:ftr {NSDECLS}><w:p><w:pPr>{empty_mark}</w:pPr></w:p></w:ftr>"
    )
    return zip_parts(parts)


def scaffold_docx(info: ScaffoldInfo, version: str = CURRENT[Family.REPORT]) -> bytes:
    """The editable scaffold as DOCX (Word, WPS, LibreOffice): A4 with GB/T 9704 margins, page
    numbers "— 1 —" from the second page, Heading 1/2 outline, header rows repeated on every page,
    fields to fill highlighted with the character style "待填写".

    :param version: the reports template version the record stores; its DOCX layout is one of
        this module's ``LAYOUTS`` (``registry.DOCX_LAYOUTS``).
    :returns: DOCX bytes; the same info always gives the same bytes.
    :raises UnknownTemplateVersion: ``version`` is not a released reports version.
    """
    layout = template_version(Family.REPORT, version).docx_layout
    if layout not in LAYOUTS:
        raise ValueError(f"no DOCX layout {layout!r} for report scaffolds")
    grid = layout in ("report-scaffold-2", "report-scaffold-3")
    pages = Pages.of(page_starts(info, version)) if layout == "report-scaffold-3" else None
    w = report_wording(version)
    document = Document(io.BytesIO(_report_template(grid, pages is not None)))
    append_body_xml(document, _body_xml(scaffold_blocks(info, version), w, grid, pages))
    for placeholder in document.element.body.iter(qn("w:drawing")):
        if len(placeholder) == 0:
            if grid:
                insert_picture(document, placeholder,
                               qr_png(info.verify_url, quiet_zone=GRID_QR_QUIET_ZONE),
                               GRID_COVER_QR_MM, w.text("cover.qr_alt"))
            else:
                insert_picture(document, placeholder, qr_png(info.verify_url), COVER_QR_MM,
                               w.text("cover.qr_alt"))
            break

    props = document.core_properties
    props.title = report_title(info)
    props.identifier = info.number
    props.subject = TITLE_SUFFIX[info.kind]
    issued = datetime(info.issue_date.year, info.issue_date.month, info.issue_date.day, tzinfo=UTC)
    props.created = issued
    props.modified = issued
    docx = save_deterministic(document)
    return embed_fonts(docx, PDF_FONT_ROLES) if grid else docx
