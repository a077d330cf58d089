"""Issue 12 §5: a name is printed as the applicant typed it (when valid NFC) and matched whatever its
width: on the letter, in search, in supersession and in the check of a filing against its letter."""

from __future__ import annotations

import io

import pypdf

from tests.conftest import UNIT_LETTER
from tests.web.test_filings import filing_id, upload

FULL_WIDTH = "ＡＢＣ有限公司"
HALF_WIDTH = "ABC有限公司"


def issue(client, **overrides) -> dict:
    resp = client.post("/api/v1/commitments", json={**UNIT_LETTER, **overrides})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def pdf_of(client, body: dict) -> bytes:
    return client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_full_width_name_is_printed_as_typed(client):
    body = issue(client, subject_name=FULL_WIDTH)
    text = pdf_text(pdf_of(client, body))
    assert FULL_WIDTH in text
    assert HALF_WIDTH not in text
    assert client.get(f"/api/v1/documents/{body['number']}").get_json()["subject_name"] == FULL_WIDTH


def test_a_compatibility_ideograph_prints_as_its_nfc_form(client):
    """U+F900 is not NFC-stable: NFC (not only NFKC) maps it to U+8C48, so the letter prints U+8C48;
    a name is kept as typed only as far as it is valid NFC."""
    body = issue(client, subject_name="凌源市\uf900源商贸有限公司")
    text = pdf_text(pdf_of(client, body))
    assert "凌源市\u8c48源商贸有限公司" in text
    assert "\uf900" not in text


def test_a_full_width_name_is_found_by_either_width(client, clerk, reviewer):
    fid = filing_id(upload(clerk, pdf_of(client, issue(client, subject_name=FULL_WIDTH))))
    assert reviewer.post(f"/staff/review/{fid}/approve").status_code == 303
    for q in ("ABC", "ＡＢＣ", "abc", "ＡＢ", "AB"):
        items = client.get("/api/v1/public/commitments", query_string={"q": q}).get_json()["items"]
        assert [i["id"] for i in items] == [fid], q
    page = client.get("/public/commitments", query_string={"q": "ABC"}).get_data(as_text=True)
    assert FULL_WIDTH in page  # listed as typed


def test_a_filing_stating_the_half_width_twin_matches_its_letter(client, clerk):
    pdf = pdf_of(client, issue(client, subject_name=FULL_WIDTH))
    resp = upload(clerk, pdf, subject_name=HALF_WIDTH)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]


def test_the_half_width_twin_does_not_supersede_the_full_width_name(client, clerk, reviewer):
    """Policy 五(三)2: only a change of name or legal representative supersedes; width is none."""
    old = filing_id(upload(clerk, pdf_of(client, issue(client, subject_name=FULL_WIDTH))))
    reviewer.post(f"/staff/review/{old}/approve")
    new = filing_id(upload(clerk, pdf_of(client, issue(client, subject_name=HALF_WIDTH))))
    reviewer.post(f"/staff/review/{new}/approve")
    assert "已更新" not in client.get(f"/public/commitments/{old}").get_data(as_text=True)
    renamed = filing_id(upload(clerk, pdf_of(client, issue(client, subject_name="ＡＢＤ有限公司"))))
    reviewer.post(f"/staff/review/{renamed}/approve")
    assert "已更新" in client.get(f"/public/commitments/{old}").get_data(as_text=True)
