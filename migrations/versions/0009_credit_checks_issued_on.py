"""credit_checks.issued_on: the certificate's own date, for statistics and the public view

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:30:00

Monthly statistics (policy 八(三)) counted certificates by ``created_at``, the wall-clock instant
in UTC: a certificate dated 12月1日 in Lingyuan before 08:00 counted in November, and a service
run with a given date (tests, a back-dated import) counted by the machine's clock. The date printed
on the certificate is the one that counts; it is stored now and backfilled from the snapshot the
certificate was rendered from.
"""
import json
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("credit_checks", sa.Column("issued_on", sa.Date(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, snapshot, created_at FROM credit_checks")).all()
    for row_id, snapshot, created_at in rows:
        data = json.loads(snapshot) if isinstance(snapshot, str) else (snapshot or {})
        issued = (data.get("certificate") or {}).get("issued_on")
        if issued:
            value = date.fromisoformat(issued)
        else:  # no snapshot date (never written so): the creation instant in Beijing time
            stamp = datetime.fromisoformat(created_at) if isinstance(created_at, str) else created_at
            value = (stamp.replace(tzinfo=stamp.tzinfo or UTC) + timedelta(hours=8)).date()
        conn.execute(sa.text("UPDATE credit_checks SET issued_on = :d WHERE id = :i"),
                     {"d": value, "i": row_id})
    with op.batch_alter_table("credit_checks") as batch:
        batch.alter_column("issued_on", existing_type=sa.Date(), nullable=False)
        batch.create_index("ix_credit_checks_issued_on", ["issued_on"])


def downgrade() -> None:
    with op.batch_alter_table("credit_checks") as batch:
        batch.drop_index("ix_credit_checks_issued_on")
        batch.drop_column("issued_on")
