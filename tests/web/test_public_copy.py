"""What reaches the public (issue 10 §2): the 公示 public copy carries nothing of the upload but its
picture, and verification answers a verdict for every file (issued, stamped, public copy, modified,
unknown) after the intake gate."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import select

from app.db import get_session
from app.models import AuditEntry, Filing
from tests.conftest import PERSON_LETTER, UNIT_LETTER
from tests.pdfa import pdfa_problems, read_xmp

ID_NUMBER = "110105198807154321"  # a person's 身份证号码 in the upload's text layer (fake)
PHONE = "13912345678"
AUTHOR = "王五经办"
SECRETS = (ID_NUMBER, PHONE, AUTHOR, "wangwu")
MB = 1024 * 1024


def issue(client, **overrides) -> tuple[str, bytes]:
    body = client.post("/api/v1/commitments", json={**UNIT_LETTER, **overrides}).get_json()
    return body["number"], client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data


def letter_with_secrets(app, number: str) -> bytes:
    """A stamped letter as a unit might upload it: a text layer with a person's ID and phone number,
    a link, Info and XMP metadata naming them, a sticky-note annotation, and a red seal."""
    from app.documents.render import html_to_pdf
    from app.stamping.overlay import stamp_seal
    from app.stamping.seal_images import generate_seal
    from app.stamping.types import SealPlacement

    with app.app_context():
        pdf = html_to_pdf(
            "<!doctype html><html><head><meta charset='utf-8'></head><body>"
            f"<h1>信用承诺书</h1><p>编号：{number}</p><p>承诺主体：{UNIT_LETTER['subject_name']}</p>"
            f"<p>经办人：王五，身份证号码 {ID_NUMBER}，联系电话 {PHONE}</p>"
            f"<p><a href='https://example.com/wangwu/{PHONE}'>联系经办人</a></p></body></html>")
        pdf = stamp_seal(pdf, generate_seal(UNIT_LETTER["subject_name"]),
                         SealPlacement(page=1, x_mm=140, y_mm=150))
    doc = pikepdf.open(io.BytesIO(pdf))
    doc.docinfo["/Author"] = AUTHOR
    doc.docinfo["/Subject"] = f"身份证 {ID_NUMBER}"
    with doc.open_metadata() as meta:
        meta["dc:creator"] = [f"{AUTHOR} {PHONE}"]
        meta["dc:description"] = ID_NUMBER
    page = doc.pages[0]
    page.obj["/Annots"] = doc.make_indirect(pikepdf.Array([*page.obj.get("/Annots", []), doc.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[40, 40, 60, 60],
                           Contents=f"经办人电话 {PHONE}"))]))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def upload_and_approve(app, clerk, reviewer, pdf: bytes, **fields) -> int:
    resp = clerk.post("/staff/filings/new", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(pdf), "承诺书.pdf"), **fields})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    fid = int(re.search(r"/staff/filings/(\d+)", resp.headers["Location"]).group(1))
    assert reviewer.post(f"/staff/review/{fid}/approve").status_code == 303
    return fid


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    return subprocess.run([tool, *args, "-", "-"] if tool == "pdftotext" else [tool, *args, "-"],
                          input=pdf, capture_output=True, check=True).stdout.decode("utf-8", "replace")


def page_picture(pdf: bytes, tmp_path: Path, name: str, dpi: int = 60) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", "-",
                    str(tmp_path / name)], input=pdf, check=True, capture_output=True)
    return Image.open(tmp_path / f"{name}.png").convert("RGB")


def red_pixels(img: Image.Image) -> int:
    return sum(1 for r, g, b in img.get_flattened_data() if r > 150 and g < 100 and b < 100)


def grey_pixels(img: Image.Image) -> int:
    """Light neutral grey: the 12 % black watermark over white paper."""
    return sum(1 for r, g, b in img.get_flattened_data()
               if 190 <= r <= 240 and abs(r - g) < 8 and abs(r - b) < 8)


def verify_api(client, pdf: bytes):
    return client.post("/api/v1/verify", data={"file": (io.BytesIO(pdf), "a.pdf")},
                       content_type="multipart/form-data")


def verify_page(client, number: str, pdf: bytes):
    return client.post(f"/verify/{number}", data={"file": (io.BytesIO(pdf), "a.pdf")},
                       content_type="multipart/form-data", headers={"Accept": "text/html"})


@pytest.fixture
def published(app, client, staff, tmp_path):
    """(number, upload, public copy, filing id) of a published letter uploaded with secrets in it."""
    clerk, reviewer = staff("clerk"), staff("reviewer")
    number, _ = issue(client)
    original = letter_with_secrets(app, number)
    fid = upload_and_approve(app, clerk, reviewer, original)
    copy = client.get(f"/public/commitments/{fid}/public-copy.pdf")
    assert copy.status_code == 200
    assert copy.mimetype == "application/pdf"
    return number, original, copy.data, fid


def test_the_upload_under_test_really_carries_the_secrets(published):
    _, original, _, _ = published
    text = poppler("pdftotext", original)
    assert ID_NUMBER in text
    assert PHONE in text
    assert AUTHOR in poppler("pdfinfo", original)
    assert ID_NUMBER in poppler("pdfinfo", original, "-meta")


def test_public_copy_has_no_character_of_the_uploads_text_layer(published):
    _, original, copy, _ = published
    upload_chars = set(poppler("pdftotext", original)) - set(" \n\f\t")
    copy_text = poppler("pdftotext", copy)
    assert copy_text.strip() == ""
    assert not set(copy_text) & upload_chars
    for secret in SECRETS:
        for encoded in (secret.encode(), secret.encode("utf-16-be")):
            assert encoded not in copy


def test_public_copy_metadata_is_ours_only(published):
    _, _, copy, _ = published
    info = poppler("pdfinfo", copy)
    assert "信用承诺书（公示文本）" in info
    assert "凌源市信用文书服务" in info
    assert not any(secret in info for secret in SECRETS)
    # XMP: what Info says (our title and tool), the PDF/A level (issue 13 §3) and the signing
    # tool's producer and date; nothing of the upload
    xmp_text = poppler("pdfinfo", copy, "-meta")
    assert not any(secret in xmp_text for secret in SECRETS)
    assert "pyHanko" in xmp_text
    xmp = read_xmp(copy)
    assert set(xmp) <= {"dc:title", "dc:title#count", "pdf:Producer", "xmp:CreatorTool",
                        "xmp:ModifyDate", "pdfaid:part", "pdfaid:conformance"}
    assert xmp["dc:title"] == "信用承诺书（公示文本）"
    assert pdfa_problems(copy, text=False) == []
    with pikepdf.open(io.BytesIO(copy)) as doc:
        assert set(doc.docinfo.keys()) <= {"/Title", "/Producer", "/Creator", "/ModDate"}
        assert "/Author" not in doc.docinfo
        assert "/Subject" not in doc.docinfo
        # AcroForm and Metadata: the platform signature appended to the picture-only copy;
        # OutputIntents, Metadata and the structure (one Figure per page): PDF/A-2b, tagged;
        # DSS: the signature's validation data (the platform's chain and the demo CA's CRL)
        assert set(doc.Root.keys()) <= {"/Type", "/Pages", "/AcroForm", "/Metadata", "/Version",
                                        "/Extensions", "/OutputIntents", "/StructTreeRoot",
                                        "/MarkInfo", "/Lang", "/ViewerPreferences", "/DSS"}
        if "/DSS" in doc.Root:
            assert set(doc.Root.DSS.keys()) <= {"/Certs", "/CRLs", "/OCSPs", "/VRI"}


def test_public_copy_has_pictures_only_no_fonts_annotations_or_attachments(published):
    _, original, copy, _ = published
    with pikepdf.open(io.BytesIO(copy)) as doc:
        assert len(doc.pages) == len(pikepdf.open(io.BytesIO(original)).pages)
        for page in doc.pages:
            for annot in page.obj.get("/Annots", []):  # only our signature's invisible widget
                assert annot.get("/Subtype") == "/Widget"
                assert annot.get("/FT") == "/Sig"
                assert [float(v) for v in annot.Rect] == [0, 0, 0, 0]
            xobjects = page.obj.Resources.get("/XObject", {})
            assert set(page.obj.Resources.keys()) == {"/XObject"}
            assert len(xobjects) == 1
            image = next(iter(xobjects.values()))
            assert image.Subtype == "/Image"
            assert image.Filter == "/DCTDecode"
            assert int(image.Width) >= 1200  # A4 at 150 dpi is 1240 px wide: readable
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert obj.get("/Type") not in ("/Font", "/Filespec", "/EmbeddedFile")
                assert obj.get("/Subtype") not in ("/Link", "/Text", "/FileAttachment", "/Form")
                assert "/URI" not in obj
                assert "/JS" not in obj
                assert "/EmbeddedFiles" not in obj
    assert len(copy) < MB  # one page here; a typical scanned page is 0.2-0.4 MB (bench)


def test_public_copy_is_readable_with_the_seal_and_the_watermark_visible(published, tmp_path):
    _, original, copy, _ = published
    before, after = page_picture(original, tmp_path, "o"), page_picture(copy, tmp_path, "c")
    assert before.size == after.size
    assert red_pixels(before) > 300
    assert red_pixels(after) > 0.7 * red_pixels(before)  # the seal is still there, still red
    assert grey_pixels(after) > grey_pixels(before) + 2000  # 公示专用 over the whole page


def test_public_copy_is_recognised_on_the_verify_page_and_by_the_api(client, published):
    number, _, copy, fid = published
    page = verify_page(client, number, copy)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"本站公示副本，对应编号{number}" in html
    assert 'class="ok"' in html
    assert "文件已被修改" not in html
    assert f"/public/commitments/{fid}" in html
    body = verify_api(client, copy).get_json()
    assert body["match"] == "public_copy"
    assert body["document_number"] == number
    assert body["message"].startswith(f"本站公示副本，对应编号{number}")
    assert body["public_copy"] == {"status": "published", "status_label": "公示中", "filing_id": fid}
    assert [s["status"] for s in body["signatures"]] == ["intact"]  # signed by the platform


def test_public_copy_of_another_number_is_not_this_document(client, published):
    _, _, copy, _ = published
    other, _ = issue(client)
    html = verify_page(client, other, copy).get_data(as_text=True)
    assert "不是本编号的文书" in html
    assert 'class="bad"' in html


def test_altered_public_copy_is_modified(client, published):
    number, _, copy, _ = published
    altered = bytearray(copy)
    pos = altered.index(b"/Title")  # inside the range the platform signed
    altered[pos + 1: pos + 6] = b"TITLE"
    body = verify_api(client, bytes(altered)).get_json()
    assert body["match"] == "modified"
    assert "修改" in body["message"]
    assert body["signatures"][0]["status"] in ("modified", "invalid")
    html = verify_page(client, number, bytes(altered)).get_data(as_text=True)
    assert "不一致" in html
    assert "本站公示副本" not in html


def test_revoked_public_copy_says_so_and_reveals_nothing_more(app, client, staff, published):
    number, _, copy, fid = published
    staff("reviewer").post(f"/staff/review/{fid}/revoke", data={"reason": "承诺主体申请撤回"})
    body = verify_api(client, copy).get_json()
    assert body["match"] == "public_copy"
    assert "已撤销" in body["message"]
    assert body["public_copy"] == {"status": "revoked", "status_label": "已撤销"}
    text = str(body)
    assert "申请撤回" not in text
    assert UNIT_LETTER["subject_name"] not in text
    html = verify_page(client, number, copy).get_data(as_text=True)
    assert "已撤销" in html
    assert f"/public/commitments/{fid}" not in html


def test_letter_with_our_number_but_not_our_bytes_is_modified(client):
    number, pdf = issue(client)
    assert verify_api(client, pdf).get_json()["match"] == "issued"
    body = verify_api(client, pdf + b"\n% appended\n").get_json()
    assert body["match"] == "modified"
    assert body["document_number"] == number
    assert number in body["message"]
    assert "修改" in body["message"]


def test_unknown_pdf_gets_a_verdict_not_nulls(client):
    doc = pikepdf.new()
    doc.add_blank_page()
    out = io.BytesIO()
    doc.save(out)
    resp = verify_api(client, out.getvalue())
    body = resp.get_json()
    assert resp.status_code == 200
    assert body["match"] == "unknown"
    assert "没有出具" in body["message"]
    assert body["sha256"]
    assert body["signatures"] == []


def polyglot() -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    out = io.BytesIO()
    doc.save(out)
    return b"<html><body><script>alert(document.cookie)</script></body></html>\n" + out.getvalue()


def with_javascript() -> bytes:
    doc = pikepdf.new()
    doc.add_blank_page()
    doc.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


BROKEN = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n"
LIBRARY_WORDS = ("pikepdf", "qpdf", "pypdf", "pyhanko", "Traceback", "Error", "object", "xref")


@pytest.mark.parametrize("payload, code", [
    (b"", "empty_file"),
    (b"just some text", "not_pdf"),
    (BROKEN, "broken_pdf"),
    (with_javascript(), "javascript"),
    (polyglot(), "polyglot"),
])
def test_refused_files_get_the_gates_chinese_message(client, payload, code):
    resp = verify_api(client, payload)
    body = resp.get_json()
    assert resp.status_code == 400
    assert body["error"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["message"])
    assert not any(word.lower() in body["message"].lower() for word in LIBRARY_WORDS)
    number, _ = issue(client)
    page = verify_page(client, number, payload)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert body["message"] in html


def test_verify_api_needs_a_file(client):
    resp = client.post("/api/v1/verify", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "file" in resp.get_json()["fields"]


def old_style_copy(app, fid: int) -> str:
    """Make the filing's public copy the way it was made before (watermark drawn over the upload)."""
    from app.stamping.overlay import add_watermark
    from app.web.common import archive

    with app.test_request_context():
        db = get_session()
        filing = db.get(Filing, fid)
        filing.public_copy_sha256 = archive().put(add_watermark(archive().get(filing.sha256), "公示专用"))
        db.commit()
        return filing.public_copy_sha256


def test_rebuild_public_copies_replaces_old_ones_and_is_idempotent(app, client, staff, runner, published):
    number, _, _, fid = published
    old_hash = old_style_copy(app, fid)
    old = client.get(f"/public/commitments/{fid}/public-copy.pdf").data
    assert ID_NUMBER in poppler("pdftotext", old)  # the leak the command repairs
    # a natural person's filing that somehow has a public copy loses it
    clerk, reviewer = staff("clerk"), staff("reviewer")
    _, person_pdf = issue(client, **PERSON_LETTER)
    person = upload_and_approve(app, clerk, reviewer, person_pdf)
    old_style_copy(app, person)

    first = runner.invoke(args=["archive", "rebuild-public-copies"])
    assert first.exit_code == 0, first.output
    assert "重新生成 1 份" in first.output
    assert "撤下自然人公示文本 1 份" in first.output
    new = client.get(f"/public/commitments/{fid}/public-copy.pdf").data
    assert poppler("pdftotext", new).strip() == ""
    assert verify_api(client, new).get_json()["match"] == "public_copy"
    with app.app_context():
        db = get_session()
        assert db.get(Filing, fid).public_copy_sha256 != old_hash
        assert db.get(Filing, person).public_copy_sha256 is None
        assert db.scalar(select(AuditEntry).where(AuditEntry.action == "rebuild_public_copy")) is not None

    second = runner.invoke(args=["archive", "rebuild-public-copies"])
    assert second.exit_code == 0, second.output
    assert "重新生成 0 份，已是新格式 1 份" in second.output
    assert client.get(f"/public/commitments/{fid}/public-copy.pdf").data == new
    # the old copy is no longer one of ours: it is an altered version of the letter
    assert verify_api(client, old).get_json()["match"] == "modified"
    assert number in verify_api(client, old).get_json()["document_number"]
