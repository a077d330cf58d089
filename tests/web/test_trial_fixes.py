"""User-trial findings on the issue 12 workflow (trials 4, 13–19): one test through HTTP each."""

from __future__ import annotations

import io
import re

import pikepdf
import pypdf
import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.db import get_session
from app.domain.dates import format_cn_date, to_beijing
from app.domain.filings import receipt_number
from app.domain.roles import Role
from app.models import AuditEntry, Filing, StampJob
from tests.conftest import CZJ, PERSON_LETTER, UNIT_LETTER, ZJJ, login_as, pdf_pages
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


# --- trial 19: nothing of a person's ID number in public search, list and /verify -------------

def test_public_search_list_and_verify_show_and_match_nothing_of_a_persons_id(app, client, clerk,
                                                                              reviewer):
    number, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    reviewer.post(f"/staff/review/{fid}/approve")
    listed = client.get("/api/v1/public/commitments?q=张").get_json()["items"]
    assert [i["id"] for i in listed] == [fid]  # the masked name still finds it
    masked = "2*************1237"
    for q in ("1237", "*1237", masked, "211382199003071237"):
        assert client.get(f"/api/v1/public/commitments?q={q}").get_json()["items"] == [], q
        assert f"/public/commitments/{fid}" not in client.get(
            f"/public/commitments?q={q}").get_data(as_text=True), q
    document = client.get(f"/api/v1/documents/{number}").get_json()
    assert document["subject_code"] is None is listed[0]["subject_code"]  # one rule, both places
    verify = client.get(f"/verify/{number}").get_data(as_text=True)
    assert masked not in verify and "1237" not in verify
    assert "身份证号码不公开" in verify
    # a unit's code is shown in full everywhere, and found
    unit_number, unit_pdf = issued_pdf(client)
    unit_fid = filing_id(upload(clerk, unit_pdf))
    reviewer.post(f"/staff/review/{unit_fid}/approve")
    code = UNIT_LETTER["subject_code"]
    assert [i["subject_code"] for i in client.get(
        f"/api/v1/public/commitments?q={code}").get_json()["items"]] == [code]
    assert client.get(f"/api/v1/documents/{unit_number}").get_json()["subject_code"] == code


# --- trial 18: our public copy uploaded as a filing -------------------------------------------

def _post_file(client, url: str, data: bytes, **headers):
    """Encoded by hand: the test client would spool a big body to a temp file it never closes."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), "承诺书.pdf")})
    return client.post(url, data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_the_public_copy_is_refused_as_an_upload_web_and_api(app, client, clerk, reviewer, api,
                                                              make_user):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    reviewer.post(f"/staff/review/{fid}/approve")
    copy = client.get(f"/public/commitments/{fid}/public-copy.pdf").data
    with app.app_context():
        before = get_session().query(Filing).count()
    resp = _post_file(clerk, "/staff/filings/new", copy)
    assert resp.status_code == 400
    assert "这是公示文本，不是签章原件" in resp.get_data(as_text=True)
    # another unit's clerk: the copy says what it is (its /Creator), whatever its hash
    other = login_as(app, make_user(Role.UNIT_CLERK, "czj_clerk", owner=CZJ))
    assert "这是公示文本" in _post_file(other, "/staff/filings/new", copy).get_data(as_text=True)
    resp = _post_file(client, "/api/v1/filings", copy, **api)
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "public_copy"
    with app.app_context():
        assert get_session().query(Filing).count() == before


# --- staff search of natural persons by full name: the office only, audited ------------------

def _person_searches(app) -> list[AuditEntry]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEntry).where(
            AuditEntry.action == "search_person_name")))


def test_office_finds_a_person_by_full_name_and_the_search_is_logged(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    full = PERSON_LETTER["subject_name"]
    # the unit clerk: masked only, as before (the full name finds nothing)
    page = clerk.get(f"/staff/filings?q={full}").get_data(as_text=True)
    assert 'id="persons"' not in page and f"/staff/filings/{fid}\"" not in page
    assert f"/staff/filings/{fid}\"" in clerk.get("/staff/filings?q=张").get_data(as_text=True)
    assert _person_searches(app) == []
    # the credit office: found by the full name, and the search is in the audit log
    page = reviewer.get(f"/staff/filings?q={full}").get_data(as_text=True)
    persons = re.search(r'<div id="persons">.*?</div>', page, re.S).group(0)
    assert f'href="/staff/filings/{fid}"' in persons and full in persons
    entries = _person_searches(app)
    assert len(entries) == 1
    assert entries[0].details["filing_ids"] == [fid]
    assert full not in str(entries[0].details)  # the log says whom by filing, not by name
    # a search that reveals no one is not logged; nor is a name that is no person's
    reviewer.get("/staff/filings?q=李四光")
    reviewer.get("/staff/filings?q=示例建筑")
    assert len(_person_searches(app)) == 1


# --- trial 17: the stamp page on a 390 px phone screen ----------------------------------------

def test_stamp_page_previews_fit_a_phone_screen(app, stamp_clerk):
    """A 390 px screen leaves 326 px inside a card (checked by a headless-chromium screenshot
    when this was fixed): every clickable preview is drawn at most 300 px wide, landscape too,
    and the before/after pictures scale with the screen."""
    seal_id = make_seal(app, stamp_clerk)
    landscape = pikepdf.new()
    landscape.add_blank_page(page_size=(842, 595))
    landscape.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    landscape.save(out)
    job_url = stamp_clerk.post("/staff/stamp", data={"file": (io.BytesIO(out.getvalue()), "a.pdf")},
                               content_type="multipart/form-data").headers["Location"]
    page = stamp_clerk.get(job_url).get_data(as_text=True)
    widths = [int(w) for w in re.findall(r'<input type="image"[^>]*?width="(\d+)"', page, re.S)]
    assert len(widths) == 2 and max(widths) <= 300
    assert stamp_clerk.post(job_url, data={"seal_id": str(seal_id), "cross_page_seal": "1"}
                            ).status_code == 303
    done = stamp_clerk.get(job_url).get_data(as_text=True)
    pictures = re.findall(r'<img src="[^"]*/(?:original|result)/\d\.png"[^>]*>', done)
    assert len(pictures) == 4
    assert all("max-width:100%" in p and "height:auto" in p for p in pictures)
