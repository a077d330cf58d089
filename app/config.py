"""Configuration: embedded defaults, ``LYXY_*`` environment variables, test overrides."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]
"""Names of this machine: a site whose base URL is one of them is answered under any of them."""
DEFAULT_PORT = 8000
"""The port ``make run`` serves on unless ``PORT`` says otherwise (Makefile ``PORT ?= 8000``)."""


def local_base_url(port: int | str) -> str:
    """The public address of an instance served on this machine: ``http://127.0.0.1:<port>``."""
    return f"http://127.0.0.1:{port}"


def _defaults(instance: Path) -> dict[str, Any]:
    return {
        # SQLite under instance/ unless LYXY_DATABASE_URL names another database.
        "DATABASE_URL": f"sqlite:///{instance / 'lyxy.sqlite3'}",
        "ARCHIVE_DIR": str(instance / "archive"),
        # Where the QR code on issued letters points to; the public site's address.
        "PUBLIC_BASE_URL": local_base_url(os.environ.get("PORT", DEFAULT_PORT)),
        # Anonymous letter creation limit per client (flask-limiter syntax).
        "COMMITMENT_RATE_LIMIT": "30 per hour;300 per day",
        # Looking documents up by number (verify page, /api/v1/documents) per client.
        "LOOKUP_RATE_LIMIT": "60 per minute;1000 per day",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Failed logins and API keys (flask-limiter syntax), counted in a store every worker
        # shares: AUTH_FAILURE_STORAGE_URI, else RATELIMIT_STORAGE_URI unless it is memory://,
        # else the app database ("database").
        "AUTH_FAILURE_LIMIT_PER_ADDRESS": "10 per minute",
        "AUTH_FAILURE_LIMIT_PER_ACCOUNT": "5 per minute",
        "AUTH_FAILURE_STORAGE_URI": None,
        # Reverse proxies in front of the app that append X-Forwarded-For (0: none, the client
        # address is the socket's; 1: nginx on loopback). Never more than really exist, or
        # clients can forge their address and escape the rate limits.
        "PROXY_HOPS": 0,
        # Host names answered besides PUBLIC_BASE_URL's (list, or comma-separated string).
        "TRUSTED_HOSTS": [],
        # Signed-in sessions end 8 hours after login (and at logout); Flask's default is 31 days.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Uploads: the body limit is enforced before the body is read (413).
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # JSON API bodies (letters, checks, scaffolds): refused with 413 before reading past it.
        "API_JSON_MAX_BYTES": 64 * 1024,
        "UPLOAD_MAX_PAGES": 500,
        # The office's own licensed faces, first in their roles' font stacks (bundled faces stay
        # as fallbacks): role -> file, as a JSON object or "fangsong=仿宋_GB2312.ttf,title=…";
        # relative names are taken in OFFICE_FONTS_DIR. Rendered PDFs then depend on them.
        "OFFICE_FONTS": None,
        "OFFICE_FONTS_DIR": None,
        "ISSUING_AUTHORITY": "凌源市发展和改革局",
        "SITE_NAME": "信用中国（辽宁凌源）",
    }


def _generated_once(path: Path, make: Callable[[], str]) -> str:
    """A secret read from ``path``, created there (mode 0600) on first use."""
    if path.exists():
        return path.read_text().strip()
    key = make()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        os.link(tmp, path)  # atomic, and fails if another worker got there first
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(tmp)
    return key


SHARED_KEYS = {
    "SECRET_KEY": "LYXY_SECRET_KEY（会话与 CSRF 签名密钥）",
    "PII_KEY": "LYXY_PII_KEY（身份证号等个人信息的加密密钥，32 字节 base64）",
    "PUBLIC_BASE_URL": "LYXY_PUBLIC_BASE_URL（公开网站地址，印在每份文书的二维码中）",
}
"""What every instance of a shared deployment must be given, not generate: a key generated per
instance breaks the others (sessions and API keys, ID numbers, the audit chain)."""
SIGNING_CREDENTIAL = ("LYXY_SIGNING_P12（平台签名证书 PKCS#12）或 LYXY_PKI_DIR（各实例共用的"
                      "演示证书目录）")


class SharedDeploymentError(RuntimeError):
    """A shared deployment (PostgreSQL or S3) started without the keys every instance must share."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            "共享部署（PostgreSQL 或 S3）的每个实例必须使用相同的密钥，不能各自生成。缺少配置："
            + "；".join(missing)
            + "。见 README《运维》一节 / a shared deployment needs these settings from the "
            "environment: " + ", ".join(m.split("（")[0] for m in missing))


def is_shared_deployment(config: Mapping[str, Any]) -> bool:
    """More than one instance may serve the same data: a database other than SQLite, or S3."""
    url = str(config.get("DATABASE_URL") or "")
    backend = str(config.get("ARCHIVE_BACKEND") or "local").strip().lower()
    return not url.startswith("sqlite") or backend == "s3"


def _require_shared_keys(config: Mapping[str, Any], given: set[str]) -> None:
    """Refuse to start a shared deployment whose keys would be generated per instance."""
    if not is_shared_deployment(config):
        return
    missing = [label for key, label in SHARED_KEYS.items()
               if key not in given or not config.get(key)]
    if not (config.get("SIGNING_P12") or "PKI_DIR" in given and config.get("PKI_DIR")):
        missing.append(SIGNING_CREDENTIAL)
    if missing:
        raise SharedDeploymentError(missing)


def startup_warnings(config: Mapping[str, Any]) -> list[str]:
    """What an operator should hear when an instance starts (gunicorn's master logs them)."""
    warnings = []
    host = urlsplit(str(config["PUBLIC_BASE_URL"])).hostname
    if host in LOOPBACK_HOSTS or host == "::1":
        warnings.append(
            f"PUBLIC_BASE_URL 为本机地址（{config['PUBLIC_BASE_URL']}）：它被永久印入每份文书的二维码，"
            "其他设备扫码无法核验。对外服务前请设置 LYXY_PUBLIC_BASE_URL 为公开网址。")
    return warnings


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, environment (prefix ``LYXY_``), then ``test_config``.

    A shared deployment (:func:`is_shared_deployment`) refuses to start unless the keys of
    ``SHARED_KEYS`` and a signing credential come from the environment or ``test_config``.
    """
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(_defaults(instance))
    app.config.from_prefixed_env(prefix="LYXY")
    if test_config:
        app.config.from_mapping(test_config)
    given = {k.removeprefix("LYXY_") for k in os.environ if k.startswith("LYXY_")}
    _require_shared_keys(app.config, given | set(test_config or {}))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _generated_once(instance / "secret_key",
                                                   lambda: secrets.token_hex(32))
    if not app.config.get("PII_KEY"):  # AES-256 key for ID numbers at rest (base64)
        app.config["PII_KEY"] = _generated_once(
            instance / "pii_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    _trust_and_cookies(app.config)


def _trust_and_cookies(config: dict[str, Any]) -> None:
    """Settings that follow from PUBLIC_BASE_URL: the trusted Host names, and cookies that are
    ``Secure`` with the ``__Host-`` prefix when the site is served over https."""
    base = urlsplit(config["PUBLIC_BASE_URL"])
    if base.scheme not in ("http", "https") or not base.hostname:
        raise ValueError(f"PUBLIC_BASE_URL must be an http(s) address: {config['PUBLIC_BASE_URL']!r}")
    extra = config.get("TRUSTED_HOSTS") or []
    if isinstance(extra, str):
        extra = [h for h in (part.strip() for part in extra.split(",")) if h]
    # Flask answers every Host when the list is empty: the base URL's host is always in it.
    hosts = [base.hostname, *extra]
    if base.hostname in LOOPBACK_HOSTS:  # the embedded default: any loopback name reaches it
        hosts += LOOPBACK_HOSTS
    config["TRUSTED_HOSTS"] = list(dict.fromkeys(hosts))
    config["PROXY_HOPS"] = int(config.get("PROXY_HOPS") or 0)
    # Flask defines these keys, so they are assigned here, not setdefault (which never took
    # effect). A session cookie must never travel over plain http when the site is https.
    config["SESSION_COOKIE_HTTPONLY"] = True
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if base.scheme == "https":
        # RFC 6265bis 4.1.3.2: __Host- cookies are Secure, Path=/ and carry no Domain.
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-session"
        config["SESSION_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_DOMAIN"] = None
