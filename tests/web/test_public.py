"""Public pages: form with inline errors, downloads, blank forms with ETag, verification."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import UNIT_LETTER


def test_index_offers_every_variant(client):
    page = client.get("/").get_data(as_text=True)
    for value in ("project_approval", "procurement_bidding", "administrative_service"):
        assert f"/blank/{value}/unit.pdf" in page
        assert f"/blank/{value}/person.docx" in page
    assert "<script" not in page


def test_form_shows_inline_errors_and_keeps_values(client):
    resp = client.post("/commitments/new", data={**UNIT_LETTER, "subject_code": "123"})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="subject_code-error"' in page
    assert "统一社会信用代码" in page
    assert "凌源市示例建筑工程有限公司" in page  # the other values are kept


def test_form_refuses_an_unknown_unit_and_offers_the_closest(client):
    resp = client.post("/commitments/new", data={**UNIT_LETTER, "receiving_unit": "住建局"})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'name="receiving_unit_choice" value="凌源市住房和城乡建设局" checked' in page


def test_form_offers_every_unit_when_none_is_close(client):
    """Trial of issue 12: "凌源市不存在局" is like no registered unit; the form then lists them all
    as choices (a phone without JavaScript shows no datalist)."""
    resp = client.post("/commitments/new", data={**UNIT_LETTER, "receiving_unit": "凌源市不存在局"})
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "没有相近的单位" in page
    for unit in ("凌源市住房和城乡建设局", "凌源市财政局", "凌源市发展和改革局"):
        assert f'name="receiving_unit_choice" value="{unit}"' in page
    assert " checked" not in page.split("没有相近的单位")[1].split("</fieldset>")[0]


def test_form_takes_the_unit_chosen_from_the_suggestions(client):
    resp = client.post("/commitments/new", data={**UNIT_LETTER, "receiving_unit": "住建局",
                                                 "receiving_unit_choice": "凌源市住房和城乡建设局"})
    assert resp.status_code == 303


def test_form_offers_the_registry_as_a_list(client):
    page = client.get("/commitments/new").get_data(as_text=True)
    assert '<option value="凌源市财政局">' in page


def test_form_success_redirects_to_download_page(client):
    resp = client.post("/commitments/new", data=UNIT_LETTER)
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "下载 PDF" in page
    pdf_link = re.search(r'href="([^"]+\.pdf\?c=[^"]+)"', page).group(1)
    assert client.get(pdf_link.replace("&amp;", "&")).status_code == 200


def test_download_needs_the_verification_code(client, commitments):
    number = commitments.create().get_json()["number"]
    # issue 10 §1: refused like an unknown number (404), so a refusal confirms nothing
    resp = client.get(f"/commitments/{number}.pdf")
    assert resp.status_code == 404
    assert "验证码" in resp.get_data(as_text=True)
    resp = client.get(f"/commitments/{number}.pdf?c=WRONG")
    assert resp.status_code == 404


@pytest.mark.parametrize("fmt, mime", [
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_blank_download_is_cached_with_etag(client, fmt, mime):
    resp = client.get(f"/blank/procurement_bidding/unit.{fmt}")
    assert resp.status_code == 200
    assert resp.mimetype == mime
    etag = resp.headers["ETag"]
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    again = client.get(f"/blank/procurement_bidding/unit.{fmt}",
                       headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_unknown_blank_variant_is_404(client):
    assert client.get("/blank/nothing/unit.pdf").status_code == 404
    assert client.get("/blank/project_approval/robot.pdf").status_code == 404


def test_verify_page_by_number_and_by_upload(client, commitments):
    body = commitments.create().get_json()
    number = body["number"]
    page = client.get(f"/verify/{number}?c={body['verification_code']}").get_data(as_text=True)
    assert "未公示" in page  # issued, not yet filed (trial 12 item 1)
    assert body["sha256"] in page
    assert "验证码正确" in page
    pdf = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data
    import io

    same = client.post(f"/verify/{number}", data={"file": (io.BytesIO(pdf), "a.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "完全一致" in same
    other = client.post(f"/verify/{number}", data={"file": (io.BytesIO(pdf + b"%"), "a.pdf")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "不一致" in other


def test_verify_lookup_form_redirects_and_explains_typos(client, commitments):
    number = commitments.create().get_json()["number"]
    resp = client.get(f"/verify?no={number.lower()}")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/verify/{number}")
    typo = client.get("/verify?no=LYXY-CN-2026-000001").get_data(as_text=True)
    assert "编号" in typo


def test_natural_person_id_never_on_public_pages(client, commitments):
    from tests.conftest import PERSON_LETTER

    body = commitments.create(**PERSON_LETTER).get_json()
    page = client.get(f"/verify/{body['number']}").get_data(as_text=True)
    assert "211382199003071237" not in page
    assert "张**" in page


def test_pages_forbid_scripts_and_framing(client):
    resp = client.get("/")
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_are_chinese_html_for_browsers_and_json_for_api(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "未找到" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.get_json()["error"] == "not_found"


def test_oversized_upload_is_refused_with_413(app, client, commitments):
    number = commitments.create().get_json()["number"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    import io

    resp = client.post(f"/verify/{number}", data={"file": (io.BytesIO(b"x" * 4096), "a.pdf")},
                       content_type="multipart/form-data", headers={"Accept": "text/html"})
    assert resp.status_code == 413
    assert "过大" in resp.get_data(as_text=True)


def test_form_echo_drops_bidi_controls_but_names_them(client):
    resp = client.post("/commitments/new", data={**UNIT_LETTER, "subject_name": "凌源\u202e公司"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "\u202e" not in page
    assert 'value="凌源公司"' in page
    assert "U+202E" in page


def test_a_letter_whose_original_is_missing_is_an_error_not_a_re_render(app, client, commitments):
    # The stored sha256 names the issued bytes; a re-render in their place would not be the
    # issued document (issue 11 §5): the visitor is told the original is missing.
    created = commitments.create().get_json()
    pdf_path = re.search(r"/commitments/[^\"]+\.pdf\?c=[A-Z0-9]+", created["pdf_url"]).group(0)
    sha = created["sha256"]
    (Path(app.config["ARCHIVE_DIR"]) / sha[:2] / sha).unlink()
    resp = client.get(pdf_path, headers={"Accept": "application/json"})
    assert resp.status_code == 500
    assert resp.get_json()["error"] == "original_missing"
    assert "存档原件缺失或已损坏" in resp.get_json()["message"]
