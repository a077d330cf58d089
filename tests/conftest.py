"""Shared fixtures: an app on a fresh database (SQLite, or PostgreSQL via LYXY_TEST_DATABASE_URL)."""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import Connection, Engine, make_url, text

from app import create_app
from app.db import get_session, make_engine, upgrade_database
from app.demo import load_demo
from app.domain.roles import Role
from app.extensions import services
from app.models import Base
from app.services import accounts
from app.services.audit import AuditTrail

UNIT_LETTER = {
    "scenario": "project_approval",
    "subject_kind": "enterprise",
    "subject_name": "凌源市示例建筑工程有限公司",
    "subject_code": "91211382MA0Y8K7Q3B",
    "legal_representative": "欧阳明",
    "matter": "凌源市城南片区道路改造工程施工许可",
    "receiving_unit": "凌源市住房和城乡建设局",
}
PERSON_LETTER = {
    "scenario": "administrative_service",
    "subject_kind": "natural_person",
    "subject_name": "张三丰",
    "subject_code": "211382199003071237",
    "legal_representative": "",
    "matter": "申请公共租赁住房保障",
    "receiving_unit": "凌源市住房和城乡建设局",
}


SHARED_KEYS = {
    # A shared deployment (PostgreSQL) refuses to start without them (app/config.py).
    "PII_KEY": "bHl4eS10ZXN0LXBpaS1rZXktMzItYnl0ZXMtbG9uZyE=",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temporary folder, or with LYXY_TEST_DATABASE_URL a database of the run's own
    on that server (created here and dropped at the end: the named database is never touched)."""
    server = os.environ.get("LYXY_TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        upgrade_database(url)
        yield url
        return
    with scratch_database(server, f"lyxy_test_{os.getpid()}") as url:
        upgrade_database(url)
        yield url


@contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on the PostgreSQL ``server``, dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(3)}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo PKI for the whole run (generating keys per test would be slow)."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture
def app(database_url: str, tmp_path: Path, pki_dir: Path) -> Iterator:
    app = create_app({
        "TESTING": True,
        **SHARED_KEYS,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "ARCHIVE_DIR": str(tmp_path / "archive"),
        "SECRET_KEY": "test-secret",
        "TODAY": "2026-11-29",
        "COMMITMENT_RATE_LIMIT": "1000 per minute",
        "LOOKUP_RATE_LIMIT": "10000 per minute",
        "WTF_CSRF_ENABLED": False,  # tests/web/test_auth.py checks CSRF with it on
        "PKI_DIR": str(pki_dir),
        "TRUSTED_HOSTS": ["localhost"],  # the test client's Host; PUBLIC_BASE_URL's is trusted too
    })
    with app.app_context():
        from app.db import get_session

        load_demo(get_session())
    yield app
    engine = app.extensions["lyxy_engine"]
    with audit_triggers_bypassed(engine) as conn:  # audit_log refuses DELETE (0012)
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    engine.dispose()


@contextmanager
def audit_triggers_bypassed(engine: Engine) -> Iterator[Connection]:
    """A transaction in which audit_log's append-only triggers (migration 0012) do not fire, as
    for a database superuser: the test cleanup, and tests that play an attacker with such rights.

    PostgreSQL: ``SET LOCAL session_replication_role = replica`` (the test connects as a superuser;
    the setting ends with the transaction). SQLite has no such switch: the triggers are dropped
    and re-created from their own SQL inside the transaction.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            yield conn
            return
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                     "AND tbl_name = 'audit_log'")).all()
        assert len(triggers) == 2, triggers  # the guard exists; a test must not pass without it
        for name, _sql in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        yield conn
        for _name, sql in triggers:
            conn.execute(text(sql))


@pytest.fixture
def trail(app) -> AuditTrail:
    """An audit trail with the app's key, as a view or command hands it to a service."""
    return services(app).trail("user:test")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct-horse-battery"
"""The password the test modules give the staff accounts they create."""


def post_login(client, username: str, password: str = PASSWORD, **kwargs):
    """The login form posted by ``client``; the response, whatever it is (tests of login itself)."""
    return client.post("/login", data={"username": username, "password": password}, **kwargs)


def login_as(app, username: str, password: str = PASSWORD, client=None):
    """``client`` (a new test client unless given) logged in as ``username``; fails unless it worked."""
    client = app.test_client() if client is None else client
    resp = post_login(client, username, password)
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return client


ZJJ = "凌源市住房和城乡建设局"
"""The demo receiving unit test clerks belong to unless told otherwise (住建局)."""
CZJ = "凌源市财政局"
"""A second demo receiving unit (财政局)."""
DEMO_AGENCY_NAME = "辽宁示例信用评价有限公司（演示）"
"""The demo credit agency test agency users belong to unless told otherwise."""

_USERNAMES = {Role.UNIT_CLERK: "clerk", Role.OFFICE_REVIEWER: "reviewer", Role.OFFICE_ADMIN: "admin",
              Role.AGENCY_USER: "agent"}
_DISPLAY_NAMES = {Role.UNIT_CLERK: "经办人", Role.OFFICE_REVIEWER: "审核员", Role.OFFICE_ADMIN: "管理员",
                  Role.AGENCY_USER: "机构"}
_OWNERS = {Role.UNIT_CLERK: ZJJ, Role.AGENCY_USER: DEMO_AGENCY_NAME}


@pytest.fixture
def make_user(app) -> Callable[..., str]:
    """Create a staff account with password ``PASSWORD``; returns its username.

    ``make_user(role, username=None, *, owner=None, display_name=None)``: the username defaults to
    clerk / reviewer / admin / agent by role, the owner of a unit clerk to ``ZJJ`` and of an
    agency user to ``DEMO_AGENCY_NAME``.
    """

    def make(role: Role, username: str | None = None, *, owner: str | None = None,
             display_name: str | None = None) -> str:
        username = username or _USERNAMES[role]
        with app.app_context():
            db = get_session()
            accounts.create_user(db, username=username, password=PASSWORD, role=role.value,
                                 display_name=display_name or _DISPLAY_NAMES[role],
                                 owner=owner or _OWNERS.get(role))
            db.commit()
        return username

    return make


@pytest.fixture
def clerk_account(make_user) -> str:
    """The username of a unit clerk of ``ZJJ`` ("clerk"), not logged in."""
    return make_user(Role.UNIT_CLERK)


@pytest.fixture
def reviewer_account(make_user) -> str:
    """The username of an office reviewer ("reviewer"), not logged in."""
    return make_user(Role.OFFICE_REVIEWER)


@pytest.fixture
def staff(app, clerk_account, reviewer_account) -> Callable[[str], object]:
    """The clerk's and the reviewer's accounts; ``staff(username)`` is a new client logged in."""
    return lambda username: login_as(app, username)


@pytest.fixture
def clerk(app, clerk_account):
    """A new client logged in as the unit clerk of ``ZJJ`` (the ``client`` fixture stays anonymous)."""
    return login_as(app, clerk_account)


@pytest.fixture
def reviewer(app, reviewer_account):
    """A new client logged in as the office reviewer."""
    return login_as(app, reviewer_account)


class CommitmentActions:
    """Actions a test performs through the public API."""

    def __init__(self, client) -> None:
        self.client = client

    def create(self, **overrides):
        return self.client.post("/api/v1/commitments", json={**UNIT_LETTER, **overrides})


@pytest.fixture
def commitments(client) -> CommitmentActions:
    return CommitmentActions(client)


@pytest.fixture(autouse=True)
def _fail_on_weasyprint_warnings(request, caplog):
    """A test fails when WeasyPrint logs a warning (missing glyph, refused URL, bad CSS)."""
    import logging

    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield
    if request.node.get_closest_marker("weasyprint_warnings_expected"):
        return
    warnings = [r.getMessage() for r in caplog.records
                if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert not warnings, f"WeasyPrint warned: {warnings}"


@pytest.fixture
def app_factory(database_url: str, tmp_path: Path, pki_dir: Path):
    """Build extra apps with custom config on the test database; their engines are disposed
    afterwards (an engine left to the garbage collector leaks open connections)."""
    made = []

    def make(**config):
        base = {"TESTING": True, **SHARED_KEYS, "INSTANCE_PATH": str(tmp_path / f"i{len(made)}"),
                "DATABASE_URL": database_url, "ARCHIVE_DIR": str(tmp_path / f"a{len(made)}"),
                "SECRET_KEY": "x", "PKI_DIR": str(pki_dir), "TRUSTED_HOSTS": ["localhost"],
                "LOOKUP_RATE_LIMIT": "10000 per minute"}
        made.append(create_app({**base, **config}))
        return made[-1]

    yield make
    for made_app in made:
        made_app.extensions["lyxy_engine"].dispose()


def pdf_pages(n: int) -> bytes:
    """A PDF of ``n`` blank A4 pages (a file to stamp)."""
    pdf = pikepdf.new()
    for _ in range(n):
        pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
