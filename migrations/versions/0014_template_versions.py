"""Every issued record names the template (family, version) it was produced with

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:30:00

Letters (``issued_documents``) carried ``template_name``/``template_version`` already. Certificates
kept theirs inside the ``snapshot`` JSON and agency report scaffolds had none: both rendered with
a hard-coded "v1", the only version either family ever had, so "v1" is exactly what each existing
row was produced with. The server default only backfills; new rows are written by the services
(app/documents/registry.py names the current version), so it is dropped again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = (("credit_checks", "credit_check"), ("agency_reports", "reports"))


def upgrade() -> None:
    for table, family in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("template_name", sa.String(100), nullable=False,
                                       server_default=family))
            batch.add_column(sa.Column("template_version", sa.String(20), nullable=False,
                                       server_default="v1"))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("template_name", server_default=None,
                               existing_type=sa.String(100), existing_nullable=False)
            batch.alter_column("template_version", server_default=None,
                               existing_type=sa.String(20), existing_nullable=False)


def downgrade() -> None:
    for table, _family in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("template_version")
            batch.drop_column("template_name")
