"""Local demo PKI: a throw-away root CA and a platform signing certificate for ``make run`` and tests.

Nothing here is fit for real documents. Real 信用文书 are signed with the office's registered
unit certificate (or through a GB/T 38540 signing server, see :mod:`app.stamping.signing`); the demo
root's name says so, and validators that do not trust it report the signer as unknown.

Files written in ``directory`` (e.g. ``instance/pki/``):

``demo-ca.pem``
    The demo root certificate (PEM, certificate only), mode 0644. Give it to
    :func:`app.stamping.validation.validate_signatures` as a trust root.
``platform.p12``
    PKCS#12 with the platform's private key, its certificate and the demo root, mode 0600.
``platform.pass``
    The random passphrase of ``platform.p12`` (mode 0600), only when no passphrase was given.
``demo-ca.crl``
    The root's CRL (DER, mode 0644), empty, valid until the root expires. Embedded in every
    signature's DSS (PAdES B-LT) so a signature validates years later without this service.
``tsa.p12``
    PKCS#12 (same passphrase) of a timestamping certificate (extendedKeyUsage timeStamping, RSA as
    pyHanko's demo TSA wants) for the optional demo RFC 3161 responder of :mod:`app.stamping.tsa`.

The root's private key is discarded once the certificates and the CRL are issued: nobody, not even
this service, can mint further certificates under the demo root — nor revoke one, which is why the
one CRL it ever signs may honestly last as long as the root itself. Sets made before the CRL and the
TSA certificate existed are kept as they are (their documents must keep validating); they sign
without embedded revocation data until the operator deletes ``instance/pki`` and runs ``init-pki``.

:func:`write_sample_pki` writes a *fixed* set (keys derived from a published seed, fixed dates) for
``make-samples``: its root ships as ``samples/sample-ca.pem``. Its keys are public by construction:
trust it to check the samples, never for anything else.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from app.stamping.types import SigningError

CA_FILE = "demo-ca.pem"
P12_FILE = "platform.p12"
PASS_FILE = "platform.pass"
CRL_FILE = "demo-ca.crl"
TSA_P12_FILE = "tsa.p12"
_LOCK_FILE = ".pki.lock"

ROOT_COMMON_NAME = "凌源市信用文书服务 演示根证书 (DEMO)"
"""Root CN. The brief's "… (DEMO, 不可用于正式文书)" is 76 UTF-8 bytes; ``cryptography`` bounds a CN at
64 *bytes* (RFC 5280 says 64 characters) and warns on every parse of a longer one, so the warning
text moved to the OU."""
ROOT_UNIT_NAME = "演示用途，不可用于正式文书"
PLATFORM_COMMON_NAME = "凌源市信用文书服务平台（演示）"
DEFAULT_ORGANISATION = "凌源市信用文书服务（演示）"
ROOT_VALIDITY = timedelta(days=3653)
"""10 years."""
PLATFORM_VALIDITY = timedelta(days=1096)
"""3 years."""
TSA_COMMON_NAME = "凌源市信用文书服务 演示时间戳服务（演示）"

SAMPLE_ROOT_COMMON_NAME = "凌源市信用文书服务 样例根证书 (SAMPLE)"
SAMPLE_ROOT_UNIT_NAME = "样例用途，私钥公开，不可用于正式文书"
SAMPLE_SEED = b"lyxy-sample-pki-2026"
"""Seed of the sample keys (public on purpose: the samples must re-sign identically anywhere)."""
SAMPLE_NOT_BEFORE = datetime(2026, 1, 1, tzinfo=UTC)
SAMPLE_NOT_AFTER = datetime(2046, 1, 1, tzinfo=UTC)
"""The samples validate for twenty years: a B-B/B-LT signature without timestamp is judged now."""

MS_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")
"""Microsoft/Adobe "Document Signing" key purpose, the one Acrobat recognises."""
ID_KP_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336)."""


def ensure_demo_pki(
    directory: Path,
    *,
    passphrase: bytes | None = None,
    organisation: str = DEFAULT_ORGANISATION,
) -> Path:
    """Create the demo root and platform credential in ``directory`` once; return the PKCS#12 path.

    :param directory: where the files live; created (mode 0700) if missing.
    :param passphrase: protects ``platform.p12``. ``None`` generates a random one on first call and
        stores it in ``platform.pass`` (read it back with :func:`read_demo_passphrase`).
    :param organisation: the ``O`` of both certificates.
    :returns: the path of ``platform.p12``.
    :raises SigningError: the directory cannot be written.

    Idempotent: when ``demo-ca.pem`` and ``platform.p12`` (and ``platform.pass`` when no passphrase
    is given) exist they are reused untouched. A half-written set (e.g. a crash between two files)
    is regenerated. Concurrent callers (several workers starting at once) serialise on a lock file,
    so they all end up with the same root and credential.
    """
    directory = Path(directory)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _locked(directory / _LOCK_FILE):
            p12_path = directory / P12_FILE
            if _complete(directory, passphrase):
                return p12_path
            _generate(directory, passphrase=passphrase, organisation=organisation)
            return p12_path
    except OSError as exc:
        raise SigningError(f"无法创建演示证书目录或文件：{exc}") from exc


def read_demo_passphrase(directory: Path) -> bytes:
    """The generated passphrase stored in ``platform.pass``.

    :raises SigningError: there is no (readable) passphrase file.
    """
    try:
        return (Path(directory) / PASS_FILE).read_bytes().strip()
    except OSError as exc:
        raise SigningError(f"无法读取演示证书口令文件：{exc}") from exc


def read_demo_root(directory: Path) -> bytes:
    """The demo root certificate as PEM bytes (a trust root for validation).

    :raises SigningError: the file is missing.
    """
    try:
        return (Path(directory) / CA_FILE).read_bytes()
    except OSError as exc:
        raise SigningError(f"无法读取演示根证书：{exc}") from exc


def read_demo_crls(directory: Path) -> list[bytes]:
    """The demo root's CRL (DER) as a one-item list, or ``[]`` for a set made before CRLs existed."""
    path = Path(directory) / CRL_FILE
    return [path.read_bytes()] if path.is_file() else []


def _complete(directory: Path, passphrase: bytes | None) -> bool:
    needed = [CA_FILE, P12_FILE] + ([] if passphrase is not None else [PASS_FILE])
    return all((directory / name).is_file() for name in needed)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


@dataclass(frozen=True)
class _PkiPlan:
    """Keys, serials and dates of one PKI set (random for a demo set, fixed for the samples)."""

    root_key: ec.EllipticCurvePrivateKey
    platform_key: ec.EllipticCurvePrivateKey
    tsa_key: rsa.RSAPrivateKey | None
    serials: tuple[int, int, int, int]
    """root, platform, TSA certificate, CRL number."""
    not_before: datetime
    root_not_after: datetime
    leaf_not_after: datetime
    root_common_name: str = ROOT_COMMON_NAME
    root_unit_name: str = ROOT_UNIT_NAME


def _generate(directory: Path, *, passphrase: bytes | None, organisation: str) -> None:
    now = datetime.now(UTC)
    plan = _PkiPlan(
        root_key=ec.generate_private_key(ec.SECP256R1()),
        platform_key=ec.generate_private_key(ec.SECP256R1()),
        tsa_key=rsa.generate_private_key(65537, 2048),  # pyHanko's DummyTimeStamper signs RSA only
        serials=(x509.random_serial_number(), x509.random_serial_number(),
                 x509.random_serial_number(), 1),
        not_before=now - timedelta(minutes=5),  # tolerate small clock skew between hosts
        root_not_after=now + ROOT_VALIDITY,
        leaf_not_after=now + PLATFORM_VALIDITY,
    )
    if passphrase is None:
        passphrase = secrets.token_urlsafe(32).encode("ascii")
        _write_atomic(directory / PASS_FILE, passphrase, 0o600)
    else:
        # A stale generated passphrase would mislead whoever reads it later.
        (directory / PASS_FILE).unlink(missing_ok=True)
    _issue(directory, plan, passphrase=passphrase, organisation=organisation)


def write_sample_pki(directory: Path, *, organisation: str = DEFAULT_ORGANISATION) -> tuple[Path, bytes]:
    """Write the fixed sample PKI (no TSA) into ``directory``; return ``platform.p12`` and its passphrase.

    Same file names as the demo set. Every run writes the same root certificate and CRL bytes (keys
    derived from :data:`SAMPLE_SEED`, fixed serials and dates), so ``samples/sample-ca.pem`` does not
    change when the samples are regenerated.
    """
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    plan = _PkiPlan(
        root_key=_seeded_ec_key(b"root"),
        platform_key=_seeded_ec_key(b"platform"),
        tsa_key=None,
        serials=(0x5A4D01, 0x5A4D02, 0x5A4D03, 1),
        not_before=SAMPLE_NOT_BEFORE,
        root_not_after=SAMPLE_NOT_AFTER,
        leaf_not_after=SAMPLE_NOT_AFTER,
        root_common_name=SAMPLE_ROOT_COMMON_NAME,
        root_unit_name=SAMPLE_ROOT_UNIT_NAME,
    )
    passphrase = b"sample"
    _issue(directory, plan, passphrase=passphrase, organisation=organisation)
    return directory / P12_FILE, passphrase


def _seeded_ec_key(label: bytes) -> ec.EllipticCurvePrivateKey:
    scalar = int.from_bytes(hashlib.sha256(SAMPLE_SEED + b"/" + label).digest(), "big")
    return ec.derive_private_key(scalar % (2**255) + 1, ec.SECP256R1())  # < the P-256 group order


def _issue(directory: Path, plan: _PkiPlan, *, passphrase: bytes, organisation: str) -> None:
    root_key = plan.root_key
    root_name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, plan.root_unit_name),
        x509.NameAttribute(NameOID.COMMON_NAME, plan.root_common_name),
    ])
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root_aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski)
    root_serial, platform_serial, tsa_serial, crl_number = plan.serials
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(root_serial)
        .not_valid_before(plan.not_before)
        .not_valid_after(plan.root_not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256(), ecdsa_deterministic=True)
    )

    def leaf(key, common_name: str, serial: int, usage: x509.KeyUsage,
             eku: x509.ExtendedKeyUsage, eku_critical: bool) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]))
            .issuer_name(root_name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(plan.not_before)
            .not_valid_after(plan.leaf_not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(eku, critical=eku_critical)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(root_aki, critical=False)
            .sign(root_key, hashes.SHA256(), ecdsa_deterministic=True)
        )

    platform_cert = leaf(
        plan.platform_key, PLATFORM_COMMON_NAME, platform_serial,
        _key_usage(digital_signature=True, content_commitment=True),
        x509.ExtendedKeyUsage([MS_DOCUMENT_SIGNING, ID_KP_DOCUMENT_SIGNING,
                               ExtendedKeyUsageOID.EMAIL_PROTECTION]),
        eku_critical=False,
    )
    # The CRL of a root whose key is discarded next: nothing can ever be revoked under it.
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root_name)
        .last_update(plan.not_before)
        .next_update(plan.root_not_after)
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(root_aki, critical=False)
        .sign(root_key, hashes.SHA256(), ecdsa_deterministic=True)
    )
    if plan.tsa_key is not None:
        # RFC 3161 §2.3: a TSA certificate carries timeStamping as its only, critical, key purpose.
        tsa_cert = leaf(plan.tsa_key, TSA_COMMON_NAME, tsa_serial,
                        _key_usage(digital_signature=True, content_commitment=True),
                        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), eku_critical=True)
        tsa_p12 = pkcs12.serialize_key_and_certificates(
            name=TSA_COMMON_NAME.encode("utf-8"), key=plan.tsa_key, cert=tsa_cert, cas=[root_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase))
        _write_atomic(directory / TSA_P12_FILE, tsa_p12, 0o600)
    p12 = pkcs12.serialize_key_and_certificates(
        name=PLATFORM_COMMON_NAME.encode("utf-8"),
        key=plan.platform_key,
        cert=platform_cert,
        cas=[root_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
    )
    _write_atomic(directory / CA_FILE, root_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write_atomic(directory / CRL_FILE, crl.public_bytes(serialization.Encoding.DER), 0o644)
    # platform.p12 last: its presence marks a complete set.
    _write_atomic(directory / P12_FILE, p12, 0o600)


def _key_usage(**flags: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
