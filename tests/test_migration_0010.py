"""Migration 0010 on SQLite: filings unique per (unit, sha256); rows, search rows and the delete
trigger of 0004 survive the table's recreation."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.db import alembic_config, make_engine

COLUMNS = ("id, sha256, original_name, size_bytes, page_count, unit_id, subject_kind, "
           "subject_name, subject_code_public, subject_code_hash, subject_code_enc, "
           "legal_representative, matter, scenario, commitment_date, status, created_at")


def _insert_filing(conn, filing_id: int, unit_id: int, sha256: str = "ab" * 32) -> None:
    conn.execute(text(
        f"INSERT INTO filings ({COLUMNS}) VALUES (:id, :sha, 'a.pdf', 1, 1, :unit, 'enterprise', "
        "'凌源市示例建筑工程有限公司', '91211382MA0Y8K7Q3B', 'h', 'e', '', '事项', "
        "'project_approval', '2026-11-01', 'pending', '2026-11-01 08:00:00')"),
        {"id": filing_id, "sha": sha256, "unit": unit_id})


def test_0010_makes_filings_unique_per_unit_and_keeps_the_search_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'before_0010.sqlite3'}"
    command.upgrade(alembic_config(url), "0009")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO receiving_units (id, name, created_at) VALUES "
                              "(1, '凌源市住房和城乡建设局', '2026-01-01'), "
                              "(2, '凌源市财政局', '2026-01-01')"))
            _insert_filing(conn, 1, unit_id=1)
            conn.execute(text("INSERT INTO filings_fts (rowid, subject_name, subject_code, matter, "
                              "unit_name) VALUES (1, '凌源市示例建筑工程有限公司', 'c', '事项', 'u')"))
            conn.execute(text("INSERT INTO filings_public_name (filing_id, name) "
                              "VALUES (1, '凌源市示例建筑工程有限公司')"))
        command.upgrade(alembic_config(url), "0010")  # 0018 replaces filings_public_name
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM filings_public_name")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM filings_fts")).scalar() == 1
            _insert_filing(conn, 2, unit_id=2)  # the same bytes, another unit: allowed now
        with pytest.raises(IntegrityError), engine.begin() as conn:
            _insert_filing(conn, 3, unit_id=2)  # the same unit twice: still one filing
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM filings WHERE id = 1"))
            # the delete trigger (0004) and ON DELETE CASCADE (0008) still clean the search rows
            assert conn.execute(text("SELECT count(*) FROM filings_fts")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM filings_public_name")).scalar() == 0
        command.downgrade(alembic_config(url), "0009")
        with pytest.raises(IntegrityError), engine.begin() as conn:
            _insert_filing(conn, 4, unit_id=1)  # 0009: one filing per sha256 again
    finally:
        engine.dispose()
