"""Issue 12's new-user trial of the receiving unit's workflow, through HTTP."""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import func, select

from app.db import get_session
from app.models import Filing
from tests.conftest import UNIT_LETTER


def issued_pdf(client, **overrides) -> tuple[str, bytes]:
    body = client.post("/api/v1/commitments", json={**UNIT_LETTER, **overrides}).get_json()
    return body["number"], client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data


def upload(clerk, pdf: bytes, **fields):
    return clerk.post("/staff/filings/new", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(pdf), "承诺书.pdf"), **fields})


def filing_id(resp) -> int:
    return int(re.search(r"/staff/filings/(\d+)", resp.headers["Location"]).group(1))


def status_of(client, number: str) -> tuple[str, str, str]:
    """The letter's status as the API and the verify page tell it."""
    doc = client.get(f"/api/v1/documents/{number}").get_json()
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    return doc["status"], doc["status_label"], page


# --- 1. the verify page and the API tell what became of the letter ----------------------------


def test_letter_status_follows_its_filing_from_issue_to_revocation(client, clerk, reviewer):
    number, pdf = issued_pdf(client)
    status, label, page = status_of(client, number)
    assert (status, label) == ("not_published", "已出具，未公示（尚未备案）")
    assert "未公示" in page and "有效（已公示）" not in page

    fid = filing_id(upload(clerk, pdf))
    assert status_of(client, number)[0] == "pending"
    reviewer.post(f"/staff/review/{fid}/approve", data={"confirm_unsigned": "1"})
    status, label, page = status_of(client, number)
    assert (status, label) == ("published", "有效（已公示）")
    assert client.get(f"/api/v1/documents/{number}").get_json()["public_filing"] == fid
    assert f"/public/commitments/{fid}" in page

    assert reviewer.post(f"/staff/review/{fid}/revoke",
                         data={"reason": "承诺主体申请撤回"}).status_code == 303
    doc = client.get(f"/api/v1/documents/{number}").get_json()
    assert (doc["status"], doc["status_label"]) == ("publication_revoked", "已撤销公示")
    assert doc["revoked_reason"] == "承诺主体申请撤回"
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "已撤销公示" in page and "承诺主体申请撤回" in page and "有效（已公示）" not in page
    public = client.get(f"/public/commitments/{fid}")
    assert public.status_code == 410
    assert "已撤销公示" in public.get_data(as_text=True)
    assert "承诺主体申请撤回" in public.get_data(as_text=True)


def test_rejected_filing_reads_not_published_without_the_rejection_reason(client, clerk, reviewer):
    number, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    reviewer.post(f"/staff/review/{fid}/reject", data={"reason": "未加盖公章内部说明"})
    status, _label, page = status_of(client, number)
    assert status == "not_published"
    assert "未加盖公章内部说明" not in page
    assert "未加盖公章内部说明" not in client.get(f"/api/v1/documents/{number}").get_data(as_text=True)


def test_reason_messages_say_who_reads_them(clerk, client, reviewer):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    page = reviewer.get(f"/staff/filings/{fid}").get_data(as_text=True)
    assert "驳回原因（上传单位可见，不公开）" in page
    refused = reviewer.post(f"/staff/review/{fid}/reject", data={"reason": " "})
    assert "上传单位将看到" in refused.get_data(as_text=True)
    assert "公众" not in refused.get_data(as_text=True)


# --- 2. a typed number does not make a file the letter -----------------------------------------


def scan(pdf: bytes) -> bytes:
    """An image-only PDF of ``pdf``'s pages (no text layer), as a scanner makes."""
    from app.archive.intake.marks import render_pages

    count = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    pictures = render_pages(pdf, count, 120)
    out = io.BytesIO()
    pictures[0].save(out, format="PDF", resolution=120, save_all=True, append_images=pictures[1:],
                     quality=40)
    return out.getvalue()


def test_blank_form_with_a_typed_number_is_refused(app, client, clerk):
    number, _pdf = issued_pdf(client)
    blank = client.get("/blank/project_approval/unit.pdf").data
    resp = upload(clerk, blank, document_number=number)
    assert resp.status_code == 400
    assert f"文件中未识别到承诺书编号{number}" in resp.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Filing)) == 0


def test_scan_without_a_readable_number_is_flagged_for_the_reviewer(app, client, clerk, reviewer):
    number, _pdf = issued_pdf(client)
    blank_scan = scan(client.get("/blank/project_approval/unit.pdf").data)
    resp = upload(clerk, blank_scan, document_number=number)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    fid = filing_id(resp)
    with app.app_context():
        codes = [f["code"] for f in get_session().get(Filing, fid).review_flags]
    assert "number_not_in_file" in codes
    assert "未在文件中识别到编号" in reviewer.get(f"/staff/filings/{fid}").get_data(as_text=True)


# --- 3. a correction is the same letter, and both filings show the history -----------------------


def test_correction_must_be_the_same_letter_and_both_pages_show_the_history(app, client, clerk,
                                                                            reviewer):
    number, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    reviewer.post(f"/staff/review/{fid}/reject", data={"reason": "未加盖公章"})
    _other_number, other = issued_pdf(client, subject_name="凌源市另一家建筑有限公司",
                                      subject_code="91211382MA0Y8K7Q3B")
    refused = upload(clerk, other, replaces=str(fid))
    assert refused.status_code == 400
    assert f"被驳回的上传 #{fid} 是编号{number}的承诺书" in refused.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Filing)) == 1

    sealed = pikepdf_resaved(pdf)  # the same letter, another file (e.g. stamped now)
    resp = upload(clerk, sealed, replaces=str(fid))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    new = filing_id(resp)
    page = reviewer.get(f"/staff/filings/{new}").get_data(as_text=True)
    assert f'更正 <a href="/staff/filings/{fid}">上传 #{fid}</a>，该上传因“未加盖公章”被驳回' in page
    assert f"/staff/filings/{new}" in clerk.get(f"/staff/filings/{fid}").get_data(as_text=True)


def pikepdf_resaved(pdf: bytes) -> bytes:
    import pikepdf

    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.docinfo["/Title"] = "更正"
        doc.save(out)
    return out.getvalue()


# --- 7. a grey scan cannot show a red seal; a person signs and presses a fingerprint --------------


def grey(pdf: bytes) -> bytes:
    """``pdf``'s pages as a greyscale scan (DeviceGray pictures, no text layer)."""
    from app.archive.intake.marks import render_pages

    count = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    pictures = [p.convert("L") for p in render_pages(pdf, count, 120)]
    out = io.BytesIO()
    pictures[0].save(out, format="PDF", resolution=120, save_all=True, append_images=pictures[1:],
                     quality=40)
    return out.getvalue()


def test_grey_scan_says_the_seal_cannot_be_judged(app, client, clerk, reviewer):
    _number, pdf = issued_pdf(client)
    resp = upload(clerk, grey(pdf))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    fid = filing_id(resp)
    page = reviewer.get(f"/staff/filings/{fid}").get_data(as_text=True)
    assert "黑白扫描，无法判断印章" in page
    assert "未发现承诺单位的印章" not in page
    # a colour scan without a seal stays 未见签章
    colour = upload(clerk, scan(issued_pdf(client)[1]))
    colour_page = reviewer.get(f"/staff/filings/{filing_id(colour)}").get_data(as_text=True)
    assert "未见签章" in colour_page and "黑白扫描" not in colour_page


def test_persons_flag_speaks_of_signature_and_fingerprint(app, client, clerk, reviewer):
    from tests.conftest import PERSON_LETTER

    _number, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    page = reviewer.get(f"/staff/filings/{fid}").get_data(as_text=True)
    assert "未发现承诺人的签名和指印" in page
    assert "承诺单位的印章" not in page


# --- 9. the re-upload warning is in Chinese and echoes little ------------------------------------


def test_reupload_warning_shows_labels_and_cuts_long_input(app, client, clerk):
    _number, pdf = issued_pdf(client)
    first = upload(clerk, pdf)
    again = upload(clerk, pdf, scenario="procurement_bidding", document_number="9" * 300)
    assert filing_id(again) == filing_id(first)
    page = clerk.get(again.headers["Location"]).get_data(as_text=True)
    from app.domain.scenario_labels import SCENARIO_LABELS

    assert (f"承诺适用情形：已有记录为“{SCENARIO_LABELS[UNIT_LETTER['scenario']]}”，本次填写为"
            f"“{SCENARIO_LABELS['procurement_bidding']}”") in page
    assert "project_approval" not in page and "procurement_bidding" not in page
    assert "9" * 41 not in page
    assert "9" * 40 + "…" in page
    assert "点击“上传更正后的文件”" in page


# --- 10. a filed file is recognised; one pair of brackets --------------------------------------------


def test_verify_recognises_the_filed_file_and_follows_its_publication(app, client, clerk, reviewer):
    number, pdf = issued_pdf(client)
    filed = scan(pdf)  # what the unit filed: not a file we issued, stamped or made public

    def verdict():
        return client.post("/api/v1/verify", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(filed), "x.pdf")}).get_json()

    fid = filing_id(upload(clerk, filed))
    body = verdict()
    assert (body["match"], body["filed"]["status"]) == ("filed", "not_published")
    assert body["message"] == f"与接受承诺单位上传备案的承诺书原件完全一致（编号{number}），尚未公示"
    reviewer.post(f"/staff/review/{fid}/approve", data={"confirm_unsigned": "1"})
    body = verdict()
    assert body["filed"] == {"status": "published", "status_label": "公示中", "filing_id": fid}
    assert body["message"].endswith("公示中")


def test_stamped_file_answer_has_one_pair_of_brackets():
    from app.services.verification import _message

    assert _message("stamped", "LYXY-CN-2026-000001X", None, None) == \
        "与本平台出具的文书完全一致（盖章签名后的版本，编号LYXY-CN-2026-000001X）"
