"""Accounts, login, CSRF, roles and API keys."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.db import get_session
from app.domain.roles import Role
from app.models import ApiKey
from app.services import accounts
from tests.conftest import PASSWORD, UNIT_LETTER, post_login


@pytest.fixture
def users(make_user):
    """A unit clerk ("clerk") and an agency user ("agent")."""
    make_user(Role.UNIT_CLERK)
    make_user(Role.AGENCY_USER)


def login(client, username="clerk", password=PASSWORD):
    return post_login(client, username, password)


def test_staff_pages_need_login(client):
    resp = client.get("/staff/seals")
    assert resp.status_code == 302
    assert "/login" in resp.headers["Location"]


def test_login_logout(client, users):
    resp = login(client)
    assert resp.status_code == 303
    assert client.get("/staff/").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/staff/").status_code == 302


def test_wrong_password_is_refused_in_chinese(client, users):
    resp = login(client, password="wrong-password!")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)
    resp = login(client, username="nobody")
    assert resp.status_code == 401


def test_login_is_rate_limited_per_username(client, users):
    statuses = [login(client, password=f"wrong-{i}-xxxxxx").status_code for i in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    assert "频繁" in login(client).get_data(as_text=True)


def test_next_parameter_cannot_leave_the_site(client, users):
    resp = client.post("/login?next=//evil.example/x", data={"username": "clerk",
                                                              "password": PASSWORD})
    assert resp.headers["Location"].endswith("/staff/")


def test_role_without_staff_rights_gets_403(client, users):
    login(client, "agent")
    resp = client.get("/staff/seals", headers={"Accept": "text/html"})
    assert resp.status_code == 403
    assert "无权" in resp.get_data(as_text=True)


def test_passwords_are_hashed_with_argon2(app, users):
    with app.app_context():
        from app.models import User

        stored = get_session().scalar(select(User.password_hash).where(User.username == "clerk"))
        assert stored.startswith("$argon2")
        assert PASSWORD not in stored


def test_short_password_refused(app):
    with app.app_context(), pytest.raises(Exception, match="至少需要10个字符"):
        accounts.create_user(get_session(), username="x", password="short", role="office_admin",
                             display_name="x")


def test_csrf_is_enforced_on_forms(app, app_factory):  # app: the demo units on the same database
    app = app_factory()
    client = app.test_client()
    resp = client.post("/commitments/new", data=UNIT_LETTER, headers={"Accept": "text/html"})
    assert resp.status_code == 400
    assert "安全令牌" in resp.get_data(as_text=True)
    page = client.get("/commitments/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/commitments/new", data={**UNIT_LETTER, "csrf_token": token})
    assert resp.status_code == 303
    # the JSON API is exempt: machine clients use API keys, not cookies
    assert client.post("/api/v1/commitments", json=UNIT_LETTER).status_code == 201


def test_api_key_cli_prints_key_alone_and_stores_only_a_hash(app, runner):
    result = runner.invoke(args=["create-api-key", "凌源市住房和城乡建设局"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"lyxy_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", key)
    with app.app_context():
        record = get_session().scalar(select(ApiKey))
        assert key not in record.key_hash
        assert record.last_used_at is None
    client = app.test_client()
    resp = client.get("/api/v1/seals", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 200
    assert resp.get_json() == {"seals": []}
    with app.app_context():
        assert get_session().scalar(select(ApiKey)).last_used_at is not None
    prefix = key.split("_")[1]
    assert runner.invoke(args=["revoke-api-key", prefix]).exit_code == 0
    resp = client.get("/api/v1/seals", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 401
    assert resp.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer lyxy_nope_nope", "Basic abc"])
def test_bad_api_keys_get_401_json(client, header):
    resp = client.get("/api/v1/seals", headers={"Authorization": header} if header else {})
    assert resp.status_code == 401
    assert "接口密钥" in resp.get_json()["message"]


def test_unknown_owner_for_api_key(runner):
    result = runner.invoke(args=["create-api-key", "不存在的单位"])
    assert result.exit_code != 0
    assert "未找到" in result.output


def test_login_redirect_keeps_the_path_without_an_empty_query(client):
    resp = client.get("/staff/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/login?next=/staff/")
