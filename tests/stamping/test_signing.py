"""PAdES signing and validation: demo PKI, B-B and B-T signatures, tampering, foreign signers, the seam."""

from __future__ import annotations

import stat
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.timestamps import DummyTimeStamper
from pypdf import PdfReader

from app.stamping.pki import (
    CA_FILE,
    P12_FILE,
    PASS_FILE,
    PLATFORM_COMMON_NAME,
    ensure_demo_pki,
    read_demo_passphrase,
    read_demo_root,
)
from app.stamping.signing import (
    DocumentSigner,
    ExternalPadesSigner,
    PadesOptions,
    PadesSigner,
    RemoteSm2Service,
    RemoteSm2Signer,
)
from app.stamping.types import EncryptedPdf, InvalidPdf, SigningError
from app.stamping.validation import SignatureReport, validate_signatures

# --- fixtures ---------------------------------------------------------------------------------------


def one_page_pdf(text: bytes = b"Hello") -> bytes:
    """A one-page A4 PDF with an uncompressed content stream (so tests can find its bytes)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 24 Tf 72 720 Td (" + text + b") Tj ET")
    out = BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki") / "pki"
    ensure_demo_pki(directory)
    return directory


@pytest.fixture(scope="module")
def demo_root(pki_dir: Path) -> bytes:
    return read_demo_root(pki_dir)


@pytest.fixture(scope="module")
def signer(pki_dir: Path) -> PadesSigner:
    return PadesSigner(PadesOptions(p12_path=pki_dir / P12_FILE, passphrase=read_demo_passphrase(pki_dir)))


@pytest.fixture(scope="module")
def source_pdf() -> bytes:
    return one_page_pdf()


@pytest.fixture(scope="module")
def signed_pdf(signer: PadesSigner, source_pdf: bytes) -> bytes:
    return signer.sign(source_pdf, reason="出具信用承诺书")


def self_signed(common_name: str, *, key=None, eku=None) -> tuple[object, x509.Certificate]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                       critical=True)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return key, builder.sign(key, hashes.SHA256())


@pytest.fixture(scope="module")
def foreign_signer(tmp_path_factory: pytest.TempPathFactory) -> tuple[PadesSigner, x509.Certificate]:
    """A signer with a self-signed certificate outside the demo PKI (another unit's own credential)."""
    key, cert = self_signed("凌源市示例建筑工程有限公司")
    path = tmp_path_factory.mktemp("foreign") / "unit.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"unit", key, cert, None, serialization.BestAvailableEncryption(b"unit-pass")))
    return PadesSigner(PadesOptions(p12_path=path, passphrase=b"unit-pass", field_prefix="Unit")), cert


def only(reports: list[SignatureReport]) -> SignatureReport:
    assert len(reports) == 1, reports
    return reports[0]


# --- demo PKI ---------------------------------------------------------------------------------------


def test_demo_pki_is_created_once_with_private_modes(tmp_path: Path) -> None:
    directory = tmp_path / "instance" / "pki"
    p12 = ensure_demo_pki(directory)
    assert p12 == directory / P12_FILE
    for name in (CA_FILE, P12_FILE, PASS_FILE):
        assert (directory / name).is_file()
    assert stat.S_IMODE((directory / P12_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE((directory / PASS_FILE).stat().st_mode) == 0o600

    before = {name: (directory / name).read_bytes() for name in (CA_FILE, P12_FILE, PASS_FILE)}
    ca_fingerprint = x509.load_pem_x509_certificate(before[CA_FILE]).fingerprint(hashes.SHA256())
    assert ensure_demo_pki(directory) == p12
    after = {name: (directory / name).read_bytes() for name in (CA_FILE, P12_FILE, PASS_FILE)}
    assert after == before
    assert x509.load_pem_x509_certificate(after[CA_FILE]).fingerprint(hashes.SHA256()) == ca_fingerprint
    assert not list(directory.glob("*.tmp"))


def test_demo_platform_certificate_chains_to_the_demo_root(pki_dir: Path) -> None:
    root = x509.load_pem_x509_certificate(read_demo_root(pki_dir))
    key, cert, others = pkcs12.load_key_and_certificates(
        (pki_dir / P12_FILE).read_bytes(), read_demo_passphrase(pki_dir))
    assert key is not None
    assert cert is not None
    assert [c.fingerprint(hashes.SHA256()) for c in others] == [root.fingerprint(hashes.SHA256())]
    cert.verify_directly_issued_by(root)
    root.verify_directly_issued_by(root)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == PLATFORM_COMMON_NAME
    assert "DEMO" in root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > timedelta(days=3 * 365)


def test_demo_pki_with_a_given_passphrase_writes_no_passphrase_file(tmp_path: Path) -> None:
    p12 = ensure_demo_pki(tmp_path, passphrase=b"s3cret")
    assert not (tmp_path / PASS_FILE).exists()
    key, _, _ = pkcs12.load_key_and_certificates(p12.read_bytes(), b"s3cret")
    assert key is not None


def test_wrong_passphrase_or_missing_file_is_a_signing_error(pki_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="口令错误"):
        PadesSigner(PadesOptions(p12_path=pki_dir / P12_FILE, passphrase=b"wrong"))
    with pytest.raises(SigningError, match="无法读取"):
        PadesSigner(PadesOptions(p12_path=tmp_path / "missing.p12", passphrase=None))


# --- signing and validation -------------------------------------------------------------------------


def test_signed_pdf_validates_as_intact_and_trusted(
    signer: PadesSigner, source_pdf: bytes, signed_pdf: bytes, demo_root: bytes
) -> None:
    assert isinstance(signer, DocumentSigner)
    assert signer.signer_name == PLATFORM_COMMON_NAME
    assert signed_pdf.startswith(source_pdf), "the signature must be an incremental update"

    report = only(validate_signatures(signed_pdf, [demo_root]))
    assert report.status == "intact", report
    assert (report.intact, report.valid, report.trusted) == (True, True, True)
    assert report.covers_whole_document
    assert report.modification_level == "none"
    assert report.field_name == "Platform-1"
    assert report.signer == PLATFORM_COMMON_NAME
    assert report.signing_time is not None
    assert abs(report.signing_time - datetime.now(UTC)) < timedelta(minutes=5)
    assert not report.timestamped
    assert report.summary_zh == "签名有效，文件自签名后未被修改"

    reader = PdfReader(BytesIO(signed_pdf))
    assert len(reader.pages) == 1
    field = reader.get_fields()["Platform-1"]
    sig = field["/V"]
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig["/Reason"] == "出具信用承诺书"
    assert sig["/Location"] == "凌源市"


def test_the_report_is_frozen(signed_pdf: bytes, demo_root: bytes) -> None:
    report = only(validate_signatures(signed_pdf, [demo_root]))
    with pytest.raises(FrozenInstanceError):
        report.status = "intact"  # type: ignore[misc]


def test_trust_roots_may_be_der_or_certificate_objects(signed_pdf: bytes, demo_root: bytes) -> None:
    cert = x509.load_pem_x509_certificate(demo_root)
    der = cert.public_bytes(serialization.Encoding.DER)
    for root in (der, cert, asn1_x509.Certificate.load(der)):
        assert only(validate_signatures(signed_pdf, [root])).status == "intact"


def test_unsigned_pdf_has_no_reports(source_pdf: bytes, demo_root: bytes) -> None:
    assert validate_signatures(source_pdf, [demo_root]) == []


def test_signature_size_is_reserved_tightly(
    signer: PadesSigner, signed_pdf: bytes, source_pdf: bytes
) -> None:
    # Reserved once from a dry run (no per-call dummy signature) and small: validators tokenise it.
    assert 2048 <= signer.bytes_reserved <= 8192
    assert len(signed_pdf) - len(source_pdf) < signer.bytes_reserved + 3000


def test_flipped_byte_in_signed_range_is_modified(signed_pdf: bytes, demo_root: bytes) -> None:
    assert signed_pdf.count(b"(Hello)") == 1
    tampered = signed_pdf.replace(b"(Hello)", b"(Jello)")
    report = only(validate_signatures(tampered, [demo_root]))
    assert report.status == "modified", report
    assert not report.intact
    assert "被修改" in report.summary_zh


def test_incremental_update_changing_page_content_is_modified(signed_pdf: bytes, demo_root: bytes) -> None:
    writer = IncrementalPdfFileWriter(BytesIO(signed_pdf))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    forged = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 720 Td (Forged) Tj ET")
    page["/Contents"] = writer.add_object(forged)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    tampered = out.getvalue()
    assert tampered.startswith(signed_pdf)

    report = only(validate_signatures(tampered, [demo_root]))
    assert report.status == "modified", report
    assert report.intact, "the signed revision itself is untouched"
    assert report.valid, "the signed revision itself is untouched"
    assert not report.covers_whole_document
    assert report.modification_level == "other"
    assert report.summary_zh == "文件在签名后被修改（签名后追加了不允许的更改）"


def test_self_signed_foreign_certificate_is_unknown_signer(
    foreign_signer: tuple[PadesSigner, x509.Certificate], source_pdf: bytes, demo_root: bytes
) -> None:
    unit_signer, _ = foreign_signer
    signed = unit_signer.sign(source_pdf, reason="单位签章")
    report = only(validate_signatures(signed, [demo_root]))
    assert report.status == "unknown_signer", report
    assert report.intact
    assert report.valid
    assert not report.trusted
    assert report.signer == "凌源市示例建筑工程有限公司"
    assert report.field_name == "Unit-1"
    assert report.summary_zh == "签名者证书不受信任（未知签名者）"


def test_platform_signature_after_a_foreign_one_keeps_both_valid(
    foreign_signer: tuple[PadesSigner, x509.Certificate], signer: PadesSigner,
    source_pdf: bytes, demo_root: bytes,
) -> None:
    unit_signer, unit_cert = foreign_signer
    by_unit = unit_signer.sign(source_pdf, reason="单位承诺")
    both = signer.sign(by_unit, reason="平台出具")
    assert both.startswith(by_unit)

    first, second = validate_signatures(both, [demo_root, unit_cert])
    assert (first.field_name, second.field_name) == ("Unit-1", "Platform-1")
    assert first.status == "intact", first
    assert first.intact
    assert first.valid
    assert first.trusted
    assert not first.covers_whole_document
    assert first.modification_level in ("lta_updates", "form_filling"), "only a signature was added"
    assert first.docmdp_ok is not False
    assert first.summary_zh == "签名有效，签名后仅追加了其他签名或允许的更改"
    assert second.status == "intact"
    assert second.covers_whole_document

    # Without the unit's certificate as a root, the first is intact but from an unknown signer.
    first_untrusted, _ = validate_signatures(both, [demo_root])
    assert first_untrusted.status == "unknown_signer"


def test_signing_twice_picks_new_field_names_and_explicit_names_are_respected(
    signer: PadesSigner, signed_pdf: bytes, demo_root: bytes
) -> None:
    twice = signer.sign(signed_pdf, reason="复核", field_name="Review")
    thrice = signer.sign(twice, reason="再次签署")
    names = [r.field_name for r in validate_signatures(thrice, [demo_root])]
    assert names == ["Platform-1", "Review", "Platform-2"]
    with pytest.raises(SigningError):
        signer.sign(thrice, reason="重复", field_name="Review")


# --- PAdES B-T --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def timestamper() -> tuple[DummyTimeStamper, x509.Certificate]:
    # pyHanko's DummyTimeStamper signs with RSA only.
    key, cert = self_signed("凌源市测试时间戳服务 (TEST TSA)", key=rsa.generate_private_key(65537, 2048),
                            eku=[ExtendedKeyUsageOID.TIME_STAMPING])
    tsa_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    tsa_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key), cert


def test_b_t_signature_carries_a_trusted_timestamp(
    pki_dir: Path, timestamper: tuple[DummyTimeStamper, x509.Certificate], source_pdf: bytes, demo_root: bytes
) -> None:
    tsa, tsa_cert = timestamper
    options = PadesOptions(p12_path=pki_dir / P12_FILE, passphrase=read_demo_passphrase(pki_dir))
    bt_signer = PadesSigner(options, timestamper=tsa)
    assert bt_signer.timestamped
    signed = bt_signer.sign(source_pdf, reason="出具信用报告")

    report = only(validate_signatures(signed, [demo_root, tsa_cert]))
    assert report.status == "intact", report
    assert report.timestamped
    assert report.timestamp_trusted
    assert report.signing_time is not None
    assert abs(report.signing_time - datetime.now(UTC)) < timedelta(minutes=5)

    # The timestamp is still cryptographically there when its TSA is not trusted.
    untrusted_tsa = only(validate_signatures(signed, [demo_root]))
    assert untrusted_tsa.timestamped
    assert not untrusted_tsa.timestamp_trusted


def test_b_b_signer_reports_no_timestamp(signer: PadesSigner) -> None:
    assert not signer.timestamped


def test_tsa_url_builds_an_http_timestamper_without_network_at_start(pki_dir: Path) -> None:
    options = PadesOptions(p12_path=pki_dir / P12_FILE, passphrase=read_demo_passphrase(pki_dir),
                           tsa_url="http://127.0.0.1:9/tsa")
    bt_signer = PadesSigner(options)
    assert bt_signer.timestamped
    assert bt_signer.bytes_reserved > 16384


def test_unreachable_tsa_is_a_signing_error(pki_dir: Path, source_pdf: bytes) -> None:
    options = PadesOptions(p12_path=pki_dir / P12_FILE, passphrase=read_demo_passphrase(pki_dir),
                           tsa_url="http://127.0.0.1:9/tsa", tsa_timeout_s=2)
    with pytest.raises(SigningError, match="签名失败：时间戳服务不可用，文件未签名"):
        PadesSigner(options).sign(source_pdf, reason="x")


# --- the external-signer seam -----------------------------------------------------------------------


class FakeSigningServer:
    """Stands in for an HSM / signing server: holds the platform key, records what it was asked."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        self.key = key
        self.requests: list[tuple[bytes, str]] = []

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        self.requests.append((data, digest_algorithm))
        return self.key.sign(data, ec.ECDSA(hashes.SHA256()))


def test_external_signer_seam_produces_a_valid_signature(
    pki_dir: Path, source_pdf: bytes, demo_root: bytes
) -> None:
    key, cert, chain = pkcs12.load_key_and_certificates(
        (pki_dir / P12_FILE).read_bytes(), read_demo_passphrase(pki_dir))
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert cert is not None
    server = FakeSigningServer(key)
    external = ExternalPadesSigner(server, cert, chain)
    assert isinstance(external, DocumentSigner)
    assert server.requests == [], "construction must not call the server"

    signed = external.sign(source_pdf, reason="外部签名服务")
    assert len(server.requests) == 1, "one raw signature per document"
    data, digest_algorithm = server.requests[0]
    assert digest_algorithm == "sha256"
    assert data[:1] == b"\x31", "the server signs DER(SignedAttributes), a SET"
    assert len(data) < 1024, "never the PDF itself"

    report = only(validate_signatures(signed, [demo_root]))
    assert report.status == "intact", report
    assert report.signer == PLATFORM_COMMON_NAME


def test_failing_external_service_is_a_signing_error(pki_dir: Path, source_pdf: bytes) -> None:
    _, cert, chain = pkcs12.load_key_and_certificates(
        (pki_dir / P12_FILE).read_bytes(), read_demo_passphrase(pki_dir))
    assert cert is not None

    class Down:
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            raise ConnectionError("签名服务器无响应")

    with pytest.raises(SigningError, match="签名服务器无响应"):
        ExternalPadesSigner(Down(), cert, chain).sign(source_pdf, reason="x")


def test_remote_sm2_signer_reaches_the_server_with_sm3(pki_dir: Path, source_pdf: bytes) -> None:
    _, cert, chain = pkcs12.load_key_and_certificates(
        (pki_dir / P12_FILE).read_bytes(), read_demo_passphrase(pki_dir))
    assert cert is not None
    asked: list[str] = []

    class RecordingSm2Service(RemoteSm2Service):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            asked.append(digest_algorithm)
            return super().sign_raw(data, digest_algorithm)

    sm2 = RemoteSm2Signer(RecordingSm2Service("https://sign.example.invalid", "seal-1"), cert, chain)
    assert isinstance(sm2, DocumentSigner)
    with pytest.raises(SigningError) as caught:
        sm2.sign(source_pdf, reason="SM2")
    assert isinstance(caught.value.__cause__, NotImplementedError)
    assert asked == ["sm3"]


# --- bad input --------------------------------------------------------------------------------------


def encrypted_pdf() -> bytes:
    pdf = pikepdf.open(BytesIO(one_page_pdf()))
    out = BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="owner", user="user", R=6))
    return out.getvalue()


@pytest.mark.parametrize("data", [b"", b"hello, not a pdf", b"%PDF-1.7\n%%EOF garbage", b"\x89PNG\r\n\x1a\n"])
def test_not_a_pdf_is_invalid_pdf(signer: PadesSigner, demo_root: bytes, data: bytes) -> None:
    with pytest.raises(InvalidPdf):
        signer.sign(data, reason="x")
    with pytest.raises(InvalidPdf):
        validate_signatures(data, [demo_root])


def test_encrypted_pdf_is_refused(signer: PadesSigner, demo_root: bytes) -> None:
    data = encrypted_pdf()
    with pytest.raises(EncryptedPdf, match="加密"):
        signer.sign(data, reason="x")
    with pytest.raises(EncryptedPdf, match="加密"):
        validate_signatures(data, [demo_root])


def test_garbled_signature_contents_are_invalid(signed_pdf: bytes, demo_root: bytes) -> None:
    start = signed_pdf.index(b"/Contents <") + len(b"/Contents <")
    garbled = signed_pdf[:start] + b"DEADBEEF" * 8 + signed_pdf[start + 64:]
    report = only(validate_signatures(garbled, [demo_root]))
    assert report.status == "invalid", report
    assert not report.intact
    assert not report.trusted
    assert report.summary_zh == "签名数据无法解析，签名无效"
    assert report.error


def test_a_non_certificate_trust_root_is_rejected(signed_pdf: bytes) -> None:
    with pytest.raises(ValueError):
        validate_signatures(signed_pdf, [b"not a certificate"])
