"""Stamping goes through the intake gate: hostile PDFs are refused on the API and on the staff page,
before anything is stored; the operation count is bounded; stored names are made safe (issue 10 §3)."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from sqlalchemy import func, select

from app.db import get_session
from app.models import Filing, Seal, StampJob
from app.services.stamping import MAX_OPERATIONS
from tests.archive.test_intake import blank, save, with_flate_streams, zeros_flate
from tests.conftest import ZJJ, login_as


@pytest.fixture
def clerk(app, client, clerk_account):
    """Here the ``client`` fixture itself is logged in as the clerk (conftest's clerk is a new client)."""
    return login_as(app, clerk_account, client=client)


@pytest.fixture
def api(app, runner):
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def seal_id(app, clerk) -> int:
    with app.app_context():
        from app.models import ReceivingUnit

        unit = get_session().scalar(select(ReceivingUnit.id).where(ReceivingUnit.name == ZJJ))
    resp = clerk.post("/staff/seals/generate", data={"unit_id": unit, "kind": "公章", "diameter_mm": "42"})
    assert resp.status_code == 303
    with app.app_context():
        return get_session().scalar(select(Seal.id).order_by(Seal.id.desc()))


def stored(app) -> tuple[int, int]:
    """(stamp jobs, archive files): what a refused request must leave unchanged."""
    root = Path(app.config["ARCHIVE_DIR"])
    files = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(StampJob)), len(files)


# ---------------------------------------------------------------------------------------------------
# Hostile files (small, built in the test)


def javascript_open_action() -> bytes:
    pdf = blank()
    pdf.Root.OpenAction = Dictionary(S=Name.JavaScript, JS=String("app.alert('x')"))
    return save(pdf)


def bomb() -> bytes:
    return with_flate_streams(zeros_flate(300))  # 300 MiB of zeros in ~300 KB


def jbig2() -> bytes:
    pdf = blank()
    image = pikepdf.Stream(pdf, b"\x00" * 16)
    image.Type, image.Subtype, image.Width, image.Height = Name.XObject, Name.Image, 8, 8
    image.ColorSpace, image.BitsPerComponent, image.Filter = Name.DeviceGray, 1, Name.JBIG2Decode
    pdf.pages[0].add_resource(pdf.make_indirect(image), Name.XObject, prefix="Im")
    return save(pdf)


def polyglot() -> bytes:
    return b"<html><script>fetch('/staff/seals')</script><!--\n" + save(blank())


def media_box(box: list[float]) -> bytes:
    pdf = blank()
    pdf.pages[0].obj.MediaBox = Array(box)
    return save(pdf)


def pages(n: int) -> bytes:
    return save(blank(n))


HOSTILE = [
    pytest.param(javascript_open_action, "javascript", "JavaScript", id="javascript"),
    pytest.param(bomb, "decompression_bomb", "压缩炸弹", id="bomb"),
    pytest.param(lambda: pages(4), "too_many_pages", "PDF页数超过3页上限（本文件4页）", id="pages"),
    pytest.param(jbig2, "jbig2", "JBIG2", id="jbig2"),
    pytest.param(polyglot, "polyglot", "%PDF-", id="polyglot"),
    pytest.param(lambda: media_box([0, 0, 0, 0]), "bad_page_box", "页面尺寸无效", id="zero-mediabox"),
    pytest.param(lambda: media_box([0, 0, 595, -842]), "bad_page_box", "为零或负数", id="negative-mediabox"),
    pytest.param(lambda: media_box([0, 0, 200_000, 842]), "bad_page_box", "超过5000毫米",
                 id="absurd-mediabox"),
    pytest.param(lambda: b"hello, not a pdf", "not_pdf", "不是PDF格式", id="not-pdf"),
]


@pytest.mark.parametrize(("make", "code", "message"), HOSTILE)
def test_api_stamp_job_refuses_hostile_pdf_and_stores_nothing(app, client, api, seal_id, make, code,
                                                              message):
    app.config["UPLOAD_MAX_PAGES"] = 3  # the gate's limits come from the configuration
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 100, "y_mm": 100}]
    before = stored(app)
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(make()), "x.pdf"), "operations": json.dumps(ops)})
    assert resp.status_code == 400, resp.get_json()
    body = resp.get_json()
    assert body["error"] == code
    assert message in body["message"]
    assert body["fields"] == {"file": body["message"]}
    assert stored(app) == before


@pytest.mark.parametrize(("make", "code", "message"), HOSTILE)
def test_staff_stamp_upload_refuses_hostile_pdf_and_stores_nothing(app, clerk, make, code, message):
    app.config["UPLOAD_MAX_PAGES"] = 3
    before = stored(app)
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(make()), "x.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert message in page
    assert "下一步" in page  # the form again, with the reason
    assert stored(app) == before


def test_lying_page_count_is_refused(app, clerk):
    """poppler (previews) believes /Count 1, the stamper would see 3 pages: refused, nothing stored."""
    data = save(blank(3), object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = data.replace(b"/Count 3 ", b"/Count 1 ")
    before = stored(app)
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(data), "x.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "与实际页数（共3页）不符" in resp.get_data(as_text=True)
    assert stored(app) == before


def test_page_count_comes_from_the_gate(app, clerk):
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(pages(3)), "x.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 303
    with app.app_context():
        assert get_session().scalar(select(StampJob.page_count)) == 3
    assert clerk.get(resp.headers["Location"] + "/original/3.png").status_code == 200


def test_filings_and_stamping_share_the_gate(app, clerk):
    """The same polyglot is refused with the same code by the filing upload (one gate, one place)."""
    resp = clerk.post("/staff/filings/new", data={"file": (io.BytesIO(polyglot()), "x.pdf")},
                      content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "%PDF-" in resp.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Filing)) == 0


# ---------------------------------------------------------------------------------------------------
# Operation count


def test_api_refuses_more_than_max_operations_before_reading_the_file(app, client, api, seal_id):
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 100, "y_mm": 100}] * (MAX_OPERATIONS + 1)
    before = stored(app)
    started = time.perf_counter()
    # Not even a PDF: the count is refused first, without parsing the file.
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"not a pdf"), "x.pdf"), "operations": json.dumps(ops)})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_fields"
    assert body["fields"] == {"operations": f"一次盖章最多{MAX_OPERATIONS}项操作（本次51项），请分批提交"}
    assert time.perf_counter() - started < 2  # 51 seals would take seconds
    assert stored(app) == before


def test_api_accepts_max_operations(app, client, api, seal_id):
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 60 + i % 10 * 10, "y_mm": 100}
           for i in range(MAX_OPERATIONS)]
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pages(1)), "x.pdf"), "operations": json.dumps(ops)})
    assert resp.status_code == 201, resp.get_json()
    assert len(resp.get_json()["operations"]) == MAX_OPERATIONS


# ---------------------------------------------------------------------------------------------------
# Stored names


@pytest.mark.parametrize(("sent", "kept"), [
    ("合同.pdf.php", "合同.pdf"),
    ("..\\..\\-x.php.pdf.", "x.pdf"),
    ("\u202e报告.exe", "报告.pdf"),
    (".hidden", "hidden.pdf"),
    ("scan.PDF", "scan.pdf"),
    ("x.pdf\x00.php", "x.pdf"),
])
def test_stored_file_names_are_made_safe(app, clerk, client, api, seal_id, sent, kept):
    resp = clerk.post("/staff/stamp", data={"file": (io.BytesIO(pages(1)), sent)},
                      content_type="multipart/form-data")
    assert resp.status_code == 303
    ops = [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 100, "y_mm": 100}]
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pages(1)), sent), "operations": json.dumps(ops)})
    assert resp.status_code == 201
    assert resp.get_json()["original_name"] == kept
    with app.app_context():
        assert list(get_session().scalars(select(StampJob.original_name))) == [kept, kept]


# ---------------------------------------------------------------------------------------------------
# Seal images


def test_animated_seal_png_is_refused_over_http(app, clerk):
    from PIL import Image

    from app.stamping.seal_images import generate_seal

    seal = Image.open(io.BytesIO(generate_seal(ZJJ).png))
    frame = Image.new("RGB", (seal.width + 40, seal.height + 40), (250, 250, 246))
    frame.paste(seal, (20, 20), seal)
    buffer = io.BytesIO()
    frame.save(buffer, "PNG", save_all=True, append_images=[Image.new("RGB", frame.size, "white")])
    with app.app_context():
        from app.models import ReceivingUnit

        unit = get_session().scalar(select(ReceivingUnit.id).where(ReceivingUnit.name == ZJJ))
    resp = clerk.post("/staff/seals", data={"unit_id": unit, "kind": "公章", "diameter_mm": "42",
                                            "image": (io.BytesIO(buffer.getvalue()), "seal.png")},
                      content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "动画PNG" in resp.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Seal)) == 0
