"""The intake gate: every refusal with a crafted file, the facts of a good file, and worker recovery."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import signal
import struct
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from app.archive import intake
from app.archive.intake import IntakeLimits, IntakeRejected, PdfFacts, display_file_name, inspect_pdf, sandbox
from app.documents.fonts import font_stack
from app.documents.render import html_to_pdf
from app.domain.numbers import DocumentType, format_document_number

MB = 1024 * 1024
NUMBER = format_document_number(DocumentType.CN, 2026, 1)
VERIFY_URL = f"http://127.0.0.1:8000/verify/{NUMBER}?c=ABC"


@pytest.fixture(scope="module", autouse=True)
def _stop_workers() -> Iterator[None]:
    """Leave no worker processes behind for the rest of the session."""
    yield
    intake.shutdown()


# ---------------------------------------------------------------------------------------------------
# Building test files


def save(pdf: pikepdf.Pdf, **options) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf, **options)
    return buf.getvalue()


def blank(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    return pdf


def blank_bytes(pages: int = 1) -> bytes:
    return save(blank(pages))


def add_annotation(pdf: pikepdf.Pdf, annotation: Dictionary) -> None:
    page = pdf.pages[0].obj
    annotation.Type = Name.Annot
    annotation.Rect = Array([10, 10, 50, 50])
    page.Annots = Array([pdf.make_indirect(annotation)])


def zeros_flate(megabytes: int) -> bytes:
    """A valid zlib stream of ``megabytes`` MiB of zeros, built in O(1) time.

    After a full flush deflate forgets its history, so every further MiB of zeros compresses to the
    same bytes: repeat them, then end with the Adler-32 of n zeros, which is (n mod 65521) << 16 | 1.
    """
    chunk = bytes(MB)
    deflater = zlib.compressobj(9)
    first = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    middle = deflater.compress(chunk) + deflater.flush(zlib.Z_FULL_FLUSH)
    end = deflater.flush()[:-4]  # an empty final block; its checksum covers only 2 MiB, replaced below
    adler = ((megabytes * MB) % 65521) << 16 | 1
    return first + middle * (megabytes - 1) + end + struct.pack(">I", adler)


def with_flate_streams(*encoded: bytes) -> bytes:
    """A one-page PDF carrying the given Flate data as (already encoded) streams, reachable from the page."""
    pdf = blank()
    streams = []
    for raw in encoded:
        stream = pikepdf.Stream(pdf, b"")
        stream.write(raw, filter=Name.FlateDecode)
        streams.append(pdf.make_indirect(stream))
    pdf.pages[0].obj.PieceInfo = Dictionary(Test=Dictionary(Private=Array(streams)))
    return save(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def append_unreferenced_object(data: bytes, body: bytes) -> bytes:
    """An incremental update adding one object that nothing refers to (xref table and trailer by hand)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        number = int(pdf.trailer.Size)
        root = pdf.Root.objgen
    previous_xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    data = data if data.endswith(b"\n") else data + b"\n"
    obj = b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(data) + len(obj)
    update = (
        f"xref\n{number} 1\n{len(data):010d} 00000 n \n"
        f"trailer\n<< /Size {number + 1} /Root {root[0]} {root[1]} R /Prev {previous_xref} >>\n"
        f"startxref\n{xref_at}\n%%EOF\n"
    ).encode()
    return data + obj + update


@pytest.fixture(scope="module")
def good_pdf() -> bytes:
    """A Chinese page with a document number in the text and a link to its verification page."""
    html = (
        f'<style>p {{ font-family: {font_stack().family("body")} }}</style>'
        f"<p>凌源市信用承诺书</p><p>编号：{NUMBER}</p>"
        f'<p><a href="{VERIFY_URL}">扫码核验</a></p>'
    )
    return html_to_pdf(html)


def rejected(data: bytes, limits: IntakeLimits | None = None) -> IntakeRejected:
    with pytest.raises(IntakeRejected) as info:
        inspect_pdf(data, limits or IntakeLimits())
    return info.value


# ---------------------------------------------------------------------------------------------------
# Accepted files


def test_good_pdf_gives_its_facts(good_pdf):
    facts = inspect_pdf(good_pdf)

    assert isinstance(facts, PdfFacts)
    assert facts.sha256 == hashlib.sha256(good_pdf).hexdigest()
    assert facts.size_bytes == len(good_pdf)
    assert facts.page_count == 1
    assert "凌源市信用承诺书" in facts.text_sample
    assert NUMBER in facts.text_sample
    assert facts.document_numbers == (NUMBER,)  # in the text and in the link: once
    assert facts.verify_urls == (VERIFY_URL,)
    assert facts.has_signatures is False


def test_numbers_are_validated_normalised_and_taken_from_links():
    other = format_document_number(DocumentType.BG, 2025, 42)
    wrong_check = NUMBER[:-1] + ("A" if NUMBER[-1] != "A" else "B")
    html = (
        f'<style>p {{ font-family: {font_stack().family("body")} }}</style>'
        f"<p>{NUMBER.lower()}</p><p>{wrong_check}</p>"
        f'<p><a href="https://xy.lingyuan.gov.cn/verify/{other}?c=X">报告</a></p>'
    )
    facts = inspect_pdf(html_to_pdf(html))

    assert facts.document_numbers == (NUMBER, other)  # upper-cased; wrong check character dropped
    assert facts.verify_urls == (f"https://xy.lingyuan.gov.cn/verify/{other}?c=X",)


def test_number_broken_across_lines_is_found():
    html = (f'<style>p {{ font-family: {font_stack().family("body")} }}</style>'
            f'<p>编号：LYXY-<br>{NUMBER.removeprefix("LYXY-")}</p>')
    facts = inspect_pdf(html_to_pdf(html))

    assert "LYXY-\n" in facts.text_sample
    assert facts.document_numbers == (NUMBER,)


def test_uri_outside_verify_is_not_a_verify_url():
    pdf = blank()
    add_annotation(pdf, Dictionary(Subtype=Name.Link, A=Dictionary(S=Name.URI, URI=String("https://example.org/"))))

    assert inspect_pdf(save(pdf)).verify_urls == ()


def test_text_sample_covers_three_pages_at_most():
    body = "".join(f'<p style="page-break-after: always">第{i}页</p>' for i in range(1, 6))
    html = f'<style>p {{ font-family: {font_stack().family("body")} }}</style>{body}'
    facts = inspect_pdf(html_to_pdf(html))

    assert facts.page_count == 5
    assert "第3页" in facts.text_sample
    assert "第4页" not in facts.text_sample


def test_signature_field_with_value_is_reported():
    pdf = blank()
    value = pdf.make_indirect(Dictionary(Type=Name.Sig, Filter=Name("/Adobe.PPKLite"),
                                         ByteRange=Array([0, 10, 20, 30]), Contents=String(b"\0" * 8)))
    field = pdf.make_indirect(Dictionary(FT=Name.Sig, T=String("Signature1"), V=value))
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), SigFlags=3)

    assert inspect_pdf(save(pdf)).has_signatures is True


def test_empty_signature_field_is_not_a_signature():
    pdf = blank()
    field = pdf.make_indirect(Dictionary(FT=Name.Sig, T=String("Signature1")))
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]))

    assert inspect_pdf(save(pdf)).has_signatures is False


def test_streams_below_every_bound_are_accepted():
    # Ten streams of 600 KiB of zeros: 1000:1 each, but each is far below the 16 MiB floor.
    data = with_flate_streams(*[zeros_flate(1)[:] for _ in range(10)])

    assert inspect_pdf(data).page_count == 1


# ---------------------------------------------------------------------------------------------------
# Cheap checks in the caller


def test_empty_file():
    exc = rejected(b"")
    assert (exc.code, exc.message) == ("empty_file", "文件为空")


def test_too_large_with_default_limit():
    data = b"%PDF-1.7\n" + bytes(20 * MB)
    exc = rejected(data)
    assert (exc.code, exc.message) == ("too_large", "文件超过20 MB上限")


def test_too_large_with_small_limit():
    exc = rejected(blank_bytes(), IntakeLimits(max_bytes=100))
    assert exc.code == "too_large"
    assert exc.message == "文件超过100字节上限"


@pytest.mark.parametrize(
    "data",
    [
        bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(64),  # PNG
        "这是一个文本文件，不是PDF。".encode(),
        b"x" * 2000 + b"%PDF-1.7\n",  # the header too far in
    ],
    ids=["png", "text", "late-header"],
)
def test_not_a_pdf(data):
    exc = rejected(data)
    assert (exc.code, exc.message) == ("not_pdf", "文件不是PDF格式")


@pytest.mark.parametrize(
    "prefix",
    [
        b"<html><body><script>alert(document.domain)</script><!--\n",
        b"\xef\xbb\xbf",  # a UTF-8 byte-order mark
        b"\n",
        b"PK\x03\x04" + bytes(26),  # a ZIP local header
    ],
    ids=["html", "bom", "newline", "zip"],
)
def test_polyglot_with_bytes_before_the_header(prefix):
    """Readers accept %PDF- anywhere in the first 1024 bytes; the gate only at offset 0."""
    data = prefix + blank_bytes()
    exc = rejected(data)
    assert exc.code == "polyglot"
    assert exc.message == "文件开头不是PDF文件头（%PDF-），可能是伪装成PDF的其他文件，不予接收"
    assert inspect_pdf(blank_bytes()).page_count == 1  # the same file without the prefix passes


# ---------------------------------------------------------------------------------------------------
# Page tree and page boxes


def with_count(data: bytes, real: int, stated: int) -> bytes:
    """The file with the page tree's /Count replaced by a lie of the same width (offsets stay valid)."""
    old, new = b"/Count %d " % real, b"/Count %d " % stated
    assert len(old) == len(new)
    assert data.count(old) == 1
    return data.replace(old, new)


@pytest.mark.parametrize("stated", [1, 9], ids=["fewer", "more"])
def test_lying_page_count_is_refused_and_limits_count_the_real_pages(stated):
    """qpdf counts the leaves (5), poppler believes /Count: a file that reads differently is refused,
    and the page limit applies to the real pages, whatever /Count says."""
    data = with_count(save(blank(5), object_stream_mode=pikepdf.ObjectStreamMode.disable), 5, stated)

    exc = rejected(data)
    assert exc.code == "page_count_mismatch"
    assert exc.message == (f"PDF页面树记录的页数（/Count {stated}）与实际页数（共5页）不符，"
                           "不同阅读器会显示不同的页面，请用PDF软件另存后重新上传")
    exc = rejected(data, IntakeLimits(max_pages=3))  # /Count 1 does not hide the real five
    assert (exc.code, exc.message) == ("too_many_pages", "PDF页数超过3页上限（本文件5页）")


def handmade_pdf(*bodies: bytes) -> bytes:
    """A PDF written byte by byte (qpdf would rewrite a page tree on save): object i+1 is bodies[i]."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def two_level_tree(middle_count: int) -> bytes:
    """Catalog, root /Pages with one page and an intermediate /Pages node holding three more."""
    page = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << >> >>"
    return handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R 3 0 R] /Count 4 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [5 0 R 6 0 R 7 0 R] /Count %d >>" % middle_count,
        page % 2, page % 3, page % 3, page % 3,
    )


def test_page_tree_node_under_two_parents_is_refused():
    page = b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Resources << >> >>"
    data = handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Pages /Parent 2 0 R /Kids [4 0 R] /Count 1 >>",
        page,
    )
    assert rejected(data).code == "broken_pdf"


def test_lying_count_in_an_intermediate_node_is_refused():
    assert inspect_pdf(two_level_tree(3)).page_count == 4  # the truthful tree is fine
    exc = rejected(two_level_tree(7))
    assert exc.code == "page_count_mismatch"
    assert "/Count 7" in exc.message
    assert "共4页" in exc.message


def with_boxes(media: list | None, *, crop: list | None = None, on_parent: bool = False,
               user_unit: object = None) -> bytes:
    pdf = blank(2)
    page = pdf.pages[1].obj
    if media is not None:
        (pdf.Root.Pages if on_parent else page).MediaBox = Array(media)
    if on_parent or media is None:
        for p in pdf.pages:
            del p.obj["/MediaBox"]
    if crop is not None:
        page.CropBox = Array(crop)
    if user_unit is not None:
        page.UserUnit = user_unit
    return save(pdf)


A4 = [0, 0, 595, 842]
FIVE_METRES_PT = 5000 / 25.4 * 72  # 14173.2


@pytest.mark.parametrize(
    ("media", "options", "problem"),
    [
        ([0, 0, 0, 0], {}, "MediaBox宽或高为零或负数"),
        ([0, 0, 595, 0], {}, "MediaBox宽或高为零或负数"),
        ([0, 0, -595, -842], {}, "MediaBox宽或高为零或负数"),
        ([595, 842, 0, 0], {}, "MediaBox宽或高为零或负数"),  # swapped corners
        ([0, 0, 20000, 842], {}, "MediaBox超过5000毫米"),
        ([0, 0, 595, 1e12], {}, "MediaBox超过5000毫米"),
        ([1e9, 1e9, 1e9 + 595, 1e9 + 842], {}, "MediaBox超过5000毫米"),  # A4 five thousand km away
        ([0, 0, 20000, 842], {"on_parent": True}, "MediaBox超过5000毫米"),  # inherited
        (A4, {"crop": [0, 0, 0, 0]}, "CropBox宽或高为零或负数"),
        (A4, {"crop": [-30000, 0, 595, 842]}, "CropBox超过5000毫米"),
        (A4, {"user_unit": 100}, "MediaBox超过5000毫米"),  # 595 × 100 pt = 21 m
        (A4, {"user_unit": 0}, "UserUnit无效"),
        ([0, 0, 595], {}, None),  # qpdf replaces these by US Letter, with a warning
        ([0, 0, Name.Width, 842], {}, None),
        (None, {}, None),
    ],
    ids=["zero", "zero-height", "negative", "swapped", "wide", "tall", "far-away", "inherited", "crop-zero",
         "crop-wide", "user-unit", "user-unit-zero", "three-numbers", "name", "missing"],
)
def test_bad_page_box(media, options, problem):
    exc = rejected(with_boxes(media, **options))
    assert exc.code == "bad_page_box"
    if problem is None:
        assert exc.message == "PDF页面缺少有效的页面尺寸（MediaBox）"
    else:
        assert exc.message == f"PDF第{1 if options.get('on_parent') else 2}页的页面尺寸无效（{problem}）"


@pytest.mark.parametrize(
    ("media", "options"),
    [
        ([0, 0, 3370, 2384], {}),  # A0 landscape
        ([-100, -100, 495, 742], {}),  # origin off the corner
        ([0, 0, FIVE_METRES_PT, 842], {}),  # exactly 5 m
        ([0, 0, 14000, 842], {"on_parent": True}),
        (A4, {"crop": [10, 10, 585, 832]}),
        ([0, 0, 59.5, 84.2], {"user_unit": 10}),  # A4 in units of 10 pt
    ],
    ids=["a0", "offset-origin", "five-metres", "inherited", "crop", "user-unit"],
)
def test_sane_page_boxes_are_accepted(media, options):
    assert inspect_pdf(with_boxes(media, **options)).page_count == 2


# ---------------------------------------------------------------------------------------------------
# JBIG2


def with_image_stream(filters, **extra) -> bytes:
    pdf = blank()
    image = pikepdf.Stream(pdf, b"\x00" * 16)
    image.Type, image.Subtype = Name.XObject, Name.Image
    image.Width = image.Height = 8
    image.ColorSpace, image.BitsPerComponent = Name.DeviceGray, 1
    image.Filter = filters
    for key, value in extra.items():
        image[f"/{key}"] = value
    pdf.pages[0].add_resource(pdf.make_indirect(image), Name.XObject, prefix="Im")
    return save(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


JBIG2_MESSAGE = "PDF含有JBIG2编码的图像，出于安全原因不予接收，请以JPEG或PNG图像重新扫描或另存为PDF"


def test_jbig2_image_is_refused():
    exc = rejected(with_image_stream(Name.JBIG2Decode))
    assert (exc.code, exc.message) == ("jbig2", JBIG2_MESSAGE)


def test_jbig2_behind_another_filter_is_refused():
    assert rejected(with_image_stream(Array([Name.ASCIIHexDecode, Name.JBIG2Decode]))).code == "jbig2"


def test_jbig2_name_escaped_is_refused():
    """``/JBIG#32Decode`` is the name /JBIG2Decode: the parser decodes it, a byte grep would not."""
    data = with_image_stream(Name("/JBIG2DecodeXY"))
    data = data.replace(b"/JBIG2DecodeXY", b"/JBIG#32Decode")  # same length: offsets stay valid
    assert b"JBIG2" not in data
    assert rejected(data).code == "jbig2"


def test_jbig2_globals_are_refused():
    pdf = blank()
    pdf.Root.Junk = pdf.make_indirect(Dictionary(DecodeParms=Dictionary(
        JBIG2Globals=pdf.make_stream(b"\x00"))))
    assert rejected(save(pdf)).code == "jbig2"


def with_content(content: bytes) -> bytes:
    pdf = blank()
    pdf.pages[0].Contents = pdf.make_stream(content)
    return save(pdf)


def test_jbig2_inline_image_is_refused():
    """Not allowed there by the standard, decoded there by pdf.js; hidden inside a Flate content stream."""
    data = with_content(b"q 8 0 0 8 0 0 cm BI /W 8 /H 8 /BPC 1 /CS /G /F [/AHx /JBIG2Decode] ID 00> EI Q")
    assert b"JBIG2" not in data  # compressed: only the parse sees it
    exc = rejected(data)
    assert (exc.code, exc.message) == ("jbig2", JBIG2_MESSAGE)


def test_jbig2_inline_image_in_a_form_xobject_is_refused():
    pdf = blank()
    form = pdf.make_stream(b"BI /W 8 /H 8 /BPC 1 /CS /G /F /JBIG2Decode ID \x00\x00 EI")
    form.Type, form.Subtype, form.BBox = Name.XObject, Name.Form, Array([0, 0, 8, 8])
    pdf.pages[0].add_resource(pdf.make_indirect(form), Name.XObject, prefix="Fm")
    assert rejected(save(pdf)).code == "jbig2"


def test_jbig2_inline_image_in_an_appearance_stream_without_subtype_is_refused():
    pdf = blank()
    appearance = pdf.make_stream(b"BI /W 8 /H 8 /BPC 1 /CS /G /F /JBIG2Decode ID \x00\x00 EI")
    appearance.BBox = Array([0, 0, 8, 8])  # no /Subtype /Form: readers draw it anyway
    add_annotation(pdf, Dictionary(Subtype=Name.Square, AP=Dictionary(N=appearance)))
    assert rejected(save(pdf)).code == "jbig2"


def test_other_inline_images_and_text_with_bi_are_accepted():
    data = with_content(b"BT /F1 12 Tf (BIG BI ID EI) Tj ET q 8 0 0 8 0 0 cm "
                        b"BI /W 1 /H 1 /BPC 8 /CS /G /F /AHx ID 7f> EI Q")
    assert inspect_pdf(data).page_count == 1


# ---------------------------------------------------------------------------------------------------
# Parse failures


def test_truncated_pdf_is_broken(good_pdf):
    exc = rejected(good_pdf[: len(good_pdf) // 2])
    assert (exc.code, exc.message) == ("broken_pdf", "PDF文件已损坏，无法解析")


def test_garbage_after_header_is_broken():
    exc = rejected(b"%PDF-1.7\n" + os.urandom(4096))
    assert exc.code == "broken_pdf"
    assert "startxref" in exc.detail


def test_pdf_with_shifted_offsets_is_broken():
    # One byte inserted near the start: every offset in the xref table is off by one. qpdf copes,
    # with a warning; a file that needs such guessing is refused.
    data = blank_bytes().replace(b"1 0 obj", b" 1 0 obj", 1)
    exc = rejected(data)
    assert exc.code == "broken_pdf"
    assert "xref" in exc.detail


def test_pdf_needing_xref_reconstruction_is_broken():
    # startxref points nowhere: qpdf would rebuild the table by scanning; we refuse instead.
    data = blank_bytes()
    head, _, tail = data.rpartition(b"startxref\n")
    data = head + b"startxref\n" + b"9" + tail
    exc = rejected(data)
    assert exc.code == "broken_pdf"
    assert "xref" in exc.detail


def test_pdf_with_wrong_stream_length_is_broken():
    pdf = blank()
    pdf.pages[0].Contents = pdf.make_stream(b"BT ET " * 10)
    data = save(pdf, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = data.replace(b"/Length 60", b"/Length 50", 1)  # endstream not where it should be
    assert b"/Length 50" in data

    exc = rejected(data)
    assert exc.code == "broken_pdf"
    assert "expected endstream" in exc.detail  # qpdf's warning, for the logs


@pytest.mark.parametrize("user", ["secret", ""], ids=["user-password", "owner-password-only"])
def test_encrypted(user):
    data = save(blank(), encryption=pikepdf.Encryption(user=user, owner="owner-secret", R=6))
    exc = rejected(data)
    assert (exc.code, exc.message) == ("encrypted", "PDF文件已加密，请上传未加密的文件")


def test_too_many_pages():
    exc = rejected(blank_bytes(pages=4), IntakeLimits(max_pages=3))
    assert (exc.code, exc.message) == ("too_many_pages", "PDF页数超过3页上限（本文件4页）")


def test_too_many_objects():
    pdf = blank()
    pdf.Root.Junk = Array([pdf.make_indirect(Dictionary(N=i)) for i in range(50)])
    exc = rejected(save(pdf), IntakeLimits(max_objects=20))
    assert exc.code == "parse_resources"


# ---------------------------------------------------------------------------------------------------
# Active content


def javascript_action() -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String("app.alert('x')"))


def test_javascript_open_action():
    pdf = blank()
    pdf.Root.OpenAction = javascript_action()
    exc = rejected(save(pdf))
    assert (exc.code, exc.message) == ("javascript", "PDF含有JavaScript脚本，出于安全原因不予接收")


def test_javascript_in_names_tree():
    pdf = blank()
    action = pdf.make_indirect(javascript_action())
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), action])))
    assert rejected(save(pdf)).code == "javascript"


def test_javascript_in_field_widget_additional_action():
    pdf = blank()
    widget = Dictionary(Subtype=Name.Widget, FT=Name.Btn, T=String("ok"),
                        AA=Dictionary(E=javascript_action()))
    add_annotation(pdf, widget)
    pdf.Root.AcroForm = Dictionary(Fields=Array([pdf.pages[0].obj.Annots[0]]))
    assert rejected(save(pdf)).code == "javascript"


def test_javascript_in_link_annotation_action():
    pdf = blank()
    add_annotation(pdf, Dictionary(Subtype=Name.Link, A=javascript_action()))
    assert rejected(save(pdf)).code == "javascript"


def test_javascript_in_page_additional_action_inside_object_stream():
    pdf = blank()
    pdf.pages[0].obj.AA = Dictionary(O=pdf.make_indirect(javascript_action()))
    data = save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert b"JavaScript" not in data  # compressed inside an object stream: a byte grep sees nothing
    assert rejected(data).code == "javascript"


def test_javascript_in_unreferenced_object():
    """An object nothing points at is still in the file: we walk every object, not the catalog's tree."""
    data = append_unreferenced_object(blank_bytes(), b"<< /S /JavaScript /JS (app.alert(1)) >>")
    with pikepdf.open(io.BytesIO(data)) as pdf:  # a valid file whose catalog does not reach it
        assert "/OpenAction" not in pdf.Root
        assert not pdf.get_warnings()

    assert rejected(data).code == "javascript"


def test_javascript_behind_name_escape():
    """``/Java#53cript`` is the name /JavaScript: the parser decodes it, a byte grep would not."""
    pdf = blank()
    pdf.Root.OpenAction = Dictionary(S=Name("/JavaScriptXY"))
    data = save(pdf, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = data.replace(b"/JavaScriptXY", b"/Java#53cript")  # same length: offsets stay valid
    assert b"/JavaScript" not in data

    assert rejected(data).code == "javascript"


def test_launch_action():
    pdf = blank()
    pdf.Root.OpenAction = Dictionary(S=Name.Launch, F=String("C:\\Windows\\System32\\calc.exe"))
    exc = rejected(save(pdf))
    assert (exc.code, exc.message) == ("launch_action", "PDF含有启动外部程序的动作（Launch）")


def test_embedded_file_attachment():
    pdf = blank()
    pdf.attachments["readme.txt"] = pikepdf.AttachedFileSpec(pdf, b"hello", filename="readme.txt")
    exc = rejected(save(pdf))
    assert (exc.code, exc.message) == ("embedded_file", "PDF含有嵌入文件（附件）")


def test_file_attachment_annotation():
    pdf = blank()
    add_annotation(pdf, Dictionary(Subtype=Name.FileAttachment,
                                   FS=Dictionary(Type=Name.Filespec, F=String("invoice.exe"))))
    assert rejected(save(pdf)).code == "embedded_file"


def test_xfa_form():
    pdf = blank()
    xfa = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    pdf.Root.AcroForm = Dictionary(Fields=Array(), XFA=xfa)
    exc = rejected(save(pdf))
    assert (exc.code, exc.message) == ("xfa", "PDF含有XFA表单")


# ---------------------------------------------------------------------------------------------------
# Decompression bombs


def test_bomb_single_stream_ratio():
    """300 MiB of zeros in ~300 KB: refused once it passes 100x its size (~30 MiB), not inflated fully."""
    raw = zeros_flate(300)
    assert len(raw) < 400_000
    data = with_flate_streams(raw)

    started = time.perf_counter()
    exc = rejected(data)
    assert (exc.code, exc.message) == ("decompression_bomb", "PDF解压后数据过大，疑似压缩炸弹")
    assert time.perf_counter() - started < 5


def test_bomb_total_over_many_streams_with_default_limits():
    # 14 streams of 15 MiB: each below the 16 MiB floor, together past 200 MiB.
    exc = rejected(with_flate_streams(*[zeros_flate(15) for _ in range(14)]))
    assert exc.code == "decompression_bomb"
    assert "total" in exc.detail


def test_bomb_total_with_small_limit():
    data = with_flate_streams(*[zeros_flate(1) for _ in range(10)])  # 10 MiB in all
    exc = rejected(data, IntakeLimits(max_decompressed_bytes=4 * MB))
    assert exc.code == "decompression_bomb"


def test_bomb_ratio_with_small_floor():
    # 2 MiB of zeros is fine with the default 16 MiB floor (see test_streams_below_every_bound...),
    # refused when the floor is 1 MiB.
    data = with_flate_streams(zeros_flate(2))
    assert inspect_pdf(data).page_count == 1
    assert rejected(data, IntakeLimits(stream_ratio_floor_bytes=MB)).code == "decompression_bomb"


# ---------------------------------------------------------------------------------------------------
# Worker limits and recovery


def unbounded(**changes) -> IntakeLimits:
    """Limits that let a 2 GiB zero stream through the bomb checks, so only time or memory can stop it."""
    return IntakeLimits(max_decompressed_bytes=1 << 40, max_stream_ratio=1 << 20, **changes)


@pytest.fixture(scope="module")
def slow_pdf() -> bytes:
    return with_flate_streams(zeros_flate(2048))  # ~2 MB, seconds of inflating


def test_wall_clock_timeout_kills_the_worker_and_the_next_call_works(slow_pdf, good_pdf):
    started = time.perf_counter()
    exc = rejected(slow_pdf, unbounded(wall_seconds=0.2))
    assert (exc.code, exc.message) == ("parse_timeout", "PDF解析超时")
    assert "no answer" in exc.detail
    assert time.perf_counter() - started < 3

    assert inspect_pdf(good_pdf).document_numbers == (NUMBER,)


def test_cpu_limit_kills_the_worker_and_the_next_call_works(slow_pdf, good_pdf):
    exc = rejected(slow_pdf, unbounded(cpu_seconds=1, wall_seconds=30))
    assert exc.code == "parse_timeout"
    assert "SIGXCPU" in exc.detail

    assert inspect_pdf(good_pdf).page_count == 1


def test_memory_limit_refuses_and_the_next_call_works(good_pdf):
    pdf = blank()
    pdf.Root.Big = pdf.make_stream(os.urandom(8 * MB))
    data = save(pdf, compress_streams=False)

    exc = rejected(data, IntakeLimits(memory_bytes=8 * MB))
    assert (exc.code, exc.message) == ("parse_resources", "PDF解析所需资源超出限制")
    assert "out of memory" in exc.detail

    assert inspect_pdf(good_pdf).page_count == 1
    assert inspect_pdf(data).page_count == 1  # the same file is fine with the default 512 MiB


def _cpu_ticks(pid: int) -> int:
    """User + system CPU time of process ``pid`` so far, in clock ticks (proc(5): fields 14, 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_worker_killed_mid_job_is_reported_and_replaced(slow_pdf, good_pdf):
    """A worker that dies while parsing (segfault, the kernel's OOM killer) is a resource failure."""
    outcome: list[BaseException] = []

    def upload() -> None:
        try:
            inspect_pdf(slow_pdf, unbounded(wall_seconds=30))
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    inspect_pdf(good_pdf)  # at least one warm worker
    thread = threading.Thread(target=upload)
    thread.start()
    deadline = time.monotonic() + 5
    busy: list[int] = []
    while not busy and time.monotonic() < deadline:
        time.sleep(0.02)
        idle = {w.process.pid for w in sandbox._pool().idle}
        busy = [p.pid for p in multiprocessing.active_children()
                if p.name == "pdf-intake" and p.pid not in idle]
    assert busy
    # Kill it only once it is parsing (it burns CPU only after taking the job): killed before,
    # the pool rightly retries the file on a fresh worker, which is another test's case. A
    # loaded machine (CI) can take seconds to hand the job over.
    start = _cpu_ticks(busy[0])
    deadline = time.monotonic() + 30
    while _cpu_ticks(busy[0]) < start + 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(busy[0], signal.SIGKILL)
    thread.join(60)  # returns as soon as the upload has its answer

    assert len(outcome) == 1
    assert isinstance(outcome[0], IntakeRejected)
    assert outcome[0].code == "parse_resources"
    assert "SIGKILL" in outcome[0].detail
    assert inspect_pdf(good_pdf).page_count == 1


def test_worker_killed_while_idle_is_replaced(good_pdf):
    inspect_pdf(good_pdf)
    pool = sandbox._pool()
    victims = [w.process.pid for w in pool.idle]
    assert victims
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    # At once: the upload must not be blamed for a worker that was dead before it got the file.
    assert inspect_pdf(good_pdf).page_count == 1
    assert all(w.process.pid not in victims for w in pool.idle)


# ---------------------------------------------------------------------------------------------------
# Display names


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("合同.pdf", "合同.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\x\\合同.pdf", "合同.pdf"),
        ("\u202eFDP.exe", "FDP.pdf"),  # bidi override removed, and .exe is not kept
        ("承诺\u200b书\u2066.pdf", "承诺书.pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        (unicodedata.normalize("NFD", "Café résumé.pdf"), "Café résumé.pdf"),
        # NUL: cut there (what C code would see); an executable part left over is dropped too
        ("x.pdf\x00.php", "x.pdf"),
        ("x.php\x00.pdf", "x.pdf"),
        ("a\x00b\r\n.pdf", "a.pdf"),
        # executable types anywhere among the extensions
        ("x.php.pdf", "x.pdf"),
        ("x.pdf.exe", "x.pdf"),
        ("报告.PDF.js", "报告.pdf"),
        ("x.PHP .pdf", "x.pdf"),
        ("page.html", "page.pdf"),
        ("logo.svg.pdf", "logo.pdf"),
        ("run.sh", "run.pdf"),
        ("a.jar.bat.cmd.pdf", "a.pdf"),
        # leading dots and hyphens, trailing dots and spaces
        (".htaccess", "htaccess.pdf"),
        ("-rf.pdf", "rf.pdf"),
        ("--help", "help.pdf"),
        ("x.pdf.", "x.pdf"),
        ("x.php. . ", "x.pdf"),
        (" . 合同.pdf", "合同.pdf"),
        # always ends in .pdf
        ("SCAN.PDF", "SCAN.pdf"),
        ("report.docx", "report.docx.pdf"),
        ("v1.2 报告.pdf", "v1.2 报告.pdf"),
        ("无扩展名", "无扩展名.pdf"),
        ("x..pdf", "x.pdf"),
        # Windows: reserved characters, device names
        ("a:b?.pdf", "a_b_.pdf"),
        ('"<x>|*.pdf', "__x___.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("lpt1", "_lpt1.pdf"),
        # nothing left
        ("", "upload.pdf"),
        ("   ", "upload.pdf"),
        ("..", "upload.pdf"),
        ("dir/", "upload.pdf"),
        ("\x00x.pdf", "upload.pdf"),
        (".exe", "exe.pdf"),
    ],
)
def test_display_file_name(raw, shown):
    assert display_file_name(raw) == shown
    assert unicodedata.is_normalized("NFC", display_file_name(raw))


def test_display_file_name_long_keeps_extension():
    shown = display_file_name("信" * 500 + ".pdf")
    assert len(shown) == 200
    assert shown.endswith("信.pdf")


def test_display_file_name_long_without_extension():
    assert display_file_name("x" * 500) == "x" * 196 + ".pdf"
