"""Opening a PDF to stamp (one context manager, our own exceptions) and its pages' geometry."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pikepdf

from app.stamping.overlay.options import PageGeometry
from app.stamping.types import EncryptedPdf, InvalidPdf

MSG_NOT_PDF = "文件不是有效的PDF"
MSG_BROKEN = "PDF文件已损坏，无法读取"
MSG_ENCRYPTED = "PDF文件已加密，请上传未加密的文件"


@contextmanager
def open_pdf(pdf: bytes) -> Iterator[pikepdf.Pdf]:
    """``pdf`` opened with pikepdf for the ``with`` block, closed after it whatever happens.

    Every failure to open is one of our exceptions: InvalidPdf (not a PDF, damaged, truncated,
    no pages) or EncryptedPdf.
    """
    if not isinstance(pdf, bytes | bytearray | memoryview) or b"%PDF-" not in bytes(pdf[:1024]):
        raise InvalidPdf(MSG_NOT_PDF)
    try:
        doc = pikepdf.open(io.BytesIO(bytes(pdf)))
    except pikepdf.PasswordError as exc:
        raise EncryptedPdf(MSG_ENCRYPTED) from exc
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError) as exc:
        raise InvalidPdf(MSG_BROKEN) from exc
    try:
        _check_opened(pdf, doc)
        yield doc
    finally:
        doc.close()


def _check_opened(pdf: bytes, doc: pikepdf.Pdf) -> None:
    if doc.is_encrypted:
        raise EncryptedPdf(MSG_ENCRYPTED)
    # QPDF silently rebuilds a truncated or damaged file, possibly without its last pages: we
    # refuse those rather than stamp (and archive) a document that is no longer what was issued.
    if b"%%EOF" not in bytes(pdf[-1024:]) or any("damaged" in w for w in doc.get_warnings()):
        raise InvalidPdf(MSG_BROKEN)
    try:
        if len(doc.pages) == 0:
            raise InvalidPdf(MSG_BROKEN)
    except pikepdf.PdfError as exc:
        raise InvalidPdf(MSG_BROKEN) from exc


def inherited(obj: pikepdf.Dictionary, key: str) -> object | None:
    """A page attribute, looked up through the page tree (``/Rotate``, ``/MediaBox``...)."""
    seen = 0
    node: object | None = obj
    while isinstance(node, pikepdf.Dictionary) and seen < 64:
        if key in node:
            return node[key]
        node = node.get("/Parent")
        seen += 1
    return None


def _rect(value: object) -> tuple[float, float, float, float] | None:
    if not isinstance(value, pikepdf.Array) or len(value) != 4:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _geometry(doc: pikepdf.Pdf, index: int) -> PageGeometry:
    obj = doc.pages[index].obj
    media = _rect(inherited(obj, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _rect(inherited(obj, "/CropBox")) or media
    box = (max(media[0], crop[0]), max(media[1], crop[1]),
           min(media[2], crop[2]), min(media[3], crop[3]))
    if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        box = media
    if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        raise InvalidPdf(MSG_BROKEN)
    try:
        rotate = int(inherited(obj, "/Rotate") or 0)
        user_unit = float(obj.get("/UserUnit", 1) or 1)
    except (TypeError, ValueError):
        rotate, user_unit = 0, 1.0
    rotate = (round(rotate / 90) * 90) % 360
    return PageGeometry(page=index + 1, box=box, rotate=rotate, user_unit=user_unit)


def geometries(doc: pikepdf.Pdf) -> list[PageGeometry]:
    """The geometry of every page of ``doc``, in page order. Raises InvalidPdf."""
    try:
        return [_geometry(doc, i) for i in range(len(doc.pages))]
    except pikepdf.PdfError as exc:
        raise InvalidPdf(MSG_BROKEN) from exc


def is_signed(pdf: bytes, doc: pikepdf.Pdf) -> bool:
    """Whether rewriting ``pdf`` would break a signature (or a DocMDP/UR permission)."""
    if b"/ByteRange" in pdf or "/Perms" in doc.Root:
        return True
    acroform = doc.Root.get("/AcroForm")
    fields = acroform.get("/Fields") if isinstance(acroform, pikepdf.Dictionary) else None
    stack = list(fields) if isinstance(fields, pikepdf.Array) else []
    seen = 0
    while stack and seen < 10000:
        node = stack.pop()
        seen += 1
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if node.get("/FT") == pikepdf.Name.Sig and "/V" in node:
            return True
        kids = node.get("/Kids")
        if isinstance(kids, pikepdf.Array):
            stack.extend(kids)
    return False


def page_count(pdf: bytes) -> int:
    """Number of pages of ``pdf``. Raises InvalidPdf / EncryptedPdf."""
    with open_pdf(pdf) as doc:
        return len(doc.pages)


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Displayed ``(width_mm, height_mm)`` of every page (after ``/Rotate``, CropBox first)."""
    with open_pdf(pdf) as doc:
        return [(g.width_mm, g.height_mm) for g in geometries(doc)]
