"""What stamping and signing do so that a PDF/A input stays PDF/A (issue 13 §3).

Our archival documents (registry.TemplateVersion.archival) are PDF/A-2b and tagged. The
stamping writers keep the catalog as it is (OutputIntent, XMP, structure tree) and add only
what ISO 19005-2 allows: seal images in DeviceRGB with a soft mask and a standard blend mode
(the sRGB OutputIntent is the blending colour space), fonts embedded by WeasyPrint, widgets
with an appearance stream and the Print flag. Two things need care, and are here:

* tagged pages: what stamping draws into a page's content is marked ``/Artifact`` (PDF/UA 7.1:
  every mark is either tagged content or an artifact), so the structure tree stays true;
* incremental updates by pyHanko (signatures, marks on signed PDFs) rewrite XMP
  ``pdf:Producer`` to pyHanko's name but append it to the Info ``/Producer``, which would make
  the two differ (ISO 19005-2 6.6.3): :func:`align_producer` makes them one.

Untagged and non-PDF/A inputs are written exactly as before.
"""

from __future__ import annotations

from typing import Any

import pikepdf

PDFAID_PART = b"pdfaid:part"
"""The XMP property (ISO 19005-2 6.6.4) by which a file claims PDF/A, as it appears in the
packet (attribute or element)."""


def is_tagged(doc: pikepdf.Pdf) -> bool:
    """Whether ``doc`` declares tagged content (``/MarkInfo /Marked true``)."""
    mark = doc.Root.get("/MarkInfo")
    return isinstance(mark, pikepdf.Dictionary) and mark.get("/Marked") is True


def as_artifact(ops: str) -> str:
    """Content operators wrapped as an artifact (ISO 32000-1 14.8.2.2), for a tagged page."""
    return f"/Artifact BMC {ops} EMC"


def claims_pdfa(writer: Any) -> bool:
    """Whether the document a pyHanko incremental writer updates claims PDF/A in its XMP."""
    try:
        ref = writer.root.raw_get("/Metadata")
        # resolved as pyHanko resolves it itself (a MetadataStream, cached): resolved otherwise,
        # pyHanko would later replace the packet instead of updating it
        meta = writer.get_object(ref.reference, as_metadata_stream=True)
        return PDFAID_PART in meta.data
    except (AttributeError, KeyError, TypeError, ValueError):
        return False


def align_producer(writer: Any) -> None:
    """Before pyHanko writes an incremental update of a PDF/A document: set its Info
    ``/Producer`` to pyHanko's name, which pyHanko then leaves as it is and also writes to XMP
    ``pdf:Producer`` (it would otherwise append it to the Info entry only). Nothing for a
    document that does not claim PDF/A, so those keep their bytes."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.metadata.model import VENDOR

    info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if info_ref is None or not claims_pdfa(writer):
        return
    info = info_ref.get_object()
    if str(info.get("/Producer", "")) == VENDOR:
        return
    info[pdf_name("/Producer")] = generic.TextStringObject(VENDOR)
    if isinstance(info_ref, generic.IndirectObject):
        writer.mark_update(info_ref)
