"""Staff seal registry and stamping pages, the stamping API, and signature checks on /verify."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pikepdf
import pypdf
import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.db import get_session
from app.domain.dates import format_cn_date, to_beijing
from app.models import ReceivingUnit, Seal, StampJob
from app.services.stamping import preview_px_per_mm
from app.stamping.seal_images import generate_seal
from app.stamping.validation import validate_signatures
from tests.conftest import UNIT_LETTER, ZJJ, login_as, pdf_pages


@pytest.fixture
def clerk(app, client, clerk_account):
    """Here the ``client`` fixture itself is logged in as the clerk (conftest's clerk is a new client)."""
    return login_as(app, clerk_account, client=client)


def unit_id(app, name=ZJJ) -> int:
    with app.app_context():
        return get_session().scalar(select(ReceivingUnit.id).where(ReceivingUnit.name == name))


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def make_seal(app, clerk) -> int:
    resp = clerk.post("/staff/seals/generate", data={"unit_id": unit_id(app), "kind": "公章",
                                                     "diameter_mm": "42"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with app.app_context():
        return get_session().scalar(select(Seal.id).order_by(Seal.id.desc()))


def test_clerk_generates_and_sees_a_demo_seal(app, clerk):
    seal_id = make_seal(app, clerk)
    page = clerk.get("/staff/seals").get_data(as_text=True)
    assert f"#{seal_id}" in page
    assert "生成的演示印章" in page
    png = clerk.get(f"/staff/seals/{seal_id}.png")
    assert png.status_code == 200
    assert png.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_clerk_cannot_register_seals_for_another_unit(app, clerk):
    other = unit_id(app, "凌源市财政局")
    resp = clerk.post("/staff/seals/generate", data={"unit_id": other, "kind": "公章",
                                                     "diameter_mm": "42"})
    assert resp.status_code == 400
    assert "无权" in resp.get_data(as_text=True)
    assert count(app, Seal) == 0


def test_uploaded_scan_is_normalised(app, clerk):
    seal = Image.open(io.BytesIO(generate_seal("凌源市住房和城乡建设局").png))
    scan = Image.new("RGB", (seal.width + 80, seal.height + 80), (250, 250, 246))
    scan.paste(seal, (40, 40), seal)
    buf = io.BytesIO()
    scan.save(buf, format="JPEG", quality=90)
    resp = clerk.post("/staff/seals", data={"unit_id": unit_id(app), "kind": "公章",
                                            "diameter_mm": "42",
                                            "image": (io.BytesIO(buf.getvalue()), "seal.jpg")},
                      content_type="multipart/form-data")
    assert resp.status_code == 303
    assert count(app, Seal) == 1


@pytest.mark.parametrize("data, diameter, message", [
    (b"%PDF-1.7 not an image", "42", "PNG或JPEG"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 3 * 1024 * 1024, "42", "2 MB"),
    (None, "90", "直径"),
])
def test_bad_seal_uploads_are_refused_and_nothing_stored(app, clerk, data, diameter, message):
    if data is None:
        data = generate_seal("凌源市住房和城乡建设局").png
    # encoded by hand: the test client would spool a big body to a temp file it never closes
    boundary, body = encode_multipart({"unit_id": str(unit_id(app)), "kind": "公章",
                                       "diameter_mm": diameter,
                                       "image": FileStorage(io.BytesIO(data), "x.png")})
    resp = clerk.post("/staff/seals", data=body,
                      content_type=f"multipart/form-data; boundary={boundary}")
    assert resp.status_code in (400, 413)
    if resp.status_code == 400:
        assert message in resp.get_data(as_text=True)
    assert count(app, Seal) == 0


def test_stamp_an_issued_letter_at_its_anchors_and_verify_it(app, clerk, commitments):
    seal_id = make_seal(app, clerk)
    issued = commitments.create().get_json()
    resp = clerk.post("/staff/stamp", data={"document_number": issued["number"]})
    assert resp.status_code == 303
    job_url = resp.headers["Location"]
    page = clerk.get(job_url).get_data(as_text=True)
    assert 'type="image"' in page
    assert "加盖收件章" in page
    resp = clerk.post(job_url, data={"seal_id": str(seal_id), "anchor_seal": "1",
                                     "cross_page_seal": "1", "watermark": "仅供住建局存档"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = clerk.get(job_url).get_data(as_text=True)
    assert "已盖章并签名" in page
    assert "签名有效" in page
    assert "（北京时间）" in page  # issue 12 §5: no raw UTC, no English field name
    assert "Platform-1" not in page
    pdf = clerk.get(job_url + "/result.pdf").data
    reports = validate_signatures(pdf, [Path(app.config["PKI_DIR"], "demo-ca.pem").read_bytes()])
    assert [r.status for r in reports] == ["intact"]
    assert clerk.get(job_url + "/result/1.png").status_code == 200
    # the public verification page recognises the stamped version and its signature
    check = clerk.post(f"/verify/{issued['number']}", data={"file": (io.BytesIO(pdf), "x.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "盖章签名后的版本" in check
    assert "签名有效" in check
    assert "（北京时间）" in check
    assert "+00:00" not in check


def test_click_on_the_preview_places_the_seal(app, clerk):
    seal_id = make_seal(app, clerk)
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(pdf_pages(2)), "合同.pdf")},
                      content_type="multipart/form-data")
    job_url = resp.headers["Location"]
    resp = clerk.post(job_url, data={"seal_id": str(seal_id), "click_p2.x": "200",
                                     "click_p2.y": "300"})
    assert resp.status_code == 303
    with app.app_context():
        job = get_session().scalar(select(StampJob))
        assert job.operations[0]["op"] == "seal"
        assert job.operations[0]["page"] == 2
        # the preview of an A4 page is drawn 300 px wide (trial 17: it fits a phone screen)
        assert job.operations[0]["x_mm"] == pytest.approx(200 * 595 / 72 * 25.4 / 300, abs=0.1)
        assert job.operations[0]["y_mm"] == pytest.approx(300 * 595 / 72 * 25.4 / 300, abs=0.1)


def test_click_too_close_to_the_edge_is_refused(app, clerk):
    seal_id = make_seal(app, clerk)
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(pdf_pages(1)), "a.pdf")},
                      content_type="multipart/form-data")
    job_url = resp.headers["Location"]
    resp = clerk.post(job_url, data={"seal_id": str(seal_id), "click_p1.x": "2", "click_p1.y": "2"})
    assert resp.status_code == 400
    assert "超出页面范围" in resp.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(StampJob.result_sha256)) is None


@pytest.mark.parametrize("payload, message", [
    (b"hello, not a pdf", "不是PDF格式"),
    (b"%PDF-1.7\n1 0 obj\n<<", "损坏"),
])
def test_bad_pdf_uploads_are_refused_and_nothing_stored(app, clerk, payload, message):
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(payload), "x.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert count(app, StampJob) == 0


def test_encrypted_pdf_is_refused(app, clerk):
    pdf = pikepdf.open(io.BytesIO(pdf_pages(1)))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(out.getvalue()), "x.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "加密" in resp.get_data(as_text=True)


def test_other_units_jobs_are_invisible(app, clerk):
    with app.app_context():
        db = get_session()
        db.add(StampJob(unit_id=unit_id(app, "凌源市财政局"), original_name="x.pdf",
                        original_sha256="0" * 64, page_count=1, operations=[]))
        db.commit()
        job_id = db.scalar(select(StampJob.id))
    assert clerk.get(f"/staff/stamp/{job_id}").status_code == 404


# --- API ------------------------------------------------------------------------------------


@pytest.fixture
def api(app, runner):
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def test_api_stamps_with_a_seal_chosen_by_id(app, clerk, client, api):
    seal_id = make_seal(app, clerk)
    seals = client.get("/api/v1/seals", headers=api).get_json()["seals"]
    assert [s["id"] for s in seals] == [seal_id]
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 150, "y_mm": 240},
           {"op": "cross_page_seal", "seal_id": seal_id}]
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_pages(3)), "合同.pdf"),
                             "operations": json.dumps(ops)})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert resp.headers["Location"].endswith(f"/api/v1/stamp-jobs/{body['id']}")
    assert [s["status"] for s in body["signatures"]] == ["intact"]
    assert datetime.fromisoformat(body["signatures"][0]["signing_time"]).tzinfo is not None  # ISO 8601
    pdf = client.get(f"/api/v1/stamp-jobs/{body['id']}/result.pdf", headers=api)
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    verify = client.post("/api/v1/verify", data={"file": (io.BytesIO(pdf.data), "a.pdf")},
                         content_type="multipart/form-data").get_json()
    assert verify["stamped_by_platform"]
    assert verify["signatures"][0]["status"] == "intact"


@pytest.mark.parametrize("ops, code, message", [
    ("not json", "invalid_fields", "JSON"),
    ([], "invalid_fields", "非空"),
    ([{"op": "explode"}], "invalid_fields", "op 应为"),
    ([{"op": "seal", "seal_id": 999, "page": 1, "x_mm": 100, "y_mm": 100}], "invalid_fields",
     "印章"),
    # user trial: an id past every integer column was a 500 (OverflowError)
    ([{"op": "seal", "seal_id": 99999999999999999999999, "page": 1, "x_mm": 100, "y_mm": 100}],
     "invalid_fields", "印章"),
    ([{"op": "seal", "seal_id": "SEAL", "page": 9, "x_mm": 100, "y_mm": 100}], "invalid_placement",
     "第9页不存在"),
    ([{"op": "seal", "seal_id": "SEAL", "page": 1, "x_mm": 205, "y_mm": 100}], "invalid_placement",
     "超出页面范围"),
])
def test_api_refusals_store_nothing(app, clerk, client, api, ops, code, message):
    seal_id = make_seal(app, clerk)
    if isinstance(ops, list):
        ops = json.loads(json.dumps(ops).replace('"SEAL"', str(seal_id)))
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_pages(1)), "a.pdf"),
                             "operations": ops if isinstance(ops, str) else json.dumps(ops)})
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["error"] == code
    assert message in resp.get_json()["message"]
    assert count(app, StampJob) == 0


def test_api_refuses_a_nul_in_an_operation_like_any_nul(app, client, api):
    """User trial: a NUL in the watermark text came back as uncoverable_character on "水印文字"."""
    ops = json.dumps([{"op": "watermark", "text": "a\u0000b"}])
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_pages(1)), "a.pdf"), "operations": ops})
    assert (resp.status_code, resp.get_json()["error"]) == (400, "invalid_characters")


def test_api_refuses_non_pdf(app, client, api):
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"GIF89a"), "a.pdf"), "operations": "[]"})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "not_pdf"  # the intake gate


def test_api_verify_reports_modified_files(app, clerk, client, api):
    seal_id = make_seal(app, clerk)
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 100, "y_mm": 100}]
    body = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_pages(1)), "a.pdf"),
                             "operations": json.dumps(ops)}).get_json()
    pdf = bytearray(client.get(f"/api/v1/stamp-jobs/{body['id']}/result.pdf", headers=api).data)
    pos = pdf.index(b"/MediaBox")  # inside the signed byte range
    pdf[pos + 1] = ord("N")
    verify = client.post("/api/v1/verify", data={"file": (io.BytesIO(bytes(pdf)), "a.pdf")},
                         content_type="multipart/form-data").get_json()
    assert not verify["stamped_by_platform"]
    assert verify["signatures"][0]["status"] in ("modified", "invalid")


# --- whose seal goes where (issue 12 §1) ----------------------------------------------------


def _page_text(pdf: bytes, page: int) -> str:
    """Text of ``page`` (1-based), including what overlays draw as form XObjects."""
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[page - 1].extract_text()


def _seal_pages(pdf: bytes) -> list[int]:
    """The pages whose content draws a seal image (the overlay names it LySeal…; pages may share
    one resource dictionary, so the drawing operator is what counts)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return [i + 1 for i, page in enumerate(doc.pages)
                if any(op == pikepdf.Operator("Do") and str(operands[0]).startswith("/LySeal")
                       for operands, op in pikepdf.parse_content_stream(page))]


def _red_box_mm(pdf: bytes, page: int, tmp_path: Path, dpi: int = 60):
    """Bounding box (mm, from the top-left) of the red ink pdftoppm draws on ``page``."""
    out = tmp_path / f"p{page}"
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                    "-singlefile", "-", str(out)], input=pdf, check=True)
    im = Image.open(f"{out}.png").convert("RGB")
    px = im.load()
    red = [(x, y) for y in range(im.height) for x in range(im.width)
           if px[x, y][0] > 180 and px[x, y][1] < 120 and px[x, y][2] < 120]
    if not red:
        return None
    mm = 25.4 / dpi
    return (min(x for x, _ in red) * mm, min(y for _, y in red) * mm,
            max(x for x, _ in red) * mm, max(y for _, y in red) * mm)


def _staff_job_on_letter(clerk, commitments) -> tuple[str, dict]:
    issued = commitments.create().get_json()
    resp = clerk.post("/staff/stamp", data={"document_number": issued["number"]})
    return resp.headers["Location"], issued


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler not installed")
def test_staff_anchor_on_a_letter_puts_the_receipt_stamp_on_the_units_copy(app, clerk,
                                                                            commitments, tmp_path):
    seal_id = make_seal(app, clerk)
    job_url, _ = _staff_job_on_letter(clerk, commitments)
    resp = clerk.post(job_url, data={"seal_id": str(seal_id), "anchor_seal": "1"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert f"{job_url}/result/3.png" in clerk.get(job_url).get_data(as_text=True)  # shown to the clerk
    pdf = clerk.get(job_url + "/result.pdf").data
    with app.app_context():
        job = get_session().scalar(select(StampJob))
        received = format_cn_date(to_beijing(job.stamped_at).date())
    page3 = _page_text(pdf, 3)
    assert "接受承诺单位留存" in page3
    assert f"收件　{received}" in page3
    assert ZJJ in page3.split("接受承诺单位留存")[0]  # the stamp sits above the copy label
    assert "收件" not in _page_text(pdf, 1)  # the applicant's copy carries no 收件章
    assert _seal_pages(pdf) == []  # no round seal on anyone's signature spot
    # the picture: red ink only at the top right of page 3, in the top margin, outside the text
    box = _red_box_mm(pdf, 3, tmp_path)
    assert box is not None
    assert box[3] < 25.0  # above the copy label (25.6 mm) and the 37 mm text block
    assert box[0] > 100.0
    assert box[2] < 210.0 - 25.0
    assert _red_box_mm(pdf, 4, tmp_path) is None  # the applicant's 落款 is left to the applicant
    assert _red_box_mm(pdf, 2, tmp_path) is None


def test_api_cross_page_seal_on_a_letter_binds_the_units_copy_only(app, clerk, client, api,
                                                                    commitments):
    seal_id = make_seal(app, clerk)
    number = commitments.create().get_json()["number"]
    ops = [{"op": "anchor_seal", "seal_id": seal_id}, {"op": "cross_page_seal", "seal_id": seal_id}]
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"document_number": number, "operations": json.dumps(ops)})
    assert resp.status_code == 201, resp.get_json()
    pdf = client.get(f"/api/v1/stamp-jobs/{resp.get_json()['id']}/result.pdf", headers=api).data
    assert _seal_pages(pdf) == [3, 4]
    assert "收件　" in _page_text(pdf, 3)


def test_api_cross_page_seal_covers_every_page_of_other_pdfs(app, clerk, client, api):
    seal_id = make_seal(app, clerk)
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_pages(3)), "合同.pdf"), "operations":
                             json.dumps([{"op": "cross_page_seal", "seal_id": seal_id}])})
    assert resp.status_code == 201, resp.get_json()
    pdf = client.get(f"/api/v1/stamp-jobs/{resp.get_json()['id']}/result.pdf", headers=api).data
    assert _seal_pages(pdf) == [1, 2, 3]


def _text_lines(pdf: bytes):
    from app.stamping.overlay.clearance import text_lines
    from app.stamping.overlay.document import geometries, open_pdf

    with open_pdf(pdf) as doc:
        return text_lines(pdf, geometries(doc))[1]


@pytest.fixture(scope="module")
def notice_pdf() -> bytes:
    """A one-page notice: three body lines, then the 署名 and 成文日期 right-aligned below."""
    from app.documents.fonts import font_stack
    from app.documents.render import html_to_pdf

    body = font_stack().family("body")
    lines = "".join(f"<p>第{i}行正文，正文内容不得被印章压盖。</p>" for i in range(1, 4))
    return html_to_pdf(
        f"<style>@page {{ size: A4; margin: 37mm 26mm 35mm 28mm }} html {{ font-family: {body};"
        f" font-size: 16pt; line-height: 28.95pt }} p {{ margin: 0 }} .s {{ text-align: right;"
        f" padding-right: 4em }}</style>{lines}<div style='height: 30mm'></div>"
        f"<p class='s'>凌源市住房和城乡建设局</p><p class='s'>2026年12月3日</p>")


def test_api_seal_over_body_text_is_refused_with_the_nearest_free_place(app, clerk, client,
                                                                         api, notice_pdf):
    seal_id = make_seal(app, clerk)
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 100, "y_mm": 50}]
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(notice_pdf), "通知.pdf"),
                             "operations": json.dumps(ops)})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_placement"
    assert "上不压正文" in body["message"]
    assert "第1行正文" in body["message"]
    assert "最近的可盖位置" in body["message"]
    assert count(app, StampJob) == 0


def test_api_seal_may_press_on_the_signer_and_date(app, clerk, client, api, notice_pdf):
    """GB/T 9704 7.3.5: 下压发文机关署名和成文日期 (outside commitment letters)."""
    seal_id = make_seal(app, clerk)
    words = {t.text: t.box for t in _text_lines(notice_pdf)}
    signer, dated = words["凌源市住房和城乡建设局"], words["2026年12月3日"]
    x = (dated[0] + dated[2]) / 2
    y = (signer[1] + dated[3]) / 2
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": x, "y_mm": y}]
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(notice_pdf), "通知.pdf"),
                             "operations": json.dumps(ops)})
    assert resp.status_code == 201, resp.get_json()


def test_staff_click_on_body_text_is_refused(app, clerk, notice_pdf):
    seal_id = make_seal(app, clerk)
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(notice_pdf), "通知.pdf")},
                      content_type="multipart/form-data")
    job_url = resp.headers["Location"]
    scale = preview_px_per_mm(210)  # the preview's pixels per mm on an A4 page
    x_px, y_px = round(100 * scale), round(50 * scale)
    resp = clerk.post(job_url, data={"seal_id": str(seal_id), "click_p1.x": str(x_px),
                                     "click_p1.y": str(y_px)})
    assert resp.status_code == 400
    assert "印章不得压盖正文或签字行" in resp.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(StampJob.result_sha256)) is None


def test_staff_click_on_the_applicants_sign_off_is_refused(app, clerk, commitments):
    """On a commitment letter the 署名 and date are the applicant's: no exemption for them."""
    seal_id = make_seal(app, clerk)
    job_url, _ = _staff_job_on_letter(clerk, commitments)
    # below the 签字 line, on the applicant's name and date only (page 4: the unit's copy)
    x_px, y_px = round(124.7 * preview_px_per_mm(210)), round(205 * preview_px_per_mm(210))
    resp = clerk.post(job_url, data={"seal_id": str(seal_id), "click_p4.x": str(x_px),
                                     "click_p4.y": str(y_px)})
    assert resp.status_code == 400
    assert "上不压正文" in resp.get_data(as_text=True)
    assert UNIT_LETTER["subject_name"][:10] in resp.get_data(as_text=True)
