"""Configuration: embedded defaults, ``LYXY_*`` environment variables, test overrides."""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask


def _defaults(instance: Path) -> dict[str, Any]:
    return {
        # SQLite under instance/ unless LYXY_DATABASE_URL names another database.
        "DATABASE_URL": f"sqlite:///{instance / 'lyxy.sqlite3'}",
        "ARCHIVE_DIR": str(instance / "archive"),
        # Where the QR code on issued letters points to; the public site's address.
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
        # Anonymous letter creation limit per client (flask-limiter syntax).
        "COMMITMENT_RATE_LIMIT": "30 per hour;300 per day",
        "RATELIMIT_STORAGE_URI": "memory://",
        # Uploads: the body limit is enforced before the body is read (413).
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        # JSON API bodies (letters, checks, scaffolds): refused with 413 before reading past it.
        "API_JSON_MAX_BYTES": 64 * 1024,
        "UPLOAD_MAX_PAGES": 500,
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


def load(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, environment (prefix ``LYXY_``), then ``test_config``."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(_defaults(instance))
    app.config.from_prefixed_env(prefix="LYXY")
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _generated_once(instance / "secret_key",
                                                   lambda: secrets.token_hex(32))
    if not app.config.get("PII_KEY"):  # AES-256 key for ID numbers at rest (base64)
        app.config["PII_KEY"] = _generated_once(
            instance / "pii_key", lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
