"""A shared deployment (PostgreSQL or S3) gets its keys from configuration or does not start
(issue 15 §1); /readyz checks every configured backend."""

from __future__ import annotations

import socket

import pytest

from app import create_app
from app.config import SharedDeploymentError, is_shared_deployment, startup_warnings

PG = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # never connected to: the check comes first
KEYS = {"SECRET_KEY": "s", "PII_KEY": "bHl4eS10ZXN0LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE=",
        "PUBLIC_BASE_URL": "https://xy.lingyuan.gov.cn", "SIGNING_P12": "/etc/lyxy/signer.p12"}


@pytest.fixture(autouse=True)
def _no_lyxy_environment(monkeypatch):
    import os

    for name in [k for k in os.environ if k.startswith("LYXY_") and not k.startswith("LYXY_TEST_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize(("config", "shared"), [
    ({"DATABASE_URL": "sqlite:///x.db"}, False),
    ({"DATABASE_URL": PG}, True),
    ({"DATABASE_URL": "sqlite:///x.db", "ARCHIVE_BACKEND": "S3"}, True),
])
def test_what_counts_as_shared(config, shared):
    assert is_shared_deployment(config) is shared


def test_postgresql_without_keys_refuses_to_start_and_names_them(tmp_path):
    with pytest.raises(SharedDeploymentError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": PG})
    message = str(refused.value)
    for name in ("LYXY_SECRET_KEY", "LYXY_PII_KEY", "LYXY_PUBLIC_BASE_URL", "LYXY_SIGNING_P12"):
        assert name in message
    assert "缺少配置" in message
    # nothing was generated for it: another instance could never have the same
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "pii_key").exists()


def test_only_the_missing_ones_are_named(tmp_path, monkeypatch):
    monkeypatch.setenv("LYXY_SECRET_KEY", "from-env")
    monkeypatch.setenv("LYXY_PKI_DIR", str(tmp_path / "pki"))
    with pytest.raises(SharedDeploymentError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": PG,
                    "PUBLIC_BASE_URL": "https://xy.lingyuan.gov.cn"})
    assert [m.split("（")[0] for m in refused.value.missing] == ["LYXY_PII_KEY"]


def test_s3_archive_with_sqlite_is_shared_too(tmp_path):
    with pytest.raises(SharedDeploymentError):
        create_app({"INSTANCE_PATH": str(tmp_path), "ARCHIVE_BACKEND": "s3",
                    "ARCHIVE_S3_BUCKET": "b"})


def test_with_every_key_given_it_starts(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": PG, **KEYS})
    assert app.config["PII_KEY"] == KEYS["PII_KEY"]
    assert startup_warnings(app.config) == []
    app.extensions["lyxy_engine"].dispose()


def test_the_embedded_default_generates_its_keys_and_warns_of_a_loopback_address(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert (tmp_path / "pii_key").exists()
    [warning] = startup_warnings(app.config)
    assert "LYXY_PUBLIC_BASE_URL" in warning and "127.0.0.1" in warning


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readyz_ok_on_the_embedded_default(client):
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "database": "ok", "archive": "ok",
                                "rate_limit_store": "ok", "signing": "ok", "fonts": "ok"}


def test_readyz_fails_when_redis_is_down_while_healthz_stays_ok(app_factory):
    app = app_factory(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0")
    client = app.test_client()
    reply = client.get("/readyz")
    assert reply.status_code == 503
    assert reply.get_json()["rate_limit_store"] == "error"
    assert reply.get_json()["database"] == "ok"
    assert "127.0.0.1" not in reply.get_data(as_text=True)  # details go to the log only


def test_readyz_fails_when_s3_is_down(app_factory):
    app = app_factory(ARCHIVE_BACKEND="s3", ARCHIVE_S3_BUCKET="lyxy",
                      ARCHIVE_S3_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
                      PKI_DIR=None, SIGNING_P12="/nonexistent/signer.p12")
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    body = reply.get_json()
    assert body["archive"] == "error" and body["signing"] == "error"


def test_readyz_fails_when_the_archive_folder_is_not_writable(app_factory, tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    app = app_factory(ARCHIVE_DIR=str(blocked))
    assert app.test_client().get("/readyz").get_json()["archive"] == "error"


def test_readyz_with_the_machines_redis(app_factory):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    app = app_factory(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    assert app.test_client().get("/readyz").get_json()["rate_limit_store"] == "ok"


def test_two_init_db_at_once_take_turns_on_postgresql():
    """Two instances starting together both migrate a new database without failing."""
    import os
    import subprocess
    import sys

    from app.db import current_revision
    from tests.conftest import scratch_database

    server = os.environ.get("LYXY_TEST_DATABASE_URL", "")
    if not server.startswith("postgres"):
        pytest.skip("LYXY_TEST_DATABASE_URL is not a PostgreSQL URL")
    with scratch_database(server, "lyxy_migrate") as url:
        # Two processes, as two instances would be (Alembic's context is one per process).
        runs = [subprocess.Popen([sys.executable, "-c", "import sys; from app.db import "
                                  "upgrade_database; upgrade_database(sys.argv[1])", url],
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for run in runs:
            _, err = run.communicate(timeout=300)
            assert run.returncode == 0, err
        assert current_revision(url) is not None


def test_readyz_on_a_fresh_instance_whose_demo_ca_is_not_made_yet(app_factory, tmp_path):
    """The demo CA is made at the first signature: until then the instance is ready all the same."""
    app = app_factory(PKI_DIR=str(tmp_path / "not-yet" / "pki"))
    assert app.test_client().get("/readyz").get_json()["signing"] == "ok"
