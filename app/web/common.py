"""Helpers shared by the web blueprints: services wired to the app's configuration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, g, request, session
from werkzeug.datastructures import FileStorage

from app.archive.blobs import BlobStore, blob_store_from_config
from app.archive.intake import IntakeLimits
from app.archive.pii import PiiCipher
from app.db import get_session
from app.domain.masking import mask_person_name, public_subject_name
from app.domain.subjects import SubjectKind
from app.domain.urls import verify_url
from app.models import Agency, AgencyReport, CreditCheck, IssuedDocument, ReceivingUnit
from app.services.blanks import BlankCache

STATUS_LABELS = {"valid": "有效", "revoked": "已撤销"}


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


def public_view(record: IssuedDocument | CreditCheck | AgencyReport) -> dict[str, object]:
    """What anyone may see of an issued document: no ID numbers, masked personal names."""
    from app.domain.commitments import Scenario

    if isinstance(record, AgencyReport):
        from app.domain.report_kinds import REPORT_KINDS, ReportKind
        from app.services.agencies import REPORT_STATUS

        agency = get_session().get(Agency, record.agency_id)
        confidential = record.kind == ReportKind.DECISION  # 四(二): for the commissioning department only
        expired = bool(record.valid_until and record.valid_until < today())
        return {
            "number": record.number, "document_type": REPORT_KINDS[record.kind],
            "subject_kind": "organisation", "subject_kind_label": "企业",
            "subject_name": "（仅限委托部门查阅）" if confidential else record.subject_name,
            "subject_code": "" if confidential else record.subject_code,
            "issuer": agency.name if agency else "", "grade": None if confidential else record.grade,
            "issued_on": record.issue_date.isoformat(),
            "valid_until": record.valid_until.isoformat() if record.valid_until else None,
            "status": "expired" if expired and record.status == "approved" else record.status,
            "status_label": "已过期" if expired and record.status == "approved"
            else REPORT_STATUS[record.status],
            "sha256": record.sha256, "template_version": "v1",
            "verify_url": verify_url(base_url(), record.number),
        }
    if isinstance(record, CreditCheck):
        from app.domain.credit_check import Category, Purpose

        person = record.subject_kind == "natural_person"
        unit = get_session().get(ReceivingUnit, record.unit_id)
        return {
            "number": record.number, "document_type": "信用核查结果告知书",
            "subject_kind": record.subject_kind,
            "subject_kind_label": "自然人" if person else "法人及非法人组织",
            "subject_name": mask_person_name(record.subject_name) if person else record.subject_name,
            "subject_code": record.subject_code_public,
            "purpose": record.purpose, "purpose_label": Purpose(record.purpose).label,
            "category": record.category, "category_label": Category(record.category).label,
            "issuer": unit.name if unit else "", "as_of": record.as_of.isoformat(),
            "issued_on": record.issued_on.isoformat(), "status": "valid",
            "status_label": "有效", "sha256": record.sha256,
            "template_version": record.snapshot.get("template_version", "v1"),
            "verify_url": verify_url(base_url(), record.number),
        }
    kind = SubjectKind(record.subject_kind)
    return {
        "number": record.number,
        "document_type": "信用承诺书",
        "subject_kind": kind.value,
        "subject_kind_label": kind.label,
        "subject_name": public_subject_name(kind, record.subject_name),
        "subject_code": record.subject_code_public,
        "scenario": record.scenario,
        "scenario_label": Scenario(record.scenario).label,
        "receiving_unit": record.receiving_unit,
        "issued_on": record.issued_on.isoformat(),
        "status": record.status,
        "status_label": STATUS_LABELS.get(record.status, record.status),
        "sha256": record.sha256,
        "template_version": record.template_version,
        "verify_url": verify_url(base_url(), record.number),
    }


def read_upload(upload: FileStorage, limit: int | None = None) -> bytes:
    """The uploaded file's bytes (at most ``limit`` + 1, so callers can tell it was too big);
    the spooled temporary file is closed at once."""
    try:
        return upload.read(-1 if limit is None else limit + 1)
    finally:
        upload.close()
