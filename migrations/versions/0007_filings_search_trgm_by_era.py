"""trigram index of filings_search: the filing_id era as a second column (PostgreSQL)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 12:00:00

PostgreSQL only; nothing changes on SQLite. The GIN gin_trgm_ops index on
``filings_search.document_lower`` (0004) gets a second column, the era ``filing_id / 32768``
(btree_gin's int4 operator class). A text query that also says which era scans only that era's
part of the index and still gets exact row pointers, so the newest matches of a term come out era
by era, newest first, without reading the older ones (``PostgresTrgmIndex._newest``: page 50 of a
term in 0.5% of 1M filings went from ~60 ms to ~8 ms). A query without the era condition uses the
first column alone, as it used the old index.

The queries spell the expression with ``app.archive.search.ERA_IDS``; the value is written out
here, as a migration must not change when the code does.

The new index is built before the old one is dropped, so text search always has an index. Building
it blocks writes to ``filings_search`` (not to ``filings``) for about half a minute per million
filings.
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ERA_IDS = 32768
INDEX_NAME = "ix_filings_search_document_era_trgm"
CREATE_INDEX = (
    f"CREATE INDEX {INDEX_NAME} ON filings_search "
    f"USING gin (document_lower gin_trgm_ops, (filing_id / {ERA_IDS})) WITH (fastupdate = off)")
"""``bench/make_search_dataset.py`` drops and recreates this index around its bulk load."""
OLD_INDEX_NAME = "ix_filings_search_document_trgm"
CREATE_OLD_INDEX = (
    f"CREATE INDEX {OLD_INDEX_NAME} ON filings_search "
    "USING gin (document_lower gin_trgm_ops) WITH (fastupdate = off)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # Trusted extension (PostgreSQL 13+): the owner of the database may create it, like pg_trgm.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute(CREATE_INDEX)
    op.execute(f"DROP INDEX {OLD_INDEX_NAME}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(CREATE_OLD_INDEX)
    op.execute(f"DROP INDEX {INDEX_NAME}")
    # btree_gin stays: other objects may use it (pg_trgm stays too, see 0004).
