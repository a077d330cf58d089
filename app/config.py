"""Configuration: embedded defaults, ``LYXY_*`` environment variables, test overrides."""

from __future__ import annotations

import os
import secrets
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
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "ISSUING_AUTHORITY": "凌源市发展和改革局",
        "SITE_NAME": "信用中国（辽宁凌源）",
    }


def _secret_key(instance: Path) -> str:
    """The secret from the environment, else one generated once into ``instance/secret_key``."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
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
        app.config["SECRET_KEY"] = _secret_key(instance)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
