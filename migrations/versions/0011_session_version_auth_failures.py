"""users.session_version (sessions end at logout) and auth_failures (failed sign-ins per window)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:40:00

Issue 10 §5: the session cookie is signed, not stored, so clearing it at logout did not stop a
copy captured before from working for 31 days. The session now carries the user's
``session_version``; logout increments it and older cookies are refused.

Failed API keys and logins were counted per worker process (flask-limiter's memory:// storage):
``auth_failures`` holds one counter per client address, username or key prefix and window, which
every worker reads and increments atomically (INSERT ... ON CONFLICT DO UPDATE, on SQLite and
PostgreSQL). Rows whose window ended are deleted as new failures arrive.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                   server_default="0"))
    op.create_table(
        "auth_failures",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_auth_failures_expires_at", "auth_failures", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_failures_expires_at", table_name="auth_failures")
    op.drop_table("auth_failures")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
