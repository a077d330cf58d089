"""Database engine and sessions (SQLAlchemy 2); schema changes go through Alembic."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys and a busy timeout.

    PostgreSQL sessions run with ``jit=off``: the service's statements are short, and compiling
    one whose estimate passes jit_above_cost adds 10-100 ms (seen on search statements with
    several filters), far more than the statement itself takes.
    """
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["lyxy_sessionmaker"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config(url: str):
    """Alembic configuration pointing at our migrations and ``url``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def current_revision(url: str) -> str | None:
    """The Alembic revision the database at ``url`` is at; ``None`` for a new database."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade_database(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration."""
    import logging

    # Alembic reports every step at INFO ("Running upgrade 0013 -> 0014 …"): some thirty lines
    # a newcomer's first ``make run`` need not read. Warnings and errors still show.
    migration_log = logging.getLogger("alembic")
    level = migration_log.level
    migration_log.setLevel(logging.WARNING)
    try:
        from alembic import command

        command.upgrade(alembic_config(url), "head")
    finally:
        migration_log.setLevel(level)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["lyxy_engine"] = engine
    app.extensions["lyxy_sessionmaker"] = maker = sessionmaker(engine, expire_on_commit=False)
    from app.services.numbering import track_void_numbers

    track_void_numbers(maker)
    app.teardown_appcontext(_close_session)
