"""credit imports in batches (resumable) and breaches linked to our commitments

Revision ID: 0022
Revises: 0021_report_use
Create Date: 2026-12-03 19:00:00

Issue 14 §4. ``credit_imports``: one row per import run of a file (its content digest, how far
it got, its counts), so an import commits batch by batch, resumes where it stopped and does not
run twice for the same file. ``credit_records``: a 违诺 names the 承诺书编号 it breaches
(``commitment_number``, as written); when the number is one of ours it is linked to the issued
letter (``commitment_document_id``) or the filed one (``commitment_filing_id``).
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021_report_use'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credit_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("total_records", sa.Integer, nullable=False),
        sa.Column("rejected_rows", sa.Integer, nullable=False, server_default="0"),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("inserted", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unchanged", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    with op.batch_alter_table("credit_records") as batch:
        batch.add_column(sa.Column("commitment_number", sa.String(100)))
        batch.add_column(sa.Column("commitment_document_id", sa.Integer,
                                   sa.ForeignKey("issued_documents.id",
                                                 name="fk_credit_records_commitment_document"),
                                   nullable=True))
        batch.add_column(sa.Column("commitment_filing_id", sa.Integer,
                                   sa.ForeignKey("filings.id",
                                                 name="fk_credit_records_commitment_filing"),
                                   nullable=True))
        batch.create_index("ix_credit_records_commitment_document_id", ["commitment_document_id"])
        batch.create_index("ix_credit_records_commitment_filing_id", ["commitment_filing_id"])
        batch.create_index("ix_credit_records_created_at", ["created_at"])


def downgrade() -> None:
    with op.batch_alter_table("credit_records") as batch:
        batch.drop_index("ix_credit_records_created_at")
        batch.drop_index("ix_credit_records_commitment_filing_id")
        batch.drop_index("ix_credit_records_commitment_document_id")
        batch.drop_column("commitment_filing_id")
        batch.drop_column("commitment_document_id")
        batch.drop_column("commitment_number")
    op.drop_table("credit_imports")
