"""agency_reports.legal_representative: the 法定代表人 an agency gives when it asks for a scaffold

Revision ID: 0024_scaffold
Revises: 0023_certificate_addressee
Create Date: 2026-12-03 19:30:00

Issue 13 (the paper's open items, item 10): the name was read from the request form and dropped,
so the scaffold's PDF and DOCX printed a field to fill instead. It is a name only (never an ID
number: ``parse_scaffold_request`` normalises it as a person's name); existing rows get "" and
keep printing the field to fill.
"""
import sqlalchemy as sa
from alembic import op

revision = '0024_scaffold'
down_revision = '0023_certificate_addressee'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency_reports") as batch:
        batch.add_column(sa.Column("legal_representative", sa.String(50), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("agency_reports") as batch:
        batch.drop_column("legal_representative")
