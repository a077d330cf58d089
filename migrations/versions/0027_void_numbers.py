"""void_numbers: numbers allocated and never issued

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 19:40:00

Issue 15 §2: on PostgreSQL a number is allocated in its own short transaction
(``app.services.numbering``); a request that fails afterwards records its number here.
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "void_numbers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("doc_type", sa.String(4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("doc_type", "year", "serial"),
    )


def downgrade() -> None:
    op.drop_table("void_numbers")
