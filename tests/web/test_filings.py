"""Upload intake, review, publication (公示), revocation, privacy, archive and audit checks."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pikepdf
import pypdf
import pytest
from sqlalchemy import func, select, update

from app.db import get_session
from app.models import AuditEntry, Filing, ReceivingUnit
from tests.conftest import PERSON_LETTER, UNIT_LETTER, ZJJ, audit_triggers_bypassed


def issued_pdf(client, **overrides) -> tuple[str, bytes]:
    body = client.post("/api/v1/commitments", json={**UNIT_LETTER, **overrides}).get_json()
    return body["number"], client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data


def upload(clerk, pdf: bytes, **fields):
    return clerk.post("/staff/filings/new", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(pdf), "承诺书.pdf"), **fields})


def filing_id(resp) -> int:
    return int(re.search(r"/staff/filings/(\d+)", resp.headers["Location"]).group(1))


def count(app, model=Filing) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def archive_files(app) -> list[Path]:
    root = Path(app.config["ARCHIVE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_of_an_issued_letter_is_recognised_and_prefilled(app, client, clerk):
    number, pdf = issued_pdf(client)
    resp = upload(clerk, pdf)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with app.app_context():
        filing = get_session().get(Filing, filing_id(resp))
        assert filing.document_number == number
        assert filing.subject_name == UNIT_LETTER["subject_name"]
        assert filing.status == "pending"
        assert filing.commitment_date.isoformat() == "2026-11-29"
        actions = get_session().scalars(select(AuditEntry.action)).all()
        assert "upload" in actions


def test_same_file_twice_gives_the_existing_record(app, client, clerk):
    _, pdf = issued_pdf(client)
    first, second = upload(clerk, pdf), upload(clerk, pdf)
    assert filing_id(first) == filing_id(second)
    assert count(app) == 1


def test_same_file_with_other_details_says_what_differs(app, client, clerk):
    _, pdf = issued_pdf(client)
    first = upload(clerk, pdf)
    again = upload(clerk, pdf, commitment_date="2026-11-20")  # issue 12 §3: never silently
    assert filing_id(again) == filing_id(first)
    page = clerk.get(again.headers["Location"]).get_data(as_text=True)
    assert "承诺日期：已有记录为“2026-11-29”，本次填写为“2026-11-20”" in page
    assert 'class="card warn"' in page  # a warning, not a success message (user trial)


def test_same_file_with_the_same_details_says_nothing_differs(app, client, clerk):
    _, pdf = issued_pdf(client)
    upload(clerk, pdf)
    again = upload(clerk, pdf, subject_name=UNIT_LETTER["subject_name"])
    page = clerk.get(again.headers["Location"]).get_data(as_text=True)
    assert "不同" not in page


def test_two_identical_uploads_at_the_same_moment_make_one_record(app, client):
    from app.services import filings as svc
    from app.web.common import archive, intake_limits, pii_cipher, trail

    _, pdf = issued_pdf(client)
    ids, errors = [], []

    def worker():
        with app.test_request_context():
            db = get_session()
            try:
                unit = db.scalar(select(ReceivingUnit).where(ReceivingUnit.name == ZJJ))
                result = svc.file_upload(db, archive(), pii_cipher(), data=pdf, name="a.pdf",
                                         fields={}, unit=unit, today=__import__("datetime").date(
                                             2026, 11, 29), limits=intake_limits(),
                                         trail=trail())
                db.commit()
                ids.append(result.filing.id)
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
            finally:
                db.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(ids)) == 1
    assert count(app) == 1


def hostile_pdf(kind: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if kind == "javascript":
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
    elif kind == "launch":
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.Launch, F="calc.exe")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("payload, code, message", [
    (b"just text, not a pdf", "not_pdf", "不是PDF"),
    (hostile_pdf("javascript"), "javascript", "JavaScript"),
    (hostile_pdf("launch"), "launch_action", "Launch"),
])
def test_rejected_uploads_store_nothing(app, clerk, payload, code, message):
    resp = upload(clerk, payload, **{k: v for k, v in UNIT_LETTER.items()
                                     if k != "receiving_unit"}, commitment_date="2026-11-01")
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert count(app) == 0
    assert archive_files(app) == []


def test_too_large_upload_is_refused_before_reading(app, clerk):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    resp = clerk.post("/staff/filings/new", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"%PDF-" + b"0" * 20_000), "a.pdf")},
                      headers={"Accept": "text/html"})
    assert resp.status_code == 413
    assert "过大" in resp.get_data(as_text=True)
    assert count(app) == 0


def test_missing_metadata_for_a_foreign_pdf_is_reported_by_field(app, clerk):
    resp = upload(clerk, hostile_pdf("none"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    for field in ("subject_name", "subject_code", "matter", "commitment_date"):
        assert f'id="{field}-error"' in page
    assert count(app) == 0


@pytest.fixture
def api_key(runner):
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def test_api_filing_created_then_duplicate(app, client, api_key):
    _, pdf = issued_pdf(client)
    first = client.post("/api/v1/filings", headers=api_key, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(pdf), "a.pdf")})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert set(body) >= {"id", "sha256", "status"}
    assert body["status"] == "pending"
    again = client.post("/api/v1/filings", headers=api_key, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(pdf), "b.pdf")})
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]
    restated = client.post("/api/v1/filings", headers=api_key, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf), "b.pdf"), "matter": "另一事项"})
    assert set(restated.get_json()["differences"]) == {"matter"}


def test_api_rejection_is_json_with_a_stable_code(app, client, api_key):
    resp = client.post("/api/v1/filings", headers=api_key, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(hostile_pdf("javascript")), "a.pdf")})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "javascript"
    assert "JavaScript" in resp.get_json()["message"]
    assert count(app) == 0


def test_review_publish_public_copy_and_revoke(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    assert "待审核" in reviewer.get("/staff/review").get_data(as_text=True)
    assert reviewer.post(f"/staff/review/{fid}/approve").status_code == 303
    listing = client.get("/public/commitments?q=示例建筑").get_data(as_text=True)
    assert UNIT_LETTER["subject_name"] in listing
    copy = client.get(f"/public/commitments/{fid}/public-copy.pdf")
    assert copy.status_code == 200
    assert copy.data != pdf
    # revalidated on every use, so that a revoked copy leaves caches at once
    assert "no-cache" in copy.headers["Cache-Control"]
    assert client.get(f"/public/commitments/{fid}/public-copy.pdf",
                      headers={"If-None-Match": copy.headers["ETag"]}).status_code == 304
    # page pictures only (the 公示专用 watermark is in the picture): tests/web/test_public_copy.py
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(copy.data)).pages)
    assert text.strip() == ""
    data = client.get("/api/v1/public/commitments?q=91211382MA0Y8K7Q3B").get_json()
    assert [i["id"] for i in data["items"]] == [fid]
    # revocation: off the public site at once, still in the archive for staff
    assert reviewer.post(f"/staff/review/{fid}/revoke", data={"reason": ""}).status_code == 400
    assert reviewer.post(f"/staff/review/{fid}/revoke",
                         data={"reason": "承诺主体申请撤回"}).status_code == 303
    assert client.get(f"/public/commitments/{fid}").status_code == 410
    assert client.get("/api/v1/public/commitments?q=示例建筑").get_json()["items"] == []
    assert reviewer.get(f"/staff/filings/{fid}/original.pdf").data == pdf


def test_rejection_reason_reaches_the_uploader_who_can_correct(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    assert reviewer.post(f"/staff/review/{fid}/reject", data={"reason": "未加盖公章"}).status_code == 303
    page = clerk.get(f"/staff/filings/{fid}").get_data(as_text=True)
    assert "未加盖公章" in page
    assert f"replaces={fid}" in page
    corrected = pikepdf.open(io.BytesIO(pdf))  # the same letter in another file
    corrected.docinfo["/Title"] = "更正"
    out = io.BytesIO()
    corrected.save(out)
    resp = upload(clerk, out.getvalue(), replaces=str(fid))
    assert resp.status_code == 303
    with app.app_context():
        assert get_session().get(Filing, filing_id(resp)).replaces_id == fid


def test_newer_commitment_with_another_legal_representative_supersedes(app, client, clerk,
                                                                        reviewer):
    _, old_pdf = issued_pdf(client)
    old = filing_id(upload(clerk, old_pdf))
    reviewer.post(f"/staff/review/{old}/approve")
    _, new_pdf = issued_pdf(client, legal_representative="李新")
    new = filing_id(upload(clerk, new_pdf))
    reviewer.post(f"/staff/review/{new}/approve")
    page = client.get(f"/public/commitments/{old}").get_data(as_text=True)
    assert "已更新" in page
    assert f"/public/commitments/{new}" in page
    assert "已更新" not in client.get(f"/public/commitments/{new}").get_data(as_text=True)


def test_verify_page_of_a_superseded_letter_says_updated_until_the_newer_is_revoked(
        app, client, clerk, reviewer):
    number, old_pdf = issued_pdf(client)
    old = filing_id(upload(clerk, old_pdf))
    reviewer.post(f"/staff/review/{old}/approve")
    _, new_pdf = issued_pdf(client, legal_representative="李新")
    new = filing_id(upload(clerk, new_pdf))
    reviewer.post(f"/staff/review/{new}/approve")
    assert client.get(f"/api/v1/documents/{number}").get_json()["status"] == "superseded"
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "已更新" in page
    assert f"/public/commitments/{new}" in page
    reviewer.post(f"/staff/review/{new}/revoke", data={"reason": "材料不实"})
    assert client.get(f"/api/v1/documents/{number}").get_json()["status"] == "published"
    assert "已更新" not in client.get(f"/public/commitments/{old}").get_data(as_text=True)


def test_natural_person_is_masked_without_pdf_and_id_view_is_logged(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    with app.app_context():
        stored = get_session().get(Filing, fid)
        assert PERSON_LETTER["subject_code"] not in stored.subject_code_enc
    reviewer.post(f"/staff/review/{fid}/approve")
    detail = client.get(f"/public/commitments/{fid}").get_data(as_text=True)
    assert "张**" in detail
    assert "张三丰" not in detail
    assert client.get(f"/public/commitments/{fid}/public-copy.pdf").status_code == 404
    page = reviewer.post(f"/staff/filings/{fid}/id-number").get_data(as_text=True)
    assert PERSON_LETTER["subject_code"] in page
    with app.app_context():
        assert get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "view_id_number")) is not None


def test_a_page_picture_of_a_persons_letter_is_logged(app, client, clerk):
    """User trial: the page preview shows the ID number as printed; viewing it was not logged."""
    _, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    assert clerk.get(f"/staff/filings/{fid}/page-1.png").status_code == 200
    with app.app_context():
        assert get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "view_page_picture")) is not None


def test_a_page_picture_of_a_units_letter_is_not_an_id_view(app, client, clerk):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    clerk.get(f"/staff/filings/{fid}/page-1.png")
    with app.app_context():
        assert get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "view_page_picture")) is None


def test_clerks_cannot_reveal_id_numbers_or_review(client, clerk):
    _, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    assert clerk.post(f"/staff/filings/{fid}/id-number").status_code == 403
    assert clerk.post(f"/staff/review/{fid}/approve").status_code == 403


def test_no_public_response_ever_shows_an_id_number(app, client, clerk, reviewer):
    """Scan every public page and JSON of the demo data for ID numbers and birth dates."""
    number, pdf = issued_pdf(client, **PERSON_LETTER)
    fid = filing_id(upload(clerk, pdf))
    reviewer.post(f"/staff/review/{fid}/approve")
    code = PERSON_LETTER["subject_code"]
    urls = ["/", "/public/commitments", f"/public/commitments/{fid}",
            "/api/v1/public/commitments", "/api/v1/public/commitments?q=张",
            f"/api/v1/documents/{number}", f"/verify/{number}", f"/verify?no={number}",
            "/api/v1/openapi.json", "/commitments/new"]
    for url in urls:
        body = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert code not in body, url
        assert code[6:14] not in body, url


def test_archive_verify_finds_a_corrupt_file(app, client, clerk, runner):
    _, pdf = issued_pdf(client)
    upload(clerk, pdf)
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    victim = next(p for p in archive_files(app) if p.read_bytes() == pdf)
    victim.chmod(0o644)
    victim.write_bytes(pdf[:-10] + b"corrupted!")
    result = runner.invoke(args=["archive", "verify"])
    assert result.exit_code == 1
    assert "损坏" in result.output


def test_audit_verify_detects_an_edited_entry(app, client, clerk, runner):
    _, pdf = issued_pdf(client)
    upload(clerk, pdf)
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    with audit_triggers_bypassed(app.extensions["lyxy_engine"]) as conn:  # as a DB superuser
        conn.execute(update(AuditEntry).where(AuditEntry.action == "upload")
                     .values(actor="user:someone-else"))
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1
    assert "被修改" in bad.output


def test_staff_search_covers_every_status_but_only_the_own_unit(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    link = f'href="/staff/filings/{fid}"'
    page = clerk.get("/staff/filings?q=示例建筑&status=pending").get_data(as_text=True)
    assert link in page
    assert link not in clerk.get("/staff/filings?status=published").get_data(as_text=True)
    assert link in reviewer.get("/staff/filings?q=91211382MA0Y8K7Q3B").get_data(as_text=True)


def test_intake_that_cannot_run_answers_503_and_stores_nothing(app, client, clerk, monkeypatch,
                                                               api_key):
    from app.archive.intake import sandbox

    def lost(self, *args, **kwargs):
        raise sandbox._WorkerLost

    _, pdf = issued_pdf(client)
    before = archive_files(app)
    monkeypatch.setattr(sandbox._Worker, "exchange", lost)
    resp = client.post("/api/v1/filings", headers=api_key, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(pdf), "a.pdf")})
    assert resp.status_code == 503
    assert resp.get_json()["error"] == "intake_unavailable"
    assert count(app) == 0
    assert archive_files(app) == before
