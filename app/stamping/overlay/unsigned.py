"""The writer for unsigned PDFs: marks appended to the page content with pikepdf (see the package
docstring); the original content streams are never re-encoded."""

from __future__ import annotations

import io

import pikepdf

from app.stamping.archival import as_artifact, is_tagged
from app.stamping.overlay.document import MSG_BROKEN, inherited
from app.stamping.overlay.marks import Bitmap, Form, Mark, mat
from app.stamping.overlay.options import PageGeometry
from app.stamping.types import InvalidPdf


def _image_stream(doc: pikepdf.Pdf, bmp: Bitmap) -> pikepdf.Stream:
    img = pikepdf.Stream(doc, bmp.rgb_z)
    img.Type, img.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    img.Width, img.Height, img.BitsPerComponent = bmp.width, bmp.height, 8
    img.ColorSpace, img.Filter = pikepdf.Name.DeviceRGB, pikepdf.Name.FlateDecode
    if bmp.alpha_z is not None:
        smask = pikepdf.Stream(doc, bmp.alpha_z)
        smask.Type, smask.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
        smask.Width, smask.Height, smask.BitsPerComponent = bmp.width, bmp.height, 8
        smask.ColorSpace, smask.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.FlateDecode
        img.SMask = smask
    return img


def _seal_gstate() -> dict[str, object]:
    # domain-rules §6.1: multiply blending so text under the seal stays legible (压字)
    return {"/Type": pikepdf.Name.ExtGState, "/BM": pikepdf.Name.Multiply}


def _page_resources(page: pikepdf.Page) -> pikepdf.Dictionary:
    """The page's own /Resources, materialised from an inherited one if needed."""
    obj = page.obj
    if "/Resources" not in obj:
        parent = inherited(obj, "/Resources")
        obj.Resources = (pikepdf.Dictionary(dict(parent.items()))
                         if isinstance(parent, pikepdf.Dictionary) else pikepdf.Dictionary())
    return obj.Resources


def _resource_name(page: pikepdf.Page, category: str, item: pikepdf.Object, prefix: str) -> str:
    """Name under which ``item`` is (or is now) listed in the page's ``category`` resources."""
    res = _page_resources(page)
    if category not in res:
        res[category] = pikepdf.Dictionary()
    sub = res[category]
    for key, value in sub.items():
        if value.is_indirect and item.is_indirect and value.objgen == item.objgen:
            return key[1:]
    k = 0
    while f"/{prefix}{k}" in sub:
        k += 1
    sub[f"/{prefix}{k}"] = item
    return f"{prefix}{k}"


def write_unsigned(doc: pikepdf.Pdf, geos: list[PageGeometry], marks: list[Mark],
                   seal: Bitmap | None) -> bytes:
    """``doc`` with ``marks`` drawn over its pages, saved deterministically (same input, same bytes)."""
    image = _image_stream(doc, seal) if seal is not None else None
    gstate = doc.make_indirect(pikepdf.Dictionary(_seal_gstate())) if seal is not None else None
    push = doc.make_stream(b"q\n")  # one shared "q" prepended to every touched page
    overlays: dict[bytes, pikepdf.Pdf] = {}
    forms: dict[Form, pikepdf.Object] = {}
    tagged = is_tagged(doc)  # marks on a tagged page are artifacts (app/stamping/archival.py)
    by_page: dict[int, list[Mark]] = {}
    for mark in marks:
        by_page.setdefault(mark.page, []).append(mark)
    try:
        for index, page_marks in by_page.items():
            page = doc.pages[index]
            to_user = geos[index].to_user()
            parts = [f"Q q {mat(to_user)} cm"]
            for mark in page_marks:
                names: dict[str, str] = {}
                if mark.uses_seal:
                    names["im"] = _resource_name(page, "/XObject", image, "LySeal")
                    names["gs"] = _resource_name(page, "/ExtGState", gstate, "LySealGs")
                if mark.form is not None:
                    if mark.form not in forms:
                        if mark.form.pdf not in overlays:
                            overlays[mark.form.pdf] = pikepdf.open(io.BytesIO(mark.form.pdf))
                        src = overlays[mark.form.pdf].pages[mark.form.index]
                        forms[mark.form] = doc.copy_foreign(src.as_form_xobject())
                    names["fm"] = _resource_name(page, "/XObject", forms[mark.form], "LyForm")
                ops = mark.ops.format(**names)
                parts.append(as_artifact(ops) if tagged else ops)
            parts.append("Q\n")
            page.contents_add(push, prepend=True)
            page.contents_add(doc.make_stream(" ".join(parts).encode("ascii")))
        out = io.BytesIO()
        # content-derived /ID (not QPDF's fixed "static" one) and no dates: same input, same bytes
        doc.save(out, deterministic_id=True)
    except pikepdf.PdfError as exc:
        raise InvalidPdf(MSG_BROKEN) from exc
    finally:
        for overlay in overlays.values():
            overlay.close()
    return out.getvalue()
