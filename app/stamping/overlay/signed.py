"""The writer for signed PDFs: marks appended as an incremental update with pyHanko, as widgets
of one new, empty, read-only signature field (see the package docstring)."""

from __future__ import annotations

import io

from app.stamping.archival import align_producer
from app.stamping.overlay.document import MSG_BROKEN
from app.stamping.overlay.marks import Bitmap, Form, Mark, transform_bbox
from app.stamping.overlay.options import PageGeometry
from app.stamping.types import InvalidPdf


def write_incremental(pdf: bytes, geos: list[PageGeometry], marks: list[Mark],
                       seal: Bitmap | None, field_label: str) -> bytes:
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
        forms: dict[Form, generic.IndirectObject] = {}

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
                    generic.FloatObject(v) for v in transform_bbox(to_user, mark.bbox)),
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
        align_producer(writer)  # a PDF/A input keeps Info and XMP equal
        out = io.BytesIO()
        writer.write(out)
    except HankoPdfError as exc:
        raise InvalidPdf(MSG_BROKEN) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidPdf(MSG_BROKEN) from exc
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
