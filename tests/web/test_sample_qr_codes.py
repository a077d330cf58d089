"""A sample's QR code verifies against a fresh instance (issue 13 §2): ``load-demo`` and
``load-samples`` as ``make run`` does them, then every QR code read from a 150 dpi grey raster of
every page of every sample PDF is opened on the test client."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from app.db import get_session
from app.domain.numbers import DocumentType, parse_document_number
from app.domain.report_kinds import REPORT_KINDS
from app.models import AgencyReport, CreditCheck, IssuedDocument, StampJob
from app.samples import SAMPLES_PUBLIC_BASE_URL
from app.services.commitments import next_serial
from tests.conftest import UNIT_LETTER

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MANIFEST: dict[str, dict] = json.loads((SAMPLES / "issued.json").read_text(encoding="utf-8"))
SCAFFOLD_TYPES = (DocumentType.PJ, DocumentType.BG)


@cache
def qr_urls(name: str) -> tuple[str, ...]:
    """Every QR code on every page of samples/<name>.pdf, rastered by pdftoppm at 150 dpi in grey
    (a common office scan)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", str(SAMPLES / f"{name}.pdf"),
                        f"{tmp}/page"], check=True, timeout=300)
        pages = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        assert pages
        return tuple(b.text for page in pages for b in zxingcpp.read_barcodes(Image.open(page))
                     if b.format == zxingcpp.BarcodeFormat.QRCode)


def manifest_url(entry: dict) -> str | None:
    return entry.get("verify_url") or entry.get("context", {}).get("verify_url")


NUMBERED = sorted(n for n, e in MANIFEST.items() if manifest_url(e))
"""Every sample the manifest gives a number and QR address."""
WITH_QR = sorted(NUMBERED + ["public-copy-watermarked"])
"""…and the public copy of the stamped letter (page pictures: its QR code is the letter's)."""


def load(runner) -> str:
    for command in (["load-demo"], ["load-samples"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def loaded(app, runner) -> str:
    return load(runner)


def status_of(html: str) -> str:
    match = re.search(r"<th>状态</th><td class=\"\w+\">(?:<strong>)?([^<：]+)", html)
    assert match, html
    return match.group(1)


def test_every_numbered_sample_is_in_the_test_and_points_to_the_sample_address():
    assert len(NUMBERED) >= 10  # six letters, two older versions, stamped letter, certificate, …
    assert {parse_document_number(urlsplit(manifest_url(MANIFEST[n])).path.rsplit("/", 1)[1])[0]
            for n in NUMBERED} == set(DocumentType)
    for name in NUMBERED:
        assert manifest_url(MANIFEST[name]).startswith(SAMPLES_PUBLIC_BASE_URL + "/verify/")


@pytest.mark.parametrize("name", NUMBERED)
def test_the_printed_qr_code_is_the_recorded_address(name):
    urls = qr_urls(name)
    assert urls, f"no QR code read from {name}.pdf at 150 dpi"
    assert set(urls) == {manifest_url(MANIFEST[name])}


def check_scan(client, name: str) -> None:
    urls = set(qr_urls(name))
    assert len(urls) == 1, urls
    url = urlsplit(urls.pop())
    assert f"{url.scheme}://{url.netloc}" == SAMPLES_PUBLIC_BASE_URL
    number = url.path.rsplit("/", 1)[1]
    resp = client.get(f"{url.path}?{url.query}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    doc_type = parse_document_number(number)[0]
    title = {DocumentType.CN: "信用承诺书", DocumentType.HC: "信用核查结果告知书",
             DocumentType.PJ: REPORT_KINDS["rating"], DocumentType.BG: REPORT_KINDS["decision"]}
    assert f"<h2>{title[doc_type]} {number}</h2>" in html
    assert "验证码正确" in html and "验证码不符" not in html
    # a scaffold is a numbered form an agency has yet to fill in and upload: 已出具模板; a sample
    # letter is genuine but no unit has filed it, so it is not published (issue 12's statuses)
    expected = {DocumentType.PJ: "已出具模板", DocumentType.BG: "已出具模板",
                DocumentType.CN: "已出具，未公示（尚未备案）"}.get(doc_type, "有效")
    assert status_of(html) == expected
    if doc_type not in SCAFFOLD_TYPES:  # genuine: not shown as a bad status (not yet filed: amber)
        shown = "pending" if doc_type is DocumentType.CN else "ok"
        assert f'<td class="{shown}"><strong>' in html
    if doc_type is DocumentType.CN:
        data = json.loads((SAMPLES / MANIFEST.get(name, MANIFEST["stamped-letter"])["input"])
                          .read_text(encoding="utf-8"))
        assert data["receiving_unit"] in html


def check_confirmed(client, name: str) -> None:
    url = urlsplit(manifest_url(MANIFEST[name]))
    resp = client.post(url.path, data={"file": (io.BytesIO((SAMPLES / f"{name}.pdf").read_bytes()),
                                                f"{name}.pdf")})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert re.search(r'<p class="ok">[^<]+</p>', html), html


def test_scanning_every_sample_verifies_it_on_a_fresh_instance(loaded, client):
    for name in WITH_QR:
        check_scan(client, name)


CONFIRMED = sorted(n for n in NUMBERED if not n.startswith(("scaffold-", "v")))
"""Samples whose file the verify page confirms byte for byte: the archived letters (a letter in an
older template version, ``v1-…``, carries the same number: its file is not the one archived), the
stamped letter (a stamp job), the certificate. Scaffolds are forms, re-rendered, never archived."""


def test_the_verify_page_confirms_the_sample_files(loaded, client):
    assert len(CONFIRMED) == 11  # 6 letters, the stamped letter, 4 certificates
    for name in CONFIRMED:
        check_confirmed(client, name)


def test_the_letter_download_is_the_sample_file(loaded, client):
    entry = MANIFEST["commitment-project_approval-unit"]
    resp = client.get(f"/commitments/{entry['number']}.pdf",
                      query_string={"c": entry["verification_code"]})
    assert resp.status_code == 200
    assert resp.data == (SAMPLES / "commitment-project_approval-unit.pdf").read_bytes()


def counts(app) -> tuple[int, ...]:
    with app.app_context():
        session = get_session()
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (IssuedDocument, CreditCheck, AgencyReport, StampJob))


def test_loading_twice_adds_nothing(app, runner, loaded):
    before = counts(app)
    assert before == (6, 4, 2, 1)
    again = load(runner)
    assert "新增 0 份" in again and "跳过 0 份" in again
    assert counts(app) == before


def test_the_instance_numbers_new_documents_after_the_samples(app, loaded, client):
    sample_numbers = {urlsplit(manifest_url(e)).path.rsplit("/", 1)[1]
                      for e in MANIFEST.values() if manifest_url(e)}
    resp = client.post("/commitments/new", data=UNIT_LETTER)
    assert resp.status_code == 303
    number = urlsplit(resp.headers["Location"]).path.rsplit("/", 1)[1]
    assert number not in sample_numbers
    assert parse_document_number(number)[2] == 1 + max(
        parse_document_number(n)[2] for n in sample_numbers if n.startswith("LYXY-CN-"))
    for sample in sample_numbers:  # and every sample still verifies as before
        assert client.get(f"/verify/{sample}").status_code == 200
    with app.app_context():  # every other series continues after its samples too
        session = get_session()
        for sample in sample_numbers - {n for n in sample_numbers if n.startswith("LYXY-CN-")}:
            doc_type, year, serial = parse_document_number(sample)
            assert next_serial(session, doc_type, year) > serial
        session.rollback()


def test_a_number_the_instance_already_issued_is_not_taken_over(app, runner, client):
    """An instance that issued letters before loading samples keeps its own: the sample with the
    same number is reported and skipped, the others load."""
    resp = client.post("/commitments/new", data=UNIT_LETTER)
    own = urlsplit(resp.headers["Location"])
    output = load(runner)
    assert f"编号{own.path.rsplit('/', 1)[1]}已由本实例出具给其他文书" in output
    assert client.get(f"{own.path}?{own.query}").status_code == 200
    page = client.get(f"/verify/{own.path.rsplit('/', 1)[1]}",
                      query_string=parse_qs(own.query)).get_data(as_text=True)
    assert "验证码正确" in page
    assert counts(app)[0] == 6  # its own letter and five samples


def test_a_regenerated_sample_replaces_its_record(app, runner, client, tmp_path):
    samples = tmp_path / "samples"
    shutil.copytree(SAMPLES, samples)
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    assert runner.invoke(args=["load-samples", "--dir", str(samples)]).exit_code == 0
    name = "commitment-project_approval-unit"
    newer = (SAMPLES / f"v1-{name}.pdf").read_bytes()  # stands in for a new layout of the letter
    (samples / f"{name}.pdf").write_bytes(newer)
    result = runner.invoke(args=["load-samples", "--dir", str(samples)])
    assert result.exit_code == 0, result.output
    assert "更新 1 份" in result.output
    entry = MANIFEST[name]
    resp = client.get(f"/commitments/{entry['number']}.pdf",
                      query_string={"c": entry["verification_code"]})
    assert resp.data == newer


def test_a_folder_without_a_manifest_is_a_clear_error(app, runner, tmp_path):
    result = runner.invoke(args=["load-samples", "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "样例目录中缺少文件：issued.json" in result.output
