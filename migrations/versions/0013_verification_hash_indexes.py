"""Indexes on every hash the public verification looks up (public copies, stamp results, certificates, reports)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00

``POST /api/v1/verify`` and ``/verify/<number>`` are public: each upload looks its SHA-256 up in
these columns. Without an index each lookup reads the whole table (a million filings), which anyone
could repeat; with one it is a single index probe. ``issued_documents.sha256`` has one already.
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_filings_public_copy_sha256", "filings", "public_copy_sha256"),
    ("ix_stamp_jobs_result_sha256", "stamp_jobs", "result_sha256"),
    ("ix_credit_checks_sha256", "credit_checks", "sha256"),
    ("ix_agency_reports_sha256", "agency_reports", "sha256"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
