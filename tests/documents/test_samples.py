"""Every sample in samples/ re-renders to the same bytes from what its issued record stores
(samples/issued.json: template family and version, issue data) and its input (issue 11 §5).

Signed samples cannot (a signature carries its own time): their first revision, the stamped
document that was signed, must be the re-rendered one byte for byte. A change that fails here
changes documents already issued: put it in a new template version instead.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from app.archive.pii import PiiCipher
from app.documents import commitment as doc
from app.documents.certificate import certificate_pdf
from app.documents.manifest import read_manifest
from app.documents.registry import RELEASED, Family
from app.documents.reports import scaffold_docx, scaffold_pdf
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.report_kinds import ReportKind
from app.domain.subjects import SubjectKind
from app.samples import scaffold_sample_info, stamp_received_letter
from app.services.commitments import docx_from_payload, payload_of, render_from_payload
from app.stamping import overlay
from app.stamping.seal_images import generate_seal

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ISSUED: dict[str, dict] = json.loads((SAMPLES / "issued.json").read_text(encoding="utf-8"))
CIPHER = PiiCipher(bytes(32))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _names(**match: object) -> list[str]:
    return sorted(n for n, e in ISSUED.items()
                  if all(e.get(k) == v for k, v in match.items()) and not e.get("signed"))


def _issue(entry: dict) -> doc.IssueInfo:
    return doc.IssueInfo(number=entry["number"], verification_code=entry["verification_code"],
                         verify_url=entry["verify_url"],
                         issued_on=date.fromisoformat(entry["issued_on"]))


def _payload(entry: dict) -> dict[str, object]:
    """The payload the service would have stored for this sample letter."""
    data = json.loads((SAMPLES / entry["input"]).read_text(encoding="utf-8"))
    return payload_of(parse_commitment_request(data), _issue(entry), entry["extra_clause"], CIPHER)


LETTERS = [n for n in _names(family="commitment") if "input" in ISSUED[n]]
BLANKS = [n for n in _names(family="commitment") if "scenario" in ISSUED[n]]


def test_every_rendered_sample_is_listed() -> None:
    rendered = {p.stem for p in SAMPLES.glob("*.pdf")}
    # not documents of a template family: a plain long page for the 骑缝章, and a public copy
    # (page pictures of an upload under the watermark, app/stamping/public_copy.py)
    assert sorted(rendered - set(ISSUED) - {"stamped-cross-page-12", "public-copy-watermarked"}) == []


def test_every_released_letter_version_has_a_sample() -> None:
    # The newest version gets its samples when it is released (make samples); until then it is
    # absent from templates/MANIFEST.json.
    manifest = read_manifest()
    released = [v for v, t in RELEASED[Family.COMMITMENT].items() if t.folder in manifest]
    assert sorted({ISSUED[n]["version"] for n in LETTERS}) == sorted(released)


@pytest.mark.parametrize("name", LETTERS)
def test_issued_letter_pdf_re_renders_to_the_same_bytes(name: str) -> None:
    entry = ISSUED[name]
    pdf = render_from_payload(_payload(entry), entry["version"], CIPHER)
    assert _sha(pdf) == _sha((SAMPLES / f"{name}.pdf").read_bytes())


@pytest.mark.parametrize("name", LETTERS)
def test_issued_letter_docx_re_renders_to_the_same_bytes(name: str) -> None:
    entry = ISSUED[name]
    docx = docx_from_payload(_payload(entry), entry["version"], CIPHER)
    assert _sha(docx) == _sha((SAMPLES / f"{name}.docx").read_bytes())


@pytest.mark.parametrize("name", BLANKS)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_blank_form_re_renders_to_the_same_bytes(name: str, fmt: str) -> None:
    entry = ISSUED[name]
    letters = doc.blank_letters(Scenario(entry["scenario"]), SubjectKind(entry["subject_kind"]),
                                entry["version"])
    data = (doc.letters_pdf(letters, entry["version"]) if fmt == "pdf"
            else doc.letters_docx(letters, entry["version"]))
    assert _sha(data) == _sha((SAMPLES / f"{name}.{fmt}").read_bytes())


def test_signed_letter_signs_the_re_rendered_letter() -> None:
    entry = ISSUED["stamped-letter"]
    data = json.loads((SAMPLES / entry["input"]).read_text(encoding="utf-8"))
    letters = doc.filled_letters(parse_commitment_request(data), _issue(entry),
                                 entry["extra_clause"], entry["version"])
    copies = [letters[i - 1] for i in entry["copies"]]
    pdf = doc.letters_pdf(copies, entry["version"], created=_issue(entry).issued_on)
    stamped = stamp_received_letter(pdf, entry["seal"], generate_seal(entry["seal"]),
                                    date.fromisoformat(entry["received_on"]))
    signed = (SAMPLES / "stamped-letter.pdf").read_bytes()
    assert _sha(signed[:len(stamped)]) == _sha(stamped)


def test_signed_certificate_signs_the_re_rendered_certificate() -> None:
    entry = ISSUED["credit-certificate"]
    pdf = certificate_pdf(entry["context"], entry["version"])
    stamped = overlay.stamp_at_anchors(pdf, generate_seal(entry["seal"]))
    signed = (SAMPLES / "credit-certificate.pdf").read_bytes()
    assert _sha(signed[:len(stamped)]) == _sha(stamped)


@pytest.mark.parametrize("name", _names(family="reports"))
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_report_scaffold_re_renders_to_the_same_bytes(name: str, fmt: str) -> None:
    # Scaffolds are served by re-rendering (never archived): the stored version must give the
    # same file on every download.
    entry = ISSUED[name]
    info = scaffold_sample_info(ReportKind(entry["kind"]), date.fromisoformat(entry["issued_on"]))
    render = scaffold_pdf if fmt == "pdf" else scaffold_docx
    assert _sha(render(info, entry["version"])) == _sha((SAMPLES / f"{name}.{fmt}").read_bytes())
