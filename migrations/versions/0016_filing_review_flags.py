"""Filings carry what intake noticed for the reviewer (未见签章, the number filed before)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:45:00

Issue 12 §3: an unsigned, unstamped letter was filed without a word to the reviewer.
``review_flags`` holds a JSON list of ``{"code": ..., ...}``; NULL (every existing row) means
nothing was checked or noticed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("filings") as batch:
        batch.add_column(sa.Column("review_flags", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("filings") as batch:
        batch.drop_column("review_flags")
