"""The app's wiring (app/extensions.py): one context, built once, following the configuration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

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


def test_today_is_beijings_date_not_the_servers(app):
    """Trial of issue 13: at 17:10 UTC a letter printed the UTC date while its 收件章 and the
    signing time already said the next day in Beijing. Without TODAY, today follows NOW in
    Beijing time."""
    ctx = services(app)
    app.config.pop("TODAY", None)
    app.config["NOW"] = "2026-12-03T17:10:00+00:00"
    assert ctx.today() == date(2026, 12, 4)
    app.config["NOW"] = "2026-12-03T15:59:59+00:00"
    assert ctx.today() == date(2026, 12, 3)


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


def test_the_app_signer_embeds_the_demo_crl_and_signs_at_the_app_clock(app, runner):
    from cryptography import x509

    from app.stamping.validation import validate_signatures
    from tests.stamping.test_signing import one_page_pdf

    result = runner.invoke(args=["init-pki"])
    assert "签名级别：PAdES B-B（含长期验证数据）" in result.output, result.output
    root = x509.load_pem_x509_certificate(services(app).trust_roots()[0])
    now = root.not_valid_before_utc.replace(microsecond=0) + timedelta(days=3)  # inside the demo CA's life
    app.config["NOW"] = now.isoformat()
    signed = services(app).signer.sign(one_page_pdf(), reason="测试")
    report, = validate_signatures(signed, services(app).trust_roots())
    assert (report.level, report.long_term) == ("B-B+LTV", True)
    assert report.signing_time == now


def test_a_demo_set_without_crl_signs_without_validation_data(app, tmp_path):
    import shutil

    from app.stamping.pki import CRL_FILE, ensure_demo_pki

    pki = tmp_path / "old-pki"
    shutil.copytree(ensure_demo_pki(services(app).pki_dir).parent, pki)  # the session's demo set
    (pki / CRL_FILE).unlink()
    app.config["PKI_DIR"] = str(pki)
    assert services(app).signer.level == "B-B"


def test_a_missing_crl_file_is_a_chinese_signing_error(app):
    from app.stamping.types import SigningError

    app.config["SIGNING_CRLS"] = "/nonexistent/office.crl"
    with pytest.raises(SigningError, match="无法读取证书吊销列表"):
        services(app).signer  # noqa: B018 - built on first use
