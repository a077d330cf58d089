"""Helpers shared by the web blueprints: services wired to the app's configuration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, g, request, session
from werkzeug.datastructures import FileStorage

from app.archive.blobs import BlobStore, blob_store_from_config
from app.archive.intake import IntakeLimits
from app.archive.pii import PiiCipher
from app.db import get_session
from app.domain.publicity import public_check, public_letter, public_report
from app.models import Agency, AgencyReport, CreditCheck, IssuedDocument, ReceivingUnit
from app.services.blanks import BlankCache


def archive() -> BlobStore:
    """The app's blob store (local folder by default, S3 when configured)."""
    store = current_app.extensions.get("lyxy_archive")
    if store is None:
        store = current_app.extensions["lyxy_archive"] = blob_store_from_config(current_app.config)
    return store


def pii_cipher() -> PiiCipher:
    cipher = current_app.extensions.get("lyxy_pii")
    if cipher is None:
        cipher = current_app.extensions["lyxy_pii"] = PiiCipher.from_config_value(
            current_app.config["PII_KEY"])
    return cipher


def intake_limits() -> IntakeLimits:
    return IntakeLimits(max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
                        max_pages=current_app.config["UPLOAD_MAX_PAGES"])


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


def audit(action: str, object_type: str = "", object_id: object = "", **details: object) -> None:
    """Append to the audit log within the current transaction (the caller commits)."""
    from app.services.audit import audit_key, record

    record(get_session(), audit_key(current_app.config["SECRET_KEY"]), actor=actor(),
           action=action, object_type=object_type, object_id=object_id, details=dict(details))


def blank_cache() -> BlankCache:
    cache = current_app.extensions.get("lyxy_blanks")
    if cache is None:
        cache = current_app.extensions["lyxy_blanks"] = BlankCache(
            f"{current_app.instance_path}/cache")
    return cache


def secret() -> bytes:
    return current_app.config["SECRET_KEY"].encode()


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


def today() -> date:
    override = current_app.config.get("TODAY")
    return date.fromisoformat(override) if override else date.today()


def now() -> datetime:
    """The current instant (UTC); ``NOW`` in the config (ISO 8601) fixes it, as TODAY fixes
    the date, so session ages and failure windows are testable without the wall clock."""
    override = current_app.config.get("NOW")
    if not override:
        return datetime.now(UTC)
    stamp = datetime.fromisoformat(override) if isinstance(override, str) else override
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def public_view(record: IssuedDocument | CreditCheck | AgencyReport, *,
                code_ok: bool = False) -> dict[str, object]:
    """What anyone may see of an issued document (``app.domain.publicity``), with its issuer;
    ``code_ok``: the reader presented the document's verification code."""
    if isinstance(record, AgencyReport):
        agency = get_session().get(Agency, record.agency_id)
        return public_report(record, issuer=agency.name if agency else "", base_url=base_url(),
                             today=today())
    if isinstance(record, CreditCheck):
        unit = get_session().get(ReceivingUnit, record.unit_id)
        return public_check(record, issuer=unit.name if unit else "", base_url=base_url(),
                            code_ok=code_ok)
    return public_letter(record, base_url=base_url())


def read_upload(upload: FileStorage, limit: int | None = None) -> bytes:
    """The uploaded file's bytes (at most ``limit`` + 1, so callers can tell it was too big);
    the spooled temporary file is closed at once."""
    try:
        return upload.read(-1 if limit is None else limit + 1)
    finally:
        upload.close()
