"""App factory, configuration layers, secret key and CLI commands."""

from __future__ import annotations

from app import create_app


def test_config_layers_defaults_env_and_test_override(monkeypatch, tmp_path):
    monkeypatch.setenv("LYXY_PUBLIC_BASE_URL", "https://credit.example.cn")
    monkeypatch.setenv("LYXY_COMMITMENT_RATE_LIMIT", "5 per hour")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "COMMITMENT_RATE_LIMIT": "7 per hour"})
    assert app.config["PUBLIC_BASE_URL"] == "https://credit.example.cn"
    assert app.config["COMMITMENT_RATE_LIMIT"] == "7 per hour"
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'lyxy.sqlite3'}"


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("LYXY_SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    second = create_app({"INSTANCE_PATH": str(tmp_path)}).config["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    other = create_app({"INSTANCE_PATH": str(tmp_path / "other")}).config["SECRET_KEY"]
    assert other != first


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("LYXY_SECRET_KEY", "from-env")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_cli_init_db_and_demo_are_repeatable(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    runner = app.test_cli_runner()
    for _ in range(2):
        assert "数据库已就绪" in runner.invoke(args=["init-db"]).output
    assert "新增 6 个" in runner.invoke(args=["load-demo"]).output
    assert "新增 0 个" in runner.invoke(args=["load-demo"]).output


def test_cli_check_fonts(runner):
    result = runner.invoke(args=["check-fonts"])
    assert result.exit_code == 0, result.output
    assert "字体检查通过" in result.output


def test_cli_make_samples_writes_every_variant(runner, tmp_path):
    result = runner.invoke(args=["make-samples", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    for scenario in ("project_approval", "procurement_bidding", "administrative_service"):
        for who in ("unit", "person"):
            assert f"commitment-{scenario}-{who}.pdf" in names
            assert f"commitment-{scenario}-{who}.docx" in names
            assert f"commitment-{scenario}-{who}.json" in names
            assert f"blank-{scenario}-{who}.pdf" in names
    _assert_signed_samples_validate_against_the_shipped_ca(tmp_path)


def _assert_signed_samples_validate_against_the_shipped_ca(out):
    """Issue 13 §2/§3: the signed samples validate offline against samples/sample-ca.pem alone."""
    from datetime import UTC, datetime

    from app.stamping.validation import validate_signatures

    ca = (out / "sample-ca.pem").read_bytes()
    for name in ("stamped-letter.pdf", "stamped-cross-page-12.pdf", "credit-certificate.pdf"):
        reports = validate_signatures((out / name).read_bytes(), [ca])
        assert reports, name
        for report in reports:
            assert (report.status, report.long_term, report.level) == ("intact", True, "B-B+LTV"), name
            assert report.signing_time == datetime(2026, 11, 29, 1, tzinfo=UTC)  # 09:00 Beijing


def test_postgresql_sessions_run_without_jit():
    import os

    import pytest
    from sqlalchemy import text

    from app.db import make_engine

    url = os.environ.get("LYXY_TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        pytest.skip("LYXY_TEST_DATABASE_URL is not a PostgreSQL URL")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar() == "off"
    finally:
        engine.dispose()


def test_creating_the_schema_does_not_flood_the_console_with_migration_steps(tmp_path, caplog):
    """A newcomer's first ``make run`` prints "数据库已就绪", not one line per migration."""
    import logging

    from app.db import current_revision, upgrade_database

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with caplog.at_level(logging.INFO):
        upgrade_database(url)
    assert current_revision(url) is not None
    assert not [r for r in caplog.records if r.name.startswith("alembic") and r.levelno < logging.WARNING]
    assert logging.getLogger("alembic").level == logging.NOTSET  # put back as it was
