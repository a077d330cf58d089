"""Per-client rate limiting of anonymous letter creation (flask-limiter)."""

from __future__ import annotations

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])


def commitment_limit() -> str:
    return current_app.config["COMMITMENT_RATE_LIMIT"]


def limit_commitment_creation():
    """Decorator: one quota per client shared by the web form and the API."""
    return limiter.shared_limit(commitment_limit, scope="commitment-creation",
                                methods=["POST"])


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
