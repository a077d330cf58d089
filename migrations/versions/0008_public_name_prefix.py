"""name prefix indexes for 1-2 character queries (PostgreSQL), public name side table (SQLite)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 13:20:00

A query of 1-2 character terms only (a surname: "张") means "the public name starts with the
first term", newest first. Both dialects now walk an index of (name prefix, filing_id) backwards,
so page 50 reads about 1,000 index entries instead of every newer filing.

PostgreSQL: ``filings_search.subject_name`` already holds the public name; two expression indexes
``(left(subject_name, n), filing_id) INCLUDE (status)`` for n = 1, 2 serve the walk of
``PostgresTrgmIndex._name_prefix_page`` (page 50 of "张*": 393 ms -> under 10 ms at 1M filings;
built in ~5 s per million). The status is included so the usual "published" filter needs no heap
visit.

SQLite: the public name lives only in the FTS5 table ``filings_fts``, whose columns cannot be
indexed, and the range on ``filings.subject_name`` used so far reads the full name: "张*" never
found the masked natural persons (张三丰 is public as 张*丰), while PostgreSQL did. A plain side
table ``filings_public_name`` (one row per indexed filing, kept by ``SqliteFtsIndex`` next to
``filings_fts``) gets the same two prefix indexes as ``substr(name, 1, n)``; it is backfilled from
``filings_fts``. ON DELETE CASCADE drops a row with its filing (the app turns foreign keys on).

The queries spell the expressions exactly as here (``left(..., n)``, ``substr(..., 1, n)``, n a
literal): the planners match index expressions by their text, not by what they compute.
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PG_INDEXES = {
    f"ix_filings_search_prefix{n}":
        f"CREATE INDEX ix_filings_search_prefix{n} ON filings_search "
        f"(left(subject_name, {n}), filing_id) INCLUDE (status)"
    for n in (1, 2)
}
SQLITE_TABLE = (
    "CREATE TABLE filings_public_name ("
    "filing_id INTEGER PRIMARY KEY REFERENCES filings (id) ON DELETE CASCADE, "
    "name TEXT NOT NULL)")
SQLITE_INDEXES = [
    f"CREATE INDEX ix_filings_public_name_prefix{n} ON filings_public_name "
    f"(substr(name, 1, {n}), filing_id)"
    for n in (1, 2)
]
SQLITE_BACKFILL = (
    "INSERT INTO filings_public_name (filing_id, name) "
    "SELECT t.rowid, t.subject_name FROM filings_fts t JOIN filings f ON f.id = t.rowid")
"""Every filing indexed so far; also what a bulk loader writing ``filings_fts`` directly (such as
``bench/make_search_dataset.py``) must run afterwards."""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_INDEXES.values():
            op.execute(statement)
    elif dialect == "sqlite":
        op.execute(SQLITE_TABLE)
        # Loaded before the indexes are built: one sort per index instead of 1M index inserts.
        op.execute(SQLITE_BACKFILL)
        for statement in SQLITE_INDEXES:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX {name}")
    elif dialect == "sqlite":
        op.execute("DROP TABLE filings_public_name")  # drops its indexes too
