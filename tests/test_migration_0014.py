"""Migration 0014 on SQLite: certificates and report scaffolds get the template (family, version)
columns, existing rows backfilled with "v1" (the only version either family ever had)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import alembic_config, make_engine

CHECK = ("INSERT INTO credit_checks (id, number, serial, year, verification_code, unit_id, "
         "subject_name, subject_kind, subject_code_public, subject_code_hash, purpose, as_of, "
         "category, issued_on, snapshot, created_at{extra}) VALUES (:id, :number, 1, 2026, 'C', 1, "
         "'凌源市示例建筑工程有限公司', 'organisation', '91211382MA0Y8K7Q3B', 'h', 'bidding', "
         "'2026-11-29', 'none', '2026-11-29', '{{\"template_version\": \"v1\"}}', "
         "'2026-11-29 08:00:00'{values})")
REPORT = ("INSERT INTO agency_reports (id, agency_id, kind, number, year, serial, verification_code, "
          "subject_name, subject_code, project_name, issue_date, status, created_at) VALUES "
          "(1, 1, 'rating', 'LYXY-PJ-2026-000001X', 2026, 1, 'C', '凌源市示例建筑工程有限公司', "
          "'91211382MA0Y8K7Q3B', '', '2026-11-29', 'scaffold', '2026-11-29 08:00:00')")


@pytest.fixture()
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'before_0014.sqlite3'}"
    command.upgrade(alembic_config(url), "0013")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO receiving_units (id, name, created_at) VALUES "
                          "(1, '凌源市住房和城乡建设局', '2026-01-01')"))
        conn.execute(text("INSERT INTO agencies (id, name, uscc, filing_number, status, created_at) "
                          "VALUES (1, '辽宁示例信用评价有限公司', '91210000MA0XXXXX1X', 'F', "
                          "'published', '2026-01-01')"))
        conn.execute(text(CHECK.format(extra="", values="")),
                     {"id": 1, "number": "LYXY-HC-2026-000001X"})
        conn.execute(text(REPORT))
    engine.dispose()
    return url


def _one(url: str, sql: str) -> tuple:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            return tuple(conn.execute(text(sql)).one())
    finally:
        engine.dispose()


def test_0014_backfills_existing_certificates_with_v1(url):
    command.upgrade(alembic_config(url), "0014")
    row = _one(url, "SELECT template_name, template_version FROM credit_checks WHERE id = 1")
    assert row == ("credit_check", "v1")


def test_0014_backfills_existing_reports_with_v1(url):
    command.upgrade(alembic_config(url), "0014")
    row = _one(url, "SELECT template_name, template_version FROM agency_reports WHERE id = 1")
    assert row == ("reports", "v1")


def test_0014_leaves_no_default_behind(url):
    # New rows must name their version themselves (the services do): no silent "v1".
    command.upgrade(alembic_config(url), "0014")
    engine = make_engine(url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(CHECK.format(extra=", template_name", values=", 'credit_check'")),
                         {"id": 2, "number": "LYXY-HC-2026-000002X"})
    finally:
        engine.dispose()


def test_0014_keeps_the_indexes_and_downgrades(url):
    command.upgrade(alembic_config(url), "0014")
    engine = make_engine(url)
    try:
        indexes = {i["name"] for i in inspect(engine).get_indexes("credit_checks")}
        assert "ix_credit_checks_sha256" in indexes
    finally:
        engine.dispose()
    command.downgrade(alembic_config(url), "0013")
    engine = make_engine(url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("credit_checks")}
        assert "template_version" not in columns
    finally:
        engine.dispose()
