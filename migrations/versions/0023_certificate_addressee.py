"""credit_checks.addressee_unit_id: the requesting department a certificate is addressed to

Revision ID: 0023_certificate_addressee
Revises: 0022
Create Date: 2026-12-03 19:00:00

Issue 14 §2: a 信用核查结果告知书 carries a 主送 (the requesting department), which with the
holders of its 验证码 may read it. A request names it, by default the department of the clerk (or
API key) who asks, which is the issuing unit: the certificates issued before are addressed to
their issuing unit here. The downgrade drops the column.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_certificate_addressee'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("credit_checks") as batch:
        batch.add_column(sa.Column("addressee_unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_credit_checks_addressee_unit_id", "receiving_units",
                                 ["addressee_unit_id"], ["id"])
        batch.create_index("ix_credit_checks_addressee_unit_id", ["addressee_unit_id"])
    op.execute("UPDATE credit_checks SET addressee_unit_id = unit_id")


def downgrade() -> None:
    with op.batch_alter_table("credit_checks") as batch:
        batch.drop_index("ix_credit_checks_addressee_unit_id")
        batch.drop_constraint("fk_credit_checks_addressee_unit_id", type_="foreignkey")
        batch.drop_column("addressee_unit_id")
