"""credit records and credit checks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'credit_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_type', sa.String(length=16), nullable=False),
        sa.Column('subject_name', sa.String(length=100), nullable=False),
        sa.Column('subject_code_public', sa.String(length=18), nullable=False),
        sa.Column('subject_code_hash', sa.String(length=64), nullable=False),
        sa.Column('subject_code_enc', sa.Text(), nullable=False),
        sa.Column('source_department', sa.String(length=100), nullable=False),
        sa.Column('decision_number', sa.String(length=100), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=True),
        sa.Column('grade', sa.String(length=4), nullable=True),
        sa.Column('ground', sa.Integer(), nullable=True),
        sa.Column('severity', sa.String(length=4), nullable=True),
        sa.Column('repaired_on', sa.Date(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('recorded_by_unit_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_unit_id'], ['receiving_units.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_type', 'subject_code_hash', 'decision_number',
                            name='uq_credit_records_natural_key'),
    )
    op.create_index('ix_credit_records_subject_code_hash', 'credit_records', ['subject_code_hash'])
    op.create_index('ix_credit_records_subject_name', 'credit_records', ['subject_name'])
    op.create_table(
        'credit_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=32), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('verification_code', sa.String(length=16), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('api_key_id', sa.Integer(), nullable=True),
        sa.Column('subject_name', sa.String(length=100), nullable=False),
        sa.Column('subject_kind', sa.String(length=32), nullable=False),
        sa.Column('subject_code_public', sa.String(length=18), nullable=False),
        sa.Column('subject_code_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('category', sa.String(length=16), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['receiving_units.id']),
        sa.ForeignKeyConstraint(['created_by'], ['users.id']),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('number'),
    )
    op.create_index('ix_credit_checks_unit_id', 'credit_checks', ['unit_id'])
    op.create_index('ix_credit_checks_subject_code_hash', 'credit_checks', ['subject_code_hash'])
    op.create_index('ix_credit_checks_category', 'credit_checks', ['category'])
    op.create_index('ix_credit_checks_created_at', 'credit_checks', ['created_at'])


def downgrade() -> None:
    op.drop_table('credit_checks')
    op.drop_table('credit_records')
