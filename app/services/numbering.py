"""Document numbers (编号流水号): the counter per document type and year.

On PostgreSQL a number is allocated in a short transaction of its own, committed at once, so the
counter row is locked for a millisecond instead of across rendering, signing and storage of
the document (issue 15 §2: with the lock held, letter creation ran one at a time across every
instance). The price is that a request failing after the allocation cannot hand the number
back: the session remembers what it allocated, and when its transaction ends without a commit
the numbers are recorded as void (``VoidNumber``), never a silent gap.

SQLite keeps the allocation inside the request's transaction: it has one writer at a time
anyway, a rollback returns the number, and a second connection would wait for the first.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, event, insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from app.domain.numbers import DocumentType
from app.models import DocumentCounter, VoidNumber

log = logging.getLogger(__name__)

_ALLOCATED = "lyxy_allocated_numbers"
"""``session.info`` key: (doc_type, year, serial) allocated outside the session's transaction."""


def _bump(session: Session, doc_type: DocumentType, year: int) -> int:
    stmt = (update(DocumentCounter)
            .where(DocumentCounter.doc_type == doc_type.value, DocumentCounter.year == year)
            .values(last_serial=DocumentCounter.last_serial + 1)
            .returning(DocumentCounter.last_serial))
    serial = session.execute(stmt).scalar_one_or_none()
    if serial is not None:
        return serial
    try:
        with session.begin_nested():
            session.execute(insert(DocumentCounter).values(
                doc_type=doc_type.value, year=year, last_serial=1))
        return 1
    except IntegrityError:  # another request created the row first
        return session.execute(stmt).scalar_one()


def allocates_apart(session: Session) -> bool:
    """Whether ``session``'s numbers are allocated in a transaction of their own (PostgreSQL, and
    a session on an engine: a test's session joined to an outer connection keeps them inside)."""
    bind = session.get_bind()
    return isinstance(bind, Engine) and bind.dialect.name == "postgresql"


def next_serial(session: Session, doc_type: DocumentType, year: int) -> int:
    """Allocate the next serial for ``doc_type`` and ``year``."""
    if not allocates_apart(session):
        return _bump(session, doc_type, year)
    session.connection()  # begin the request's transaction: its end decides the number's fate
    with Session(session.get_bind()) as own, own.begin():
        serial = _bump(own, doc_type, year)
    session.info.setdefault(_ALLOCATED, []).append((doc_type.value, year, serial))
    return serial


def void_numbers(engine: Engine, allocated: list[tuple[str, int, int]]) -> None:
    """Record ``allocated`` numbers as void, in a transaction of their own."""
    with Session(engine) as own, own.begin():
        for doc_type, year, serial in allocated:
            own.execute(insert(VoidNumber).values(doc_type=doc_type, year=year, serial=serial))
    log.warning("编号作废（出具未完成）：%s", ", ".join(f"{d}-{y}-{s}" for d, y, s in allocated))


def _committed(session: Session) -> None:
    if session.get_nested_transaction() is None:
        session.info.pop(_ALLOCATED, None)


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None or transaction.nested:
        return
    allocated = session.info.pop(_ALLOCATED, None)
    if allocated:
        try:
            void_numbers(session.get_bind(), allocated)
        except SQLAlchemyError:  # the database is gone: the log line is all that is left
            log.exception("作废编号无法记录：%s", allocated)


def track_void_numbers(maker: sessionmaker) -> None:
    """Record the numbers of ``maker``'s sessions whose transaction ends without a commit."""
    event.listen(maker, "after_commit", _committed)
    event.listen(maker, "after_transaction_end", _ended)
