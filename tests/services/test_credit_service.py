"""Importing credit records on its own: the import is audited with its file and counts
(issue 11 §2: the CLI import wrote no entry before)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db import get_session
from app.domain.credit_import import parse_credit_records
from app.extensions import services
from app.models import AuditEntry
from app.services import credit as svc

RECORDS = Path(__file__).resolve().parents[2] / "samples" / "credit-records.csv"


@pytest.fixture
def db(app):
    with app.app_context():
        yield get_session()


def import_sample(app, db, trail) -> svc.ImportOutcome:
    report = parse_credit_records(RECORDS.read_bytes(), filename=RECORDS.name,
                                  today=date(2026, 11, 29))
    outcome = svc.import_records(db, services(app).pii_cipher, report, source=RECORDS.name,
                                 trail=trail)
    db.commit()
    return outcome


def imports(db) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == "import_credit_records")
                           .order_by(AuditEntry.id)))


def test_an_import_is_audited_with_its_file_and_counts(app, db, trail):
    outcome = import_sample(app, db, trail)
    [entry] = imports(db)
    assert entry.actor == "user:test"
    assert entry.object_type == "file"
    assert entry.object_id == RECORDS.name
    assert entry.details["inserted"] == outcome.inserted
    assert entry.details["updated"] == 0
    assert entry.details["rejected"] == outcome.report.rejected_rows


def test_importing_again_is_audited_and_changes_nothing(app, db, trail):
    first = import_sample(app, db, trail)
    again = import_sample(app, db, services(app).trail("cli"))
    assert again.unchanged == first.inserted
    second = imports(db)[1]
    assert second.actor == "cli"
    assert second.details["inserted"] == 0
