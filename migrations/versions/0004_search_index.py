"""search index for filings (SQLite FTS5 trigram, PostgreSQL pg_trgm)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00

SQLite: an FTS5 virtual table ``filings_fts`` (tokenize='trigram', rowid = filings.id) and a
trigger that drops a filing's index row when the filing row is deleted (PostgreSQL gets the
same from ON DELETE CASCADE). NB: a later batch migration that recreates ``filings`` on SQLite
drops that trigger with the old table and must create it again.

PostgreSQL: ``filings_search`` (one row per filing) holds the searchable text lower-cased
(``document_lower``, searched with LIKE: the same result as ILIKE on the original text, a fraction
of the cost per row) and a copy of the filter columns of ``filings`` (status, unit_id, scenario,
subject_kind, commitment_date), so a text query filters and orders on one table. A trigger keeps
the copy equal to ``filings`` whenever one of those columns changes (status changes such as
"rejected" do not re-index). Indexes: a GIN gin_trgm_ops index (fastupdate off: no pending list to
scan on every query) for ``LIKE '%...%'``, (status, filing_id) for "newest first" walks, and a
text_pattern_ops index on the public name for 1-2 character queries.

Both: btree indexes on filings for the filters, shaped so that "newest first" pages and the
capped count can walk an index instead of sorting.
"""
import sqlite3

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

MIN_SQLITE_FOR_TRIGRAM = (3, 34, 0)

# (name, columns); created on both dialects. created_at/id last so an index walk is already
# in "newest first" order for each filter value.
FILTER_INDEXES = [
    ("ix_filings_status_created", ["status", "created_at", "id"]),
    ("ix_filings_status_unit_created", ["status", "unit_id", "created_at", "id"]),
    ("ix_filings_status_scenario_created", ["status", "scenario", "created_at", "id"]),
    ("ix_filings_status_kind_created", ["status", "subject_kind", "created_at", "id"]),
    ("ix_filings_status_date_created", ["status", "commitment_date", "created_at", "id"]),
]
SQLITE_ONLY_INDEXES = [
    # 1-2 character queries: a range on the name narrows, the indexed public name decides.
    ("ix_filings_subject_name", ["subject_name"]),
    # Text matches come from FTS5 as rowids; checking the filters through this narrow covering
    # index instead of the wide filings rows made the capped count ~30% faster at 1M filings.
    ("ix_filings_id_filters", ["id", "status", "unit_id", "scenario", "subject_kind", "commitment_date"]),
]
BACKFILL_BATCH = 2000


def _sqlite_upgrade() -> None:
    bind = op.get_bind()
    version = tuple(int(p) for p in bind.exec_driver_sql("select sqlite_version()").scalar().split("."))
    if version < MIN_SQLITE_FOR_TRIGRAM:
        raise RuntimeError(
            f"SQLite {'.'.join(map(str, version))} has no FTS5 trigram tokenizer; the search index "
            f"needs SQLite >= 3.34.0 (Python's sqlite3 module is linked against "
            f"{sqlite3.sqlite_version}). Upgrade SQLite or use PostgreSQL.")
    try:
        op.execute(
            "CREATE VIRTUAL TABLE filings_fts USING fts5("
            "subject_name, subject_code, matter, unit_name, tokenize='trigram')")
    except sa.exc.OperationalError as exc:  # FTS5 compiled out, or no trigram tokenizer
        raise RuntimeError(f"SQLite cannot create an FTS5 trigram table: {exc.orig}") from exc
    op.execute(
        "CREATE TRIGGER filings_fts_after_delete AFTER DELETE ON filings BEGIN "
        "DELETE FROM filings_fts WHERE rowid = old.id; END")


# The filter columns copied from filings into filings_search (same names and types).
SEARCH_FILTER_COLUMNS = ("status", "unit_id", "scenario", "subject_kind", "commitment_date")
PG_SYNC_FUNCTION = """
CREATE FUNCTION filings_search_sync_filters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE filings_search
       SET status = NEW.status, unit_id = NEW.unit_id, scenario = NEW.scenario,
           subject_kind = NEW.subject_kind, commitment_date = NEW.commitment_date
     WHERE filing_id = NEW.id;
    RETURN NULL;
END $$"""
PG_SYNC_TRIGGER = (
    "CREATE TRIGGER filings_search_sync_filters AFTER UPDATE OF "
    + ", ".join(SEARCH_FILTER_COLUMNS) + " ON filings FOR EACH ROW WHEN ("
    + " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SEARCH_FILTER_COLUMNS)
    + ") EXECUTE FUNCTION filings_search_sync_filters()")
PG_SEARCH_INDEXES = [
    # ``bench/make_search_dataset.py`` drops and recreates the GIN index around its bulk load.
    "CREATE INDEX ix_filings_search_document_trgm ON filings_search "
    "USING gin (document_lower gin_trgm_ops) WITH (fastupdate = off)",
    "CREATE INDEX ix_filings_search_status_id ON filings_search (status, filing_id)",
    "CREATE INDEX ix_filings_search_name_prefix ON filings_search (subject_name text_pattern_ops)",
]


def _postgresql_upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table(
        "filings_search",
        sa.Column("filing_id", sa.Integer(),
                  sa.ForeignKey("filings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(32), nullable=False),
        sa.Column("subject_kind", sa.String(32), nullable=False),
        sa.Column("commitment_date", sa.Date(), nullable=False),
        sa.Column("subject_name", sa.Text(), nullable=False),
        sa.Column("document_lower", sa.Text(), nullable=False),
    )
    for statement in PG_SEARCH_INDEXES:
        op.execute(statement)
    # LIKE '%term%' selectivity comes from the column's histogram: 1000 sampled documents tell a
    # term in 0.1% of the filings from one in 30%, which decides between a bitmap and a walk.
    op.execute("ALTER TABLE filings_search ALTER COLUMN document_lower SET STATISTICS 1000")
    op.execute(PG_SYNC_FUNCTION)
    op.execute(PG_SYNC_TRIGGER)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_upgrade()
    elif dialect == "postgresql":
        _postgresql_upgrade()
    else:
        raise RuntimeError(f"no search index for the {dialect} dialect")
    for name, columns in FILTER_INDEXES + (SQLITE_ONLY_INDEXES if dialect == "sqlite" else []):
        op.create_index(name, "filings", columns)
    _backfill(dialect)


def _backfill(dialect: str) -> None:
    """Index the filings that exist already (the services index new ones after each commit)."""
    from app.archive.search import indexed_text

    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT f.id, f.status, f.unit_id, f.scenario, f.commitment_date, "
        "f.subject_kind, f.subject_name, f.subject_code_public, f.matter, u.name "
        "FROM filings f JOIN receiving_units u ON u.id = f.unit_id ORDER BY f.id"))
    if dialect == "sqlite":
        insert = sa.text("INSERT INTO filings_fts (rowid, subject_name, subject_code, matter, unit_name) "
                         "VALUES (:id, :subject_name, :subject_code, :matter, :unit_name)")
    else:
        insert = sa.text(
            "INSERT INTO filings_search (filing_id, status, unit_id, scenario, subject_kind, "
            "commitment_date, subject_name, document_lower) VALUES (:id, :status, :unit_id, "
            ":scenario, :subject_kind, :commitment_date, :subject_name, lower(:document))")
    while batch := rows.fetchmany(BACKFILL_BATCH):
        values = []
        for filing_id, status, unit_id, scenario, commitment_date, *fields in batch:
            indexed = indexed_text(*fields)
            values.append({"id": filing_id, "status": status, "unit_id": unit_id,
                           "scenario": scenario, "subject_kind": fields[0],
                           "commitment_date": commitment_date, "subject_name": indexed.subject_name,
                           "subject_code": indexed.subject_code, "matter": indexed.matter,
                           "unit_name": indexed.unit_name, "document": indexed.document})
        bind.execute(insert, values)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, _columns in reversed(FILTER_INDEXES + (SQLITE_ONLY_INDEXES if dialect == "sqlite" else [])):
        op.drop_index(name, table_name="filings")
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS filings_fts_after_delete")
        op.execute("DROP TABLE IF EXISTS filings_fts")
    elif dialect == "postgresql":
        # pg_trgm stays: other objects may use it, and creating it needs privileges.
        op.execute("DROP TRIGGER IF EXISTS filings_search_sync_filters ON filings")
        op.execute("DROP FUNCTION IF EXISTS filings_search_sync_filters()")
        op.drop_table("filings_search")
