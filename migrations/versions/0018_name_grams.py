"""public-name grams for 1-2 character queries (both dialects), replacing the prefix indexes of 0008

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03 13:40:00

Issue 12 §4: "宏达" found no 凌源市宏达建筑工程有限公司: a trigram index cannot serve a 2-character
term, and 1-2 character queries only matched the start of the public name (0008). The table
``filings_name_grams (gram, filing_id)``, primary key in that order, holds for each indexed filing
every distinct 2-character piece of its public name (lower-cased, NFKC) and its first character
alone (a surname: "张" finds 张**). Walked backwards for one gram it gives the matches newest
first, as the prefix indexes did, so page 50 still reads ~1,000 entries. The public name is the
masked one for natural persons (张**): no gram holds a given name.

The grams are computed by ``app.archive.search.terms.name_grams`` (Python), here for the backfill
as in the adapters, so the query and the index fold case the same way on both dialects.
The 0008 structures are dropped: nothing reads them any more.
"""
from alembic import op

from app.archive.search.terms import name_grams

revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None

SQLITE_TABLE = (
    "CREATE TABLE filings_name_grams ("
    "gram TEXT NOT NULL, "
    "filing_id INTEGER NOT NULL REFERENCES filings (id) ON DELETE CASCADE, "
    "PRIMARY KEY (gram, filing_id)) WITHOUT ROWID")
PG_TABLE = (
    "CREATE TABLE filings_name_grams ("
    "gram text NOT NULL, "
    "filing_id integer NOT NULL REFERENCES filings (id) ON DELETE CASCADE, "
    "PRIMARY KEY (gram, filing_id))")
FILING_ID_INDEX = "CREATE INDEX ix_filings_name_grams_filing ON filings_name_grams (filing_id)"
"""Re-indexing or deleting one filing finds its grams without reading the table."""
SOURCE = {
    "sqlite": "SELECT t.rowid, t.subject_name FROM filings_fts t JOIN filings f ON f.id = t.rowid",
    "postgresql": "SELECT filing_id, subject_name FROM filings_search",
}
"""Where the public names indexed so far are."""
BATCH = 5000

# 0008, for the downgrade.
PG_PREFIX_INDEXES = {
    f"ix_filings_search_prefix{n}":
        f"CREATE INDEX ix_filings_search_prefix{n} ON filings_search "
        f"(left(subject_name, {n}), filing_id) INCLUDE (status)"
    for n in (1, 2)
}
SQLITE_PUBLIC_NAME = [
    "CREATE TABLE filings_public_name ("
    "filing_id INTEGER PRIMARY KEY REFERENCES filings (id) ON DELETE CASCADE, name TEXT NOT NULL)",
    "INSERT INTO filings_public_name (filing_id, name) "
    "SELECT t.rowid, t.subject_name FROM filings_fts t JOIN filings f ON f.id = t.rowid",
    *[f"CREATE INDEX ix_filings_public_name_prefix{n} ON filings_public_name "
      f"(substr(name, 1, {n}), filing_id)" for n in (1, 2)],
]


def backfill(conn, dialect: str) -> None:
    """Fill ``filings_name_grams`` from the public names already indexed."""
    insert = ("INSERT INTO filings_name_grams (gram, filing_id) VALUES (:gram, :id)" if dialect == "sqlite"
              else "INSERT INTO filings_name_grams (gram, filing_id) VALUES (%(gram)s, %(id)s)")
    rows = conn.exec_driver_sql(SOURCE[dialect]).fetchall()
    batch: list[dict] = []
    for filing_id, name in rows:
        batch += [{"gram": g, "id": filing_id} for g in name_grams(name)]
        if len(batch) >= BATCH:
            conn.exec_driver_sql(insert, batch)
            batch = []
    if batch:
        conn.exec_driver_sql(insert, batch)


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    op.execute(SQLITE_TABLE if dialect == "sqlite" else PG_TABLE)
    backfill(bind, dialect)
    op.execute(FILING_ID_INDEX)
    if dialect == "postgresql":
        for name in PG_PREFIX_INDEXES:
            op.execute(f"DROP INDEX {name}")
    else:
        op.execute("DROP TABLE filings_public_name")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP TABLE filings_name_grams")
    if dialect == "postgresql":
        for statement in PG_PREFIX_INDEXES.values():
            op.execute(statement)
    else:
        for statement in SQLITE_PUBLIC_NAME:
            op.execute(statement)
