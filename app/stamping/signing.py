"""PAdES signatures (数字签名) over finished PDFs, and the seam for an external GB/T 38540 signing server.

The interface
=============
Everything that signs implements :class:`DocumentSigner`: ``sign(pdf, reason=..., location=...,
field_name=...) -> bytes`` takes the finished PDF (seals already drawn by the stamping overlay; the
signature field here is invisible) and returns the same bytes plus one incremental update holding
the signature. Earlier revisions are never rewritten, so signatures already in the file stay valid.

Implementations:

* :class:`PadesSigner` — a local PKCS#12 key (the demo PKI of :mod:`app.stamping.pki`, or a unit
  certificate exported by a CA). PAdES B-B, or B-T when a TSA is configured; with
  :class:`LongTermValidation` the chain and revocation data go into the DSS as well (B-LT when
  timestamped).
* :class:`ExternalPadesSigner` — the same PDF and CMS machinery, but the raw signature comes from a
  :class:`RawSignatureService` (an HSM, a CA's 签名服务器, a 电子印章 system).
* :class:`RemoteSm2Signer` — the documented, not yet implemented, SM2/SM3 variant of the above.

How a PDF signature is prepared (what an external signer sees)
==============================================================
1. The PDF is opened with an incremental writer; a new signature field (``/FT /Sig``, name
   ``Platform-<n>`` unless given) and a signature dictionary are appended::

       << /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached
          /ByteRange [0 a b c] /Contents <000…000> /M (D:…) /Reason (…) /Location (…) >>

   ``/Contents`` is a placeholder of ``bytes_reserved`` hex digits (the CMS is hex-encoded, so the
   DER may take half of it); the size is reserved up front, no dummy signature is computed per call.
2. The update is written out; ``/ByteRange`` covers the whole new file except the ``/Contents``
   placeholder. The document digest is ``H(file[0:a] || file[b:b+c])`` — SHA-256 here, SM3 for SM2.
3. A CMS ``SignedData`` (RFC 5652, detached, no encapsulated content) is built around that digest
   with the CAdES signed attributes PAdES requires: ``content-type``, ``message-digest`` (= the
   document digest) and ``signing-certificate-v2`` (no ``signing-time``: PAdES takes the time from
   ``/M`` or, for B-T, from the timestamp token). The DER of those signed attributes is what the key
   actually signs: **the raw signature input is ``DER(SignedAttributes)``, a few hundred bytes, never
   the PDF**.
4. For B-T, a RFC 3161 timestamp over the signature value is added as an unsigned attribute.
5. The CMS DER is hex-encoded into the ``/Contents`` placeholder. Nothing else changes.
6. For long-term validation (B-LT), a second incremental update adds the Document Security Store
   (``/DSS`` in the catalogue: the certificates of the signer's and the TSA's chains and the CRLs
   or OCSP responses that show them unrevoked, collected by validating both chains before signing).
   A DSS-only update is a change validators allow after a signature (pyHanko: ``LTA_UPDATES``).

Plugging in a GB/T 38540 (SM2/SM3) signing server
=================================================
GB/T 38540 defines the 电子签章 structure natively for OFD. For PDF, Chinese CAs embed an equivalent
CMS signature (GM/T 0010 PKCS#7 profile) whose ``SignerInfo`` uses SM3 (digest OID
``1.2.156.10197.1.401``) and SM2 (signature OID ``1.2.156.10197.1.501``, value ``SEQUENCE {r, s}``);
the visible seal image is drawn separately (our overlay). Two server styles exist:

*Raw signature* (what :class:`RemoteSm2Signer` sketches): the server receives the bytes of step 3
(``DER(SignedAttributes)``, or their SM3 hash with the SM2 ``Z`` value folded in, per GB/T 35276) and
returns the raw SM2 signature. We keep building the CMS with pyHanko: subclass pyHanko's
:class:`pyhanko.sign.signers.Signer`, set ``signature_mechanism`` to SM2 and override
``async_sign_raw(data, digest_algorithm, dry_run=False)`` — exactly what :class:`_ServiceSigner`
does for any :class:`RawSignatureService`. Before that works with SM3, the two OIDs must be named
for asn1crypto (``algos.DigestAlgorithmId._map['1.2.156.10197.1.401'] = 'sm3'`` and the SM2 one in
``SignedDigestAlgorithmId``), because pyHanko looks digests up by name (``hashes.SM3`` exists in
``cryptography``).

*Whole CMS*: the server receives the document digest of step 2 and returns a complete
``SignedData``. Then skip pyHanko's CMS builder: use ``PdfSigner.async_digest_doc_for_signing``
(prepares steps 1–2, returns the digest and the ``PreparedByteRangeDigest``) and
``PdfTBSDocument.finish_signing(output, prepared_digest, cms_bytes)`` to fill ``/Contents``.
Reserve enough room for the server's CMS (its certificate chain included).

Either way the result is an ordinary PDF signature with subfilter ``ETSI.CAdES.detached`` (or
``adbe.pkcs7.detached`` if the server's CMS is not CAdES). Note that :mod:`app.stamping.validation`
validates with ``cryptography``, which has no SM2: SM2 signatures will report as ``invalid`` there
until an SM2 verifier (e.g. ``gmssl``) is added.

Speed: the key, certificate chain, CMS signer object, timestamper and ``/Contents`` size are set up
once per signer; per call pyHanko parses the input, writes one update, hashes it and builds one CMS
(measured by ``bench/bench_signing.py``). ``sign`` runs its own asyncio loop: call it from
synchronous code (Flask views, workers), not from inside a running event loop — use ``async_sign``
there.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Protocol, runtime_checkable

from asn1crypto import algos, pem
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app.stamping.archival import align_producer
from app.stamping.types import EncryptedPdf, InvalidPdf, SigningError, pades_level

__all__ = [
    "DocumentSigner",
    "ExternalPadesSigner",
    "LongTermValidation",
    "PadesOptions",
    "PadesSigner",
    "RawSignatureService",
    "RemoteSm2Service",
    "RemoteSm2Signer",
    "SM2_WITH_SM3_OID",
    "SM3_OID",
    "register_sm_algorithm_names",
]

SM2_WITH_SM3_OID = "1.2.156.10197.1.501"
"""SM2 signature with SM3 (GB/T 33560), the signatureAlgorithm of a GB/T 38540 signature."""
SM3_OID = "1.2.156.10197.1.401"
"""SM3 hash (GB/T 32905)."""

DEFAULT_FIELD_PREFIX = "Platform"
_TSA_ALLOWANCE_HEX = 16384
"""Room (hex digits) added for a timestamp token: a TSA's token with its certificate chain is
typically 3–6 KB of DER. Too little is not fatal: signing retries once with more room."""
_MARGIN_HEX = 512


@runtime_checkable
class DocumentSigner(Protocol):
    """The signing interface. Implementations: :class:`PadesSigner` (pyHanko, PKCS#12);
    :class:`ExternalPadesSigner` / :class:`RemoteSm2Signer` (an external GB/T 38540 (SM2) signing
    server client)."""

    def sign(
        self, pdf: bytes, *, reason: str, location: str = "凌源市", field_name: str | None = None
    ) -> bytes:
        """Return ``pdf`` with one more signature, appended as an incremental update.

        :param pdf: a finished, unencrypted PDF.
        :param reason: ``/Reason`` of the signature (签署理由), e.g. "出具信用承诺书".
        :param location: ``/Location`` (签署地点).
        :param field_name: the signature field to create; ``None`` picks ``Platform-<n>``.
        :raises InvalidPdf: not a PDF, or one that cannot be parsed.
        :raises EncryptedPdf: the PDF is encrypted.
        :raises SigningError: the credential or the signing service failed, or the field is taken.
        """
        ...

    @property
    def signer_name(self) -> str:
        """Who signs: the certificate subject's CN (or O)."""
        ...


@dataclass(frozen=True)
class LongTermValidation:
    """What a signer embeds for long-term validation (PAdES B-LT): trust anchors and revocation data.

    Before signing, the signer's chain (and the TSA's, for B-T) is validated against these roots
    with exactly this revocation data; the certificates and CRLs/OCSP responses that validation
    used are written into the DSS. A chain that does not validate refuses the signature: an office
    asked for evidence that holds later, not for a signature that fails then.
    """

    trust_roots: tuple[bytes, ...]
    """Root certificates (PEM or DER) of the signer's CA and of the TSA's CA."""
    crls: tuple[bytes, ...] = ()
    """CRLs (DER or PEM) covering every certificate below the roots (the demo CA publishes one)."""
    allow_fetching: bool = False
    """Fetch missing CRLs/OCSP responses from the URLs in the certificates at signing time (a real
    CA's chain); ``False`` uses only :attr:`crls` (the demo CA has no URLs)."""


@dataclass(frozen=True)
class PadesOptions:
    """How :class:`PadesSigner` signs."""

    p12_path: Path
    """PKCS#12 file with the signing key, its certificate and (ideally) the issuing chain."""
    passphrase: bytes | None
    """Passphrase of ``p12_path``; ``None`` for an unprotected file."""
    tsa_url: str | None = None
    """RFC 3161 timestamp server; set it for PAdES B-T, leave ``None`` for B-B."""
    tsa_timeout_s: float = 10.0
    """Timeout of one timestamp request, in seconds."""
    signature_bytes_reserved: int | None = None
    """Hex digits reserved for ``/Contents``; ``None`` computes a tight size once, at start-up, from a
    dry-run CMS (about 3 KB for ECDSA P-256 with a two-certificate chain). A tight reservation keeps
    files small and validation fast (validators tokenise the whole hex string)."""
    md_algorithm: str = "sha256"
    """Document digest algorithm (pyHanko / ``cryptography`` name)."""
    field_prefix: str = DEFAULT_FIELD_PREFIX
    """Prefix of generated field names: ``<prefix>-1``, ``<prefix>-2``, …"""
    contact_info: str | None = None
    """Optional ``/ContactInfo`` of the signature (e.g. the office's telephone)."""
    long_term: LongTermValidation | None = None
    """Embed the chain and revocation data in the DSS (B-LT); ``None`` signs B-B / B-T only."""
    clock: Callable[[], datetime] | None = None
    """The signing time (``/M``) and validation moment; ``None`` is the wall clock. The app passes
    its own clock, so ``NOW`` in the configuration fixes the signing time (samples, tests)."""


class RawSignatureService(Protocol):
    """A key that lives elsewhere (HSM, CA 签名服务器, 电子印章系统) and signs on request."""

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign ``data`` (the DER of the CMS signed attributes, see the module docstring, step 3).

        :param data: the bytes to sign; hash them with ``digest_algorithm`` first (or let the device).
        :param digest_algorithm: ``"sha256"``, ``"sm3"``, …
        :returns: the raw signature value as it goes into ``SignerInfo.signature``
            (ECDSA/SM2: DER ``SEQUENCE {r, s}``; RSA: the PKCS#1 block).
        :raises SigningError: the service failed.
        """
        ...


class _ServiceSigner(signers.Signer):
    """pyHanko CMS signer whose raw signature comes from a :class:`RawSignatureService`.

    This is the seam: pyHanko builds the signed attributes and the CMS, and calls
    :meth:`async_sign_raw` with ``DER(SignedAttributes)`` exactly once per signature.
    """

    def __init__(
        self,
        service: RawSignatureService,
        signing_cert: asn1_x509.Certificate,
        chain: Sequence[asn1_x509.Certificate],
        signature_mechanism: algos.SignedDigestAlgorithm | None,
        raw_signature_size: int,
    ) -> None:
        store = SimpleCertificateStore()
        store.register_multiple(chain)
        super().__init__(signing_cert=signing_cert, cert_registry=store,
                         signature_mechanism=signature_mechanism)
        self._service = service
        self._raw_signature_size = raw_signature_size

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # size estimation only: never bother the key for a placeholder
            return bytes(self._raw_signature_size)
        return self._service.sign_raw(data, digest_algorithm)


class _LocalKey:
    """:class:`RawSignatureService` over an in-memory ``cryptography`` key (loaded once)."""

    def __init__(self, key: object) -> None:
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        key = self._key
        hash_algo = getattr(hashes, digest_algorithm.upper())()
        if isinstance(key, ec.EllipticCurvePrivateKey):
            # RFC 6979: the same document, key and time give the same signature (stable samples).
            return key.sign(data, ec.ECDSA(hash_algo, deterministic_signing=True))
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), hash_algo)
        if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
            return key.sign(data)
        raise SigningError(f"不支持的签名密钥类型：{type(key).__name__}")


class _PdfSigningCore:
    """The PDF side shared by every signer: field naming, incremental update, reservation, errors."""

    def __init__(
        self,
        cms_signer: signers.Signer,
        *,
        signer_name: str,
        not_after: datetime | None,
        timestamper: TimeStamper | None,
        bytes_reserved: int | None,
        md_algorithm: str,
        field_prefix: str,
        contact_info: str | None,
        long_term: LongTermValidation | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._cms_signer = cms_signer
        self.signer_name = signer_name
        self._not_after = not_after
        self._timestamper = timestamper
        self._md_algorithm = md_algorithm
        self._field_prefix = field_prefix
        self._field_pattern = re.compile(rf"{re.escape(field_prefix)}-(\d+)\Z")
        self._contact_info = contact_info
        self._long_term = long_term
        self._clock = clock or (lambda: datetime.now(UTC))
        if long_term is not None:
            self._ltv_roots = [_asn1_certificate(root) for root in long_term.trust_roots]
            self._ltv_crls = [_asn1_crl(crl) for crl in long_term.crls]
            _quiet_offline_revinfo_warning()
        self._bytes_reserved = bytes_reserved or self._estimate_reservation()

    @property
    def level(self) -> str:
        """The PAdES baseline level this signer produces: ``B-B``, ``B-T``, ``B-LT`` (timestamp and
        DSS) or ``B-B+LTV`` (DSS without timestamp: validatable offline, but not formally B-LT)."""
        return pades_level(timestamped=self._timestamper is not None,
                           long_term=self._long_term is not None)

    @property
    def bytes_reserved(self) -> int:
        """Hex digits reserved for ``/Contents`` per signature."""
        return self._bytes_reserved

    def _estimate_reservation(self) -> int:
        # One dry run at start-up instead of pyHanko's default dry run on every signature.
        async def dry_run() -> int:
            cms = await self._cms_signer.async_sign(
                bytes(hashes.Hash(getattr(hashes, self._md_algorithm.upper())()).finalize()),
                self._md_algorithm,
                dry_run=True,
                use_pades=True,
                signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
            )
            return len(cms.dump())

        hex_len = 2 * asyncio.run(dry_run()) + _MARGIN_HEX
        if self._timestamper is not None:
            hex_len += _TSA_ALLOWANCE_HEX
        return -(-hex_len // 256) * 256

    def sign(self, pdf: bytes, *, reason: str, location: str, field_name: str | None) -> bytes:
        return asyncio.run(self.async_sign(pdf, reason=reason, location=location, field_name=field_name))

    async def async_sign(self, pdf: bytes, *, reason: str, location: str, field_name: str | None) -> bytes:
        if self._not_after is not None and self._clock() > self._not_after:
            raise SigningError(f"签名证书已于 {self._not_after:%Y-%m-%d} 过期，请更换证书")
        try:
            return await self._sign_once(pdf, reason, location, field_name, self._bytes_reserved)
        except PyhankoSigningError as exc:
            if "larger than expected" not in str(exc):
                raise SigningError(f"签名失败：{exc}") from exc
        # The CMS outgrew the reservation (typically a TSA answer bigger than usual): redo with
        # ample room rather than fail. The first attempt left no trace: it wrote to its own buffer.
        try:
            return await self._sign_once(pdf, reason, location, field_name,
                                         2 * self._bytes_reserved + _TSA_ALLOWANCE_HEX)
        except PyhankoSigningError as exc:
            raise SigningError(f"签名失败：{exc}") from exc

    async def _sign_once(
        self, pdf: bytes, reason: str, location: str, field_name: str | None, bytes_reserved: int
    ) -> bytes:
        writer = _open_for_update(pdf)
        align_producer(writer)  # a PDF/A input keeps Info and XMP equal (app/stamping/archival.py)
        name = field_name or self._next_field_name(writer)
        moment = self._clock()
        context = None
        if self._long_term is not None:
            context = ValidationContext(
                trust_roots=self._ltv_roots, crls=self._ltv_crls, moment=moment,
                allow_fetching=self._long_term.allow_fetching, revocation_mode="require")
        meta = signers.PdfSignatureMetadata(
            field_name=name,
            reason=reason,
            location=location,
            contact_info=self._contact_info,
            md_algorithm=self._md_algorithm,
            subfilter=SigSeedSubFilter.PADES,
            embed_validation_info=context is not None,
            use_pades_lta=False,
            validation_context=context,
        )
        pdf_signer = _ClockedPdfSigner(meta, signer=self._cms_signer, timestamper=self._timestamper,
                                       moment=moment)
        try:
            output = await pdf_signer.async_sign_pdf(writer, bytes_reserved=bytes_reserved, in_place=True)
        except (PyhankoSigningError, PathBuildingError, PathValidationError) as exc:
            path_problem = exc if not isinstance(exc, PyhankoSigningError) else exc.__cause__
            if not isinstance(path_problem, PathBuildingError | PathValidationError):
                raise
            raise SigningError(f"签名失败：签名证书（或时间戳服务证书）无法通过证书链与吊销状态校验，"
                               f"无法嵌入长期验证数据：{path_problem}") from exc
        except PdfError as exc:
            raise SigningError(f"签名失败：{exc}") from exc
        except Exception as exc:  # the TSA client (aiohttp) and asn1crypto raise their own types
            if self._timestamper is not None and _is_tsa_failure(exc):
                raise SigningError(f"签名失败：时间戳服务不可用，文件未签名（已配置时间戳服务时不降级为"
                                   f"无时间戳的签名）。{type(exc).__name__}: {exc}") from exc
            raise SigningError(f"签名失败：{type(exc).__name__}: {exc}") from exc
        return output.getvalue()

    def _next_field_name(self, writer: IncrementalPdfFileWriter) -> str:
        taken = _top_level_field_names(writer)
        numbers = [int(m.group(1)) for n in taken if (m := self._field_pattern.match(n))]
        candidate = max(numbers, default=0) + 1
        while f"{self._field_prefix}-{candidate}" in taken:  # pragma: no cover - defensive
            candidate += 1
        return f"{self._field_prefix}-{candidate}"


class PadesSigner:
    """PAdES B-B / B-T signer over a local PKCS#12 credential (loaded once, in ``__init__``)."""

    def __init__(self, options: PadesOptions, *, timestamper: TimeStamper | None = None) -> None:
        """Load the credential and prepare everything that does not depend on the document.

        :param options: the credential and signature settings.
        :param timestamper: a pyHanko timestamper overriding ``options.tsa_url`` (tests, in-process
            or authenticated TSAs).
        :raises SigningError: the file is missing, the passphrase is wrong, it holds no key or no
            certificate, or the certificate has expired.
        """
        self.options = options
        key, cert, chain = _load_pkcs12(options.p12_path, options.passphrase)
        if timestamper is None and options.tsa_url:
            timestamper = HTTPTimeStamper(options.tsa_url, timeout=options.tsa_timeout_s)
        self._core = _build_core(
            _LocalKey(key), cert, chain,
            timestamper=timestamper,
            bytes_reserved=options.signature_bytes_reserved,
            md_algorithm=options.md_algorithm,
            field_prefix=options.field_prefix,
            contact_info=options.contact_info,
            raw_signature_size=_raw_signature_size(key),
            signature_mechanism=None,
            long_term=options.long_term,
            clock=options.clock,
        )
        self.certificate = cert
        """The signing certificate (``cryptography``)."""
        self.chain = tuple(chain)
        """The other certificates of the PKCS#12 (issuers), embedded in every signature."""

    @property
    def signer_name(self) -> str:
        return self._core.signer_name

    @property
    def bytes_reserved(self) -> int:
        """Hex digits reserved for ``/Contents`` in each signature."""
        return self._core.bytes_reserved

    @property
    def timestamped(self) -> bool:
        """True for PAdES B-T (a timestamper is configured)."""
        return self._core._timestamper is not None

    @property
    def level(self) -> str:
        """``B-B``, ``B-T``, ``B-B+LTV`` or ``B-LT`` (see :attr:`_PdfSigningCore.level`)."""
        return self._core.level

    def sign(
        self, pdf: bytes, *, reason: str, location: str = "凌源市", field_name: str | None = None
    ) -> bytes:
        """See :meth:`DocumentSigner.sign`."""
        return self._core.sign(pdf, reason=reason, location=location, field_name=field_name)

    async def async_sign(
        self, pdf: bytes, *, reason: str, location: str = "凌源市", field_name: str | None = None
    ) -> bytes:
        """:meth:`sign` for callers already inside an event loop."""
        return await self._core.async_sign(pdf, reason=reason, location=location, field_name=field_name)


class ExternalPadesSigner:
    """PAdES signer whose key lives in a :class:`RawSignatureService` (HSM, signing server).

    The PDF preparation, CMS and timestamp are identical to :class:`PadesSigner`; only the raw
    signature is requested from ``service`` (once per document).
    """

    def __init__(
        self,
        service: RawSignatureService,
        certificate: x509.Certificate,
        chain: Sequence[x509.Certificate] = (),
        *,
        signature_mechanism: str | None = None,
        raw_signature_size: int = 512,
        md_algorithm: str = "sha256",
        timestamper: TimeStamper | None = None,
        tsa_url: str | None = None,
        bytes_reserved: int | None = None,
        field_prefix: str = DEFAULT_FIELD_PREFIX,
        contact_info: str | None = None,
    ) -> None:
        """
        :param service: produces the raw signatures.
        :param certificate: the certificate of the service's key, embedded in the CMS.
        :param chain: issuing certificates to embed.
        :param signature_mechanism: asn1crypto name or dotted OID of the signature algorithm
            (``"sha256_ecdsa"``, ``"1.2.156.10197.1.501"``); ``None`` derives it from the key.
        :param raw_signature_size: upper bound of one raw signature, in bytes (size estimate only).
        :raises SigningError: the certificate has expired.
        """
        if timestamper is None and tsa_url:
            timestamper = HTTPTimeStamper(tsa_url)
        mechanism = (algos.SignedDigestAlgorithm({"algorithm": signature_mechanism})
                     if signature_mechanism else None)
        self._core = _build_core(
            service, certificate, chain,
            timestamper=timestamper,
            bytes_reserved=bytes_reserved,
            md_algorithm=md_algorithm,
            field_prefix=field_prefix,
            contact_info=contact_info,
            raw_signature_size=raw_signature_size,
            signature_mechanism=mechanism,
        )

    @property
    def signer_name(self) -> str:
        return self._core.signer_name

    def sign(
        self, pdf: bytes, *, reason: str, location: str = "凌源市", field_name: str | None = None
    ) -> bytes:
        """See :meth:`DocumentSigner.sign`."""
        return self._core.sign(pdf, reason=reason, location=location, field_name=field_name)

    async def async_sign(
        self, pdf: bytes, *, reason: str, location: str = "凌源市", field_name: str | None = None
    ) -> bytes:
        """:meth:`sign` for callers already inside an event loop."""
        return await self._core.async_sign(pdf, reason=reason, location=location, field_name=field_name)


class RemoteSm2Service:
    """Sketch of a GB/T 38540 / GM/T 0010 signing-server client (签章服务器). Not implemented.

    A real client would POST ``data`` (``DER(SignedAttributes)``; some servers want its SM3 hash
    with the SM2 ``Z`` value, see GB/T 35276) plus the seal/key identifier to the server, and return
    the DER ``SEQUENCE {r, s}`` SM2 signature. Keep its network timeout below the web request's.
    """

    def __init__(self, url: str, key_id: str) -> None:
        self.url = url
        self.key_id = key_id

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        raise NotImplementedError("SM2 签章服务器接口尚未接入（GB/T 38540）")


class RemoteSm2Signer(ExternalPadesSigner):
    """Sketch: PAdES with SM2/SM3 through a remote signing server (see the module docstring).

    Wired like any :class:`ExternalPadesSigner`, with SM3 as document digest and the SM2 signature
    OID in ``SignerInfo``. Every ``sign`` reaches :meth:`RemoteSm2Service.sign_raw`, which raises
    :class:`NotImplementedError` (wrapped in :class:`SigningError`) until the client exists.
    ``/Contents`` is reserved generously (16 KB of hex) since the server's chain is unknown here.
    """

    def __init__(self, service: RemoteSm2Service, certificate: x509.Certificate,
                 chain: Sequence[x509.Certificate] = (), *, bytes_reserved: int = 16384,
                 timestamper: TimeStamper | None = None) -> None:
        register_sm_algorithm_names()
        super().__init__(service, certificate, chain, signature_mechanism="sm2_sm3",
                         raw_signature_size=72, md_algorithm="sm3", bytes_reserved=bytes_reserved,
                         timestamper=timestamper)


def register_sm_algorithm_names() -> None:
    """Name the SM3 and SM2-with-SM3 OIDs for asn1crypto (``"sm3"``, ``"sm2_sm3"``); idempotent.

    pyHanko refers to algorithms by asn1crypto name and hashes with ``getattr(hashes, NAME.upper())``
    (``cryptography`` has ``hashes.SM3``), so these names are all SM3 needs on the signing side.
    This mutates asn1crypto's process-wide OID tables; it is called only by :class:`RemoteSm2Signer`.
    """
    for cls, oid, name in ((algos.DigestAlgorithmId, SM3_OID, "sm3"),
                           (algos.SignedDigestAlgorithmId, SM2_WITH_SM3_OID, "sm2_sm3")):
        cls._map.setdefault(oid, name)
        if cls._reverse_map is not None:
            cls._reverse_map.setdefault(name, oid)


def _build_core(
    service: RawSignatureService,
    certificate: x509.Certificate,
    chain: Sequence[x509.Certificate],
    *,
    timestamper: TimeStamper | None,
    bytes_reserved: int | None,
    md_algorithm: str,
    field_prefix: str,
    contact_info: str | None,
    raw_signature_size: int,
    signature_mechanism: algos.SignedDigestAlgorithm | None,
    long_term: LongTermValidation | None = None,
    clock: Callable[[], datetime] | None = None,
) -> _PdfSigningCore:
    asn1_cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    asn1_chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
    not_after = certificate.not_valid_after_utc
    if (clock or (lambda: datetime.now(UTC)))() > not_after:
        raise SigningError(f"签名证书已于 {not_after:%Y-%m-%d} 过期，请更换证书")
    cms_signer = _ServiceSigner(service, asn1_cert, asn1_chain, signature_mechanism, raw_signature_size)
    try:
        return _PdfSigningCore(
            cms_signer,
            signer_name=_subject_name(certificate),
            not_after=not_after,
            timestamper=timestamper,
            bytes_reserved=bytes_reserved,
            md_algorithm=md_algorithm,
            field_prefix=field_prefix,
            contact_info=contact_info,
            long_term=long_term,
            clock=clock,
        )
    except (PyhankoSigningError, ValueError, AttributeError) as exc:
        raise SigningError(f"签名器初始化失败：{exc}") from exc


class _ClockedPdfSigner(signers.PdfSigner):
    """pyHanko's PDF signer with the signing time (``/M``, CMS signing time) from our clock.

    pyHanko reads the wall clock in :class:`PdfSigningSession`; the session keeps it in
    ``system_time``, which is the one value we set."""

    def __init__(self, *args, moment: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._moment = moment

    def init_signing_session(self, *args, **kwargs) -> PdfSigningSession:
        session = super().init_signing_session(*args, **kwargs)
        session.system_time = self._moment
        return session


class _OfflineRevinfoFilter(logging.Filter):
    """Drops pyHanko's per-signature warning that revocation data is embedded without fetching:
    with the demo CA's CRL handed in, not fetching is the intent, not an accident."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


def _quiet_offline_revinfo_warning() -> None:
    pyhanko_log = logging.getLogger("pyhanko.sign.signers.pdf_signer")
    if not any(isinstance(f, _OfflineRevinfoFilter) for f in pyhanko_log.filters):
        pyhanko_log.addFilter(_OfflineRevinfoFilter())


def _is_tsa_failure(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimestampRequestError | OSError | asyncio.TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "aiohttp" in type(exc).__module__


def _asn1_certificate(data: bytes) -> asn1_x509.Certificate:
    try:
        return asn1_x509.Certificate.load(pem.unarmor(data)[2] if pem.detect(data) else data)
    except ValueError as exc:
        raise SigningError(f"长期验证信任根证书无法解析：{exc}") from exc


def _asn1_crl(data: bytes) -> asn1_crl.CertificateList:
    try:
        return asn1_crl.CertificateList.load(pem.unarmor(data)[2] if pem.detect(data) else data)
    except ValueError as exc:
        raise SigningError(f"证书吊销列表（CRL）无法解析：{exc}") from exc


def _load_pkcs12(
    path: Path, passphrase: bytes | None
) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"无法读取签名证书文件 {path}：{exc.strerror or exc}") from exc
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, passphrase)
    except (ValueError, TypeError) as exc:
        raise SigningError("无法打开签名证书文件：口令错误或文件已损坏") from exc
    if key is None or cert is None:
        raise SigningError("签名证书文件中缺少私钥或证书")
    return key, cert, list(others)


def _raw_signature_size(key: object) -> int:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.key_size // 8
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return 2 * ((key.curve.key_size + 7) // 8) + 9  # DER SEQUENCE {r, s}, worst case
    return 128


def _subject_name(cert: x509.Certificate) -> str:
    for oid in (x509.NameOID.COMMON_NAME, x509.NameOID.ORGANIZATION_NAME):
        attrs = cert.subject.get_attributes_for_oid(oid)
        if attrs:
            return str(attrs[0].value)
    return cert.subject.rfc4514_string()


def _open_for_update(pdf: bytes) -> IncrementalPdfFileWriter:
    if b"%PDF-" not in pdf[:1024]:
        raise InvalidPdf("文件不是 PDF 格式")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        encrypted = writer.prev.encrypt_dict is not None
    except Exception as exc:  # untrusted input: the parser may raise anything
        raise InvalidPdf(f"PDF 文件无法解析：{exc}") from exc
    if encrypted:
        raise EncryptedPdf("PDF 文件已加密，无法签名")
    try:
        writer.root  # noqa: B018 - parse the catalogue now, inside the try
    except Exception as exc:
        raise InvalidPdf(f"PDF 文件无法解析：{exc}") from exc
    return writer


def _top_level_field_names(writer: IncrementalPdfFileWriter) -> set[str]:
    try:
        fields = writer.root["/AcroForm"]["/Fields"]
    except KeyError:
        return set()
    names: set[str] = set()
    for ref in fields:
        try:
            names.add(str(ref.get_object()["/T"]))
        except (KeyError, AttributeError):
            continue
    return names
