"""``/readyz``: is every backend this instance is configured with reachable right now?

``/healthz`` says the process is alive (database and fonts); ``/readyz`` is what a load balancer
asks before sending letters here: the database, the archive (local folder or S3), the shared
rate-limit store (Redis when configured) and the signing credential. Each probe is read-only,
bounded in time and reports ``ok`` or ``error``; details go to the log, never to the client.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)

PROBE_SHA256 = "0" * 64
"""A blob name no file has: asking whether it exists touches the store without changing it."""


def probe_database(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def probe_archive(config: Mapping[str, Any], store: Any) -> None:
    """S3: one HEAD request (``exists``); local folder: it exists and we may write in it."""
    store.exists(PROBE_SHA256)
    if str(config.get("ARCHIVE_BACKEND") or "local").strip().lower() == "local":
        root = Path(str(config["ARCHIVE_DIR"]))
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=root):
            pass


def probe_rate_limit_store(config: Mapping[str, Any]) -> None:
    """The shared counter store (``RATELIMIT_STORAGE_URI``) answers; memory:// always does."""
    from limits.storage import storage_from_string

    uri = str(config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.startswith("memory://"):
        return
    options = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
    if uri.startswith(("redis://", "rediss://")):
        options.setdefault("socket_connect_timeout", 2)
        options.setdefault("socket_timeout", 2)
    if not storage_from_string(uri, **options).check():
        raise ConnectionError(f"rate-limit storage {uri.split('@')[-1]} does not answer")


def probe_signer(config: Mapping[str, Any], pki_dir: Path) -> None:
    """The signing credential can be read (a configured PKCS#12, or the demo CA's folder)."""
    p12 = config.get("SIGNING_P12")
    if p12:
        if not os.access(Path(str(p12)), os.R_OK):
            raise FileNotFoundError(f"signing credential {p12} is not readable")
        return
    # The demo CA is made on first use (app.stamping.pki.ensure_demo_pki): ready when its folder
    # can be read, or made.
    folder = pki_dir if pki_dir.exists() else next(p for p in pki_dir.parents if p.exists())
    if not os.access(folder, os.R_OK | (0 if folder == pki_dir else os.W_OK)):
        raise PermissionError(f"demo PKI folder {pki_dir} can be neither read nor created")


def readiness(probes: Mapping[str, Callable[[], None]]) -> dict[str, str]:
    """Run every probe; ``{"name": "ok" | "error"}``."""
    results = {}
    for name, probe in probes.items():
        try:
            probe()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - a probe reports, it never crashes the endpoint
            log.warning("readyz %s: %s", name, exc)
            results[name] = "error"
    return results
