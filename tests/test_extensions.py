"""The app's wiring (app/extensions.py): one context, built once, following the configuration."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.extensions import Services, services
from app.services.audit import audit_key
from app.web import common


def test_the_context_is_registered_once_per_app(app, app_factory):
    ctx = services(app)
    assert isinstance(ctx, Services)
    assert services(app) is ctx
    assert services(app_factory()) is not ctx


def test_views_reach_the_same_context(app):
    with app.test_request_context():
        assert common.services() is services(app)
        assert common.archive() is services(app).archive


def test_heavy_pieces_are_built_once(app):
    ctx = services(app)
    assert ctx.archive is ctx.archive
    assert ctx.pii_cipher is ctx.pii_cipher
    assert ctx.signer is ctx.signer
    assert ctx.blank_cache is ctx.blank_cache


def test_the_clock_follows_the_configuration(app):
    ctx = services(app)
    assert ctx.today() == date(2026, 11, 29)  # the test app's TODAY
    app.config["TODAY"] = "2027-02-28"
    assert ctx.today() == date(2027, 2, 28)


def test_now_is_fixed_by_NOW_and_is_aware(app):
    app.config["NOW"] = "2026-11-29T08:30:00"
    assert services(app).now() == datetime(2026, 11, 29, 8, 30, tzinfo=UTC)


def test_a_trail_signs_with_the_apps_audit_key(app):
    trail = services(app).trail("cli")
    assert trail.actor == "cli"
    assert trail.key == audit_key("test-secret")


def test_settings_are_read_from_the_configuration(app):
    ctx = services(app)
    app.config["UPLOAD_MAX_PAGES"] = 7
    assert ctx.intake_limits.max_pages == 7
    assert ctx.base_url == app.config["PUBLIC_BASE_URL"]
    assert ctx.secret == b"test-secret"
