"""A filing checks the letter it receives (issue 12 §3): the number read from a scan's QR code,
the addressee, the seal or signature (未见签章), the same number filed twice, and the review page
with every page and the flags beside the decision buttons."""

from __future__ import annotations

import io
import re

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from PIL import Image, ImageDraw
from sqlalchemy import func, select

from app.archive.intake.marks import render_pages
from app.db import get_session
from app.models import Filing
from app.stamping.signing import PadesOptions, PadesSigner
from tests.conftest import UNIT_LETTER
from tests.stamping.test_signing import self_signed
from tests.web.test_filings import filing_id, issued_pdf, upload

SCAN_DPI = 120
"""A scanner's everyday resolution; with JPEG quality 50 a 4-page scan stays under the 500 KB at
which the test client spools a request body to a file it never closes."""
SEAL_RED = (205, 35, 45)


def scan_of(pdf: bytes, *, sealed_pages: tuple[int, ...] = ()) -> bytes:
    """A scan-like PDF of ``pdf``: each page a picture (no text layer), with a round red seal drawn
    at the signature block (落款, right of the QR code) of ``sealed_pages``."""
    pictures = render_pages(pdf, 4, SCAN_DPI)
    for number, picture in enumerate(pictures, start=1):
        if number in sealed_pages:
            draw = ImageDraw.Draw(picture)
            cx, cy, r = int(picture.width * 0.62), int(picture.height * 0.62), int(21 / 25.4 * SCAN_DPI)
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=SEAL_RED, width=6)
            draw.regular_polygon((cx, cy, r // 3), 5, fill=SEAL_RED)
    out = io.BytesIO()
    pictures[0].save(out, format="PDF", resolution=SCAN_DPI, save_all=True,
                     append_images=pictures[1:], quality=50)
    return out.getvalue()


def flag_codes(app, fid: int) -> list[str]:
    with app.app_context():
        return [f["code"] for f in get_session().get(Filing, fid).review_flags]


def filings(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(Filing))


def test_scan_number_is_read_from_the_qr_code_and_a_missing_seal_is_flagged(app, client, clerk):
    number, pdf = issued_pdf(client)
    scan = scan_of(pdf)
    assert number.encode() not in scan  # no text layer: the number can only come from the QR
    resp = upload(clerk, scan)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    fid = filing_id(resp)
    with app.app_context():
        filing = get_session().get(Filing, fid)
        assert filing.document_number == number
        assert filing.subject_name == UNIT_LETTER["subject_name"]  # pre-filled from the letter
    assert flag_codes(app, fid) == ["unsigned"]


def test_scan_with_a_red_seal_at_the_signature_block_is_not_flagged(app, client, clerk):
    number, pdf = issued_pdf(client)
    resp = upload(clerk, scan_of(pdf, sealed_pages=(2, 4)))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert flag_codes(app, filing_id(resp)) == []


def test_scan_addressed_to_another_unit_is_refused_by_its_qr_number(app, client, clerk):
    number, pdf = issued_pdf(client, receiving_unit="凌源市市场监督管理局")
    resp = upload(clerk, scan_of(pdf, sealed_pages=(2, 4)))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    # the file is the letter, which names its addressee: say so (trial 12 item 8)
    assert (f"该承诺书（编号{number}）的接受承诺单位是凌源市市场监督管理局，不是本单位"
            "（凌源市住房和城乡建设局）；请退回申请人") in page
    assert filings(app) == 0


def test_a_typed_number_of_another_units_letter_confirms_nothing(app, client, clerk):
    number, _pdf = issued_pdf(client, receiving_unit="凌源市市场监督管理局")
    resp = upload(clerk, scan_of(issued_pdf(client)[1]), document_number=number)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "凌源市市场监督管理局" not in page  # issue 10 §1: a typed number reveals no addressee


def test_exact_issued_pdf_is_flagged_unsigned_for_the_reviewer(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    assert flag_codes(app, fid) == ["unsigned"]
    page = reviewer.get(f"/staff/filings/{fid}").get_data(as_text=True)
    review_card = page[page.index("<h2>审核</h2>"):page.index("驳回</button>")]
    assert "未见签章" in review_card  # beside the decision buttons
    assert "通过并公示" in review_card


def test_letter_signed_by_the_platform_only_is_still_unsigned(app, client, clerk):
    from app.web.common import signer

    _, pdf = issued_pdf(client)
    with app.app_context():
        signed = signer().sign(pdf, reason="出具信用承诺书")
    assert flag_codes(app, filing_id(upload(clerk, signed))) == ["unsigned"]


@pytest.fixture(scope="module")
def applicant_signer(tmp_path_factory) -> PadesSigner:
    """The applicant's own signing credential (a certificate outside our PKI)."""
    key, cert = self_signed(UNIT_LETTER["subject_name"])
    path = tmp_path_factory.mktemp("applicant") / "applicant.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"applicant", key, cert, None, serialization.BestAvailableEncryption(b"pass")))
    return PadesSigner(PadesOptions(p12_path=path, passphrase=b"pass", field_prefix="Applicant"))


def test_letter_signed_by_the_applicant_is_not_flagged(app, client, clerk, applicant_signer):
    _, pdf = issued_pdf(client)
    signed = applicant_signer.sign(pdf, reason="承诺")
    assert flag_codes(app, filing_id(upload(clerk, signed))) == []


def test_same_number_filed_again_is_refused_with_a_link_to_the_earlier_filing(app, client, clerk):
    number, pdf = issued_pdf(client)
    first = filing_id(upload(clerk, pdf))
    again = upload(clerk, scan_of(pdf, sealed_pages=(2, 4)))  # the stamped scan of the same letter
    assert again.status_code == 400
    page = again.get_data(as_text=True)
    assert f"编号为{number}的承诺书本单位已上传（上传 #{first}，待审核），不能重复上传" in page
    assert f'href="/staff/filings/{first}"' in page
    assert filings(app) == 1


def test_same_number_through_the_api_is_refused(app, client, runner):
    key = runner.invoke(args=["create-api-key", UNIT_LETTER["receiving_unit"]]).output.split()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    _, pdf = issued_pdf(client)
    first = client.post("/api/v1/filings", headers=headers, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(pdf), "a.pdf")})
    assert [f["code"] for f in first.get_json()["flags"]] == ["unsigned"]
    again = client.post("/api/v1/filings", headers=headers, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(scan_of(pdf, sealed_pages=(2, 4))), "b.pdf")})
    assert again.status_code == 400
    assert f"上传 #{first.get_json()['id']}" in again.get_json()["fields"]["document_number"]


def test_correction_after_rejection_is_allowed_and_a_plain_refiling_is_flagged(
        app, client, clerk, reviewer):
    _, pdf = issued_pdf(client)
    first = filing_id(upload(clerk, pdf))
    reviewer.post(f"/staff/review/{first}/reject", data={"reason": "未见签章"})
    corrected = upload(clerk, scan_of(pdf, sealed_pages=(2, 4)), replaces=str(first))
    assert corrected.status_code == 303, corrected.get_data(as_text=True)
    assert flag_codes(app, filing_id(corrected)) == []
    reviewer.post(f"/staff/review/{filing_id(corrected)}/reject", data={"reason": "日期不清"})
    plain = upload(clerk, scan_of(pdf, sealed_pages=(2,)))
    assert plain.status_code == 303, plain.get_data(as_text=True)
    with app.app_context():
        flags = get_session().get(Filing, filing_id(plain)).review_flags
    assert flags == [{"code": "number_filed_before", "filing_id": filing_id(corrected)}]


def test_review_page_shows_every_page_and_the_queue_the_flags(app, client, clerk, reviewer):
    _, pdf = issued_pdf(client)
    fid = filing_id(upload(clerk, pdf))
    page = reviewer.get(f"/staff/filings/{fid}").get_data(as_text=True)
    shown = re.findall(rf"/staff/filings/{fid}/page-(\d+)\.png", page)
    assert shown == ["1", "2", "3", "4"]
    picture = reviewer.get(f"/staff/filings/{fid}/page-4.png")
    assert picture.mimetype == "image/png"
    assert Image.open(io.BytesIO(picture.data)).width > 100
    queue = reviewer.get("/staff/review").get_data(as_text=True)
    row = queue[queue.index(f"#{fid}</a>"):]
    assert "未见签章" in row[:row.index("</tr>")]


def test_pages_that_cannot_be_rendered_are_flagged_not_checked(app, client, clerk, monkeypatch):
    from app.archive.intake import marks

    def broken(*_args, **_kwargs):
        raise marks.PageRenderError("pdftoppm failed")

    monkeypatch.setattr(marks, "render_pages", broken)
    _, pdf = issued_pdf(client)
    resp = upload(clerk, pdf)
    assert resp.status_code == 303  # the letter's number is in its text: accepted, to be looked at
    assert flag_codes(app, filing_id(resp)) == ["not_checked"]
