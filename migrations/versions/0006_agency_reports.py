"""agency reports and agency publication date

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies') as batch_op:
        batch_op.add_column(sa.Column('published_on', sa.Date(), nullable=True))
    op.create_table(
        'agency_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('verification_code', sa.String(length=16), nullable=False),
        sa.Column('subject_name', sa.String(length=100), nullable=False),
        sa.Column('subject_code', sa.String(length=18), nullable=False),
        sa.Column('project_name', sa.String(length=200), nullable=False),
        sa.Column('requesting_unit_id', sa.Integer(), nullable=True),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('grade', sa.String(length=4), nullable=True),
        sa.Column('recommendation', sa.String(length=20), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('original_name', sa.String(length=200), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('review_reason', sa.Text(), nullable=True),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id']),
        sa.ForeignKeyConstraint(['requesting_unit_id'], ['receiving_units.id']),
        sa.ForeignKeyConstraint(['reviewed_by'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('ix_agency_reports_agency_id', 'agency_reports', ['agency_id'])
    op.create_index('ix_agency_reports_subject_code', 'agency_reports', ['subject_code'])
    op.create_index('ix_agency_reports_status', 'agency_reports', ['status'])


def downgrade() -> None:
    op.drop_table('agency_reports')
    with op.batch_alter_table('agencies') as batch_op:
        batch_op.drop_column('published_on')
