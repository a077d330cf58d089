"""Which adapter serves a database (SQLite or PostgreSQL), and rebuilding the whole index."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.archive.search.postgres import PostgresTrgmIndex
from app.archive.search.sqlite import SqliteFtsIndex
from app.archive.search.terms import COUNT_CAP, DbSession, FilingEntry


def _dialect_name(session_or_engine: Any) -> str:
    dialect = getattr(session_or_engine, "dialect", None)  # Engine or Connection
    if dialect is None:
        dialect = session_or_engine.get_bind().dialect  # Session
    return dialect.name


def search_index_for(session_or_engine: Any,
                     count_cap: int = COUNT_CAP) -> SqliteFtsIndex | PostgresTrgmIndex:
    """The index implementation for the database behind a Session, Engine or Connection;
    totals are counted up to ``count_cap`` matches.

    :raises ValueError: a database other than SQLite or PostgreSQL.
    """
    dialect = _dialect_name(session_or_engine)
    if dialect == "sqlite":
        return SqliteFtsIndex(count_cap=count_cap)
    if dialect == "postgresql":
        return PostgresTrgmIndex(count_cap=count_cap)
    raise ValueError(f"no search index for the {dialect} dialect")


_BATCH_SQL = (
    "SELECT f.id, f.status, f.unit_id, f.scenario, f.subject_kind, f.commitment_date, "
    "f.subject_name, f.subject_code_public, f.matter, COALESCE(u.name, '') "
    "FROM filings f LEFT JOIN receiving_units u ON u.id = f.unit_id "
    "WHERE f.id > {after} ORDER BY f.id LIMIT {limit}")


def _filing_batch(session: DbSession, named: bool, after: int,
                  limit: int) -> list[tuple[FilingEntry, str]]:
    """The next ``limit`` filings after id ``after``, as (values, unit name)."""
    after_p, limit_p = (":after", ":limit") if named else ("%(after)s", "%(limit)s")
    rows = session.connection().exec_driver_sql(
        _BATCH_SQL.format(after=after_p, limit=limit_p), {"after": after, "limit": limit})
    batch = []
    for *values, unit_name in rows:
        entry = FilingEntry(*values)
        if isinstance(entry.commitment_date, str):  # SQLite keeps dates as ISO text
            entry = FilingEntry(*values[:5], date.fromisoformat(entry.commitment_date), *values[6:])
        batch.append((entry, unit_name))
    return batch


def rebuild_index(session: DbSession, batch_size: int = 1000) -> int:
    """Index every filing (after a restore, or when the indexed fields changed); returns the count."""
    index = search_index_for(session)
    named = isinstance(index, SqliteFtsIndex)  # sqlite3 takes :name parameters, psycopg %(name)s
    session.flush()
    count, last_id = 0, 0
    while True:
        batch = _filing_batch(session, named, last_id, batch_size)
        if not batch:
            return count
        index.add_many_to_index(session, batch)
        count, last_id = count + len(batch), batch[-1][0].id
