"""The audit log: append-only, each entry an HMAC over its fields and the previous entry's hash.

``verify_chain`` detects an edited entry (its HMAC no longer matches), a deleted one (the next
entry's ``prev_hash`` points at nothing, or ids skip) and a forged one (no audit key, no valid
HMAC). Removing entries from the very end leaves no trace in the chain itself, so after every
commit that appended entries the head is written as a signed checkpoint outside the database
(``app.archive.checkpoints``), and ``verify_against_checkpoint`` holds the table to it (issue 10
§5). The database refuses UPDATE and DELETE on the table as well (migration 0012).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.archive.checkpoints import CheckpointError, CheckpointReport, CheckpointStore
from app.models import AuditEntry

LOG = logging.getLogger("lyxy.audit")
_APPENDED = "lyxy_audit_appended"
"""``Session.info`` key: (id, entry_hash, prev_hash) of the entries this transaction appended."""

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
        last = session.execute(select(AuditEntry.entry_hash, AuditEntry.position)
                               .order_by(AuditEntry.id.desc()).limit(1)).first()
        prev, position = (last.entry_hash, (last.position or 0) + 1) if last else (GENESIS, 1)
        entry = AuditEntry(at=datetime.now(UTC), position=position,
                           actor=actor[:100], action=action, object_type=object_type,
                           object_id=str(object_id), details=details or {}, prev_hash=prev)
        entry.entry_hash = _entry_hash(key, entry)
        try:
            with session.begin_nested():
                session.add(entry)
        except IntegrityError:  # another writer appended first: chain onto its entry
            continue
        session.info.setdefault(_APPENDED, []).append((entry.id, entry.entry_hash, prev))
        return entry
    raise RuntimeError("audit log busy: could not append after 10 attempts")


@dataclass(frozen=True)
class AuditTrail:
    """Who is acting, and the key their entries are chained with: what a use case needs to
    record its own audit entry inside its unit of work (the caller commits)."""

    key: bytes
    """The audit HMAC key (``audit_key(SECRET_KEY)``)."""
    actor: str
    """``user:<name>``, ``apikey:<prefix>``, ``public:<address>``, ``cli`` or ``system``."""

    def record(self, session: Session, action: str, object_type: str = "",
               object_id: object = "", **details: Any) -> AuditEntry:
        """Append one entry for this actor (see ``record``)."""
        return record(session, self.key, actor=self.actor, action=action,
                      object_type=object_type, object_id=object_id, details=dict(details))


def verify_chain(session: Session, key: bytes) -> list[str]:
    """Problems found in the whole log, in Chinese; empty when the chain is intact."""
    problems: list[str] = []
    prev_hash, prev_position = GENESIS, 0
    # Entries are numbered by their place in the chain (``position``), not by ``id``: a sequence
    # value consumed by a failed insert is no missing entry (migration 0026).
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)).yield_per(1000):
        position = entry.position
        if position is None or position != prev_position + 1:
            shown = "空" if position is None else position
            problems.append(f"第{prev_position + 1}条之后的记录序号为{shown}：记录缺失或被插入")
        if entry.prev_hash != prev_hash:
            problems.append(f"第{position}条记录的前序哈希不符：之前的记录被删除或修改")
        if not hmac.compare_digest(entry.entry_hash, _entry_hash(key, entry)):
            problems.append(f"第{position}条记录内容被修改（{entry.action}）")
        prev_hash, prev_position = entry.entry_hash, position or prev_position + 1
    return problems


def head(session: Session) -> tuple[int, str]:
    """The number of the last entry and its hash (keep it elsewhere to detect truncation)."""
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    return (last.id, last.entry_hash) if last else (0, GENESIS)


def verify_against_checkpoint(session: Session, report: CheckpointReport, *,
                              establishing: bool = False) -> list[str]:
    """Problems of the checkpoint folder, then whether the table still reaches its newest head.

    :param report: ``CheckpointStore.verify()``.
    :param establishing: the operator is about to write the first checkpoint (a log kept before
        checkpoints existed, or a lost folder after investigation): no checkpoint is no problem.
    :returns: Chinese descriptions; empty when the table reaches the newest checkpoint.
    """
    problems = list(report.problems)
    last = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    anchor = report.head
    if anchor is None:
        if last is not None and report.count == 0 and not report.problems and not establishing:
            problems.append(f"审计日志有记录（最新为第{last.id}条），但没有任何检查点：无法确认末尾的记录"
                            "是否被删除（检查点目录丢失？新部署请运行 audit verify --checkpoint）")
        return problems
    entry = session.get(AuditEntry, anchor.last_id)
    if entry is None:
        if last is None:
            problems.append(f"审计日志已被清空：检查点第{anchor.seq}个记录到第{anchor.last_id}条")
        elif last.id < anchor.last_id:
            problems.append(f"审计日志在第{last.id}条之后被截断/删除：检查点第{anchor.seq}个记录到"
                            f"第{anchor.last_id}条，第{last.id + 1}–{anchor.last_id}条缺失")
        else:
            problems.append(f"第{anchor.last_id}条记录被删除：它是检查点第{anchor.seq}个记录的最新一条")
    elif not hmac.compare_digest(entry.entry_hash, anchor.last_hash):
        problems.append(f"第{anchor.last_id}条记录与检查点第{anchor.seq}个不符（记录被替换）")
    return problems


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _checkpoint_after_commit(store: CheckpointStore, session: Session) -> None:
    if session.get_nested_transaction() is not None:  # a SAVEPOINT released: nothing committed yet
        return
    appended = session.info.pop(_APPENDED, None)
    if not appended:
        return
    last_id, last_hash, _prev = max(appended)
    first_of_log = min(appended)[2] == GENESIS  # only the log's first commit may start a chain
    try:
        store.append(last_id, last_hash, now_iso(), may_start_chain=first_of_log)
    except (CheckpointError, OSError):
        # The entries are committed; the request must not fail now. `audit verify` reports the
        # folder's state, and until then the newest entries are not anchored.
        LOG.exception("审计检查点写入失败（第%s条）", last_id)


def _forget_appended(session: Session) -> None:
    if session.get_nested_transaction() is None:  # the transaction itself, not a SAVEPOINT
        session.info.pop(_APPENDED, None)


def anchor_commits(maker: sessionmaker, store: CheckpointStore) -> None:
    """Write a checkpoint to ``store`` after every commit of ``maker``'s sessions that appended
    audit entries (one small file)."""
    event.listen(maker, "after_commit", partial(_checkpoint_after_commit, store))
    event.listen(maker, "after_rollback", _forget_appended)
