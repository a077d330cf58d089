"""Migration 0023 on SQLite: certificates get their 主送 (addressee_unit_id); those issued before
are addressed to their issuing unit (the default of a request, issue 14 §2); downgrade drops it."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app.db import alembic_config, make_engine

REVISION = "0023_certificate_addressee"
CHECK = ("INSERT INTO credit_checks (id, number, serial, year, verification_code, unit_id, "
         "subject_name, subject_kind, subject_code_public, subject_code_hash, purpose, as_of, "
         "category, issued_on, snapshot, template_name, template_version, created_at) VALUES "
         "(:id, :number, :id, 2026, 'C', :unit, '凌源市示例建筑工程有限公司', 'organisation', "
         "'91211382MA0Y8K7Q3B', 'h', 'bidding', '2026-11-29', 'none', '2026-11-29', '{}', "
         "'credit_check', 'v2', '2026-11-29 08:00:00')")


@pytest.fixture()
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'before_0023.sqlite3'}"
    command.upgrade(alembic_config(url), "0019")
    engine = make_engine(url)
    with engine.begin() as conn:
        for unit, name in ((1, "凌源市住房和城乡建设局"), (2, "凌源市财政局")):
            conn.execute(text("INSERT INTO receiving_units (id, name, created_at) VALUES "
                              "(:id, :name, '2026-01-01')"), {"id": unit, "name": name})
        conn.execute(text(CHECK), {"id": 1, "number": "LYXY-HC-2026-000001G", "unit": 1})
        conn.execute(text(CHECK), {"id": 2, "number": "LYXY-HC-2026-000002E", "unit": 2})
    engine.dispose()
    return url


def test_0023_addresses_existing_certificates_to_their_issuing_unit(url):
    command.upgrade(alembic_config(url), REVISION)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT id, unit_id, addressee_unit_id FROM credit_checks "
                                     "ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 1, 1), (2, 2, 2)]
        assert "ix_credit_checks_addressee_unit_id" in {
            i["name"] for i in inspect(engine).get_indexes("credit_checks")}
    finally:
        engine.dispose()


def test_0023_downgrades(url):
    command.upgrade(alembic_config(url), REVISION)
    command.downgrade(alembic_config(url), "0019")
    engine = make_engine(url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("credit_checks")}
        assert "addressee_unit_id" not in columns and "unit_id" in columns
    finally:
        engine.dispose()
