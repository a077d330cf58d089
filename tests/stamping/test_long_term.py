"""PAdES B-T over a real HTTP RFC 3161 round trip, and B-LT: a DSS that validates offline (issue 13 §3)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext
from werkzeug.serving import make_server

from app.stamping.pki import (
    CA_FILE,
    CRL_FILE,
    P12_FILE,
    SAMPLE_ROOT_COMMON_NAME,
    TSA_P12_FILE,
    ensure_demo_pki,
    read_demo_crls,
    read_demo_passphrase,
    read_demo_root,
    write_sample_pki,
)
from app.stamping.signing import LongTermValidation, PadesOptions, PadesSigner
from app.stamping.tsa import load_demo_tsa
from app.stamping.types import PADES_LEVEL_LABELS_ZH, SigningError
from app.stamping.validation import validate_signatures
from tests.stamping.test_signing import one_page_pdf


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("ltv") / "pki"
    ensure_demo_pki(directory)
    return directory


@pytest.fixture(scope="module")
def signing_time(pki_dir: Path) -> datetime:
    """A fixed instant one day into the demo certificates' life (not the wall clock)."""
    cert = x509.load_pem_x509_certificate(read_demo_root(pki_dir))
    return cert.not_valid_before_utc.replace(microsecond=0) + timedelta(days=1)


class _CountingApp:
    """Counts the requests reaching the responder: the round trip is real HTTP, not in-process."""

    def __init__(self, app) -> None:
        self.app, self.requests = app, 0

    def __call__(self, environ, start_response):
        self.requests += 1
        return self.app(environ, start_response)


def _serve(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/tsa"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture(scope="module")
def tsa(pki_dir: Path, signing_time: datetime) -> Iterator[tuple[str, _CountingApp]]:
    app = _CountingApp(load_demo_tsa(pki_dir, read_demo_passphrase(pki_dir), clock=lambda: signing_time))
    for url in _serve(app):
        yield url, app


def _long_term(pki_dir: Path) -> LongTermValidation:
    return LongTermValidation(trust_roots=(read_demo_root(pki_dir),), crls=tuple(read_demo_crls(pki_dir)))


def _signer(pki_dir: Path, *, tsa_url: str | None, long_term: bool, when: datetime) -> PadesSigner:
    return PadesSigner(PadesOptions(
        p12_path=pki_dir / P12_FILE, passphrase=read_demo_passphrase(pki_dir), tsa_url=tsa_url,
        long_term=_long_term(pki_dir) if long_term else None, clock=lambda: when))


def _root(pki_dir: Path) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(pem.unarmor(read_demo_root(pki_dir))[2])


def _offline_status(pdf: bytes, root: asn1_x509.Certificate, moment: datetime):
    """pyHanko alone, years later: the CA certificate as the only trust root, nothing fetched, and
    revocation data *required* for every certificate below the root — taken only from the DSS."""
    reader = PdfFileReader(BytesIO(pdf))
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        context = dss.as_validation_context({"trust_roots": [root], "allow_fetching": False,
                                             "revocation_mode": "require", "moment": moment})
    except NoDSSFoundError:
        context = ValidationContext(trust_roots=[root], allow_fetching=False, crls=[], ocsps=[],
                                    revocation_mode="require", moment=moment)
    return asyncio.run(async_validate_pdf_signature(reader.embedded_signatures[0],
                                                    signer_validation_context=context))


@pytest.fixture(scope="module")
def source_pdf() -> bytes:
    return one_page_pdf(b"B-LT")


@pytest.fixture(scope="module")
def b_lt_pdf(
    pki_dir: Path, tsa: tuple[str, _CountingApp], signing_time: datetime, source_pdf: bytes
) -> bytes:
    url, _ = tsa
    signer = _signer(pki_dir, tsa_url=url, long_term=True, when=signing_time)
    assert signer.level == "B-LT"
    return signer.sign(source_pdf, reason="出具信用承诺书")


def test_the_demo_pki_issues_a_crl_and_a_time_stamping_certificate(pki_dir: Path) -> None:
    root = x509.load_pem_x509_certificate((pki_dir / CA_FILE).read_bytes())
    crl = x509.load_der_x509_crl((pki_dir / CRL_FILE).read_bytes())
    assert crl.is_signature_valid(root.public_key())
    assert crl.issuer == root.subject
    assert list(crl) == []
    assert crl.next_update_utc == root.not_valid_after_utc

    from cryptography.hazmat.primitives.serialization import pkcs12
    _, tsa_cert, chain = pkcs12.load_key_and_certificates(
        (pki_dir / TSA_P12_FILE).read_bytes(), read_demo_passphrase(pki_dir))
    eku = tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert tsa_cert.issuer == root.subject and chain == [root]


def test_b_lt_timestamp_comes_over_http_and_the_dss_holds_chain_and_crl(
    b_lt_pdf: bytes, pki_dir: Path, tsa: tuple[str, _CountingApp], signing_time: datetime
) -> None:
    _, responder = tsa
    assert responder.requests >= 1
    reader = PdfFileReader(BytesIO(b_lt_pdf))
    dss = DocumentSecurityStore.read_dss(reader)
    subjects = {cert.subject.native["common_name"] for cert in dss.load_certs()}
    assert {"凌源市信用文书服务平台（演示）", "凌源市信用文书服务 演示时间戳服务（演示）"} <= subjects
    demo_crl = asn1_crl.CertificateList.load((pki_dir / CRL_FILE).read_bytes())
    assert [ref.get_object().data for ref in dss.crls] == [demo_crl.dump()]

    report, = validate_signatures(b_lt_pdf, [read_demo_root(pki_dir)])
    assert report.status == "intact", report
    assert report.timestamped and report.timestamp_trusted
    assert report.signing_time == signing_time  # the TSA's genTime, from its clock
    assert report.long_term
    assert report.level == "B-LT"
    assert report.level_zh == "PAdES B-LT（含时间戳与长期验证数据）"
    assert report.summary_zh == "签名有效，文件自签名后未被修改（其后仅追加了验证数据或时间戳）"


def test_b_lt_validates_offline_years_later_with_only_the_ca_certificate(
    b_lt_pdf: bytes, pki_dir: Path, signing_time: datetime
) -> None:
    status = _offline_status(b_lt_pdf, _root(pki_dir), signing_time + timedelta(days=2 * 365))
    assert status.bottom_line, status.pretty_print_details()
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted


def test_without_the_dss_the_same_offline_check_fails(
    pki_dir: Path, tsa: tuple[str, _CountingApp], signing_time: datetime
) -> None:
    url, _ = tsa
    signer = _signer(pki_dir, tsa_url=url, long_term=False, when=signing_time)
    assert signer.level == "B-T"
    b_t = signer.sign(one_page_pdf(b"B-T"), reason="出具信用承诺书")
    assert b"/DSS" not in b_t
    status = _offline_status(b_t, _root(pki_dir), signing_time + timedelta(days=2 * 365))
    assert not status.trusted

    report, = validate_signatures(b_t, [read_demo_root(pki_dir)])
    assert report.status == "intact" and report.timestamped and not report.long_term
    assert (report.level, report.level_zh) == ("B-T", "PAdES B-T（含时间戳）")


def test_b_lt_is_appended_the_signed_revision_and_earlier_signatures_stay_intact(
    b_lt_pdf: bytes, pki_dir: Path, tsa: tuple[str, _CountingApp], signing_time: datetime,
    source_pdf: bytes
) -> None:
    url, _ = tsa
    assert b_lt_pdf.startswith(source_pdf)
    again = _signer(pki_dir, tsa_url=url, long_term=True, when=signing_time).sign(b_lt_pdf, reason="复核")
    assert again.startswith(b_lt_pdf)
    reports = validate_signatures(again, [read_demo_root(pki_dir)])
    assert [(r.field_name, r.status, r.level) for r in reports] == [
        ("Platform-1", "intact", "B-LT"), ("Platform-2", "intact", "B-LT")]


def test_without_timestamp_the_dss_still_validates_offline_but_is_not_called_b_lt(
    pki_dir: Path, signing_time: datetime
) -> None:
    signer = _signer(pki_dir, tsa_url=None, long_term=True, when=signing_time)
    assert signer.level == "B-B+LTV"
    signed = signer.sign(one_page_pdf(b"LTV"), reason="出具信用承诺书")
    report, = validate_signatures(signed, [read_demo_root(pki_dir)])
    assert report.status == "intact" and report.long_term and not report.timestamped
    assert report.level_zh == PADES_LEVEL_LABELS_ZH["B-B+LTV"] == "PAdES B-B（含长期验证数据）"
    assert report.signing_time == signing_time  # /M from the signer's clock
    assert _offline_status(signed, _root(pki_dir), signing_time + timedelta(days=30)).bottom_line


def test_a_chain_the_roots_do_not_cover_refuses_to_sign(
    pki_dir: Path, tmp_path: Path, signing_time: datetime
) -> None:
    other = write_sample_pki(tmp_path / "other")[0].parent  # another CA's root and CRL
    options = PadesOptions(
        p12_path=pki_dir / P12_FILE, passphrase=read_demo_passphrase(pki_dir),
        long_term=LongTermValidation(trust_roots=(read_demo_root(other),), crls=tuple(read_demo_crls(other))),
        clock=lambda: signing_time)
    with pytest.raises(SigningError, match="无法通过证书链与吊销状态校验"):
        PadesSigner(options).sign(one_page_pdf(), reason="出具信用承诺书")


def test_a_tsa_that_answers_an_error_refuses_to_sign(pki_dir: Path, signing_time: datetime) -> None:
    def broken(environ, start_response):
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"down"]

    for url in _serve(broken):
        signer = _signer(pki_dir, tsa_url=url, long_term=True, when=signing_time)
        with pytest.raises(SigningError, match="签名失败：时间戳服务不可用，文件未签名"):
            signer.sign(one_page_pdf(), reason="出具信用承诺书")


def test_the_demo_tsa_refuses_what_is_not_a_timestamp_request(pki_dir: Path) -> None:
    from werkzeug.test import Client

    client = Client(load_demo_tsa(pki_dir, read_demo_passphrase(pki_dir)))
    assert client.get("/tsa").status_code == 405
    assert client.post("/tsa", data=b"not DER", content_type="application/timestamp-query").status_code == 400
    assert client.post("/tsa", data=b"", content_type="application/timestamp-query").status_code == 400


def test_a_set_without_tsa_certificate_says_so(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="没有时间戳服务证书"):
        load_demo_tsa(tmp_path, b"x")


def test_the_sample_pki_is_the_same_on_every_run(tmp_path: Path) -> None:
    first, _ = write_sample_pki(tmp_path / "a")
    second, passphrase = write_sample_pki(tmp_path / "b")
    for name in (CA_FILE, CRL_FILE):
        assert (first.parent / name).read_bytes() == (second.parent / name).read_bytes()
    root = x509.load_pem_x509_certificate((first.parent / CA_FILE).read_bytes())
    assert SAMPLE_ROOT_COMMON_NAME in root.subject.rfc4514_string()
    assert root.not_valid_after_utc == datetime(2046, 1, 1, tzinfo=UTC)
    assert not (first.parent / TSA_P12_FILE).exists()
    signer = PadesSigner(PadesOptions(p12_path=second, passphrase=passphrase))
    report, = validate_signatures(signer.sign(one_page_pdf(), reason="样例"), [read_demo_root(first.parent)])
    assert report.status == "intact"


def test_readme_pyhanko_cli_command_validates_a_sample_signature(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from app.samples import SAMPLE_ISSUED_ON, sample_signer, write_sample_ca

    pyhanko = shutil.which("pyhanko", path=str(Path(sys.executable).parent))
    assert pyhanko, "pyhanko-cli is in requirements-dev.txt"
    pki = tmp_path / "pki"
    signed = sample_signer(pki, SAMPLE_ISSUED_ON).sign(one_page_pdf(), reason="样例")
    (tmp_path / "signed.pdf").write_bytes(signed)
    write_sample_ca(tmp_path, pki)
    command = [pyhanko, "sign", "validate", "--trust", "sample-ca.pem", "--trust-replace",
               "--executive-summary", "signed.pdf"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ":VALID" in result.stdout
    # Trusting another CA instead, the same command refuses the signature.
    ensure_demo_pki(tmp_path / "other")
    other = [arg.replace("sample-ca.pem", str(tmp_path / "other" / CA_FILE)) for arg in command]
    refused = subprocess.run(other, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and ":VALID" not in refused.stdout, refused.stdout
