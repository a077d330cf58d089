"""Stamping, signing and public copies keep a PDF/A input PDF/A (issue 13 §3), checked by
tests/pdfa.py; untagged inputs are stamped as before."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from app.documents import commitment as doc
from app.documents.certificate import certificate_pdf
from app.domain.commitments import parse_commitment_request
from app.samples import stamp_received_letter
from app.stamping import overlay
from app.stamping.pki import P12_FILE, ensure_demo_pki, read_demo_passphrase, read_demo_root
from app.stamping.public_copy import PRODUCER, make_public_copy
from app.stamping.seal_images import generate_seal
from app.stamping.signing import PadesOptions, PadesSigner
from app.stamping.validation import validate_signatures
from tests.conftest import UNIT_LETTER
from tests.pdfa import pdfa_problems, read_xmp

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CERTIFICATE = json.loads((SAMPLES / "issued.json").read_text(encoding="utf-8"))["credit-certificate"]
ISSUER = CERTIFICATE["context"]["issuer"]
ISSUE = doc.IssueInfo(number="LYXY-CN-2026-000001X", verification_code="ABCDEFGH",
                      verify_url="http://127.0.0.1:8000/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
                      issued_on=date(2026, 11, 9))


@pytest.fixture(scope="module")
def letter() -> bytes:
    """An archival letter (the current commitment version)."""
    letters = doc.filled_letters(parse_commitment_request(UNIT_LETTER), ISSUE, None)
    pdf = doc.letters_pdf(letters, created=ISSUE.issued_on)
    assert pdfa_problems(pdf) == []
    return pdf


@pytest.fixture(scope="module")
def certificate() -> bytes:
    pdf = certificate_pdf(CERTIFICATE["context"])
    assert pdfa_problems(pdf) == []
    return pdf


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki") / "pki"
    ensure_demo_pki(directory)
    return directory


@pytest.fixture(scope="module")
def signer(pki: Path) -> PadesSigner:
    return PadesSigner(PadesOptions(p12_path=pki / P12_FILE, passphrase=read_demo_passphrase(pki)))


SEAL = generate_seal(ISSUER)


def _keeps_identity(before: bytes, after: bytes) -> None:
    """The stamped file still says what the issued one said (number, title, creator, dates)."""
    old, new = read_xmp(before), read_xmp(after)
    for key in ("dc:identifier", "dc:title", "dc:creator", "xmp:CreateDate", "pdfaid:part",
                "pdfaid:conformance"):
        assert new.get(key) == old.get(key), key


def test_seals_on_a_certificate_keep_it_pdfa(certificate: bytes):
    sealed = overlay.stamp_at_anchors(certificate, SEAL)
    assert sealed != certificate
    assert pdfa_problems(sealed) == []
    _keeps_identity(certificate, sealed)


def test_receipt_and_cross_page_seal_keep_a_letter_pdfa(letter: bytes):
    received = stamp_received_letter(letter, ISSUER, SEAL, date(2026, 11, 10))
    assert pdfa_problems(received) == []
    _keeps_identity(letter, received)


@pytest.mark.parametrize("mark", ["watermark", "margin line"])
def test_watermark_and_margin_line_keep_a_letter_pdfa(letter: bytes, mark: str):
    marked = (overlay.add_watermark(letter, "公示专用") if mark == "watermark" else
              overlay.add_margin_line(letter, number=ISSUE.number, verify_url=ISSUE.verify_url))
    assert pdfa_problems(marked) == []


def test_marks_on_a_tagged_page_are_artifacts_and_untagged_pages_stay_as_they_were(letter: bytes):
    def last_stream(pdf: bytes) -> bytes:
        with pikepdf.open(io.BytesIO(pdf)) as p:
            contents = p.pages[0].obj.Contents
            return (contents[-1] if isinstance(contents, pikepdf.Array) else contents).read_bytes()

    assert b"/Artifact BMC" in last_stream(overlay.add_watermark(letter, "公示专用"))
    untagged = doc.letters_pdf(doc.filled_letters(parse_commitment_request(UNIT_LETTER), ISSUE, None),
                               "v3", created=ISSUE.issued_on)
    assert b"/Artifact" not in last_stream(overlay.add_watermark(untagged, "公示专用"))


def test_signing_and_stamping_a_signed_document_keep_it_pdfa(certificate: bytes, signer: PadesSigner,
                                                             pki: Path):
    sealed = overlay.stamp_at_anchors(certificate, SEAL)
    signed = signer.sign(sealed, reason="测试")
    assert signed.startswith(sealed)  # an incremental update
    assert pdfa_problems(signed) == []
    _keeps_identity(certificate, signed)
    # a mark on a signed document is an incremental update too (overlay/signed.py)
    crossed = overlay.stamp_cross_page_seal(signed, SEAL)
    assert crossed.startswith(signed)
    assert pdfa_problems(crossed) == []
    report = validate_signatures(crossed, [read_demo_root(pki)])[0]
    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    with pikepdf.open(io.BytesIO(crossed)) as p:
        assert str(p.docinfo["/Producer"]) == read_xmp(crossed)["pdf:Producer"]


@pytest.mark.parametrize("source", ["letter", "certificate"])
def test_public_copy_is_pdfa_and_tagged(request: pytest.FixtureRequest, source: str):
    copy = make_public_copy(request.getfixturevalue(source), watermark="公示专用", title="公示文本")
    assert pdfa_problems(copy, text=False) == []
    xmp = read_xmp(copy)
    assert (xmp["dc:title"], xmp["pdf:Producer"], xmp["xmp:CreatorTool"]) == ("公示文本", PRODUCER, PRODUCER)
    assert "dc:identifier" not in xmp  # nothing from the upload's metadata
    with pikepdf.open(io.BytesIO(copy)) as p:
        figures = p.Root.StructTreeRoot.K.K
        assert len(figures) == len(p.pages)
        assert str(figures[0].Alt) == "公示文本第1页的页面图像（公示专用）"


def test_public_copy_of_a_plain_upload_is_pdfa_too():
    plain = doc.letters_pdf(doc.filled_letters(parse_commitment_request(UNIT_LETTER), ISSUE, None),
                            "v3", created=ISSUE.issued_on)
    assert pdfa_problems(plain) != []
    assert pdfa_problems(make_public_copy(plain, watermark="公示专用", title="t"), text=False) == []
