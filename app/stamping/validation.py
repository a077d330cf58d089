"""Validation of the PDF signatures in a file (签名验证): one plain report per signature, offline.

Validation never touches the network: trust comes only from the roots passed in (the demo root of
:mod:`app.stamping.pki`, the office's CA), revocation is checked only against data already embedded
in the file, no fetching. A file with a Document Security Store (DSS) is first validated with the
DSS's certificates and CRLs/OCSP responses and ``revocation_mode="require"``: a signature that
passes carries everything needed to validate it offline, years later (``long_term``: PAdES B-LT, or
B-B with LTV data when it has no timestamp). Otherwise (no DSS, or it lacks something) the signature
is judged as before, ``revocation_mode="soft-fail"``.

Status of a signature (:attr:`SignatureReport.status`):

``intact``
    The digest matches, the signature value verifies, the signer chains to a trust root, and either
    the signature covers the whole file or everything appended after it is allowed without
    invalidating it (further signatures, form filling, annotations — judged by pyHanko's
    difference analysis and the document's DocMDP permissions).
``modified``
    The signed bytes changed (digest mismatch), or the later updates change what was signed (page
    content, fonts, …), or they break the certifying signature's DocMDP permissions.
``unknown_signer``
    Cryptographically intact, but the signer's certificate does not chain to any trust root (a
    self-made certificate) or is not usable (expired, revoked, wrong key usage); ``summary_zh`` and
    ``trust_problem`` say which.
``invalid``
    The signature cannot be evaluated: malformed signature dictionary or CMS, unsupported algorithm
    (e.g. SM2 — ``cryptography`` has no SM2 verifier), or a signature value that does not verify.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from io import BytesIO

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.stamping.types import PADES_LEVEL_LABELS_ZH, EncryptedPdf, InvalidPdf, pades_level

__all__ = ["SignatureReport", "TrustRoot", "validate_signatures"]

TrustRoot = bytes | x509.Certificate | asn1_x509.Certificate
"""A trust anchor: PEM or DER bytes, a ``cryptography`` certificate or an asn1crypto one."""

_ALLOWED_LATER_CHANGES = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
    ModificationLevel.ANNOTATIONS,
)

_UNKNOWN_SIGNER_ZH = "签名者证书不受信任（未知签名者）"
_TRUST_PROBLEMS_ZH = {
    "NO_CERTIFICATE_CHAIN_FOUND": _UNKNOWN_SIGNER_ZH,
    "EXPIRED": "签名者证书已过期",
    "OUT_OF_BOUNDS_NO_POE": "签名者证书已过期",
    "NOT_YET_VALID": "签名者证书尚未生效",
    "REVOKED": "签名者证书已被吊销",
    "REVOKED_NO_POE": "签名者证书已被吊销",
    "REVOKED_CA_NO_POE": "签发机构证书已被吊销",
    "CHAIN_CONSTRAINTS_FAILURE": "签名者证书不符合证书链约束",
    "SIG_CONSTRAINTS_FAILURE": "签名者证书的密钥用途不允许文档签名",
}


@dataclass(frozen=True)
class SignatureReport:
    """What we know about one signature of a PDF, ready for the 验证 page and the archive."""

    field_name: str
    """The signature field's name (``Platform-1`` …)."""
    signer: str
    """Subject CN of the signer's certificate (O when there is no CN); empty if unreadable."""
    signing_time: datetime | None
    """The timestamp token's time if there is one, else the time the signer claims (``/M``)."""
    status: str
    """``"intact"`` | ``"modified"`` | ``"unknown_signer"`` | ``"invalid"`` (see module docstring)."""
    intact: bool
    """The digest over the signed byte ranges matches."""
    valid: bool
    """The signature value verifies with the signer's public key."""
    trusted: bool
    """The signer's certificate chains to one of the trust roots and is usable."""
    covers_whole_document: bool
    """No bytes were appended after this signature."""
    modification_level: str
    """Later changes: ``none``, ``lta_updates``, ``form_filling``, ``annotations``, ``other``, or
    ``unknown`` when not determined."""
    docmdp_ok: bool | None
    """Later changes respect the document's DocMDP permissions (``None``: not determined)."""
    timestamped: bool
    """A RFC 3161 signature timestamp is present and cryptographically sound (PAdES B-T)."""
    summary_zh: str
    """One sentence for people, e.g. "签名有效，文件自签名后未被修改"."""
    trust_problem: str | None = None
    """pyHanko's ETSI sub-indication when not trusted (``NO_CERTIFICATE_CHAIN_FOUND``, ``EXPIRED`` …)."""
    timestamp_trusted: bool = False
    """The timestamp's TSA also chains to a trust root."""
    error: str | None = None
    """Technical detail (English, for logs) when ``status`` is ``invalid`` because parsing failed."""
    long_term: bool = False
    """The file's DSS alone (no network) shows the signer's chain, and the timestamp's, unrevoked."""
    level: str = "B-B"
    """PAdES level as found: ``B-B``, ``B-T``, ``B-B+LTV``, ``B-LT`` (see :mod:`app.stamping.types`)."""
    level_zh: str = PADES_LEVEL_LABELS_ZH["B-B"]
    """:attr:`level` for people, e.g. "PAdES B-LT（含时间戳与长期验证数据）"."""
    sample_ca: bool = False
    """Trusted only through the samples' demo CA (app/services/verification.py), not our roots."""


def validate_signatures(pdf: bytes, trust_roots: Sequence[TrustRoot]) -> list[SignatureReport]:
    """Validate every signature in ``pdf``, oldest first, without network access.

    :param pdf: the PDF bytes.
    :param trust_roots: certificates to trust (also used for timestamp authorities).
    :returns: one report per signature field that holds a signature; ``[]`` for an unsigned PDF.
    :raises InvalidPdf: not a PDF, or its structure cannot be read.
    :raises EncryptedPdf: the PDF is encrypted.
    :raises ValueError: a trust root is not a certificate.
    """
    roots = tuple(_as_asn1_cert(root) for root in trust_roots)
    reader = _open(pdf)
    embedded, unreadable = _collect(reader)
    if not embedded and not unreadable:
        return []
    return asyncio.run(_validate_all(embedded, roots, _read_dss(reader))) + unreadable


def _read_dss(reader: PdfFileReader) -> DocumentSecurityStore | None:
    """The file's DSS when it holds revocation data; ``None`` without one (or an unreadable one)."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no /DSS (NoDSSFoundError) or a malformed one: validate without it
        return None
    return dss if dss.crls or dss.ocsps else None


def _collect(reader: PdfFileReader) -> tuple[list[EmbeddedPdfSignature], list[SignatureReport]]:
    """Signed signature fields, oldest first; fields whose signature cannot even be parsed are
    reported ``invalid`` (pyHanko's own collector would fail the whole file on the first one)."""
    embedded: list[EmbeddedPdfSignature] = []
    unreadable: list[SignatureReport] = []
    try:
        fields = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as exc:  # untrusted input: a malformed /AcroForm may raise anything
        raise InvalidPdf(f"PDF 签名域无法解析：{exc}") from exc
    for name, sig_obj, sig_field in fields:
        try:
            if sig_obj.get_object().get("/Type") == "/DocTimeStamp":
                continue  # document timestamps (PAdES LTA) are not signatures of a signer
            sig = EmbeddedPdfSignature(reader, sig_field, name)
            sig.signed_revision  # noqa: B018 - locates /ByteRange in the file; may fail
        except Exception as exc:
            unreadable.append(_invalid_report(str(name), "", "签名数据无法解析，签名无效", exc))
            continue
        embedded.append(sig)
    embedded.sort(key=lambda sig: sig.signed_revision)
    return embedded, unreadable


async def _validate_all(
    embedded: list[EmbeddedPdfSignature],
    roots: tuple[asn1_x509.Certificate, ...],
    dss: DocumentSecurityStore | None,
) -> list[SignatureReport]:
    reports = []
    for sig in embedded:
        # A fresh context per signature: contexts cache path-validation results and hold the
        # validation moment, so they are not shared across signatures or calls.
        if dss is not None:
            strict = dss.as_validation_context(
                {"trust_roots": roots, "allow_fetching": False, "revocation_mode": "require"})
            report = await _validate_one(sig, strict, long_term=True)
            if report.status == "intact" and (not report.timestamped or report.timestamp_trusted):
                reports.append(report)
                continue
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        reports.append(await _validate_one(sig, context, long_term=False))
    return reports


async def _validate_one(
    sig: EmbeddedPdfSignature, context: ValidationContext, *, long_term: bool
) -> SignatureReport:
    name = _field_name(sig)
    try:
        status = await async_validate_pdf_signature(sig, signer_validation_context=context)
    except Exception as exc:  # malformed CMS, unsupported algorithm (SM2), broken /ByteRange …
        return _invalid_report(name, _signer_of(sig), "签名无法校验（格式错误或使用了不支持的算法）", exc)
    return _report(name, status, long_term=long_term)


def _report(name: str, status: PdfSignatureStatus, *, long_term: bool) -> SignatureReport:
    coverage = status.coverage
    level = status.modification_level
    tst = status.timestamp_validity
    timestamped = bool(tst is not None and tst.intact and tst.valid)
    signing_time = tst.timestamp if timestamped and tst is not None else status.signer_reported_dt
    trust_problem = status.trust_problem_indic.name if status.trust_problem_indic is not None else None

    later_changes_ok = coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and level in _ALLOWED_LATER_CHANGES
        and status.docmdp_ok is not False
    )
    if not status.intact:
        state, summary = "modified", "文件在签名后被修改（签名范围内的内容与签名不符）"
    elif not status.valid:
        state, summary = "invalid", "签名值校验失败，签名无效"
    elif not later_changes_ok:
        state, summary = "modified", "文件在签名后被修改（签名后追加了不允许的更改）"
    elif not status.trusted:
        state = "unknown_signer"
        if status.signing_cert.self_signed != "no" or trust_problem is None:
            summary = _UNKNOWN_SIGNER_ZH  # a self-made certificate: pyHanko calls it a chain failure
        else:
            summary = _TRUST_PROBLEMS_ZH.get(trust_problem, _UNKNOWN_SIGNER_ZH)
    elif coverage == SignatureCoverageLevel.ENTIRE_FILE:
        state, summary = "intact", "签名有效，文件自签名后未被修改"
    elif level == ModificationLevel.LTA_UPDATES:
        state, summary = "intact", "签名有效，文件自签名后未被修改（其后仅追加了验证数据或时间戳）"
    else:
        state, summary = "intact", "签名有效，签名后仅追加了其他签名或允许的更改"

    return SignatureReport(
        field_name=name,
        signer=_subject_name(status.signing_cert),
        signing_time=signing_time,
        status=state,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_document=coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modification_level=level.name.lower() if level is not None else "unknown",
        docmdp_ok=status.docmdp_ok,
        timestamped=timestamped,
        summary_zh=summary,
        trust_problem=trust_problem,
        timestamp_trusted=bool(timestamped and tst is not None and tst.trusted),
        long_term=long_term,
        level=(code := pades_level(timestamped=timestamped, long_term=long_term)),
        level_zh=PADES_LEVEL_LABELS_ZH[code],
    )


def _invalid_report(name: str, signer: str, summary: str, exc: Exception) -> SignatureReport:
    return SignatureReport(
        field_name=name, signer=signer, signing_time=None, status="invalid", intact=False, valid=False,
        trusted=False, covers_whole_document=False, modification_level="unknown", docmdp_ok=None,
        timestamped=False, summary_zh=summary, error=f"{type(exc).__name__}: {exc}"[:500],
    )


def _open(pdf: bytes) -> PdfFileReader:
    if b"%PDF-" not in pdf[:1024]:
        raise InvalidPdf("文件不是 PDF 格式")
    try:
        # Non-strict: uploaded PDFs from other producers are often slightly malformed; the
        # difference analysis still flags anything suspicious in later revisions.
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        encrypted = reader.encrypt_dict is not None
    except Exception as exc:  # untrusted input: the parser may raise anything
        raise InvalidPdf(f"PDF 文件无法解析：{exc}") from exc
    if encrypted:
        raise EncryptedPdf("PDF 文件已加密，无法校验签名")
    return reader


def _field_name(sig: EmbeddedPdfSignature) -> str:
    try:
        return str(sig.field_name)
    except Exception:  # pragma: no cover - defensive, the name comes from /T
        return ""


def _signer_of(sig: EmbeddedPdfSignature) -> str:
    try:
        return _subject_name(sig.signer_cert)
    except Exception:
        return ""


def _subject_name(cert: asn1_x509.Certificate) -> str:
    native = cert.subject.native
    return str(native.get("common_name") or native.get("organization_name") or cert.subject.human_friendly)


def _as_asn1_cert(root: TrustRoot) -> asn1_x509.Certificate:
    if isinstance(root, asn1_x509.Certificate):
        return root
    if isinstance(root, x509.Certificate):
        return _load_der(root.public_bytes(Encoding.DER))
    if isinstance(root, bytes | bytearray):
        return _load_der(_der_of(bytes(root)))
    raise ValueError(f"信任根证书类型不支持：{type(root).__name__}")


def _der_of(data: bytes) -> bytes:
    if pem.detect(data):
        _, _, der = pem.unarmor(data)
        return der
    return data


@lru_cache(maxsize=32)
def _load_der(der: bytes) -> asn1_x509.Certificate:
    # Parsed once per root: asn1crypto caches decoded fields on the object, which later validations
    # (name matching, key extraction) reuse.
    try:
        cert = asn1_x509.Certificate.load(der)
        cert.native  # noqa: B018 - parse now so a bad root fails here, not mid-validation
    except ValueError as exc:
        raise ValueError(f"信任根证书无法解析：{exc}") from exc
    return cert
