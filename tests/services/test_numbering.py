"""Numbers are allocated in a short transaction of their own on PostgreSQL, and a number whose
request failed is recorded as void (issue 15 §2); SQLite keeps it in the request's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.domain.numbers import DocumentType
from app.models import DocumentCounter, IssuedDocument, VoidNumber
from app.services.numbering import next_serial


def _sessions(app):
    return app.extensions["lyxy_sessionmaker"]


def _counter(app, year: int = 2031) -> int | None:
    with _sessions(app)() as db:
        return db.scalar(select(DocumentCounter.last_serial).where(
            DocumentCounter.doc_type == "CN", DocumentCounter.year == year))


def _voids(app) -> list[tuple[str, int, int]]:
    with _sessions(app)() as db:
        return [tuple(r) for r in db.execute(
            select(VoidNumber.doc_type, VoidNumber.year, VoidNumber.serial))]


@pytest.fixture
def postgresql(app):
    if app.extensions["lyxy_engine"].dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (LYXY_TEST_DATABASE_URL)")
    return app


def test_postgresql_does_not_hold_the_counter_while_the_document_is_made(postgresql):
    app = postgresql
    with _sessions(app)() as first:
        assert next_serial(first, DocumentType.CN, 2031) == 1
        # ... rendering, signing, storing: the counter row is free for everyone else meanwhile
        with _sessions(app)() as second:
            second.execute(text("SET LOCAL lock_timeout = '1s'"))
            assert next_serial(second, DocumentType.CN, 2031) == 2
            second.commit()
        first.commit()
    assert _counter(app) == 2
    assert _voids(app) == []


def test_postgresql_records_the_number_of_a_request_that_failed(postgresql):
    app = postgresql
    with _sessions(app)() as db:
        assert next_serial(db, DocumentType.CN, 2031) == 1
        db.rollback()  # the render or the archive failed
    assert _voids(app) == [("CN", 2031, 1)]
    with _sessions(app)() as db:  # closed without commit (an exception in a view): void too
        assert next_serial(db, DocumentType.CN, 2031) == 2
    assert _voids(app) == [("CN", 2031, 1), ("CN", 2031, 2)]
    with _sessions(app)() as db:  # committed: not void
        assert next_serial(db, DocumentType.CN, 2031) == 3
        db.commit()
    assert len(_voids(app)) == 2 and _counter(app) == 3


def test_a_letter_whose_storage_fails_leaves_a_void_number_on_postgresql(postgresql, client,
                                                                          monkeypatch):
    from app.archive.blobs import LocalBlobStore
    from tests.conftest import UNIT_LETTER

    def broken(self, data):
        raise OSError("disk full")

    monkeypatch.setattr(LocalBlobStore, "put", broken)
    assert client.post("/api/v1/commitments", json=UNIT_LETTER).status_code == 500
    monkeypatch.undo()
    reply = client.post("/api/v1/commitments", json=UNIT_LETTER)
    assert reply.status_code == 201
    voids = _voids(postgresql)
    assert len(voids) == 1 and voids[0][0] == "CN"
    with _sessions(postgresql)() as db:
        issued = db.scalar(select(IssuedDocument.serial))
    assert issued == voids[0][2] + 1


def test_sqlite_keeps_the_allocation_in_the_request_transaction(app):
    if app.extensions["lyxy_engine"].dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with _sessions(app)() as db:
        assert next_serial(db, DocumentType.CN, 2031) == 1
        db.rollback()
    with _sessions(app)() as db:
        assert next_serial(db, DocumentType.CN, 2031) == 1  # handed back, no gap, no void
        db.commit()
    assert _voids(app) == []
