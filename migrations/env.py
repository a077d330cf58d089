"""Alembic environment: runs migrations against the URL set by app.db.alembic_config."""

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from app.models import Base

config = context.config
target_metadata = Base.metadata

MIGRATION_LOCK = 0x4C59_5859_4D49_4752  # "LYXYMIGR": one lock id for every instance
"""PostgreSQL advisory lock held while migrating: two ``init-db`` at once (two instances starting)
take turns; the second finds the schema current and does nothing."""


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
        poolclass=pool.NullPool)
    with connectable.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Session-level lock, released when this connection closes (also on a crash).
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
