"""The checks that parse the file (run in a sandboxed worker only): structure, pages, active
content, bombs, then the text sample and the document numbers found in it."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pikepdf
import pypdf

from app.archive.intake.types import TEXT_SAMPLE_CHARS, TEXT_SAMPLE_PAGES, IntakeLimits, IntakeRejected
from app.archive.intake.walk import JBIG2, ObjectWalk
from app.domain.errors import FieldError
from app.domain.numbers import format_document_number, parse_document_number

_MAX_LISTED = 50  # numbers and verify URLs kept: enough to pre-fill a form, bounded for a hostile file
_MAX_URI_CHARS = 2048
# The check-character class is the GB 32100 alphabet (no I, O, S, V, Z); parse_document_number
# then verifies the check character itself. re.ASCII: \d is 0-9 only.
_NUMBER_IN_TEXT = re.compile(r"LYXY-(?:CN|HC|BG|PJ)-\d{4}-\d{6}[0-9A-HJ-NPQRTUWXY]", re.I | re.ASCII)


def inspect_in_worker(data: bytes, limits: IntakeLimits) -> dict[str, Any]:
    """The checks that parse the file; raises ``IntakeRejected``. Runs in the worker only."""
    try:
        # attempt_recovery=False: a file whose cross-reference table has to be rebuilt is refused,
        # not silently reinterpreted (see _refuse_warnings).
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise IntakeRejected("encrypted", detail="user password required") from None
    except pikepdf.PdfError as exc:
        raise IntakeRejected("broken_pdf", detail=_clean(str(exc))) from None
    with pdf:
        try:
            page_count, walk = _check_structure(pdf, limits)
        except pikepdf.PdfError as exc:
            raise _parse_failure(pdf, str(exc)) from None
    text = text_sample(data, limits.text_pages, limits.text_chars)
    uris = [u for u in walk.uris if len(u) <= _MAX_URI_CHARS]
    numbers = _unique(numbers_in(text) + [n for uri in uris for n in numbers_in(uri)])
    return {
        "page_count": page_count,
        "text_sample": text,
        "document_numbers": numbers[:_MAX_LISTED],
        "verify_urls": _unique([u for u in uris if "/verify/" in u])[:_MAX_LISTED],
        "has_signatures": walk.has_signatures,
    }


def _check_structure(pdf: pikepdf.Pdf, limits: IntakeLimits) -> tuple[int, ObjectWalk]:
    if pdf.is_encrypted:
        raise IntakeRejected("encrypted", detail="owner password (permissions) set")
    _refuse_warnings(pdf)
    objects = pdf.objects
    if len(objects) > limits.max_objects:
        raise IntakeRejected("parse_resources", detail=f"{len(objects)} objects > {limits.max_objects}")
    page_count = len(pdf.pages)  # qpdf walks /Kids: a lying /Count changes nothing here ...
    if page_count > limits.max_pages:
        raise IntakeRejected("too_many_pages", limit=limits.max_pages, pages=page_count)
    _check_stated_counts(pdf.Root.get("/Pages"), page_count)  # ... but poppler believes /Count
    for number, page in enumerate(pdf.pages, start=1):
        _check_page_boxes(page.obj, number, limits)
    walk = ObjectWalk(limits)
    for obj in objects:
        walk.visit_indirect(obj)
    _check_inline_images(pdf, walk.may_hold_inline_images)
    _refuse_warnings(pdf)
    return page_count, walk


def _check_stated_counts(root: Any, page_count: int) -> None:
    """Refuse a page tree whose ``/Count`` entries (ISO 32000-1 §7.7.3.2) differ from the leaves under
    them: qpdf and pdf.js count the leaves, poppler (our previews) trusts ``/Count``, so such a file
    shows other pages in other readers (the gate, a preview and a printout would disagree)."""

    seen: set[tuple[int, int]] = set()

    def leaves(node: Any, depth: int) -> int:
        if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") != pikepdf.Name.Pages:
            return 1  # a leaf (qpdf has already accepted the tree's shape)
        if depth > _MAX_TREE_DEPTH:
            raise IntakeRejected("parse_resources", detail=f"page tree deeper than {_MAX_TREE_DEPTH}")
        if node.is_indirect:
            if node.objgen in seen:  # a node under two parents: counted twice by some readers
                raise IntakeRejected("broken_pdf", detail=f"page tree node {node.objgen} repeated")
            seen.add(node.objgen)
        kids = node.get("/Kids")
        total = sum(leaves(kid, depth + 1) for kid in kids) if isinstance(kids, pikepdf.Array) else 0
        stated = node.get("/Count")
        if stated != total:
            raise IntakeRejected("page_count_mismatch", stated=_short(stated), pages=page_count,
                                 detail=f"/Count {stated!r} in {node.objgen}, {total} pages below")
        return total

    leaves(root, 0)


def _short(value: Any) -> str:
    return str(value)[:20] if isinstance(value, int) and not isinstance(value, bool) else "无效"


def _content_streams(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Stream]:
    """Every stream a reader runs as content: page contents, form XObjects (annotation appearances
    too), tiling patterns and Type 3 glyph procedures (ISO 32000-1 §7.8.1, §8.10, §8.7.3, §9.6.5)."""
    for page in pdf.pages:
        yield from _page_contents(page.obj)
        yield from _appearance_streams(page.obj)
    for obj in pdf.objects:
        yield from _drawn_streams(obj)


def _streams(value: Any) -> list[pikepdf.Stream]:
    """The streams among ``value`` (a stream, an array, or anything else)."""
    items = value if isinstance(value, pikepdf.Array) else [value]
    return [item for item in items if isinstance(item, pikepdf.Stream)]


def _page_contents(page: pikepdf.Dictionary) -> list[pikepdf.Stream]:
    return _streams(page.get("/Contents"))


def _appearance_streams(page: pikepdf.Dictionary) -> Iterator[pikepdf.Stream]:
    """The appearance streams of the page's annotations (§12.5.5): forms, though ``/Subtype /Form``
    is often left out."""
    annotations = page.get("/Annots")
    for annotation in annotations if isinstance(annotations, pikepdf.Array) else []:
        appearances = annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary) else None
        for entry in appearances.values() if isinstance(appearances, pikepdf.Dictionary) else []:
            states = entry.values() if isinstance(entry, pikepdf.Dictionary) else [entry]
            yield from (s for s in states if isinstance(s, pikepdf.Stream))


def _drawn_streams(obj: Any) -> list[pikepdf.Stream]:
    """``obj`` when it is a form XObject or a tiling pattern; a Type 3 font's glyph procedures."""
    if isinstance(obj, pikepdf.Stream) and (obj.stream_dict.get("/Subtype") == pikepdf.Name.Form
                                            or obj.stream_dict.get("/PatternType") == 1):
        return [obj]
    if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == pikepdf.Name.Type3:
        procs = obj.get("/CharProcs")
        if isinstance(procs, pikepdf.Dictionary):
            return [p for p in procs.values() if isinstance(p, pikepdf.Stream)]
    return []


def _check_inline_images(pdf: pikepdf.Pdf, candidates: set[tuple[int, int]]) -> None:
    """Refuse JBIG2 in inline images (``BI … ID … EI``), which are not objects the walk visits.

    ISO 32000-1 §8.9.7 does not allow JBIG2Decode there, but pdf.js decodes it anyway. Only content
    streams whose decoded bytes contain ``BI`` are parsed, so ordinary files pay nothing.
    """
    if not candidates:
        return
    for stream in _content_streams(pdf):
        if stream.objgen not in candidates:
            continue
        candidates.discard(stream.objgen)  # shared forms: parse once
        try:
            instructions = pikepdf.parse_content_stream(stream, "BI ID EI")
        except pikepdf.PdfError as exc:
            raise IntakeRejected("broken_pdf",
                                 detail=f"content {stream.objgen}: {_clean(str(exc))}") from None
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage) and \
                    JBIG2 & set(map(str, instruction.iimage.filters)):
                raise IntakeRejected("jbig2", detail=f"inline image in content {stream.objgen}")


_MM_PER_POINT = 25.4 / 72
_MISSING_MEDIA_BOX = "PDF页面缺少有效的页面尺寸（MediaBox）"
_MAX_TREE_DEPTH = 64  # /Parent hops when looking up an inherited attribute


def _inherited(page: pikepdf.Dictionary, key: str) -> Any:
    """``key`` of the page or of the nearest ancestor that has it (ISO 32000-1 §7.7.3.4), else None."""
    node: Any = page
    for _ in range(_MAX_TREE_DEPTH):
        if not isinstance(node, pikepdf.Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _check_page_boxes(page: pikepdf.Dictionary, number: int, limits: IntakeLimits) -> None:
    """Refuse a page whose MediaBox (required, may be inherited) or CropBox is not a sane rectangle.

    A zero, negative or huge page is never a letter or a scan; it breaks previews (pdftoppm renders a
    5 m page at 45 dpi as 78 megapixels), seal placement and printing. Rule: four finite numbers, the
    upper-right corner above and right of the lower-left one (no swapped corners: no writer makes
    them), each side (times ``/UserUnit``, ISO 32000-1 §14.11.2.1) at most ``max_page_side_mm`` and
    every coordinate within that distance of the origin.
    """
    user_unit = page.get("/UserUnit", 1)
    numeric = isinstance(user_unit, int | float | Decimal) and not isinstance(user_unit, bool)
    scale = float(user_unit) if numeric else math.nan
    if not (math.isfinite(scale) and 0 < scale <= 75_000):  # §14.11.2.1: at most 75,000 units
        raise IntakeRejected("bad_page_box", page=number, problem="UserUnit无效",
                             detail=f"page {number}: /UserUnit {user_unit!r}")
    for key, label in (("/MediaBox", "MediaBox"), ("/CropBox", "CropBox")):
        box = _inherited(page, key)
        if box is None:
            if key == "/MediaBox":  # qpdf normally fills it in (see _check_structure); never trust that
                raise IntakeRejected("bad_page_box", _MISSING_MEDIA_BOX,
                                     detail=f"page {number}: no /MediaBox")
            continue
        problem = _box_problem(box, scale, limits.max_page_side_mm)
        if problem:
            raise IntakeRejected("bad_page_box", page=number, problem=f"{label}{problem}",
                                 detail=f"page {number}: {key} {box!r} (UserUnit {scale})")


def _box_problem(box: Any, scale: float, max_side_mm: float) -> str:
    """Chinese description of what is wrong with a page box, or "" when it is sane."""
    if not isinstance(box, pikepdf.Array) or len(box) != 4:
        return "不是四个数"
    values = []
    for item in box:
        if isinstance(item, bool) or not isinstance(item, int | float | Decimal):
            return "含有非数字"
        value = float(item) * scale * _MM_PER_POINT
        if not math.isfinite(value):
            return "含有非有限数"
        values.append(value)
    x0, y0, x1, y1 = values
    width, height = x1 - x0, y1 - y0
    if width <= 0 or height <= 0:
        return "宽或高为零或负数"
    if max(width, height) > max_side_mm or max(abs(v) for v in values) > max_side_mm:
        return f"超过{max_side_mm:g}毫米"
    return ""


def _parse_failure(pdf: pikepdf.Pdf, error: str = "") -> IntakeRejected:
    """The rejection for a qpdf error or warnings: out of memory (qpdf reports a failed allocation as
    damaged data, with ``std::bad_alloc`` in a warning) or a broken file."""
    messages = [str(w) for w in pdf.get_warnings()] + ([error] if error else [])
    detail = _clean("; ".join(messages[:3]))
    if any("bad_alloc" in m for m in messages):
        return IntakeRejected("parse_resources", detail=f"out of memory: {detail}")
    if any("MediaBox is undefined" in m for m in messages):  # qpdf put US Letter in its place
        return IntakeRejected("bad_page_box", _MISSING_MEDIA_BOX, detail=detail)
    return IntakeRejected("broken_pdf", detail=detail)


_STREAM_NAME = re.compile(r"stream <[^>]*> ?")


def _clean(qpdf_message: str) -> str:
    """qpdf's message without the in-memory stream's repr, cut to a log-friendly length."""
    return _STREAM_NAME.sub("", qpdf_message)[:500]


def _refuse_warnings(pdf: pikepdf.Pdf) -> None:
    # Any qpdf warning means qpdf had to guess (xref rebuilt, stream length searched, bad filter
    # data). A guessed file can read differently in another reader (viewer, pypdf, a signature
    # validator): a place to hide content from this gate. So damaged == broken, and the user is
    # told to re-save the file ("另存为PDF" in any tool fixes it).
    failure = _parse_failure(pdf)
    if failure.detail:
        raise failure


def text_sample(data: bytes, pages: int = TEXT_SAMPLE_PAGES, chars: int = TEXT_SAMPLE_CHARS) -> str:
    # pypdf, not qpdf, extracts text; the file has passed qpdf's checks by now. Text only pre-fills
    # a form, so a file pypdf cannot read (scan, odd fonts) is accepted with an empty sample.
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        parts: list[str] = []
        size = 0
        for page in reader.pages[:pages]:
            parts.append(page.extract_text() or "")
            size += len(parts[-1])
            if size >= chars:
                break
    except MemoryError:
        raise
    except Exception:  # pypdf raises many kinds; the sample is optional
        return ""
    return "\n".join(parts)[:chars]


_LINE_BREAK_AFTER_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*")


def numbers_in(text: str) -> list[str]:
    """The valid 文书编号 in ``text``, canonical form, in order (repeats kept)."""
    found = []
    # Layout breaks lines after a hyphen ("LYXY-\nCN-2026-..."): join those before searching.
    for match in _NUMBER_IN_TEXT.finditer(_LINE_BREAK_AFTER_HYPHEN.sub("-", text)):
        try:
            found.append(format_document_number(*parse_document_number(match.group())))
        except FieldError:  # wrong check character: a typo or a look-alike, not one of ours
            continue
    return found


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
