"""The audit log through `audit verify`: truncation, checkpoints outside the database, and the
database refusing UPDATE/DELETE (issue 10 §5). Entries are written by failed logins over HTTP."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from app.models import AuditEntry
from tests.conftest import audit_triggers_bypassed, post_login


def failed_logins(client, n: int) -> None:
    """``n`` audited requests (each commits one `login_failed` entry and so one checkpoint)."""
    for i in range(n):
        resp = post_login(client, f"nobody{i}", "wrong")
        assert resp.status_code == 401


def entry_ids(app) -> list[int]:
    with app.extensions["lyxy_engine"].connect() as conn:
        return list(conn.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def checkpoint_dir(app) -> Path:
    return Path(app.instance_path) / "audit-checkpoints"


def checkpoint_files(app) -> list[Path]:
    return sorted(checkpoint_dir(app).glob("cp-*.json"))


def verify(runner, *args: str):
    return runner.invoke(args=["audit", "verify", *args])


def delete_newest_rows(app, keep: int) -> None:
    """What a database superuser could do: remove every entry after the first ``keep``."""
    ids = entry_ids(app)
    with audit_triggers_bypassed(app.extensions["lyxy_engine"]) as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id > ids[keep - 1]))


def test_untouched_chain_verifies_and_every_audited_request_left_a_checkpoint(app, client, runner):
    failed_logins(client, 4)
    ids = entry_ids(app)
    assert len(ids) == 4
    assert len(checkpoint_files(app)) == 4
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "审计日志完整" in result.output
    assert f"检查点：4个，最新的第4个记录到第{ids[-1]}条" in result.output


def test_the_database_refuses_update_delete_and_truncate(app, client):
    failed_logins(client, 3)
    engine = app.extensions["lyxy_engine"]
    statements = ["UPDATE audit_log SET actor = 'user:someone-else'",
                  "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)",
                  "DELETE FROM audit_log"]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        with pytest.raises(DBAPIError, match="审计日志只能追加"), engine.begin() as conn:
            conn.execute(text(statement))
    assert len(entry_ids(app)) == 3
    with engine.connect() as conn:
        assert set(conn.scalars(select(AuditEntry.actor))) == {"public:127.0.0.1"}


def test_deleting_the_newest_rows_is_reported_with_the_gap(app, client, runner):
    failed_logins(client, 5)
    ids = entry_ids(app)
    assert verify(runner).exit_code == 0
    delete_newest_rows(app, keep=3)
    result = verify(runner)
    assert result.exit_code == 1
    assert (f"审计日志在第{ids[2]}条之后被截断/删除：检查点第5个记录到第{ids[4]}条，"
            f"第{ids[2] + 1}–{ids[4]}条缺失") in result.output
    assert "审计日志完整" not in result.output


def test_deleting_every_row_is_reported(app, client, runner):
    failed_logins(client, 2)
    with audit_triggers_bypassed(app.extensions["lyxy_engine"]) as conn:
        conn.execute(delete(AuditEntry))
    result = verify(runner)
    assert result.exit_code == 1
    assert "审计日志已被清空" in result.output


def test_a_forged_checkpoint_is_reported(app, client, runner):
    failed_logins(client, 3)
    newest = checkpoint_files(app)[-1]
    forged = newest.read_text().replace('"last_id":', '"last_id":1', 1)  # a different head
    newest.chmod(0o644)
    newest.write_text(forged)
    result = verify(runner)
    assert result.exit_code == 1
    assert "检查点第3个签名无效（被伪造或修改）" in result.output


def test_a_checkpoint_signed_with_another_key_is_reported(app, app_factory, client, runner):
    failed_logins(client, 2)
    other = app_factory(SECRET_KEY="another-secret",
                        AUDIT_CHECKPOINT_DIR=str(checkpoint_dir(app) / "elsewhere"))
    from app.extensions import services

    store = services(other).checkpoints
    store.append(10**6, "f" * 64, "2026-11-29T00:00:00+00:00", may_start_chain=True)
    os.replace(store.root / "latest.json", checkpoint_dir(app) / "latest.json")
    result = verify(runner)
    assert result.exit_code == 1
    assert "最新检查点指针 latest.json 签名无效（被伪造或修改）" in result.output


def test_a_deleted_checkpoint_pointer_is_reported_and_not_silently_rewritten(app, client, runner):
    failed_logins(client, 2)
    (checkpoint_dir(app) / "latest.json").unlink()
    failed_logins(client, 1)  # the writer must not paper over the loss
    assert len(checkpoint_files(app)) == 2
    result = verify(runner)
    assert result.exit_code == 1
    assert "最新检查点指针 latest.json 缺失（被删除？）" in result.output


def test_a_rolled_back_checkpoint_pointer_is_reported(app, client, runner):
    failed_logins(client, 2)
    pointer = checkpoint_dir(app) / "latest.json"
    old = pointer.read_bytes()
    failed_logins(client, 2)
    pointer.chmod(0o644)
    pointer.write_bytes(old)  # a genuine, signed, older pointer
    result = verify(runner)
    assert result.exit_code == 1
    assert "最新检查点指针被回退：指向第2个，但已有第4个检查点" in result.output


def test_rows_and_the_newest_checkpoints_deleted_together_are_reported(app, client, runner):
    failed_logins(client, 4)
    ids = entry_ids(app)
    delete_newest_rows(app, keep=2)
    for path in checkpoint_files(app)[2:]:
        path.unlink()
    result = verify(runner)
    assert result.exit_code == 1
    assert "检查点在第2个之后被删除：最新检查点指针指向第4个" in result.output
    assert f"审计日志在第{ids[1]}条之后被截断/删除" in result.output


def test_a_checkpoint_deleted_in_the_middle_is_reported(app, client, runner):
    failed_logins(client, 3)
    checkpoint_files(app)[1].unlink()
    result = verify(runner)
    assert result.exit_code == 1
    assert "检查点第2–2个缺失（被删除）" in result.output


def test_a_lost_checkpoint_folder_is_reported_and_can_be_re_established(app, client, runner):
    failed_logins(client, 2)
    for path in checkpoint_dir(app).iterdir():
        path.unlink()
    result = verify(runner)
    assert result.exit_code == 1
    assert "但没有任何检查点" in result.output
    failed_logins(client, 1)  # the writer must not start a fresh chain over the loss
    assert checkpoint_files(app) == []
    assert verify(runner).exit_code == 1
    established = verify(runner, "--checkpoint")
    assert established.exit_code == 0, established.output
    assert "检查点：1个" in established.output
    assert verify(runner).exit_code == 0
    delete_newest_rows(app, keep=1)
    assert verify(runner).exit_code == 1


def test_init_db_anchors_a_log_kept_before_checkpoints_existed(app_factory, tmp_path):
    """An upgrade across 0012 checkpoints the entries written before it (they could not have
    been), so `audit verify` passes at once; a later lost folder is still reported."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import column, table

    from app.db import alembic_config
    from app.services.audit import GENESIS, _entry_hash, audit_key

    url = f"sqlite:///{tmp_path / 'before_0012.sqlite3'}"
    command.upgrade(alembic_config(url), "0011")
    old = app_factory(DATABASE_URL=url, SECRET_KEY="k")
    # What the service wrote before checkpoints (no folder yet), in that schema (no position).
    names = ["at", "actor", "action", "object_type", "object_id", "details", "prev_hash",
             "entry_hash"]
    audit_log_0011 = table("audit_log", *(column(name) for name in names))
    prev = GENESIS
    with old.extensions["lyxy_engine"].begin() as conn:
        for i in range(3):
            entry = AuditEntry(at=datetime(2026, 11, 1, 9, i, tzinfo=UTC), actor="system",
                               action=f"old{i}", object_type="", object_id="", details={},
                               prev_hash=prev)
            entry.entry_hash = prev = _entry_hash(audit_key("k"), entry)
            conn.execute(audit_log_0011.insert().values(
                {name: getattr(entry, name) for name in names} | {"details": "{}"}))
    for entry in checkpoint_files(old):
        entry.chmod(0o644)
        entry.unlink()
    (checkpoint_dir(old) / "latest.json").unlink(missing_ok=True)
    runner = old.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "已为升级前的3条审计记录建立第一个检查点" in result.output
    assert verify(runner).exit_code == 0
    again = runner.invoke(args=["init-db"])  # already at head: nothing more is anchored
    assert "建立第一个检查点" not in again.output


def test_a_sequence_value_a_failed_insert_consumed_is_no_missing_entry(app, client, runner):
    """PostgreSQL: two writers race for the head, the loser's insert fails and its id is gone;
    it retries with the next id. The chain is intact and ``audit verify`` says so (issue 15 §2)."""
    from app.services import audit

    failed_logins(client, 2)
    engine = app.extensions["lyxy_engine"]
    key = audit.audit_key(app.config["SECRET_KEY"])
    with engine.begin() as conn:
        last = conn.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        retried = AuditEntry(id=last.id + 2, position=last.position + 1, at=last.at,
                             actor="system", action="login_failed", object_type="",
                             object_id="", details={}, prev_hash=last.entry_hash)
        retried.entry_hash = audit._entry_hash(key, retried)
        conn.execute(AuditEntry.__table__.insert().values(
            id=retried.id, position=retried.position, at=retried.at, actor=retried.actor,
            action=retried.action, object_type="", object_id="", details={},
            prev_hash=retried.prev_hash, entry_hash=retried.entry_hash))
        if engine.dialect.name == "postgresql":  # the sequence had handed out both values
            conn.execute(text("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), :id)"),
                         {"id": retried.id})
    failed_logins(client, 1)  # and the chain goes on after it
    with engine.connect() as conn:
        positions = list(conn.scalars(select(AuditEntry.position).order_by(AuditEntry.id)))
    assert positions == [1, 2, 3, 4]
    result = verify(runner, "--checkpoint")
    assert "缺失" not in result.output, result.output
    with app.app_context():
        from app.db import get_session

        assert audit.verify_chain(get_session(), key) == []


def test_an_entry_removed_from_the_middle_is_reported_by_its_position(app, client, runner):
    failed_logins(client, 4)
    ids = entry_ids(app)
    with audit_triggers_bypassed(app.extensions["lyxy_engine"]) as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
    result = verify(runner)
    assert result.exit_code == 1
    assert "第2条之后的记录序号为3" in result.output or "第2条" in result.output, result.output
