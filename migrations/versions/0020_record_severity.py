"""Every dishonesty record has a severity: NULL severities backfilled with their type's default

Revision ID: 0020_record_severity
Revises: 0019
Create Date: 2026-12-03 19:20:00

Issue 14 §1: black-list and breach records without a severity never expired (a 2021 breach still
gave 惩戒). ``credit_records.severity`` already exists; its NULLs take the default of their type
(domain-rules §8.1, ``app.domain.credit_records.DEFAULT_SEVERITY``): 失信黑名单 and 违诺 严重,
行政处罚 一般, 轻微失信 轻微. 红名单, 行政许可 and 信用评价 keep NULL: they have no publicity
window. The downgrade cannot tell a backfilled value from a typed one and leaves them: a record
with its default severity is read the same by the older code's window rules.
"""
from alembic import op

revision = '0020_record_severity'
down_revision = '0019'
branch_labels = None
depends_on = None

DEFAULTS = (("black_list", "严重"), ("breach", "严重"), ("penalty", "一般"), ("minor", "轻微"))
"""A copy of DEFAULT_SEVERITY as it was when this migration was written (migrations do not
follow later code)."""


def upgrade() -> None:
    bind = op.get_bind()
    for record_type, severity in DEFAULTS:
        bind.exec_driver_sql(
            "UPDATE credit_records SET severity = %s WHERE severity IS NULL AND record_type = %s"
            if bind.dialect.name != "sqlite" else
            "UPDATE credit_records SET severity = ? WHERE severity IS NULL AND record_type = ?",
            (severity, record_type))


def downgrade() -> None:
    pass
