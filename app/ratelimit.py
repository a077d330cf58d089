"""Rate limits: anonymous letter creation per client (flask-limiter), and failed sign-ins (logins,
API keys) counted in a store that every worker shares."""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.models import AuthFailureCount

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def commitment_limit() -> str:
    return current_app.config["COMMITMENT_RATE_LIMIT"]


def limit_commitment_creation():
    """Decorator: one quota per client shared by the web form and the API."""
    return limiter.shared_limit(commitment_limit, scope="commitment-creation",
                                methods=["POST"])


def lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


def limit_number_lookups():
    """Decorator: one quota per client for looking documents up by number (verification page,
    ``GET /api/v1/documents``): numbers are sequential with a check character, so counting
    through them is cheap without it (issue 10)."""
    return limiter.shared_limit(lookup_limit, scope="document-lookup")


@dataclass(frozen=True)
class FailureKey:
    """One thing whose failures are counted: a client address, a username, an API key prefix."""

    scope: str
    """``addr`` or ``account``; says which limit applies."""
    value: str

    def storage_key(self) -> str:
        # Hashed: a mistyped username may be a password; the table never holds either.
        return f"{self.scope}:{hashlib.sha256(self.value.encode()).hexdigest()[:64]}"


class FailureCounter:
    """Failed sign-ins per key in fixed windows: ``retry_after`` says whether a key is locked
    out (and for how many seconds), ``record`` counts one more failure."""

    def retry_after(self, keys: Iterable[tuple[FailureKey, RateLimitItem]]) -> int | None:
        raise NotImplementedError

    def record(self, keys: Iterable[tuple[FailureKey, RateLimitItem]]) -> None:
        raise NotImplementedError


class DatabaseFailureCounter(FailureCounter):
    """Counters in the app database (table ``auth_failures``): shared by all gunicorn workers
    without another service. ``clock`` returns Unix seconds (tests pass their own)."""

    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self.engine = engine
        self.clock = clock

    def retry_after(self, keys: Iterable[tuple[FailureKey, RateLimitItem]]) -> int | None:
        limits = {key.storage_key(): item for key, item in keys}
        now = self.clock()
        with self.engine.connect() as conn:
            rows = conn.execute(select(AuthFailureCount.key, AuthFailureCount.count,
                                       AuthFailureCount.expires_at)
                                .where(AuthFailureCount.key.in_(limits))).all()
        waits = [math.ceil(expires_at - now) for key, count, expires_at in rows
                 if expires_at > now and count >= limits[key].amount]
        return max(waits) if waits else None

    def record(self, keys: Iterable[tuple[FailureKey, RateLimitItem]]) -> None:
        now = int(self.clock())
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        table = AuthFailureCount.__table__
        with self.engine.begin() as conn:
            conn.execute(delete(AuthFailureCount).where(AuthFailureCount.expires_at <= now))
            for key, item in keys:
                stmt = dialect.insert(table).values(key=key.storage_key(), count=1,
                                                    expires_at=now + item.get_expiry())
                # Atomic on both databases: a row whose window ended was deleted just above
                # (or is restarted here if another worker raced the delete).
                expired = table.c.expires_at <= now
                conn.execute(stmt.on_conflict_do_update(
                    index_elements=[table.c.key],
                    set_={"count": case((expired, 1), else_=table.c.count + 1),
                          "expires_at": case((expired, now + item.get_expiry()),
                                             else_=table.c.expires_at)}))


class StorageFailureCounter(FailureCounter):
    """Counters in a ``limits`` storage (Redis, Memcached... from the configured URI)."""

    def __init__(self, storage: Storage) -> None:
        self.strategy = FixedWindowRateLimiter(storage)

    def retry_after(self, keys: Iterable[tuple[FailureKey, RateLimitItem]]) -> int | None:
        waits = []
        for key, item in keys:
            if not self.strategy.test(item, "auth-failures", key.storage_key()):
                stats = self.strategy.get_window_stats(item, "auth-failures", key.storage_key())
                waits.append(max(1, math.ceil(stats.reset_time - time.time())))
        return max(waits) if waits else None

    def record(self, keys: Iterable[tuple[FailureKey, RateLimitItem]]) -> None:
        for key, item in keys:
            self.strategy.hit(item, "auth-failures", key.storage_key())


def failure_storage_uri(config: dict) -> str:
    """Where failed sign-ins are counted: AUTH_FAILURE_STORAGE_URI, else the rate-limit storage
    unless it is the per-process memory://, else the app database (``database``)."""
    uri = config.get("AUTH_FAILURE_STORAGE_URI")
    if uri:
        return uri
    shared = config.get("RATELIMIT_STORAGE_URI") or "memory://"
    return "database" if shared.startswith("memory://") else shared


def failure_counter() -> FailureCounter:
    counter = current_app.extensions.get("lyxy_auth_failures")
    if counter is None:
        uri = failure_storage_uri(current_app.config)
        if uri == "database":
            from app.extensions import services

            clock = services(current_app)
            counter = DatabaseFailureCounter(current_app.extensions["lyxy_engine"],
                                             lambda: clock.now().timestamp())
        else:
            counter = StorageFailureCounter(storage_from_string(
                uri, **current_app.config.get("RATELIMIT_STORAGE_OPTIONS", {})))
        current_app.extensions["lyxy_auth_failures"] = counter
    return counter


def failure_limits(address: str, account: str | None) -> list[tuple[FailureKey, RateLimitItem]]:
    """The counters one sign-in attempt touches: its client address and, when it names one, the
    account (username, or API key prefix)."""
    keys = [(FailureKey("addr", address),
             parse(current_app.config["AUTH_FAILURE_LIMIT_PER_ADDRESS"]))]
    if account:
        keys.append((FailureKey("account", account),
                     parse(current_app.config["AUTH_FAILURE_LIMIT_PER_ACCOUNT"])))
    return keys


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
