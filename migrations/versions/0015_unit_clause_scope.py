"""A receiving unit's clause 6 applies to the scenarios and subject kinds it names

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:30:00

Issue 12 §2: 住建局's wage clause ("不转包、不违法分包") was printed on every letter to it, a natural
person's housing letter included. ``clause_scenarios`` and ``clause_subject_kinds`` hold the
values (comma-separated ``Scenario`` / ``SubjectKind`` values) the clause applies to; NULL means
every scenario or kind, which is what every existing clause did, so existing rows keep their
behaviour until the unit narrows them (``flask units set-clause``).
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receiving_units") as batch:
        batch.add_column(sa.Column("clause_scenarios", sa.String(200)))
        batch.add_column(sa.Column("clause_subject_kinds", sa.String(200)))


def downgrade() -> None:
    with op.batch_alter_table("receiving_units") as batch:
        batch.drop_column("clause_subject_kinds")
        batch.drop_column("clause_scenarios")
