"""audit_log.position: the chain numbers its own entries

Revision ID: 0026
Revises: 0024_scaffold
Create Date: 2026-12-03 19:30:00

Issue 15 §2: on PostgreSQL a failed insert (two writers racing for the chain's head) consumes a
sequence value, so ``audit verify`` reported "第15–15条记录缺失" over an intact chain. Each entry
now carries its position in the chain (1, 2, 3, … with no gaps, unique); entries written before
are numbered in id order. The append-only triggers (0012) are lifted for this one backfill, inside
the migration's transaction.
"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0024_scaffold'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    verb: f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log BEGIN SELECT "
          f"RAISE(ABORT, '审计日志只能追加，不能修改或删除（audit_log is append-only）: {verb}'); END"
    for verb in ("UPDATE", "DELETE")}


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("audit_log", sa.Column("position", sa.Integer(), nullable=True))
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete")
        op.execute("UPDATE audit_log SET position = n.position FROM (SELECT id, row_number() "
                   "OVER (ORDER BY id) AS position FROM audit_log) AS n WHERE audit_log.id = n.id")
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("UPDATE audit_log SET position = (SELECT COUNT(*) FROM audit_log AS a "
                   "WHERE a.id <= audit_log.id)")
        op.execute(SQLITE_TRIGGERS["UPDATE"])
    op.create_index("ix_audit_log_position", "audit_log", ["position"], unique=True)


def downgrade() -> None:
    bind = op.get_bind()
    op.drop_index("ix_audit_log_position", "audit_log")
    if bind.dialect.name == "sqlite":
        # DROP COLUMN rebuilds nothing in SQLite ≥ 3.35, and the triggers stay as they are.
        op.execute("ALTER TABLE audit_log DROP COLUMN position")
    else:
        op.drop_column("audit_log", "position")
