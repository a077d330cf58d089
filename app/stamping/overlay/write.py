"""Putting marks on a PDF's pages: the writer is chosen by whether the PDF is signed."""

from __future__ import annotations

import pikepdf

from app.stamping.overlay.document import is_signed
from app.stamping.overlay.marks import Bitmap, Mark
from app.stamping.overlay.options import PageGeometry
from app.stamping.overlay.signed import write_incremental
from app.stamping.overlay.unsigned import write_unsigned


def apply_marks(pdf: bytes, doc: pikepdf.Pdf, geos: list[PageGeometry], marks: list[Mark], *,
                seal: Bitmap | None, field_label: str) -> bytes:
    """``pdf`` (opened as ``doc``) with ``marks`` drawn: an incremental update when it is signed,
    else rewritten by pikepdf. ``field_label`` names the signature field of an incremental update.
    """
    if is_signed(pdf, doc):
        return write_incremental(pdf, geos, marks, seal, field_label)
    return write_unsigned(doc, geos, marks, seal)
