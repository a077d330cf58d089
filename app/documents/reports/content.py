"""What a report scaffold says: the sections and pre-filled data of both kinds, as a list of blocks
(:func:`scaffold_blocks`) that ``pdf`` and ``docx`` lay out the same way. The wording itself is the
version's wording.json (``wording``); this module holds the order, the data and the layout hints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from app.documents.linebreak import name_lines
from app.documents.registry import CURRENT, Family
from app.documents.reports.model import (
    DECISION_RECOMMENDATIONS,
    RATING,
    TITLE_SUFFIX,
    Block,
    Cell,
    Cover,
    Heading,
    Para,
    Parts,
    ScaffoldInfo,
    Segment,
    Signature,
    Table,
)
from app.documents.reports.wording import ReportWording, report_wording
from app.domain.credit_check import rating_meaning
from app.domain.credit_records import GRADES
from app.domain.dates import format_cn_date
from app.domain.identifiers import find_resident_ids
from app.domain.masking import mask_resident_id


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


def _value(w: ReportWording, text: str, hint: str) -> Segment:
    return text if text.strip() else w.fill(hint)


def scaffold_blocks(info: ScaffoldInfo, version: str = CURRENT[Family.REPORT]) -> tuple[Block, ...]:
    """The scaffold's content, in order, for either renderer, in the wording of reports ``version``
    (the one the report record stores); raises ``UnknownTemplateVersion``."""
    w = _bind(report_wording(version), info)
    return tuple(_rating_blocks(info, w) if info.kind == RATING else _decision_blocks(info, w))


def report_title(info: ScaffoldInfo) -> str:
    """The document title: subject name and kind, e.g. “…有限公司企业综合信用等级评价报告”."""
    return info.subject.name + TITLE_SUFFIX[info.kind]


def _bind(w: ReportWording, info: ScaffoldInfo) -> ReportWording:
    """The wording with this report's values in its slots."""
    issued = format_cn_date(info.issue_date)
    end = info.validity_end
    w = w.filled(
        name=info.subject.name, uscc=info.subject.uscc, agency=info.agency_name,
        filing_number=info.agency_filing_number, issued=issued,
        valid="" if end is None else format_cn_date(end),
        grades="/".join(GRADES), recommendations="/".join(DECISION_RECOMMENDATIONS),
    )
    return w.filled(
        cut_off=w.text("cut_off"), public_summary=_public_summary(info, w),
        project=_value(w, info.project_name, w.text("hints.project")),
        department=_value(w, info.requesting_department, w.text("hints.department")),
    )


def _cover(info: ScaffoldInfo, w: ReportWording) -> Cover:
    s = info.subject
    values: dict[str, Parts] = {
        "subject": (s.name,), "uscc": (s.uscc,), "number": (info.number,),
        "agency": (info.agency_name,), "filing_number": (info.agency_filing_number,),
        "issued": (w.values["issued"],), "valid_until": (w.values["valid"],),
        "department": (w.values["department"],),
    }
    return Cover(
        title_lines=(*_title_name(s.name, w), TITLE_SUFFIX[info.kind]),
        purpose=w.parts(f"cover.{info.kind}.purpose"),
        fields=tuple((label, values[key]) for key, label in w.get(f"cover.{info.kind}.fields").items()),
        verify_url=info.verify_url,
        verification_code=info.verification_code,
        basis=w.text(f"cover.{info.kind}.basis"),
        qr_caption=w.text("cover.qr_caption") + (
            w.text("cover.qr_code", code=info.verification_code) if info.verification_code else ""),
        qr_alt=w.text("cover.qr_alt"),
    )


def _kept(w: ReportWording, key: str, para: Para) -> Para:
    """``para`` kept on the page of the next block where the version's wording lists ``key`` in
    ``keep_with_next`` (reports v3: the instruction "请在所选项前的方框内打“√”" with its boxes)."""
    try:
        keep = key in w.get("keep_with_next")
    except KeyError:
        return para
    return replace(para, keep_with_next=keep)


def _title_name(name: str, w: ReportWording) -> tuple[str, ...]:
    """The subject's name on the cover title: from reports v3 (``cover.title_max_chars``) in
    balanced lines broken between the units of the name (domain-rules §1.2), before as one line
    the renderer wraps."""
    try:
        max_chars = w.get("cover.title_max_chars")
    except KeyError:
        return (name,)
    return tuple(name_lines(name, max_chars)) or (name,)


def _registration_table(info: ScaffoldInfo, w: ReportWording) -> Table:
    s = info.subject
    rows = (
        ("name", s.name), ("uscc", s.uscc), ("enterprise_type", ""),
        ("legal_representative", s.legal_representative), ("registered_capital", s.registered_capital),
        ("established_on", s.established_on), ("registration_authority", s.registration_authority),
        ("address", s.address), ("business_scope", s.business_scope),
    )
    labels, hints = w.get("registration.labels"), w.get("registration.hints")
    return Table(
        columns=w.texts("registration.columns"),
        widths_mm=(48, 108),
        rows=tuple((_c(labels[key]), _c(_value(w, value, hints.get(key, labels[key]))))
                   for key, value in rows),
    )


def _public_rows_table(info: ScaffoldInfo, w: ReportWording) -> Table:
    none_found = w.text("public_information.none_found")
    rows = []
    for row in info.public_rows:
        details = tuple((_mask_resident_ids(line),) for line in row.details) or ((none_found,),)
        rows.append((_c(row.title_zh), details))
    return Table(columns=w.texts("public_information.columns"), widths_mm=(36, 120), rows=tuple(rows))


def _public_information(info: ScaffoldInfo, w: ReportWording) -> Iterator[Block]:
    """Where the public credit information comes from, then one row per list (both kinds)."""
    yield _p(w.text("public_information.intro"))
    yield _public_rows_table(info, w)


def _public_summary(info: ScaffoldInfo, w: ReportWording) -> str:
    parts = []
    for row in info.public_rows:
        if row.found:
            parts.append(w.text("public_information.summary_found", title=row.title_zh,
                                count=str(len(row.details))))
        else:
            parts.append(w.text("public_information.summary_not_found", title=row.title_zh))
    if not parts:
        return w.text("public_information.summary_empty")
    return w.text("public_information.summary_separator").join(parts)


def _fill_rows(w: ReportWording, count: int, width: int) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(_c(w.fill()) for _ in range(width)) for _ in range(count))


def _numbered(w: ReportWording, n: int) -> str:
    return w.text("item_number", n=n)


def _rating_blocks(info: ScaffoldInfo, w: ReportWording) -> Iterator[Block]:
    heading = w.get("rating.headings")
    yield _cover(info, w)

    yield Heading(1, heading["statement"], new_page=True)
    for n, text in enumerate(w.texts("rating.statements"), 1):
        yield _p(_numbered(w, n), text)

    yield Heading(1, heading["explanation"], new_page=True)
    for text in w.texts("rating.explanation"):
        yield _p(text)
    yield Table(
        columns=w.texts("rating.grade_columns"),
        widths_mm=(24, 28, 104),
        rows=tuple(
            (_c(grade), _c(rating_meaning(grade)[0]), _c(rating_meaning(grade)[1])) for grade in GRADES
        ),
        centre_from=0,
    )
    yield _p(w.text("rating.grade_effects"))

    yield Heading(1, heading["summary"])
    for raw in w.get("rating.summary"):
        yield _p(*w.segments(raw), indent=False)

    yield Heading(1, heading["basic"], new_page=True)
    yield Heading(2, heading["registration"])
    yield _registration_table(info, w)
    # Paragraphs rather than tables: their layout is agency-specific, and every table cell costs
    # PDF layout time (bench/bench_reports.py).
    yield Heading(2, heading["shareholders"])
    yield _p(*w.parts("rating.shareholders"))
    yield Heading(2, heading["management"])
    yield _p(*w.parts("rating.management"))

    yield Heading(1, heading["operations"])
    yield _p(*w.parts("rating.operations"))
    yield Heading(2, heading["financials"])
    yield _p(*w.parts("rating.financials_note"))
    yield _three_years_table(info, w, "rating.financials_first_column", "rating.financial_items")
    yield Heading(2, heading["ratios"])
    yield _three_years_table(info, w, "rating.ratios_first_column", "rating.ratio_items")
    yield _p(*w.parts("rating.financial_analysis"))

    yield Heading(1, heading["public"])
    yield from _public_information(info, w)
    yield _p(*w.parts("rating.other_public"))

    yield Heading(1, heading["method"])
    yield _p(*w.parts("rating.method"))
    yield Table(
        columns=w.texts("rating.score_columns"),
        widths_mm=(38, 52, 33, 33),
        rows=(*_fill_rows(w, 5, 4), tuple(_c(w.segment(raw)) for raw in w.get("rating.score_total"))),
        centre_from=2,
    )
    yield _p(*w.parts("rating.grade_bands"))

    yield Heading(1, heading["conclusion"])
    yield _p(*w.parts("rating.conclusion"))
    yield _p(*w.parts("rating.conclusion_notes"))
    yield _signature(w, "rating.signature")

    yield Heading(1, heading["attachments"], new_page=True)
    attachments = w.texts("rating.attachments")
    for n, name in enumerate(attachments, 1):
        yield _p(_numbered(w, n) + name)
    yield _p(_numbered(w, len(attachments) + 1), w.segment(w.get("rating.other_attachment")))


def _widths(w: ReportWording, key: str, before: tuple[float, ...]) -> tuple[float, ...]:
    """A table's column widths from the wording (v3 on: wide enough for the header cells), else
    those of the versions before."""
    try:
        return tuple(w.get(key))
    except KeyError:
        return before


def _three_years_table(info: ScaffoldInfo, w: ReportWording, first_column: str, items: str) -> Table:
    """Items down, the three years before the issue year across, figures to fill."""
    years = tuple(w.text("year_column", year=str(info.issue_date.year - n)) for n in (3, 2, 1))
    return Table(
        columns=(w.text(first_column), *years),
        widths_mm=(54, 34, 34, 34),
        rows=tuple((_c(item), *(_c(w.fill()) for _ in years)) for item in w.texts(items)),
        centre_from=1,
    )


def _signature(w: ReportWording, key: str) -> Signature:
    return Signature(lines=tuple((w.format(label), w.format(value)) for label, value in w.get(key)),
                     date_text=w.values["issued"])


def _decision_blocks(info: ScaffoldInfo, w: ReportWording) -> Iterator[Block]:
    heading = w.get("decision.headings")
    yield _cover(info, w)

    yield Heading(1, heading["basic"], new_page=True)
    yield _p(*w.parts("decision.basic"))
    yield _registration_table(info, w)

    yield Heading(1, heading["history"])
    yield Heading(2, heading["performance"])
    yield _p(*w.parts("decision.performance_intro", year=str(info.issue_date.year - 3)))
    yield Table(
        columns=w.texts("decision.performance_columns"),
        widths_mm=_widths(w, "decision.performance_widths_mm", (36, 30, 30, 30, 30)),
        rows=_fill_rows(w, 3, 5),
        centre_from=2,
    )
    yield Heading(2, heading["public"])
    yield from _public_information(info, w)
    yield _p(*w.parts("decision.overall"))

    yield Heading(1, heading["capability"])
    yield _p(*w.parts("decision.capability_intro"))
    for subheading, hint in w.get("decision.capabilities"):
        yield Heading(2, subheading)
        yield _p(w.fill(hint))

    yield Heading(1, heading["recommendation"])
    yield _kept(w, "decision.recommendation_intro", _p(*w.parts("decision.recommendation_intro")))
    boxes = (w.text("decision.checkbox", option=r) for r in DECISION_RECOMMENDATIONS)
    yield _p(w.text("decision.checkbox_separator").join(boxes), indent=False, align="center")
    yield _p(*w.parts("decision.recommendation"))
    yield _p(*w.parts("decision.reasons"))

    yield Heading(1, heading["risks"])
    yield _p(*w.parts("decision.risks"))

    yield Heading(1, heading["declaration"])
    for n, raw in enumerate(w.get("decision.statements"), 1):
        yield _p(_numbered(w, n), *w.segments(raw))
    yield _signature(w, "decision.signature")


def printed_texts(blocks: Iterable[Block]) -> Iterator[tuple[str, str]]:
    """(context, text) of every printed string, for the font coverage check."""
    for block in blocks:
        yield from _block_texts(block)


def _plain(parts: Parts) -> str:
    return "".join(p for p in parts if isinstance(p, str))


def _block_texts(block: Block) -> Iterator[tuple[str, str]]:
    """A block's pre-filled strings (headings and fields to fill are our own wording)."""
    if isinstance(block, Cover):
        yield from (("title", line) for line in block.title_lines)
        yield from ((label, _plain(parts)) for label, parts in block.fields)
        yield "purpose", _plain(block.purpose)
    elif isinstance(block, Para):
        yield "text", _plain(block.parts)
    elif isinstance(block, Table):
        yield from (("table", _plain(parts)) for row in block.rows for cell in row for parts in cell)
    elif isinstance(block, Signature):
        yield from block.lines
