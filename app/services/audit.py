"""The audit log: append-only, each entry an HMAC over its fields and the previous entry's hash.

``verify_chain`` detects an edited entry (its HMAC no longer matches), a deleted one (the next
entry's ``prev_hash`` points at nothing, or ids skip) and a forged one (no audit key, no valid
HMAC). Removing entries from the very end leaves no trace in the chain itself; the CLI prints
the head hash so operators can keep it elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import AuditEntry

GENESIS = "0" * 64


def audit_key(secret_key: str) -> bytes:
    """A key for audit HMACs derived from the app secret (separate from other uses)."""
    return hmac.new(secret_key.encode(), b"lyxy-audit-v1", hashlib.sha256).digest()


def _entry_hash(key: bytes, entry: AuditEntry) -> str:
    # SQLite gives naive datetimes back, PostgreSQL aware ones in the session's zone.
    at = entry.at.astimezone(UTC) if entry.at.tzinfo else entry.at.replace(tzinfo=UTC)
    payload = json.dumps([at.isoformat(timespec="microseconds"), entry.actor, entry.action,
                          entry.object_type, entry.object_id, entry.details, entry.prev_hash],
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def record(session: Session, key: bytes, *, actor: str, action: str, object_type: str = "",
           object_id: object = "", details: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry (inside the caller's transaction; a racing writer makes us retry)."""
    for _attempt in range(10):
        prev = session.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.id.desc())
                              .limit(1)) or GENESIS
        entry = AuditEntry(at=datetime.now(UTC),
                           actor=actor[:100], action=action, object_type=object_type,
                           object_id=str(object_id), details=details or {}, prev_hash=prev)
        entry.entry_hash = _entry_hash(key, entry)
        try:
            with session.begin_nested():
                session.add(entry)
        except IntegrityError:  # another writer appended first: chain onto its entry
            continue
        return entry
    raise RuntimeError("audit log busy: could not append after 10 attempts")


def verify_chain(session: Session, key: bytes) -> list[str]:
    """Problems found in the whole log, in Chinese; empty when the chain is intact."""
    problems: list[str] = []
    prev_hash, prev_id = GENESIS, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        if entry.id != prev_id + 1 and prev_id:
            problems.append(f"第{prev_id + 1}–{entry.id - 1}条记录缺失（编号不连续）")
        if entry.prev_hash != prev_hash:
            problems.append(f"第{entry.id}条记录的前序哈希不符：之前的记录被删除或修改")
        if not hmac.compare_digest(entry.entry_hash, _entry_hash(key, entry)):
            problems.append(f"第{entry.id}条记录内容被修改（{entry.action}）")
        prev_hash, prev_id = entry.entry_hash, entry.id
    return problems


def head(session: Session) -> tuple[int, str]:
    """The number of the last entry and its hash (keep it elsewhere to detect truncation)."""
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    return (last.id, last.entry_hash) if last else (0, GENESIS)
