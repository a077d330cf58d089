"""The app's wiring: one typed context (blob store, PII cipher, blank cache, clock, signer, PKI,
audit key and checkpoints, intake limits) built from the configuration in ``init_app``.

Views reach it through ``app.web.common.services()``, CLI commands through ``services(app)``;
services below ``app/web`` never see it whole: they are handed the pieces they need.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import Flask

from app.archive.blobs import BlobStore, blob_store_from_config
from app.archive.checkpoints import CheckpointStore, checkpoint_key
from app.archive.intake import IntakeLimits
from app.archive.pii import PiiCipher
from app.domain.dates import to_beijing
from app.services.audit import AuditTrail, anchor_commits, audit_key
from app.services.blanks import BlankCache
from app.stamping.signing import DocumentSigner, LongTermValidation, PadesOptions, PadesSigner
from app.stamping.types import SigningError

log = logging.getLogger(__name__)

EXTENSION = "lyxy"
"""The key of the context in ``app.extensions``."""


@dataclass(frozen=True, eq=False)
class Services:
    """What the views and commands hand to the services, built once per app.

    The settings are read from the live configuration, so a test that changes ``TODAY`` or
    ``NOW`` after ``create_app`` moves the clock; the heavy pieces (blob store, cipher, signer)
    are built on first use and kept.
    """

    config: Mapping[str, Any]
    """The app's configuration (``app.config``)."""
    instance_path: Path
    """The instance folder: caches, the demo PKI, audit checkpoints by default."""
    checkpoints: CheckpointStore
    """Signed heads of the audit log kept outside the database (``AUDIT_CHECKPOINT_DIR``)."""
    _signer_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def archive(self) -> BlobStore:
        """The blob store (local folder by default, S3 when configured)."""
        return blob_store_from_config(self.config)

    @cached_property
    def pii_cipher(self) -> PiiCipher:
        """Encrypts resident ID numbers and other personal data at rest (``PII_KEY``)."""
        return PiiCipher.from_config_value(self.config["PII_KEY"])

    @cached_property
    def blank_cache(self) -> BlankCache:
        """Blank 信用承诺书 forms, rendered once per template version."""
        return BlankCache(self.instance_path / "cache")

    @property
    def signer(self) -> DocumentSigner:
        """The platform signer (the key is loaded once per app, not per signature)."""
        if "signer" not in self.__dict__:
            with self._signer_lock:
                if "signer" not in self.__dict__:
                    self.__dict__["signer"] = PadesSigner(self._pades_options())
        return self.__dict__["signer"]

    @property
    def pki_dir(self) -> Path:
        """The demo CA's folder (``PKI_DIR``, default ``instance/pki``)."""
        return Path(self.config.get("PKI_DIR") or self.instance_path / "pki")

    def _pades_options(self) -> PadesOptions:
        from app.stamping.pki import ensure_demo_pki, read_demo_crls, read_demo_passphrase

        cfg = self.config
        tsa_url = cfg.get("SIGNING_TSA_URL") or None
        crls = _read_all(cfg.get("SIGNING_CRLS"), "证书吊销列表（LYXY_SIGNING_CRLS）")
        if cfg.get("SIGNING_P12"):
            passphrase = cfg.get("SIGNING_PASSPHRASE")
            p12, secret = Path(cfg["SIGNING_P12"]), passphrase.encode() if passphrase else None
        else:
            p12 = ensure_demo_pki(self.pki_dir)
            secret = read_demo_passphrase(self.pki_dir)
            crls += read_demo_crls(self.pki_dir)
        return PadesOptions(p12_path=p12, passphrase=secret, tsa_url=tsa_url,
                            long_term=self._long_term(crls), clock=self.now)

    def _long_term(self, crls: list[bytes]) -> LongTermValidation | None:
        """B-LT settings: on unless ``SIGNING_LTV`` is false, and only with revocation data to embed
        (CRLs of the demo CA or ``SIGNING_CRLS``, or ``SIGNING_REVOCATION_FETCH`` for a real CA)."""
        cfg = self.config
        if str(cfg.get("SIGNING_LTV", "1")).lower() in ("0", "false", "no", "off"):
            return None
        fetch = str(cfg.get("SIGNING_REVOCATION_FETCH", "0")).lower() in ("1", "true", "yes", "on")
        if not crls and not fetch:
            log.warning("签名不含长期验证数据：没有可嵌入的证书吊销列表（旧的演示证书目录，或未配置 "
                        "LYXY_SIGNING_CRLS / LYXY_SIGNING_REVOCATION_FETCH）")
            return None
        roots = self.trust_roots() + _read_all(cfg.get("SIGNING_TSA_TRUST_ROOTS"),
                                               "时间戳服务根证书（LYXY_SIGNING_TSA_TRUST_ROOTS）")
        return LongTermValidation(trust_roots=tuple(roots), crls=tuple(crls), allow_fetching=fetch)

    def trust_roots(self) -> list[bytes]:
        """Certificates whose signatures count as ours: configured roots, else the demo CA."""
        from app.stamping.pki import ensure_demo_pki, read_demo_root

        configured = _paths(self.config.get("SIGNING_TRUST_ROOTS"))
        if configured:
            return [Path(p).read_bytes() for p in configured]
        ensure_demo_pki(self.pki_dir)
        return [read_demo_root(self.pki_dir)]

    def sample_trust_roots(self) -> list[bytes]:
        """The samples' demo CA where ``flask load-samples`` installed it (for the verify page only,
        labelled as such); empty on an instance that never loaded the samples."""
        from app.services.samples import trusted_sample_roots

        return trusted_sample_roots(self.instance_path)

    def sample_files(self) -> dict[str, str]:
        """``{sha256: name}`` of the signed samples where ``flask load-samples`` recorded them
        (verify page: match ``sample``); empty on an instance that never loaded the samples."""
        from app.services.samples import trusted_sample_files

        return trusted_sample_files(self.instance_path)

    @property
    def base_url(self) -> str:
        """The public address documents point to (``PUBLIC_BASE_URL``)."""
        return self.config["PUBLIC_BASE_URL"]

    @property
    def secret(self) -> bytes:
        """The app secret, as bytes for HMACs (verification codes, API key hashes)."""
        return self.config["SECRET_KEY"].encode()

    @property
    def audit_key(self) -> bytes:
        """The key of the audit log's HMAC chain."""
        return audit_key(self.config["SECRET_KEY"])

    def trail(self, actor: str) -> AuditTrail:
        """The audit trail of ``actor`` (``user:…``, ``apikey:…``, ``public:…``, ``cli``)."""
        return AuditTrail(self.audit_key, actor)

    @property
    def intake_limits(self) -> IntakeLimits:
        """The upload policy: size (``MAX_CONTENT_LENGTH``) and pages (``UPLOAD_MAX_PAGES``)."""
        return IntakeLimits(max_bytes=self.config["MAX_CONTENT_LENGTH"],
                            max_pages=self.config["UPLOAD_MAX_PAGES"])

    def today(self) -> date:
        """Today's date in Beijing (the date an office in 凌源 prints; a UTC server's own date is
        a day behind from 00:00 to 08:00 Beijing time), from :meth:`now`; ``TODAY`` in the config
        (ISO 8601) fixes it for tests."""
        override = self.config.get("TODAY")
        return date.fromisoformat(override) if override else to_beijing(self.now()).date()

    def now(self) -> datetime:
        """The current instant (UTC); ``NOW`` in the config (ISO 8601) fixes it, as TODAY fixes
        the date, so session ages and failure windows are testable without the wall clock."""
        override = self.config.get("NOW")
        if not override:
            return datetime.now(UTC)
        stamp = datetime.fromisoformat(override) if isinstance(override, str) else override
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def services(app: Flask) -> Services:
    """The app's context (for CLI commands; views use ``app.web.common.services()``)."""
    return app.extensions[EXTENSION]


def init_fonts(app: Flask) -> None:
    """Put the office's own faces (``OFFICE_FONTS``, ``OFFICE_FONTS_DIR``) first in their roles'
    font stacks, for this process; without the setting, the bundled faces only.

    :raises OfficeFontError: the setting names an unknown role or is malformed (files are
        checked when the stack is first built, and by ``flask check-fonts``).
    """
    from app.documents.fonts import configure_office_fonts, office_fonts_from_config

    configure_office_fonts(office_fonts_from_config(app.config.get("OFFICE_FONTS"),
                                                    app.config.get("OFFICE_FONTS_DIR")))


def init_app(app: Flask) -> None:
    """Build the context, and write an audit checkpoint after every commit that appended entries."""
    root = app.config.get("AUDIT_CHECKPOINT_DIR") or Path(app.instance_path) / "audit-checkpoints"
    store = CheckpointStore(root, checkpoint_key(audit_key(app.config["SECRET_KEY"])))
    app.extensions[EXTENSION] = Services(config=app.config, instance_path=Path(app.instance_path),
                                         checkpoints=store)
    anchor_commits(app.extensions["lyxy_sessionmaker"], store)


def _paths(setting: object) -> list[str]:
    """File paths of a comma-separated setting (or a list); ``[]`` when unset."""
    if not setting:
        return []
    items = setting if isinstance(setting, list | tuple) else str(setting).split(",")
    return [str(p).strip() for p in items if str(p).strip()]


def _read_all(setting: object, what: str) -> list[bytes]:
    """The files of a comma-separated path setting; a missing one is a :class:`SigningError`."""
    try:
        return [Path(p).read_bytes() for p in _paths(setting)]
    except OSError as exc:
        raise SigningError(f"无法读取{what}：{exc.strerror or exc}（{exc.filename}）") from exc
