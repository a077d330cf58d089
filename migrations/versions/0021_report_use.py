"""Reports: the scaffold's own date, one-time use of a 信用报告; agencies: date of 注销

Revision ID: 0021_report_use
Revises: 0020_record_severity
Create Date: 2026-12-03 18:40:00

Issue 14 §3. ``agency_reports.scaffold_date`` keeps the date the scaffold was issued (the upload
overwrote ``issue_date``, so a re-upload after a rejection could not be compared with it); it is
backfilled from ``issue_date``. ``used_on``/``used_at``/``used_by``/``used_for`` record the decision a
信用报告 served (policy 四(二): 一次性使用); NULL is "not used". ``agencies.cancelled_on`` is the
date the office cancelled (注销) the agency, NULL while it is not cancelled.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_report_use'
down_revision = '0020_record_severity'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency_reports") as batch:
        batch.add_column(sa.Column("scaffold_date", sa.Date()))
        batch.add_column(sa.Column("used_on", sa.Date()))
        batch.add_column(sa.Column("used_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("used_by", sa.Integer(), sa.ForeignKey(
            "users.id", name="fk_agency_reports_used_by")))
        batch.add_column(sa.Column("used_for", sa.Text()))
    op.execute("UPDATE agency_reports SET scaffold_date = issue_date")
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("cancelled_on", sa.Date()))


def downgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("cancelled_on")
    with op.batch_alter_table("agency_reports") as batch:
        batch.drop_constraint("fk_agency_reports_used_by", type_="foreignkey")
        for column in ("used_for", "used_by", "used_at", "used_on", "scaffold_date"):
            batch.drop_column(column)
