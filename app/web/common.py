"""Helpers shared by the web blueprints: services wired to the app's configuration."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask import current_app, g, request, session
from werkzeug.datastructures import FileStorage

from app.archive.blobs import BlobStore
from app.archive.intake import IntakeLimits
from app.archive.pii import PiiCipher
from app.db import get_session
from app.domain.publicity import public_breaches, public_check, public_letter, public_report
from app.extensions import EXTENSION, Services
from app.models import Agency, AgencyReport, CreditCheck, IssuedDocument
from app.services.audit import AuditTrail
from app.services.blanks import BlankCache
from app.stamping.signing import DocumentSigner

if TYPE_CHECKING:
    from app.services.filings import SignatureTrust


def services() -> Services:
    """The app's wiring (``app.extensions``): what views hand to the services."""
    return current_app.extensions[EXTENSION]


def archive() -> BlobStore:
    """The app's blob store (local folder by default, S3 when configured)."""
    return services().archive


def pii_cipher() -> PiiCipher:
    return services().pii_cipher


def intake_limits() -> IntakeLimits:
    return services().intake_limits


def actor() -> str:
    """Who is acting, for the audit log: the signed-in user, the API key, or the public."""
    key = g.get("api_key")
    if key is not None:
        return f"apikey:{key.prefix}"
    if session.get("uid"):
        from app.web.auth import current_user  # a cookie from before logout names no one

        user = current_user()
        if user is not None:
            return f"user:{user.username}"
    return f"public:{request.remote_addr}" if request else "system"


def trail() -> AuditTrail:
    """The acting user's audit trail, handed to every service that changes state."""
    return services().trail(actor())


def audit(action: str, object_type: str = "", object_id: object = "", **details: object) -> None:
    """Log a read (a download, a revealed ID number) within the current transaction (the
    caller commits); a service that changes state records its own entry from ``trail()``."""
    trail().record(get_session(), action, object_type, object_id, **details)


def signature_trust() -> SignatureTrust:
    """Whose signatures on an uploaded letter count as the applicant's (not the platform's)."""
    from app.services.filings import SignatureTrust  # late: app.services.filings is heavy

    return SignatureTrust(trust_roots=services().trust_roots(),
                          platform_signers=(signer().signer_name,))


def blank_cache() -> BlankCache:
    return services().blank_cache


def signer() -> DocumentSigner:
    return services().signer


def secret() -> bytes:
    return services().secret


def base_url() -> str:
    return services().base_url


def today() -> date:
    return services().today()


def now() -> datetime:
    """The current instant (UTC); ``NOW`` in the config fixes it (``Services.now``)."""
    return services().now()


def public_view(record: IssuedDocument | CreditCheck | AgencyReport, *,
                code_ok: bool = False) -> dict[str, object]:
    """What anyone may see of an issued document (``app.domain.publicity``), with its issuer;
    ``code_ok``: the reader presented the document's verification code (a certificate: or may
    read it otherwise, ``app.services.credit.certificate_ground``)."""
    if isinstance(record, AgencyReport):
        agency = get_session().get(Agency, record.agency_id)
        return public_report(record, issuer=agency.name if agency else "", base_url=base_url(),
                             today=today())
    if isinstance(record, CreditCheck):
        from app.services.credit import certificate_units

        issuer, addressee = certificate_units(get_session(), record)
        return public_check(record, issuer=issuer, addressee=addressee, base_url=base_url(),
                            code_ok=code_ok)
    from app.services.credit import breaches_of_commitment
    from app.services.filings import letter_publication

    return public_letter(record, base_url=base_url(),
                         publication=letter_publication(get_session(), record.number),
                         breaches=public_breaches(breaches_of_commitment(get_session(), record),
                                                  today=today()))


def read_upload(upload: FileStorage, limit: int | None = None) -> bytes:
    """The uploaded file's bytes (at most ``limit`` + 1, so callers can tell it was too big);
    the spooled temporary file is closed at once."""
    try:
        return upload.read(-1 if limit is None else limit + 1)
    finally:
        upload.close()
