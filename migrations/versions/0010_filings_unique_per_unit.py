"""filings: the same bytes are one filing per receiving unit, not one for the whole service

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00

Issue 10 §1: ``filings.sha256`` was unique, so a unit that uploaded bytes another unit had filed
was answered with that unit's filing id and status. Uniqueness is now ``(unit_id, sha256)``
(``uq_filings_unit_id_sha256``): each unit gets its own record.

SQLite: the old UNIQUE(sha256) is an unnamed table constraint; batch mode recreates ``filings``
and finds it by the naming convention below. Recreating the table drops the
``filings_fts_after_delete`` trigger of 0004, which is created again. Foreign keys are off on
Alembic's connection (the app's engine turns them on, migrations use their own), so dropping the
old table cascades nothing into ``filings_public_name``.

PostgreSQL: the constraint PostgreSQL named ``filings_sha256_key`` is dropped, the new one added;
the search triggers of 0004 are untouched.

Downgrade refuses (IntegrityError) once two units have filed the same bytes.
"""
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

NEW = "uq_filings_unit_id_sha256"
SQLITE_OLD = "uq_filings_sha256"
"""Name the naming convention gives SQLite's unnamed UNIQUE(sha256) (never stored anywhere)."""
PG_OLD = "filings_sha256_key"
SQLITE_DELETE_TRIGGER = (
    "CREATE TRIGGER filings_fts_after_delete AFTER DELETE ON filings BEGIN "
    "DELETE FROM filings_fts WHERE rowid = old.id; END")
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("filings", naming_convention=CONVENTION,
                                  recreate="always") as batch:
            batch.drop_constraint(SQLITE_OLD, type_="unique")
            batch.create_unique_constraint(NEW, ["unit_id", "sha256"])
        op.execute("DROP TRIGGER IF EXISTS filings_fts_after_delete")
        op.execute(SQLITE_DELETE_TRIGGER)
        return
    op.drop_constraint(PG_OLD, "filings", type_="unique")
    op.create_unique_constraint(NEW, "filings", ["unit_id", "sha256"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("filings", naming_convention=CONVENTION,
                                  recreate="always") as batch:
            batch.drop_constraint(NEW, type_="unique")
            batch.create_unique_constraint(SQLITE_OLD, ["sha256"])
        op.execute("DROP TRIGGER IF EXISTS filings_fts_after_delete")
        op.execute(SQLITE_DELETE_TRIGGER)
        return
    op.drop_constraint(NEW, "filings", type_="unique")
    op.create_unique_constraint(PG_OLD, "filings", ["sha256"])

