"""User-trial findings on the issue 12 workflow (trials 4, 13–19): one test through HTTP each."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from sqlalchemy import select

from app.db import get_session
from app.domain.dates import format_cn_date, to_beijing
from app.domain.filings import receipt_number
from app.models import Filing, StampJob
from tests.conftest import ZJJ, login_as, pdf_pages
from tests.web.test_filings import filing_id, issued_pdf, upload
from tests.web.test_stamping_web import count, make_seal


@pytest.fixture
def api(app, runner):
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def stamp_clerk(app, clerk_account):
    return login_as(app, clerk_account)


def _supersession_note(page: str) -> str:
    found = re.search(r'<div id="supersession".*?</div>', page, re.S)
    return found.group(0) if found else ""


def test_review_page_warns_which_published_letter_approval_marks_updated(app, client, clerk,
                                                                         reviewer):
    """Trial 4: the 通过 button said nothing about the older letter it would mark 已更新."""
    _, old_pdf = issued_pdf(client)
    old = filing_id(upload(clerk, old_pdf))
    assert _supersession_note(reviewer.get(f"/staff/filings/{old}").get_data(as_text=True)) == ""
    reviewer.post(f"/staff/review/{old}/approve")
    _, same_pdf = issued_pdf(client, matter="另一事项施工许可")  # same name and representative
    same = filing_id(upload(clerk, same_pdf))
    assert _supersession_note(reviewer.get(f"/staff/filings/{same}").get_data(as_text=True)) == ""
    _, new_pdf = issued_pdf(client, legal_representative="李新")
    new = filing_id(upload(clerk, new_pdf))
    page = reviewer.get(f"/staff/filings/{new}").get_data(as_text=True)
    note = _supersession_note(page)
    assert "已更新" in note
    assert f'href="/staff/filings/{old}"' in note
    assert f"/staff/filings/{same}\"" not in note  # not published: nothing to mark
    assert page.index('id="supersession"') < page.index("通过并公示")  # beside the button
    # the warning says what approval then does
    assert reviewer.post(f"/staff/review/{new}/approve").status_code == 303
    old_page = reviewer.get(f"/staff/filings/{old}").get_data(as_text=True)
    assert "（已更新）" in old_page
    # an older letter filed late: warned that it is 已更新 at once
    _, late_pdf = issued_pdf(client, legal_representative="王旧")
    late = filing_id(upload(clerk, late_pdf, commitment_date="2026-01-05"))
    note = _supersession_note(reviewer.get(f"/staff/filings/{late}").get_data(as_text=True))
    assert f'href="/staff/filings/{new}"' in note
    assert "通过后即显示为“已更新”" in note
    assert "将标为“已更新”" not in note, note


# --- trial 13: NaN, Infinity and absurd coordinates in stamping operations ---------------------

@pytest.mark.parametrize("raw, says", [
    ("1e308", "超出页面范围"), ("NaN", "有限的数字"), ("Infinity", "有限的数字"),
    ("-Infinity", "有限的数字"), ("1e400", "有限的数字"), ("-5", "超出页面范围")])
def test_api_refuses_non_finite_and_off_page_coordinates(app, client, stamp_clerk, api, raw, says):
    seal_id = make_seal(app, stamp_clerk)
    ops = f'[{{"op": "seal", "seal_id": {seal_id}, "page": 1, "x_mm": {raw}, "y_mm": 100}}]'
    resp = client.post("/api/v1/stamp-jobs", headers=api, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf_pages(1)), "a.pdf"), "operations": ops})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_fields"
    assert "x_mm" in body["fields"]["operations"] and says in body["fields"]["operations"]
    assert "1e308" not in body["message"] and "0000000" not in body["message"]  # never echoed
    assert count(app, StampJob) == 0


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e308", "-3"])
def test_staff_click_refuses_non_finite_and_off_page_positions(app, stamp_clerk, raw):
    seal_id = make_seal(app, stamp_clerk)
    job_url = stamp_clerk.post("/staff/stamp", data={"file": (io.BytesIO(pdf_pages(1)), "a.pdf")},
                               content_type="multipart/form-data").headers["Location"]
    resp = stamp_clerk.post(job_url, data={"seal_id": str(seal_id), "click_p1.x": raw,
                                           "click_p1.y": "100"})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "点击位置" in page
    assert "nan" not in page and "inf" not in page.replace("info", "")
    with app.app_context():
        assert get_session().scalar(select(StampJob.result_sha256)) is None


def test_json_api_names_the_field_holding_nan(app, client):
    resp = client.post("/api/v1/commitments", data='{"subject_name": NaN}',
                       content_type="application/json")
    assert resp.status_code == 400
    assert "subject_name" in resp.get_json()["fields"]


# --- trials 14 and 15, issue 12 §1: the stamp page of an uploaded file; the 收件章's number ---

def test_stamp_page_offers_the_receipt_stamp_for_an_uploaded_letter_and_prints_its_number(
        app, client, stamp_clerk):
    seal_id = make_seal(app, stamp_clerk)
    _, letter = issued_pdf(client)
    fid = filing_id(upload(stamp_clerk, letter))
    number = receipt_number(fid)
    assert number in stamp_clerk.get(f"/staff/filings/{fid}").get_data(as_text=True)
    with app.app_context():
        filed_on = format_cn_date(to_beijing(get_session().get(Filing, fid).created_at).date())
    # a file that is no letter and names no seal position: nothing to offer
    plain = stamp_clerk.post("/staff/stamp", data={"file": (io.BytesIO(pdf_pages(2)), "a.pdf")},
                             content_type="multipart/form-data").headers["Location"]
    assert 'name="anchor_seal"' not in stamp_clerk.get(plain).get_data(as_text=True)
    # the letter as uploaded (not by its number): the same anchor the API offers
    job_url = stamp_clerk.post("/staff/stamp", data={"file": (io.BytesIO(letter), "承诺书.pdf")},
                               content_type="multipart/form-data").headers["Location"]
    page = stamp_clerk.get(job_url).get_data(as_text=True)
    assert 'name="anchor_seal"' in page and "加盖收件章" in page
    resp = stamp_clerk.post(job_url, data={"seal_id": str(seal_id), "anchor_seal": "1"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    done = stamp_clerk.get(job_url).get_data(as_text=True)
    assert done.count("已盖章并签名") == 1  # trial 15: a flash said it a second time
    pdf = stamp_clerk.get(job_url + "/result.pdf").data
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[2].extract_text()
    assert f"收件编号：{number}" in text
    assert f"收件　{filed_on}" in text
    assert ZJJ in text
