"""Trial 12 items 4-6: the receiving unit's seals stay on its own copy of a letter, scans too."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from tests.conftest import ZJJ, login_as
from tests.web.test_receiving_workflow import scan
from tests.web.test_stamping_web import _seal_pages, make_seal


@pytest.fixture
def clerk(app, client, clerk_account):
    """The ``client`` itself logged in as the clerk (as in test_stamping_web)."""
    return login_as(app, clerk_account, client=client)


@pytest.fixture
def api(app, runner):
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def stamp(client, api, ops, **data):
    return client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"operations": json.dumps(ops), **data})


def result_pdf(client, api, resp) -> bytes:
    assert resp.status_code == 201, resp.get_json()
    return client.get(f"/api/v1/stamp-jobs/{resp.get_json()['id']}/result.pdf", headers=api).data


def letter_pdf(client, commitments) -> tuple[str, bytes]:
    body = commitments.create().get_json()
    return body["number"], client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data


def test_cross_page_seal_on_a_scanned_letter_binds_the_units_copy_only(app, clerk, client, api,
                                                                       commitments):
    seal_id = make_seal(app, clerk)
    _number, pdf = letter_pdf(client, commitments)
    image_only = scan(pdf)
    assert not pypdf.PdfReader(io.BytesIO(image_only)).pages[0].extract_text().strip()
    resp = stamp(client, api, [{"op": "cross_page_seal", "seal_id": seal_id}],
                 file=(io.BytesIO(image_only), "扫描件.pdf"))
    assert _seal_pages(result_pdf(client, api, resp)) == [3, 4]


def test_unknown_copies_of_a_scanned_letter_are_said_not_guessed(app, clerk, client, api,
                                                                 commitments):
    seal_id = make_seal(app, clerk)
    number, pdf = letter_pdf(client, commitments)
    three_pages = pypdf.PdfWriter()
    for page in pypdf.PdfReader(io.BytesIO(scan(pdf))).pages[:3]:  # the last page is missing
        three_pages.add_page(page)
    out = io.BytesIO()
    three_pages.write(out)
    resp = stamp(client, api, [{"op": "cross_page_seal", "seal_id": seal_id}],
                 file=(io.BytesIO(out.getvalue()), "扫描件.pdf"))  # its number: the QR on page 2
    assert resp.status_code == 400
    assert "无法确定“接受承诺单位留存”联是哪几页" in resp.get_json()["message"]


def test_unit_seal_on_the_applicants_copy_is_refused_with_a_spot_on_the_units(app, clerk, client,
                                                                              api, commitments):
    seal_id = make_seal(app, clerk)
    number, _pdf = letter_pdf(client, commitments)
    resp = stamp(client, api, [{"op": "seal", "seal_id": seal_id, "page": 1, "x_mm": 150,
                                "y_mm": 40}], document_number=number)
    assert resp.status_code == 400
    message = resp.get_json()["message"]
    assert "第1页属于“承诺人留存”联（第1–2页）" in message
    assert "最近的可盖位置：第3页" in message
    # the same click on the web page
    job = clerk.post("/staff/stamp", data={"document_number": number})
    assert job.status_code in (302, 303), job.get_data(as_text=True)
    page = clerk.post(job.headers["Location"], data={"seal_id": str(seal_id), "click_p1.x": "266",
                                                      "click_p1.y": "71"})
    assert "第1页属于“承诺人留存”联" in page.get_data(as_text=True)


def test_unit_seal_on_a_scans_applicant_copy_is_refused(app, clerk, client, api, commitments):
    seal_id = make_seal(app, clerk)
    _number, pdf = letter_pdf(client, commitments)
    resp = stamp(client, api, [{"op": "seal", "seal_id": seal_id, "page": 2, "x_mm": 150,
                                "y_mm": 40}], file=(io.BytesIO(scan(pdf)), "扫描件.pdf"))
    assert resp.status_code == 400
    assert "接受承诺单位留存”联（第3–4页）" in resp.get_json()["message"]


def test_click_on_the_applicants_sign_off_names_the_applicant(app, clerk, client, api, commitments):
    from app.stamping.overlay.clearance import text_lines
    from app.stamping.overlay.document import geometries, open_pdf

    seal_id = make_seal(app, clerk)
    number, pdf = letter_pdf(client, commitments)
    with open_pdf(pdf) as doc:
        lines = text_lines(pdf, geometries(doc), [4])[4]
    label = next(t for t in lines if "盖章" in t.text)
    x, y = (label.box[0] + label.box[2]) / 2, (label.box[1] + label.box[3]) / 2
    resp = stamp(client, api, [{"op": "seal", "seal_id": seal_id, "page": 4, "x_mm": round(x, 1),
                                "y_mm": round(y, 1)}], document_number=number)
    assert resp.status_code == 400
    message = resp.get_json()["message"]
    assert message.startswith("落款处属于承诺人（盖承诺人自己的章）")
    assert "上不压正文" not in message


def test_another_units_seal_picture_is_not_found(app, clerk, make_user):
    from app.domain.roles import Role
    from tests.conftest import CZJ

    seal_id = make_seal(app, clerk)
    other = login_as(app, make_user(Role.UNIT_CLERK, "czj_clerk", owner=CZJ))
    assert other.get(f"/staff/seals/{seal_id}.png").status_code == 404
    assert clerk.get(f"/staff/seals/{seal_id}.png").status_code == 200
