"""Migration 0020 on SQLite: NULL severities of dishonesty records take their type's default
(domain-rules §8.1), so every black-list and breach record has a publicity window (issue 14 §1)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from app.db import alembic_config, make_engine
from app.domain.credit_records import DEFAULT_SEVERITY, RecordType

ROW = ("INSERT INTO credit_records (record_type, subject_name, subject_code_public, subject_code_hash, "
       "subject_code_enc, source_department, decision_number, decided_on, severity, summary, "
       "created_at, updated_at) VALUES (:kind, '凌源市示例建筑工程有限公司', '91211382MA0Y8K7Q3B', 'h', "
       "'e', '凌源市市场监督管理局', :number, '2021-03-01', :severity, '', '2026-01-01', '2026-01-01')")


def test_backfill_by_type(tmp_path):
    url = f"sqlite:///{tmp_path / 'before_0020.sqlite3'}"
    command.upgrade(alembic_config(url), "0019")
    engine = make_engine(url)
    rows = [("black_list", "B-1", None), ("breach", "W-1", None), ("penalty", "P-1", None),
            ("minor", "M-1", None), ("penalty", "P-2", "严重"), ("red_list", "R-1", None),
            ("license", "L-1", None), ("rating", "G-1", None)]
    try:
        with engine.begin() as conn:
            for kind, number, severity in rows:
                conn.execute(text(ROW), {"kind": kind, "number": number, "severity": severity})
        command.upgrade(alembic_config(url), "0020_record_severity")
        with engine.begin() as conn:
            got = dict(conn.execute(text("SELECT decision_number, severity FROM credit_records")).all())
    finally:
        engine.dispose()
    assert got == {
        "B-1": DEFAULT_SEVERITY[RecordType.BLACK_LIST], "W-1": "严重", "P-1": "一般", "M-1": "轻微",
        "P-2": "严重",  # a typed severity stays
        "R-1": None, "L-1": None, "G-1": None,
    }
