"""Staff seal registry and stamping pages, the stamping API, and signature checks on /verify."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.db import get_session
from app.models import ReceivingUnit, Seal, StampJob
from app.stamping.seal_images import generate_seal
from app.stamping.validation import validate_signatures
from tests.conftest import ZJJ, login_as, pdf_pages


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
        assert job.operations[0]["x_mm"] == pytest.approx(200 * 25.4 / 45, abs=0.1)


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
