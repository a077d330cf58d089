"""Overlays on existing PDFs: seals, cross-page seals (骑缝章), watermarks and margin lines.

Every operation takes PDF bytes and returns PDF bytes. The original page content is never
rasterised or rewritten: marks are drawn *over* it (text stays text, vectors stay vectors).

Coordinates are millimetres on the page **as displayed**: origin at the top-left corner of the
page after ``/Rotate`` is applied, x to the right, y downwards, measured on the visible area
(the CropBox, or the MediaBox when there is none).

Two writers:

* **Unsigned PDFs** go through pikepdf: a shared ``q`` is prepended to each touched page's
  content and one small stream ``Q q <matrix> cm … Q`` is appended (no re-encoding of the
  original streams). Saved with a content-derived ``/ID`` and no timestamps, so the same input
  gives the same bytes.
* **Signed PDFs** (``/ByteRange``, ``/Perms``, or a signature field with a value) are never
  rewritten: the marks are appended as an *incremental update* with pyHanko. pyHanko's
  difference analysis (and Acrobat's) only accepts new annotations after a signature when they
  are widgets of newly created signature fields, so each operation adds one empty, read-only
  signature field whose widgets (one per mark, flags Print|ReadOnly|Locked) carry the mark as
  their appearance stream. Earlier signatures stay intact and valid; pyHanko rates the change
  ``FORM_FILLING``. (A plain ``/Stamp`` annotation would be rated "OTHER": not allowed.)
"""

from __future__ import annotations

import html
import io
import math
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pikepdf
from PIL import Image, UnidentifiedImageError

from app.documents.fonts import font_stack
from app.documents.qr import qr_src
from app.documents.render import html_to_pdf
from app.stamping.types import (
    EncryptedPdf,
    InvalidPdf,
    InvalidSealImage,
    PlacementError,
    SealImage,
    SealPlacement,
    StampingError,
)

PT_PER_MM = 72 / 25.4
ANCHOR_PREFIX = "seal-anchor-"
MAX_SEAL_PIXELS = 4096
"""Largest accepted seal bitmap side (pixels); 4096 px over 45 mm is ~2300 dpi."""

_MSG_NOT_PDF = "文件不是有效的PDF"
_MSG_BROKEN = "PDF文件已损坏，无法读取"
_MSG_ENCRYPTED = "PDF文件已加密，请上传未加密的文件"

Matrix = tuple[float, float, float, float, float, float]
"""PDF matrix ``[a b c d e f]``: x' = a·x + c·y + e, y' = b·x + d·y + f."""


# --------------------------------------------------------------------------- option types


@dataclass(frozen=True)
class PageGeometry:
    """A page's visible area and orientation, as needed to place marks on it."""

    page: int
    """1-based page number."""
    box: tuple[float, float, float, float]
    """Visible area (CropBox ∩ MediaBox) ``(llx, lly, urx, ury)`` in default user-space units."""
    rotate: int
    """``/Rotate`` normalised to 0, 90, 180 or 270 (degrees clockwise when displayed)."""
    user_unit: float = 1.0
    """``/UserUnit``: size of one user-space unit in points (1/72 inch); almost always 1."""

    @property
    def width_pt(self) -> float:
        """Displayed width in points (after rotation)."""
        llx, lly, urx, ury = self.box
        side = (ury - lly) if self.rotate in (90, 270) else (urx - llx)
        return side * self.user_unit

    @property
    def height_pt(self) -> float:
        """Displayed height in points (after rotation)."""
        llx, lly, urx, ury = self.box
        side = (urx - llx) if self.rotate in (90, 270) else (ury - lly)
        return side * self.user_unit

    @property
    def width_mm(self) -> float:
        """Displayed width in millimetres."""
        return self.width_pt / PT_PER_MM

    @property
    def height_mm(self) -> float:
        """Displayed height in millimetres."""
        return self.height_pt / PT_PER_MM

    def to_user(self) -> Matrix:
        """Matrix from *displayed-upright* points (origin bottom-left of the displayed page,
        y up) to the page's default user space."""
        llx, lly, urx, ury = self.box
        s = 1.0 / self.user_unit
        a, b, c, d, e, f = {
            0: (1, 0, 0, 1, llx, lly),
            90: (0, 1, -1, 0, urx, lly),
            180: (-1, 0, 0, -1, urx, ury),
            270: (0, -1, 1, 0, llx, ury),
        }[self.rotate]
        return (a * s, b * s, c * s, d * s, e, f)


@dataclass(frozen=True)
class CrossPageStrip:
    """One page's slice of a 骑缝章: which part of the seal it shows."""

    page: int
    """1-based page number."""
    group: int
    """1-based group number: the seal is repeated once per group of pages."""
    group_size: int
    """Pages in this group; the seal is cut into this many equal vertical strips."""
    offset_mm: float
    """Left edge of the strip, in mm from the seal image's left edge."""
    width_mm: float
    """Width of the strip in mm; the strip sits flush with the page's right edge."""


@dataclass(frozen=True)
class MarginLineStyle:
    """Layout of the margin line (编号, 第i页/共n页, verification QR code) at the page bottom.

    Default placement: the QR code's bottom edge 6 mm above the displayed page's bottom edge
    (the band spans 6–18 mm). A GB/T 9704 page number sits 7 mm below the 225 mm text block,
    i.e. its dash line is 28 mm above the bottom edge (glyphs reach down to ≈ 25.5 mm), and the
    信函格式 red double line sits 20 mm above it: the band stays clear of both.
    """

    bottom_mm: float = 6.0
    """Distance from the displayed page's bottom edge to the bottom of the QR code, in mm."""
    right_mm: float | None = None
    """Distance from the displayed page's right edge to the QR code's right edge, in mm.
    ``None``: 26 mm (the GB/T 9704 right margin) on pages at least 150 mm wide, else 8 mm."""
    qr_mm: float = 12.0
    """Side of the QR code in mm (12 mm scans reliably from a phone at 15–25 cm)."""
    font_size_pt: float = 7.5
    """Font size of the text lines beside the QR code, in points."""
    gap_mm: float = 2.0
    """Horizontal gap between the text block's right edge and the QR code, in mm."""


# --------------------------------------------------------------------------- errors, opening


def _open(pdf: bytes) -> pikepdf.Pdf:
    """Open ``pdf`` with pikepdf, mapping every failure to our own exceptions."""
    if not isinstance(pdf, bytes | bytearray | memoryview) or b"%PDF-" not in bytes(pdf[:1024]):
        raise InvalidPdf(_MSG_NOT_PDF)
    try:
        doc = pikepdf.open(io.BytesIO(bytes(pdf)))
    except pikepdf.PasswordError as exc:
        raise EncryptedPdf(_MSG_ENCRYPTED) from exc
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError) as exc:
        raise InvalidPdf(_MSG_BROKEN) from exc
    if doc.is_encrypted:
        raise EncryptedPdf(_MSG_ENCRYPTED)
    # QPDF silently rebuilds a truncated or damaged file, possibly without its last pages: we
    # refuse those rather than stamp (and archive) a document that is no longer what was issued.
    if b"%%EOF" not in bytes(pdf[-1024:]) or any("damaged" in w for w in doc.get_warnings()):
        doc.close()
        raise InvalidPdf(_MSG_BROKEN)
    try:
        if len(doc.pages) == 0:
            raise InvalidPdf(_MSG_BROKEN)
    except pikepdf.PdfError as exc:
        raise InvalidPdf(_MSG_BROKEN) from exc
    return doc


def _inherited(obj: pikepdf.Dictionary, key: str) -> object | None:
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
    media = _rect(_inherited(obj, "/MediaBox")) or (0.0, 0.0, 612.0, 792.0)
    crop = _rect(_inherited(obj, "/CropBox")) or media
    box = (max(media[0], crop[0]), max(media[1], crop[1]),
           min(media[2], crop[2]), min(media[3], crop[3]))
    if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        box = media
    if box[2] - box[0] <= 0 or box[3] - box[1] <= 0:
        raise InvalidPdf(_MSG_BROKEN)
    try:
        rotate = int(_inherited(obj, "/Rotate") or 0)
        user_unit = float(obj.get("/UserUnit", 1) or 1)
    except (TypeError, ValueError):
        rotate, user_unit = 0, 1.0
    rotate = (round(rotate / 90) * 90) % 360
    return PageGeometry(page=index + 1, box=box, rotate=rotate, user_unit=user_unit)


def _geometries(doc: pikepdf.Pdf) -> list[PageGeometry]:
    try:
        return [_geometry(doc, i) for i in range(len(doc.pages))]
    except pikepdf.PdfError as exc:
        raise InvalidPdf(_MSG_BROKEN) from exc


def _is_signed(pdf: bytes, doc: pikepdf.Pdf) -> bool:
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
    return len(_open(pdf).pages)


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    """Displayed ``(width_mm, height_mm)`` of every page (after ``/Rotate``, CropBox first)."""
    return [(g.width_mm, g.height_mm) for g in _geometries(_open(pdf))]


# --------------------------------------------------------------------------- seal bitmap


@dataclass(frozen=True)
class _Bitmap:
    width: int
    height: int
    rgb_z: bytes  # zlib-compressed 8-bit RGB samples
    alpha_z: bytes | None  # zlib-compressed 8-bit alpha, None when fully opaque


@lru_cache(maxsize=16)
def _seal_bitmap(png: bytes) -> _Bitmap:
    """Decode a seal PNG once per process into compressed RGB + alpha planes for PDF."""
    try:
        with Image.open(io.BytesIO(png)) as im:
            if max(im.size) > MAX_SEAL_PIXELS:
                raise InvalidSealImage(f"印章图片过大（最大{MAX_SEAL_PIXELS}×{MAX_SEAL_PIXELS}像素）")
            im.load()
            rgba = im.convert("RGBA")
    except InvalidSealImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidSealImage("印章图片无法读取，请上传PNG图片") from exc
    w, h = rgba.size
    if w < 8 or h < 8 or abs(w - h) > 0.01 * max(w, h):
        raise InvalidSealImage("印章图片必须为正方形")
    alpha = rgba.getchannel("A")
    lo, _ = alpha.getextrema()
    return _Bitmap(
        width=w, height=h,
        rgb_z=zlib.compress(rgba.convert("RGB").tobytes(), 6),
        alpha_z=None if lo == 255 else zlib.compress(alpha.tobytes(), 6),
    )


def _check_diameter(diameter_mm: float) -> float:
    if not (isinstance(diameter_mm, int | float) and math.isfinite(diameter_mm) and diameter_mm > 0):
        raise PlacementError("印章直径必须大于0毫米")
    return float(diameter_mm)


# --------------------------------------------------------------------------- marks


@dataclass(frozen=True)
class _Form:
    """Page ``index`` of a PDF we rendered (WeasyPrint), used as a Form XObject."""

    pdf: bytes
    index: int


@dataclass(frozen=True)
class _Mark:
    """Something drawn on one page, in displayed-upright points (origin bottom-left, y up)."""

    page: int  # 0-based
    bbox: tuple[float, float, float, float]  # the region the mark may paint
    ops: str  # content operators; ``{im}``, ``{gs}``, ``{fm}`` are resource names
    form: _Form | None = None
    uses_seal: bool = False


def _num(v: float) -> str:
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _mat(m: Sequence[float]) -> str:
    return " ".join(_num(v) for v in m)


def _transform_bbox(m: Matrix, bbox: tuple[float, float, float, float]) -> list[float]:
    x0, y0, x1, y1 = bbox
    pts = [(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
           for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs), max(ys)]


def _seal_ops(x0: float, y0: float, d: float, clip: tuple[float, float, float, float] | None) -> str:
    """Draw the seal square with lower-left (x0, y0) and side d (points), optionally clipped."""
    clip_ops = ""
    if clip is not None:
        cx0, cy0, cx1, cy1 = clip
        clip_ops = f"{_num(cx0)} {_num(cy0)} {_num(cx1 - cx0)} {_num(cy1 - cy0)} re W n "
    return f"q {clip_ops}/{{gs}} gs {_num(d)} 0 0 {_num(d)} {_num(x0)} {_num(y0)} cm /{{im}} Do Q"


# --------------------------------------------------------------------------- unsigned: pikepdf


def _image_stream(doc: pikepdf.Pdf, bmp: _Bitmap) -> pikepdf.Stream:
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
        inherited = _inherited(obj, "/Resources")
        obj.Resources = (pikepdf.Dictionary(dict(inherited.items()))
                         if isinstance(inherited, pikepdf.Dictionary) else pikepdf.Dictionary())
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


def _apply_pikepdf(doc: pikepdf.Pdf, geos: list[PageGeometry], marks: list[_Mark],
                   seal: _Bitmap | None) -> bytes:
    image = _image_stream(doc, seal) if seal is not None else None
    gstate = doc.make_indirect(pikepdf.Dictionary(_seal_gstate())) if seal is not None else None
    push = doc.make_stream(b"q\n")  # one shared "q" prepended to every touched page
    overlays: dict[bytes, pikepdf.Pdf] = {}
    forms: dict[_Form, pikepdf.Object] = {}
    by_page: dict[int, list[_Mark]] = {}
    for mark in marks:
        by_page.setdefault(mark.page, []).append(mark)
    try:
        for index, page_marks in by_page.items():
            page = doc.pages[index]
            to_user = geos[index].to_user()
            parts = [f"Q q {_mat(to_user)} cm"]
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
                parts.append(mark.ops.format(**names))
            parts.append("Q\n")
            page.contents_add(push, prepend=True)
            page.contents_add(doc.make_stream(" ".join(parts).encode("ascii")))
        out = io.BytesIO()
        # content-derived /ID (not QPDF's fixed "static" one) and no dates: same input, same bytes
        doc.save(out, deterministic_id=True)
    except pikepdf.PdfError as exc:
        raise InvalidPdf(_MSG_BROKEN) from exc
    finally:
        for overlay in overlays.values():
            overlay.close()
    return out.getvalue()


# --------------------------------------------------------------------------- signed: pyHanko


def _apply_incremental(pdf: bytes, geos: list[PageGeometry], marks: list[_Mark],
                       seal: _Bitmap | None, field_label: str) -> bytes:
    """Append ``marks`` as widgets of one new, empty, read-only signature field."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError as HankoPdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        root = writer.root
        image_ref = gs_ref = None
        if seal is not None:
            img_dict = {
                pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(seal.width),
                pdf_name("/Height"): generic.NumberObject(seal.height),
                pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                pdf_name("/ColorSpace"): pdf_name("/DeviceRGB"),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            }
            if seal.alpha_z is not None:
                smask = generic.StreamObject({
                    pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
                    pdf_name("/Width"): generic.NumberObject(seal.width),
                    pdf_name("/Height"): generic.NumberObject(seal.height),
                    pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                    pdf_name("/ColorSpace"): pdf_name("/DeviceGray"),
                    pdf_name("/Filter"): pdf_name("/FlateDecode"),
                }, encoded_data=seal.alpha_z)
                img_dict[pdf_name("/SMask")] = writer.add_object(smask)
            image_ref = writer.add_object(generic.StreamObject(img_dict, encoded_data=seal.rgb_z))
            gs_ref = writer.add_object(generic.DictionaryObject({
                pdf_name("/Type"): pdf_name("/ExtGState"), pdf_name("/BM"): pdf_name("/Multiply")}))

        readers: dict[bytes, PdfFileReader] = {}
        forms: dict[_Form, generic.IndirectObject] = {}

        field_dict = generic.DictionaryObject({
            pdf_name("/FT"): pdf_name("/Sig"),
            pdf_name("/T"): generic.TextStringObject(_unique_field_name(root, field_label)),
            pdf_name("/TU"): generic.TextStringObject("图章/标记（非签名，签名后以增量更新加入）"),
            pdf_name("/Ff"): generic.NumberObject(1),  # ReadOnly: nobody is invited to "sign" it
        })
        field_ref = writer.add_object(field_dict)
        kids = generic.ArrayObject()
        for mark in marks:
            geo = geos[mark.page]
            to_user = geo.to_user()
            resources = generic.DictionaryObject()
            names: dict[str, str] = {}
            if mark.uses_seal:
                names.update(im="Im0", gs="Gs0")
                resources[pdf_name("/XObject")] = generic.DictionaryObject({pdf_name("/Im0"): image_ref})
                resources[pdf_name("/ExtGState")] = generic.DictionaryObject({pdf_name("/Gs0"): gs_ref})
            if mark.form is not None:
                if mark.form not in forms:
                    if mark.form.pdf not in readers:
                        readers[mark.form.pdf] = PdfFileReader(io.BytesIO(mark.form.pdf))
                    forms[mark.form] = writer.import_page_as_xobject(readers[mark.form.pdf],
                                                                     mark.form.index)
                names["fm"] = "Fm0"
                resources.setdefault(pdf_name("/XObject"), generic.DictionaryObject())
                resources[pdf_name("/XObject")][pdf_name("/Fm0")] = forms[mark.form]
            appearance = generic.StreamObject({
                pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(generic.FloatObject(v) for v in mark.bbox),
                # the viewer maps BBox through Matrix onto Rect: this rotates the mark with the page
                pdf_name("/Matrix"): generic.ArrayObject(generic.FloatObject(v) for v in to_user),
                pdf_name("/Resources"): resources,
            }, stream_data=mark.ops.format(**names).encode("ascii"))
            page_ref, _ = writer.find_page_for_modification(mark.page)
            widget = generic.DictionaryObject({
                pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/Rect"): generic.ArrayObject(
                    generic.FloatObject(v) for v in _transform_bbox(to_user, mark.bbox)),
                pdf_name("/F"): generic.NumberObject(4 | 64 | 128),  # Print | ReadOnly | Locked
                pdf_name("/P"): page_ref,
                pdf_name("/Parent"): field_ref,
                pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): writer.add_object(appearance)}),
            })
            widget_ref = writer.add_object(widget)
            kids.append(widget_ref)
            writer.register_annotation(page_ref, widget_ref)
        field_dict[pdf_name("/Kids")] = kids

        acroform_raw = root.raw_get("/AcroForm") if "/AcroForm" in root else None
        if acroform_raw is None:
            acroform = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()})
            root[pdf_name("/AcroForm")] = writer.add_object(acroform)
            writer.update_root()
        else:
            acroform = acroform_raw.get_object()
            if "/Fields" not in acroform:
                acroform[pdf_name("/Fields")] = generic.ArrayObject()
        fields_raw = acroform.raw_get("/Fields")
        fields_raw.get_object().append(field_ref)
        if isinstance(fields_raw, generic.IndirectObject):
            writer.mark_update(fields_raw)
        elif isinstance(acroform_raw, generic.IndirectObject):
            writer.mark_update(acroform_raw)
        else:
            writer.update_root()
        out = io.BytesIO()
        writer.write(out)
    except HankoPdfError as exc:
        raise InvalidPdf(_MSG_BROKEN) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidPdf(_MSG_BROKEN) from exc
    return out.getvalue()


def _unique_field_name(root: object, label: str) -> str:
    try:
        fields = root["/AcroForm"]["/Fields"]  # type: ignore[index]
        taken = {str(f.get_object().get("/T", "")) for f in fields}
    except (KeyError, TypeError, AttributeError):
        taken = set()
    k = 1
    while f"{label}-{k}" in taken:
        k += 1
    return f"{label}-{k}"


def _apply(pdf: bytes, doc: pikepdf.Pdf, geos: list[PageGeometry], marks: list[_Mark], *,
           seal: _Bitmap | None, field_label: str) -> bytes:
    if _is_signed(pdf, doc):
        doc.close()
        return _apply_incremental(pdf, geos, marks, seal, field_label)
    try:
        return _apply_pikepdf(doc, geos, marks, seal)
    finally:
        doc.close()


# --------------------------------------------------------------------------- 1. seal


def _fmt(v: float) -> str:
    return f"{v:.1f}"


def _seal_mark(geo: PageGeometry, x_mm: float, y_mm: float, d_mm: float) -> _Mark:
    w, h = geo.width_mm, geo.height_mm
    r = d_mm / 2
    if not (math.isfinite(x_mm) and math.isfinite(y_mm)) or not (
            r <= x_mm <= w - r and r <= y_mm <= h - r):
        if d_mm > min(w, h):
            limits = f"印章直径{_fmt(d_mm)}毫米大于页面尺寸"
        else:
            limits = (f"印章中心须在距左边{_fmt(r)}–{_fmt(w - r)}毫米、"
                      f"距上边{_fmt(r)}–{_fmt(h - r)}毫米之间")
        raise PlacementError(
            f"印章位置超出页面范围：第{geo.page}页为{_fmt(w)}×{_fmt(h)}毫米，"
            f"直径{_fmt(d_mm)}毫米的{limits}（收到 x={_fmt(x_mm)}，y={_fmt(y_mm)}）")
    d = d_mm * PT_PER_MM
    x0 = x_mm * PT_PER_MM - d / 2
    y0 = geo.height_pt - y_mm * PT_PER_MM - d / 2
    return _Mark(page=geo.page - 1, bbox=(x0, y0, x0 + d, y0 + d),
                 ops=_seal_ops(x0, y0, d, None), uses_seal=True)


def _check_page(page: int, total: int) -> None:
    if not isinstance(page, int) or page < 1 or page > total:
        raise PlacementError(f"第{page}页不存在，文件共{total}页")


def stamp_seal(pdf: bytes, seal: SealImage, placement: SealPlacement) -> bytes:
    """Draw ``seal`` centred at ``placement`` (mm from the displayed page's top-left corner).

    The seal is one image XObject with a soft mask (transparency) drawn with multiply blending.
    Raises InvalidPdf, EncryptedPdf, InvalidSealImage, and PlacementError when the page does
    not exist ("第N页不存在，文件共M页") or the seal would not lie wholly on the page
    ("印章位置超出页面范围…").
    """
    return _stamp_many(pdf, seal, [placement], field_label="seal")


def _stamp_many(pdf: bytes, seal: SealImage, placements: Iterable[SealPlacement], *,
                field_label: str) -> bytes:
    doc = _open(pdf)
    try:
        geos = _geometries(doc)
        marks = []
        for p in placements:
            _check_page(p.page, len(geos))
            d_mm = _check_diameter(p.diameter_mm if p.diameter_mm is not None else seal.diameter_mm)
            marks.append(_seal_mark(geos[p.page - 1], float(p.x_mm), float(p.y_mm), d_mm))
        bitmap = _seal_bitmap(bytes(seal.png))
    except BaseException:
        doc.close()
        raise
    return _apply(bytes(pdf), doc, geos, marks, seal=bitmap, field_label=field_label)


# --------------------------------------------------------------------------- 2. anchors


def _dest_array(value: object) -> pikepdf.Array | None:
    if isinstance(value, pikepdf.Dictionary):
        value = value.get("/D")
    return value if isinstance(value, pikepdf.Array) else None


def _anchor_sort_key(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _read_anchors(doc: pikepdf.Pdf, prefix: str) -> list[tuple[str, SealPlacement]]:
    geos = _geometries(doc)
    page_index = {doc.pages[i].obj.objgen: i for i in range(len(doc.pages))}
    named: dict[str, object] = {}
    names = doc.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and isinstance(names.get("/Dests"), pikepdf.Dictionary):
        try:
            for key, value in pikepdf.NameTree(names.Dests).items():
                named.setdefault(str(key), value)
        except (pikepdf.PdfError, ValueError, TypeError, RuntimeError):
            pass
    legacy = doc.Root.get("/Dests")  # PDF 1.1 style: a dictionary keyed by names
    if isinstance(legacy, pikepdf.Dictionary):
        for key, value in legacy.items():
            named.setdefault(key[1:], value)
    found: list[tuple[str, SealPlacement]] = []
    for name, value in named.items():
        if not name.startswith(prefix):
            continue
        dest = _dest_array(value)
        if dest is None or len(dest) < 4 or dest[1] != pikepdf.Name.XYZ:
            continue
        target = dest[0]
        if isinstance(target, pikepdf.Dictionary) and target.is_indirect:
            index = page_index.get(target.objgen)
        elif isinstance(target, int | pikepdf.Object) and not isinstance(target, pikepdf.Dictionary):
            try:
                index = int(target)
            except (TypeError, ValueError):
                index = None
        else:
            index = None
        if index is None or not 0 <= index < len(geos):
            continue
        try:
            ux, uy = float(dest[2]), float(dest[3])
        except (TypeError, ValueError):
            continue  # a null left/top keeps the viewer's position: no usable point
        geo = geos[index]
        a, b, c, d, e, f = geo.to_user()
        det = a * d - b * c
        dx, dy = ux - e, uy - f
        x_up = (d * dx - c * dy) / det
        y_up = (-b * dx + a * dy) / det
        found.append((name, SealPlacement(page=index + 1, x_mm=x_up / PT_PER_MM,
                                          y_mm=(geo.height_pt - y_up) / PT_PER_MM)))
    found.sort(key=lambda item: _anchor_sort_key(item[0]))
    return found


def find_seal_anchors(pdf: bytes, prefix: str = ANCHOR_PREFIX) -> list[SealPlacement]:
    """Seal anchors: named destinations ``<prefix>1``, ``<prefix>2``… (``/XYZ left top``).

    Reads the ``/Names /Dests`` name tree and the legacy ``/Dests`` dictionary. Each anchor is
    returned as a SealPlacement (page, x_mm, y_mm on the displayed page; diameter None), sorted
    by name with numbers compared as numbers. Raises InvalidPdf / EncryptedPdf.
    """
    doc = _open(pdf)
    try:
        return [placement for _, placement in _read_anchors(doc, prefix)]
    finally:
        doc.close()


def stamp_at_anchors(pdf: bytes, seal: SealImage, prefix: str = ANCHOR_PREFIX) -> bytes:
    """Apply ``seal`` centred on every seal anchor of ``pdf`` (one seal per issued copy).

    Raises PlacementError when the document has no anchor or an anchor is too close to the
    page edge for the seal, plus the errors of :func:`stamp_seal`.
    """
    anchors = find_seal_anchors(pdf, prefix)
    if not anchors:
        raise PlacementError("文件中没有印章位置标记，无法自动盖章")
    return _stamp_many(pdf, seal, anchors, field_label="seal")


# --------------------------------------------------------------------------- 3. 骑缝章


def plan_cross_page_seal(pages: int, diameter_mm: float, min_strip_mm: float = 3.0) -> list[CrossPageStrip]:
    """Which slice of the seal goes on which page (domain-rules §6.3).

    All pages form one group when ``diameter_mm / pages >= min_strip_mm``; otherwise the pages
    are split into as few groups as possible (each ≥ 2 pages, sizes differing by at most one),
    and the seal is repeated once per group. Strip j of a group of k shows the seal from
    ``j·D/k`` to ``(j+1)·D/k`` (the first page of a group gets the seal's left edge).
    Raises PlacementError for fewer than two pages.
    """
    if pages < 2:
        raise PlacementError("骑缝章需要至少两页")
    d = _check_diameter(diameter_mm)
    if not (math.isfinite(min_strip_mm) and min_strip_mm > 0):
        raise PlacementError("骑缝章最小分割宽度必须大于0毫米")
    per_group = max(2, int(d / min_strip_mm + 1e-9))
    groups = min(math.ceil(pages / per_group), pages // 2)
    base, extra = divmod(pages, groups)
    strips: list[CrossPageStrip] = []
    page = 1
    for g in range(groups):
        size = base + (1 if g < extra else 0)
        width = d / size
        for j in range(size):
            strips.append(CrossPageStrip(page=page, group=g + 1, group_size=size,
                                         offset_mm=j * width, width_mm=width))
            page += 1
    return strips


def stamp_cross_page_seal(pdf: bytes, seal: SealImage, *, y_mm: float | None = None,
                          min_strip_mm: float = 3.0) -> bytes:
    """Apply a 骑缝章: one vertical strip of ``seal`` per page, flush with each page's right edge.

    ``y_mm`` is the height of the seal's centre from the displayed page's top (default: the
    middle of each page). Strips are clipped views of one shared image XObject, so the file
    grows by one image whatever the page count. Raises PlacementError for a one-page document
    ("骑缝章需要至少两页") or a ``y_mm`` that puts the seal off a page.
    """
    doc = _open(pdf)
    try:
        geos = _geometries(doc)
        d_mm = _check_diameter(seal.diameter_mm)
        plan = plan_cross_page_seal(len(geos), d_mm, min_strip_mm)
        marks = []
        d = d_mm * PT_PER_MM
        for strip in plan:
            geo = geos[strip.page - 1]
            cy_mm = geo.height_mm / 2 if y_mm is None else float(y_mm)
            r = d_mm / 2
            fits = math.isfinite(cy_mm) and r <= cy_mm <= geo.height_mm - r
            if not fits or strip.width_mm > geo.width_mm:
                raise PlacementError(
                    f"印章位置超出页面范围：第{geo.page}页高{_fmt(geo.height_mm)}毫米，"
                    f"直径{_fmt(d_mm)}毫米的骑缝章中心须在距上边{_fmt(r)}–{_fmt(geo.height_mm - r)}毫米之间")
            w_pt, h_pt = geo.width_pt, geo.height_pt
            s = strip.width_mm * PT_PER_MM
            x0 = w_pt - s - strip.offset_mm * PT_PER_MM
            y0 = h_pt - cy_mm * PT_PER_MM - d / 2
            clip = (w_pt - s, y0, w_pt, y0 + d)
            marks.append(_Mark(page=strip.page - 1, bbox=clip, ops=_seal_ops(x0, y0, d, clip),
                               uses_seal=True))
        bitmap = _seal_bitmap(bytes(seal.png))
    except BaseException:
        doc.close()
        raise
    return _apply(bytes(pdf), doc, geos, marks, seal=bitmap, field_label="cross-page-seal")


# --------------------------------------------------------------------------- overlays via WeasyPrint


def _size_key(geo: PageGeometry) -> tuple[float, float]:
    return (round(geo.width_pt, 3), round(geo.height_pt, 3))


def _page_css(sizes: Iterable[tuple[float, float]]) -> str:
    rules = [f"@page s{k} {{ size: {_num(w)}pt {_num(h)}pt; margin: 0 }}" for k, (w, h) in enumerate(sizes)]
    return "\n".join(rules) + "\nhtml, body { margin: 0; padding: 0 }\n"


def _em_width(text: str) -> float:
    """Rough advance of ``text`` in em: CJK/full-width 1, other characters ~0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _check_text(text: str, what: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise StampingError(f"{what}不能为空")
    if len(text) > 200 or "\n" in text or "\r" in text:
        raise StampingError(f"{what}过长或包含换行")
    font_stack().check_text(text, field=what)
    return text.strip()


@lru_cache(maxsize=32)
def _watermark_overlay(text: str, sizes: tuple[tuple[float, float], ...], opacity: float,
                       angle_deg: float, font_size_pt: float | None) -> bytes:
    """One page per distinct displayed size, each tiled with the rotated text (cached)."""
    family = font_stack().family("hei")
    sections = []
    for k, (w, h) in enumerate(sizes):
        size = font_size_pt or max(14.0, min(72.0, 36.0 * min(w, h) / 595.0))
        text_w = _em_width(text) * size
        box_w = text_w + size  # slack so the line never wraps
        rad = math.radians(angle_deg)
        ux, uy = math.cos(rad), -math.sin(rad)  # along the text (y grows downwards in CSS)
        vx, vy = -uy, ux  # across the lines
        step_u, step_v = text_w + 3 * size, 5 * size
        reach = int(math.hypot(w, h) / min(step_u, step_v)) + 2
        items = []
        for i in range(-reach, reach + 1):
            for j in range(-reach, reach + 1):
                shift = (j % 2) * step_u / 2  # stagger alternate rows
                cx = w / 2 + (i * step_u + shift) * ux + j * step_v * vx
                cy = h / 2 + (i * step_u + shift) * uy + j * step_v * vy
                if -text_w / 2 <= cx <= w + text_w / 2 and -size <= cy <= h + size:
                    items.append(
                        f'<div class="wm" style="left:{_num(cx - box_w / 2)}pt;'
                        f'top:{_num(cy - size * 0.6)}pt;width:{_num(box_w)}pt">{html.escape(text)}</div>')
        sections.append(
            f'<section style="page:s{k};width:{_num(w)}pt;height:{_num(h)}pt;font-size:{_num(size)}pt">'
            f'{"".join(items)}</section>')
    css = _page_css(sizes) + (
        "section { position: relative; overflow: hidden; break-after: page }\n"
        "section:last-child { break-after: auto }\n"
        f".wm {{ position: absolute; white-space: nowrap; text-align: center; line-height: 1.2;"
        f" font-family: {family}; color: rgba(0, 0, 0, {_num(opacity)});"
        f" transform: rotate(-{_num(angle_deg)}deg) }}\n")
    return html_to_pdf(f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head>"
                       f"<body>{''.join(sections)}</body></html>")


def add_watermark(pdf: bytes, text: str, *, opacity: float = 0.12, angle_deg: float = 35,
                  font_size_pt: float | None = None) -> bytes:
    """Repeat ``text`` diagonally (rotated ``angle_deg`` anticlockwise) over every page.

    The text is laid out by WeasyPrint with our bundled CJK fonts (one overlay page per
    distinct displayed page size, cached per process) and drawn as a Form XObject over the
    page, in black at ``opacity``. ``font_size_pt`` defaults to 36 pt on A4, scaled with the
    page. Raises UncoverableCharacter (app.documents.fonts) for a character no bundled font
    can draw, StampingError for empty text or an opacity outside (0, 1], and the PDF errors.
    """
    text = _check_text(text, "水印文字")
    if not (isinstance(opacity, int | float) and 0 < opacity <= 1):
        raise StampingError("水印透明度必须在0到1之间")
    if font_size_pt is not None and not (math.isfinite(font_size_pt) and 4 <= font_size_pt <= 200):
        raise StampingError("水印字号必须在4到200磅之间")
    doc = _open(pdf)
    try:
        geos = _geometries(doc)
        sizes = list(dict.fromkeys(_size_key(g) for g in geos))
        overlay = _watermark_overlay(text, tuple(sizes), float(opacity), float(angle_deg),
                                     None if font_size_pt is None else float(font_size_pt))
        marks = [_Mark(page=g.page - 1, bbox=(0.0, 0.0, g.width_pt, g.height_pt), ops="/{fm} Do",
                       form=_Form(overlay, sizes.index(_size_key(g)))) for g in geos]
    except BaseException:
        doc.close()
        raise
    return _apply(bytes(pdf), doc, geos, marks, seal=None, field_label="watermark")


def _margin_overlay(geos: Sequence[PageGeometry], number: str, verify_url: str, label: str,
                    style: MarginLineStyle) -> bytes:
    """All margin-line pages in one WeasyPrint call, page i sized like target page i."""
    sizes = list(dict.fromkeys(_size_key(g) for g in geos))
    family = font_stack().family("body")
    qr = html.escape(qr_src(verify_url), quote=True)
    n = len(geos)
    sections = []
    for geo in geos:
        w, h = _size_key(geo)
        right = style.right_mm if style.right_mm is not None else (26.0 if geo.width_mm >= 150 else 8.0)
        lines = [f"编号：{html.escape(number)}", f"第{geo.page}页/共{n}页"]
        if label:
            lines.insert(0, html.escape(label))
        text_right = right + style.qr_mm + style.gap_mm
        sections.append(
            f'<section style="page:s{sizes.index((w, h))};width:{_num(w)}pt;height:{_num(h)}pt">'
            f'<img class="qr" src="{qr}" alt=""'
            f' style="right:{_num(right)}mm;bottom:{_num(style.bottom_mm)}mm">'
            f'<div class="ml" style="right:{_num(text_right)}mm;bottom:{_num(style.bottom_mm)}mm">'
            + "".join(f"<p>{line}</p>" for line in lines) + "</div></section>")
    css = _page_css(sizes) + (
        "section { position: relative; overflow: hidden; break-after: page }\n"
        "section:last-child { break-after: auto }\n"
        f"img.qr {{ position: absolute; width: {_num(style.qr_mm)}mm; height: {_num(style.qr_mm)}mm;"
        " image-rendering: pixelated }\n"
        f".ml {{ position: absolute; text-align: right; white-space: nowrap; font-family: {family};"
        f" font-size: {_num(style.font_size_pt)}pt; line-height: 1.3; color: #333 }}\n"
        "p { margin: 0 }\n")
    return html_to_pdf(f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head>"
                       f"<body>{''.join(sections)}</body></html>")


def add_margin_line(pdf: bytes, *, number: str, verify_url: str, label: str = "",
                    style: MarginLineStyle = MarginLineStyle()) -> bytes:
    """Add to every page a small block at the bottom: the document number, "第i页/共n页",
    an optional ``label`` line and a QR code of ``verify_url`` (see MarginLineStyle for the
    placement and why it keeps clear of the GB/T 9704 page number).

    The n overlay pages are rendered in one WeasyPrint call and page i is drawn over page i.
    Raises StampingError for an empty number or URL, UncoverableCharacter for text no bundled
    font can draw, and the PDF errors.
    """
    number = _check_text(number, "文书编号")
    if not isinstance(verify_url, str) or not verify_url.startswith(("http://", "https://")):
        raise StampingError("核验网址必须以 http:// 或 https:// 开头")
    if label:
        label = _check_text(label, "标注文字")
    doc = _open(pdf)
    try:
        geos = _geometries(doc)
        overlay = _margin_overlay(geos, number, verify_url, label, style)
        marks = [_Mark(page=g.page - 1, bbox=(0.0, 0.0, g.width_pt, g.height_pt), ops="/{fm} Do",
                       form=_Form(overlay, g.page - 1)) for g in geos]
    except BaseException:
        doc.close()
        raise
    return _apply(bytes(pdf), doc, geos, marks, seal=None, field_label="margin-line")


__all__ = [
    "ANCHOR_PREFIX", "CrossPageStrip", "MarginLineStyle", "PageGeometry",
    "add_margin_line", "add_watermark", "find_seal_anchors", "page_count", "page_sizes_mm",
    "plan_cross_page_seal", "stamp_at_anchors", "stamp_cross_page_seal", "stamp_seal",
]
