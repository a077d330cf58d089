"""`flask backup create` / `restore`: database, archive and keys come back together, and a
restored instance serves what the old one issued (issue 15 §4)."""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import PERSON_LETTER


@pytest.fixture(autouse=True)
def _own_keys(monkeypatch):
    """Each instance here generates its keys into its folder, as the embedded default does."""
    for name in [k for k in os.environ if k.startswith("LYXY_") and not k.startswith("LYXY_TEST_")]:
        monkeypatch.delenv(name)


def _instance(folder: Path):
    return create_app({"TESTING": True, "INSTANCE_PATH": str(folder),
                       "TODAY": "2026-11-29", "TRUSTED_HOSTS": ["localhost"],
                       "COMMITMENT_RATE_LIMIT": "1000 per minute"})


def _dispose(app) -> None:
    app.extensions["lyxy_engine"].dispose()


def _issue_letter(folder: Path) -> dict:
    app = _instance(folder)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    reply = app.test_client().post("/api/v1/commitments", json=PERSON_LETTER)
    assert reply.status_code == 201, reply.get_json()
    _dispose(app)
    return reply.get_json()


def test_a_restored_instance_serves_what_the_old_one_issued(tmp_path):
    letter = _issue_letter(tmp_path / "old")
    old = _instance(tmp_path / "old")
    out = tmp_path / "backup.tar.gz"
    made = old.test_cli_runner().invoke(args=["backup", "create", str(out)])
    assert made.exit_code == 0, made.output
    blobs = [p for p in (tmp_path / "old" / "archive").rglob("*") if p.is_file()]
    assert f"{len(blobs)}个档案文件" in made.output and "个人信息加密密钥" in made.output
    assert out.stat().st_mode & 0o077 == 0  # it holds the keys
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.sqlite3", "keys/secret_key", "keys/pii_key"} <= names
    assert any(n.startswith("audit-checkpoints/") for n in names)
    _dispose(old)

    new = _instance(tmp_path / "new")  # a fresh machine: generates keys of its own at first
    assert (tmp_path / "new" / "pii_key").read_text() != (tmp_path / "old" / "pii_key").read_text()
    restored = new.test_cli_runner().invoke(args=["backup", "restore", str(out)], catch_exceptions=False)
    assert restored.exit_code == 0, restored.output
    assert "审计日志完整" in restored.output
    _dispose(new)

    again = _instance(tmp_path / "new")  # restarted: the restored keys are in force
    client = again.test_client()
    number, code = letter["number"], letter["verification_code"]
    pdf = client.get(f"/commitments/{number}.pdf?c={code}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = client.get(f"/commitments/{number}.docx?c={code}")  # decrypts the ID number
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    runner = again.test_cli_runner()
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    audit = runner.invoke(args=["audit", "verify"])
    assert audit.exit_code == 0, audit.output
    _dispose(again)


def test_restore_refuses_an_occupied_target_and_a_damaged_file(tmp_path):
    _issue_letter(tmp_path / "old")
    old = _instance(tmp_path / "old")
    out = tmp_path / "backup.tar.gz"
    assert old.test_cli_runner().invoke(args=["backup", "create", str(out)]).exit_code == 0
    refused = old.test_cli_runner().invoke(args=["backup", "restore", str(out)])
    assert refused.exit_code != 0 and "目标已有数据，未做任何改动" in refused.output
    _dispose(old)

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(out) as tar, tarfile.open(damaged, "w:gz") as copy:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "keys/pii_key":
                data = b"x" + data[1:]
            member.size = len(data)
            import io

            copy.addfile(member, io.BytesIO(data))
    fresh = _instance(tmp_path / "fresh")
    result = fresh.test_cli_runner().invoke(args=["backup", "restore", str(damaged)])
    assert result.exit_code != 0 and "keys/pii_key 与清单不符" in result.output
    assert not (tmp_path / "fresh" / "lyxy.sqlite3").exists()  # nothing written
    _dispose(fresh)


def test_postgresql_round_trip(tmp_path, database_url):
    """pg_dump / pg_restore into another database: the letter is served from it."""
    from app.db import upgrade_database
    from app.demo import load_demo
    from tests.conftest import SHARED_KEYS, scratch_database

    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only (LYXY_TEST_DATABASE_URL)")
    keys = {**SHARED_KEYS, "SECRET_KEY": "k", "TESTING": True, "TODAY": "2026-11-29",
            "TRUSTED_HOSTS": ["localhost"], "PKI_DIR": str(tmp_path / "pki")}
    with scratch_database(database_url, "lyxy_backup") as source, \
            scratch_database(database_url, "lyxy_restore") as target:
        upgrade_database(source)
        old = create_app({**keys, "INSTANCE_PATH": str(tmp_path / "old"), "DATABASE_URL": source})
        with old.app_context():
            from app.db import get_session

            load_demo(get_session())
        reply = old.test_client().post("/api/v1/commitments", json=PERSON_LETTER)
        assert reply.status_code == 201
        out = tmp_path / "pg.tar.gz"
        made = old.test_cli_runner().invoke(args=["backup", "create", str(out)])
        assert made.exit_code == 0, made.output
        _dispose(old)
        new = create_app({**keys, "INSTANCE_PATH": str(tmp_path / "new"), "DATABASE_URL": target})
        restored = new.test_cli_runner().invoke(args=["backup", "restore", str(out)])
        assert restored.exit_code == 0, restored.output
        letter = reply.get_json()
        got = new.test_client().get(f"/commitments/{letter['number']}.docx?c={letter['verification_code']}")
        assert got.status_code == 200
        _dispose(new)
