"""audit_log is append-only: the database refuses UPDATE, DELETE and TRUNCATE

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:30:00

Issue 10 §5: the hash chain shows an edited or removed entry, but not the newest entries removed
from the end; the checkpoints outside the database show that, and the database itself refuses
the statements that would do it. PostgreSQL: a row trigger on UPDATE/DELETE and a statement
trigger on TRUNCATE, all raising. SQLite: BEFORE UPDATE/DELETE triggers that abort (SQLite has
no TRUNCATE; a DELETE without WHERE fires the row trigger). A superuser can still bypass them
(``session_replication_role = replica``, ``ALTER TABLE … DISABLE TRIGGER``, or dropping them):
run the service as a role that does not own the table (README "Security").
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

MESSAGE = "审计日志只能追加，不能修改或删除（audit_log is append-only）"

PG_FUNCTION = f"""
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: %', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute("CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {verb}'); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_delete")
        op.execute("DROP TRIGGER audit_log_no_update")
