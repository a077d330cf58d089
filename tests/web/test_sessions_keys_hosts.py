"""Issue 10 §5: sessions end at logout and after 8 hours, failed sign-ins are limited across
workers, credentials never travel in URLs, only trusted Host names are answered, and the client
address comes from X-Forwarded-For only behind configured proxies."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.db import get_session
from app.extensions import services
from app.models import AuthFailureCount
from app.ratelimit import failure_storage_uri
from app.services import accounts
from tests.conftest import PASSWORD, UNIT_LETTER, post_login

UNIT = "凌源市住房和城乡建设局"
LOGIN_AT = "2026-11-29T01:00:00+00:00"


@pytest.fixture
def api_key(app) -> str:
    with app.app_context():
        key = accounts.create_api_key(get_session(), UNIT, app.config["SECRET_KEY"].encode(),
                                      trail=services(app).trail("cli"))
        get_session().commit()
        return key.plaintext


def login(client, username="clerk", password=PASSWORD, **kwargs):
    return post_login(client, username, password, **kwargs)


def wrong_key() -> dict[str, str]:
    return {"Authorization": f"Bearer lyxy_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"}


def from_address(address: str) -> dict[str, dict[str, str]]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def session_cookie(response) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie")
                if h.startswith(("session=", "__Host-session=")))


# --- sessions -------------------------------------------------------------------------------

def test_cookie_captured_before_logout_is_refused_after(app, client, clerk_account):
    assert login(client).status_code == 303
    captured = client.get_cookie("session").value
    assert client.get("/staff/").status_code == 200
    assert client.post("/logout").status_code == 303

    replay = app.test_client()
    replay.set_cookie("session", captured)
    resp = replay.get("/staff/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    # a new login works again, and only the new cookie does
    assert login(client).status_code == 303
    assert client.get("/staff/").status_code == 200
    assert replay.get("/staff/").status_code == 302


def test_logout_ends_the_users_other_sessions_too(app, clerk_account):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop), login(phone)
    assert phone.get("/staff/").status_code == 200
    laptop.post("/logout")
    assert phone.get("/staff/").status_code == 302


def test_session_ends_8_hours_after_login_by_the_apps_clock(app, client, clerk_account):
    app.config["NOW"] = LOGIN_AT
    assert login(client).status_code == 303
    issued = datetime.fromisoformat(LOGIN_AT)
    app.config["NOW"] = (issued + timedelta(hours=7, minutes=59)).isoformat()
    assert client.get("/staff/").status_code == 200  # activity does not extend the 8 hours
    app.config["NOW"] = (issued + timedelta(hours=8)).isoformat()
    resp = client.get("/staff/")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]
    app.config["NOW"] = (issued + timedelta(hours=1)).isoformat()
    assert client.get("/staff/").status_code == 302  # the expired session was dropped


def test_session_cookie_flags_over_http(client, clerk_account):
    before = datetime.now(UTC).replace(microsecond=0)
    resp = login(client)
    after = datetime.now(UTC)
    cookie = session_cookie(resp)
    assert cookie.startswith("session=")
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie
    assert "; Path=/" in cookie
    assert "Secure" not in cookie  # the default base URL is http
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert before + timedelta(hours=8) - timedelta(seconds=1) <= expires \
        <= after + timedelta(hours=8)


def test_session_cookie_is_secure_host_prefixed_over_https(app, app_factory, clerk_account):
    site = app_factory(PUBLIC_BASE_URL="https://credit.example.gov.cn", TRUSTED_HOSTS=[],
                       WTF_CSRF_ENABLED=False)
    client = site.test_client()
    resp = login(client, base_url="https://credit.example.gov.cn")
    assert resp.status_code == 303
    cookie = session_cookie(resp)
    assert cookie.startswith("__Host-session=")
    assert all(flag in cookie for flag in ("; Secure", "; HttpOnly", "; SameSite=Lax", "; Path=/"))
    assert "Domain=" not in cookie
    assert client.get("/staff/", base_url="https://credit.example.gov.cn").status_code == 200


def test_operator_setting_of_the_session_lifetime_wins(app_factory, monkeypatch):
    assert app_factory().permanent_session_lifetime == timedelta(hours=8)
    assert app_factory(PERMANENT_SESSION_LIFETIME=3600).permanent_session_lifetime \
        == timedelta(hours=1)
    monkeypatch.setenv("LYXY_PERMANENT_SESSION_LIFETIME", "1800")
    assert app_factory().permanent_session_lifetime == timedelta(minutes=30)


# --- failed API keys and logins -------------------------------------------------------------

def test_50_wrong_api_keys_are_mostly_refused_and_lockout_ignores_a_right_key(client, api_key):
    statuses = [client.get("/api/v1/seals", headers=wrong_key(), **from_address("10.0.0.1"))
                for _ in range(50)]
    assert [r.status_code for r in statuses] == [401] * 10 + [429] * 40
    refused = statuses[-1]
    assert "接口密钥验证失败次数过多" in refused.get_json()["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    right = {"Authorization": f"Bearer {api_key}"}
    # locked out: the right key is not even checked from that address
    assert client.get("/api/v1/seals", headers=right, **from_address("10.0.0.1")).status_code \
        == 429
    assert client.get("/api/v1/seals", headers=right, **from_address("10.0.0.2")).status_code \
        == 200


def test_wrong_secrets_for_one_key_prefix_lock_that_prefix_from_any_address(client, api_key):
    prefix = api_key.split("_")[1]
    guess = {"Authorization": f"Bearer lyxy_{prefix}_{'A' * 43}"}
    statuses = [client.get("/api/v1/seals", headers=guess, **from_address(f"10.0.1.{i}"))
                .status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]
    assert client.get("/api/v1/seals", headers={"Authorization": f"Bearer {api_key}"},
                      **from_address("10.0.2.1")).status_code == 429
    assert client.get("/api/v1/seals", headers=wrong_key(),
                      **from_address("10.0.2.1")).status_code == 401  # other prefixes: no


def test_wrong_api_key_limit_is_shared_by_workers(app, app_factory, api_key):
    """Two apps on one database stand for two gunicorn workers."""
    workers = [app.test_client(), app_factory().test_client()]
    statuses = [workers[i % 2].get("/api/v1/seals", headers=wrong_key()).status_code
                for i in range(12)]
    assert statuses == [401] * 10 + [429] * 2
    with app.app_context():
        counts = get_session().scalars(select(AuthFailureCount.count)
                                       .where(AuthFailureCount.key.startswith("addr:"))).all()
    assert counts == [10]


def test_failure_window_ends_by_the_apps_clock(app, client, api_key):
    app.config["NOW"] = LOGIN_AT
    for _ in range(10):
        client.get("/api/v1/seals", headers=wrong_key())
    assert client.get("/api/v1/seals", headers=wrong_key()).status_code == 429
    app.config["NOW"] = (datetime.fromisoformat(LOGIN_AT) + timedelta(seconds=59)).isoformat()
    resp = client.get("/api/v1/seals", headers=wrong_key())
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "1"
    app.config["NOW"] = (datetime.fromisoformat(LOGIN_AT) + timedelta(seconds=60)).isoformat()
    assert client.get("/api/v1/seals", headers=wrong_key()).status_code == 401


def test_missing_authorization_is_not_counted_as_a_guess(client):
    assert [client.get("/api/v1/seals").status_code for _ in range(12)] == [401] * 12


def test_login_failures_are_shared_by_workers_and_the_right_password_does_not_help(
        app, app_factory, clerk_account):
    workers = [app.test_client(), app_factory(WTF_CSRF_ENABLED=False).test_client()]
    statuses = [login(workers[i % 2], password=f"wrong-{i}-xxxxxx").status_code for i in range(5)]
    assert statuses == [401] * 5
    for worker in workers:
        resp = login(worker)
        assert resp.status_code == 429
        assert "频繁" in resp.get_data(as_text=True)
        assert int(resp.headers["Retry-After"]) > 0
    assert workers[0].get("/staff/").status_code == 302


def test_login_failures_per_address_cover_many_usernames(client, clerk_account):
    statuses = [login(client, username=f"user{i}").status_code for i in range(11)]
    assert statuses == [401] * 10 + [429]
    assert login(client, **from_address("10.9.9.9")).status_code == 303


def test_configured_rate_limit_storage_counts_failures(app, app_factory, api_key):
    """A limits storage URI (Redis in production) replaces the database counters."""
    site = app_factory(AUTH_FAILURE_STORAGE_URI="memory://",
                       AUTH_FAILURE_LIMIT_PER_ADDRESS="3 per hour")
    client = site.test_client()
    statuses = [client.get("/api/v1/seals", headers=wrong_key()).status_code for _ in range(5)]
    assert statuses == [401] * 3 + [429] * 2
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(AuthFailureCount)) == 0


def _redis_reachable(url: str) -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.mark.skipif(not _redis_reachable(REDIS_URL), reason="no Redis at 127.0.0.1:6379 (CI has one)")
def test_failures_are_counted_in_the_configured_redis_by_every_worker(app, app_factory, api_key):
    """Two workers configured with Redis share one count, and nothing lands in the database."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    workers = [app_factory(RATELIMIT_STORAGE_URI=REDIS_URL,
                           AUTH_FAILURE_LIMIT_PER_ADDRESS="4 per hour") for _ in range(2)]
    clients = [w.test_client() for w in workers]
    statuses = [clients[i % 2].get("/api/v1/seals", headers=wrong_key()).status_code
                for i in range(6)]
    assert statuses == [401] * 4 + [429] * 2
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(AuthFailureCount)) == 0
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.mark.parametrize(("config", "expected"), [
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "database"),
    ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}, "redis://127.0.0.1:6379"),
    ({"RATELIMIT_STORAGE_URI": "redis://r", "AUTH_FAILURE_STORAGE_URI": "database"}, "database"),
    ({"RATELIMIT_STORAGE_URI": "memory://", "AUTH_FAILURE_STORAGE_URI": "memcached://m:11211"},
     "memcached://m:11211"),
])
def test_failure_storage_follows_the_rate_limit_storage(config, expected):
    assert failure_storage_uri(config) == expected


# --- client address behind proxies ------------------------------------------------------------

def test_forged_x_forwarded_for_does_not_change_the_client_without_proxy_hops(client):
    statuses = [client.get("/api/v1/seals", headers={**wrong_key(),
                                                     "X-Forwarded-For": f"198.51.100.{i}"})
                .status_code for i in range(11)]
    assert statuses == [401] * 10 + [429]


def test_with_one_proxy_hop_the_forwarded_address_is_the_client(app_factory):
    client = app_factory(PROXY_HOPS=1).test_client()
    statuses = [client.get("/api/v1/seals", headers={**wrong_key(),
                                                     "X-Forwarded-For": f"198.51.100.{i}"})
                .status_code for i in range(11)]
    assert statuses == [401] * 11
    # a client can prepend addresses, but one hop believes only the last (the proxy's view)
    same = [client.get("/api/v1/seals", headers={**wrong_key(),
                                                 "X-Forwarded-For": f"203.0.113.{i}, 192.0.2.7"})
            .status_code for i in range(11)]
    assert same == [401] * 10 + [429]


def test_proxy_hops_from_the_environment(app_factory, monkeypatch):
    monkeypatch.setenv("LYXY_PROXY_HOPS", "1")
    client = app_factory().test_client()
    statuses = [client.get("/api/v1/seals", headers={**wrong_key(),
                                                     "X-Forwarded-For": f"198.51.100.{i}"})
                .status_code for i in range(11)]
    assert statuses == [401] * 11


# --- credentials in URLs ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["api_key", "key", "token", "access_token", "API_KEY"])
def test_api_key_in_the_query_string_is_refused(client, api_key, name):
    resp = client.get(f"/api/v1/seals?{name}={api_key}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "credentials_in_url"
    assert "接口密钥只能放在 Authorization 请求头中" in body["message"]
    assert list(body["fields"]) == [name]
    # refused even with a valid header: the key in the URL is already leaked, not to be used
    resp = client.get(f"/api/v1/seals?{name}=x", headers={"Authorization": f"Bearer {api_key}"})
    assert resp.status_code == 400


def test_a_key_under_any_parameter_name_is_refused(client, api_key):
    """A key is recognised by its shape too: ?x=<key> is as much a leak as ?api_key=<key>."""
    resp = client.get(f"/api/v1/seals?x={api_key}", headers={"Authorization": f"Bearer {api_key}"})
    assert resp.status_code == 400
    assert list(resp.get_json()["fields"]) == ["x"]
    assert client.get("/api/v1/seals?x=lyxy", headers={
        "Authorization": f"Bearer {api_key}"}).status_code == 200


# --- Host names and absolute URLs -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/healthz", "/", "/api/v1/openapi.json", "/login"])
def test_untrusted_host_is_refused(client, path):
    resp = client.get(path, headers={"Host": "evil.example"})
    assert resp.status_code == 400
    assert "不受信任的主机名" in resp.get_data(as_text=True)
    assert resp.headers["X-Frame-Options"] == "DENY"
    if path.startswith("/api/"):
        assert resp.get_json()["error"] == "untrusted_host"


def test_base_url_host_and_configured_hosts_are_answered(app, app_factory):
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 200
    # as LYXY_TRUSTED_HOSTS arrives from the environment: a comma-separated string
    site = app_factory(PUBLIC_BASE_URL="https://credit.example.gov.cn",
                       TRUSTED_HOSTS="www.example.gov.cn, .lingyuan.example")
    assert site.config["TRUSTED_HOSTS"] == ["credit.example.gov.cn", "www.example.gov.cn",
                                            ".lingyuan.example"]
    client = site.test_client()
    for host, status in [("credit.example.gov.cn", 200), ("www.example.gov.cn", 200),
                         ("xy.lingyuan.example", 200), ("localhost", 400),
                         ("credit.example.gov.cn.evil.example", 400)]:
        assert client.get("/healthz", headers={"Host": host}).status_code == status, host


def test_absolute_urls_come_from_the_configured_base_url(app, app_factory):
    site = app_factory(PUBLIC_BASE_URL="https://credit.example.gov.cn", PROXY_HOPS=1,
                       TRUSTED_HOSTS=["alt.example.org"], COMMITMENT_RATE_LIMIT="100 per minute")
    resp = site.test_client().post(
        "/api/v1/commitments", json=UNIT_LETTER,
        headers={"Host": "alt.example.org", "X-Forwarded-Host": "evil.example",
                 "X-Forwarded-Proto": "http"})
    assert resp.status_code == 201
    body = resp.get_json()
    location = urlsplit(resp.headers["Location"])  # relative: the client's own host is not used
    assert not location.netloc
    assert resp.headers["Location"].startswith("/api/v1/documents/")
    for url in (body["pdf_url"], body["docx_url"], body["verify_url"]):
        assert url.startswith("https://credit.example.gov.cn/"), url


def test_a_loopback_base_url_answers_every_loopback_name_and_nothing_else(app_factory):
    """make run's default base URL is http://127.0.0.1:PORT; a browser on the same machine may
    type localhost. Other names stay refused."""
    site = app_factory(PUBLIC_BASE_URL="http://127.0.0.1:8000", TRUSTED_HOSTS=[])
    client = site.test_client()
    for host, status in [("127.0.0.1:8000", 200), ("localhost:8000", 200),
                         ("evil.example", 400), ("127.0.0.1.evil.example", 400)]:
        assert client.get("/healthz", headers={"Host": host}).status_code == status, host
