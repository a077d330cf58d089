"""Seal anchors: positions named in the PDF (``seal-anchor-1``…) where the seals go."""

from __future__ import annotations

import re

import pikepdf

from app.stamping.overlay.document import geometries, open_pdf
from app.stamping.overlay.options import PT_PER_MM, PageGeometry
from app.stamping.overlay.seals import stamp_placements
from app.stamping.types import PlacementError, SealImage, SealPlacement

ANCHOR_PREFIX = "seal-anchor-"


def _dest_array(value: object) -> pikepdf.Array | None:
    if isinstance(value, pikepdf.Dictionary):
        value = value.get("/D")
    return value if isinstance(value, pikepdf.Array) else None


def _anchor_sort_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _named_destinations(doc: pikepdf.Pdf) -> dict[str, object]:
    """Every named destination: the ``/Names /Dests`` name tree first, then the PDF 1.1 style
    ``/Dests`` dictionary (a name in both keeps the name tree's value)."""
    named: dict[str, object] = {}
    names = doc.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and isinstance(names.get("/Dests"), pikepdf.Dictionary):
        try:
            for key, value in pikepdf.NameTree(names.Dests).items():
                named.setdefault(str(key), value)
        except (pikepdf.PdfError, ValueError, TypeError, RuntimeError):
            pass
    legacy = doc.Root.get("/Dests")
    if isinstance(legacy, pikepdf.Dictionary):
        for key, value in legacy.items():
            named.setdefault(key[1:], value)
    return named


def _target_index(target: object, page_index: dict[tuple[int, int], int]) -> int | None:
    """The 0-based page a destination's first element names: a page object, or a page number."""
    if isinstance(target, pikepdf.Dictionary):
        return page_index.get(target.objgen) if target.is_indirect else None
    if isinstance(target, int | pikepdf.Object):
        try:
            return int(target)
        except (TypeError, ValueError):
            return None
    return None


def _anchor_placement(value: object, geos: list[PageGeometry],
                      page_index: dict[tuple[int, int], int]) -> SealPlacement | None:
    """The placement a ``/XYZ left top`` destination names, or None when it names no usable point."""
    dest = _dest_array(value)
    if dest is None or len(dest) < 4 or dest[1] != pikepdf.Name.XYZ:
        return None
    index = _target_index(dest[0], page_index)
    if index is None or not 0 <= index < len(geos):
        return None
    try:
        ux, uy = float(dest[2]), float(dest[3])
    except (TypeError, ValueError):
        return None  # a null left/top keeps the viewer's position: no usable point
    geo = geos[index]
    x_up, y_up = geo.to_displayed(ux, uy)
    return SealPlacement(page=index + 1, x_mm=x_up / PT_PER_MM, y_mm=(geo.height_pt - y_up) / PT_PER_MM)


def _read_anchors(doc: pikepdf.Pdf, prefix: str) -> list[tuple[str, SealPlacement]]:
    geos = geometries(doc)
    page_index = {doc.pages[i].obj.objgen: i for i in range(len(doc.pages))}
    found: list[tuple[str, SealPlacement]] = []
    for name, value in _named_destinations(doc).items():
        placement = _anchor_placement(value, geos, page_index) if name.startswith(prefix) else None
        if placement is not None:
            found.append((name, placement))
    found.sort(key=lambda item: _anchor_sort_key(item[0]))
    return found


def find_seal_anchors(pdf: bytes, prefix: str = ANCHOR_PREFIX) -> list[SealPlacement]:
    """Seal anchors: named destinations ``<prefix>1``, ``<prefix>2``… (``/XYZ left top``).

    Reads the ``/Names /Dests`` name tree and the legacy ``/Dests`` dictionary. Each anchor is
    returned as a SealPlacement (page, x_mm, y_mm on the displayed page; diameter None), sorted
    by name with numbers compared as numbers. Raises InvalidPdf / EncryptedPdf.
    """
    with open_pdf(pdf) as doc:
        return [placement for _, placement in _read_anchors(doc, prefix)]


def stamp_at_anchors(pdf: bytes, seal: SealImage, prefix: str = ANCHOR_PREFIX) -> bytes:
    """Apply ``seal`` centred on every seal anchor of ``pdf`` (one seal per issued copy).

    Raises PlacementError when the document has no anchor or an anchor is too close to the
    page edge for the seal, plus the errors of :func:`stamp_seal`.
    """
    anchors = find_seal_anchors(pdf, prefix)
    if not anchors:
        raise PlacementError("文件中没有印章位置标记，无法自动盖章")
    return stamp_placements(pdf, seal, anchors, field_label="seal")
