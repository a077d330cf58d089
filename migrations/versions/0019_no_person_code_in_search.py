"""search index: no part of a natural person's ID number, not even the masked one

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:00:00

Trial 19: the public search found a person by the last four digits of the masked ID number
(2*************1237) the index held. ``app.archive.search.terms.indexed_text`` now indexes the
code the public pages show (``app.domain.masking.shown_subject_code``: nothing for a 自然人);
the rows indexed before are rewritten here the same way. The downgrade leaves them so: an index
that finds less is still a correct index for the older code.
"""
from alembic import op

from app.archive.search.terms import indexed_text

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

PERSONS = ("SELECT f.id, f.subject_kind, f.subject_name, f.subject_code_public, f.matter, "
           "COALESCE(u.name, '') FROM filings f LEFT JOIN receiving_units u ON u.id = f.unit_id "
           "WHERE f.subject_kind = 'natural_person'")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("UPDATE filings_fts SET subject_code = '' WHERE rowid IN "
                             "(SELECT id FROM filings WHERE subject_kind = 'natural_person')")
        return
    rows = [{"id": filing_id, "doc": indexed_text(*values).document}
            for filing_id, *values in bind.exec_driver_sql(PERSONS).fetchall()]
    if rows:
        bind.exec_driver_sql("UPDATE filings_search SET document_lower = lower(%(doc)s) "
                             "WHERE filing_id = %(id)s", rows)


def downgrade() -> None:
    pass
