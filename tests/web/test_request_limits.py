"""Requests that cost too much (issue 10 §4): JSON body size, field length before normalising,
nesting depth, through HTTP and the CLI."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder, run_wsgi_app

from app.db import get_session
from app.domain.roles import Role
from app.models import AgencyReport, CreditCheck, CreditRecordRow, IssuedDocument
from tests.conftest import UNIT_LETTER, ZJJ, login_as

AGENCY = "辽宁示例信用评价有限公司（演示）"
CAP = 64 * 1024


def count(app, model) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(model))


def nested(depth: int, leaf: str = "1") -> str:
    """JSON text of ``depth`` nested arrays around ``leaf``."""
    return "[" * depth + leaf + "]" * depth


def api_key(runner, owner: str) -> dict[str, str]:
    key = runner.invoke(args=["create-api-key", owner]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


# --- size --------------------------------------------------------------------------------


def test_letter_body_over_the_cap_is_413_before_it_is_parsed(app, client):
    # Not even JSON: only the size was looked at.
    resp = client.post("/api/v1/commitments", data=b"{" * (CAP + 1),
                       content_type="application/json")
    assert resp.status_code == 413
    body = resp.get_json()
    assert body["error"] == "too_large"
    assert "64 KB" in body["message"]
    assert count(app, IssuedDocument) == 0


def test_letter_body_at_the_cap_is_read(client):
    letter = json.dumps({**UNIT_LETTER, "padding": ""})
    letter = letter.replace('"padding": ""', '"padding": "' + "x" * (CAP - len(letter)) + '"')
    assert len(letter) == CAP
    resp = client.post("/api/v1/commitments", data=letter, content_type="application/json")
    assert resp.status_code == 201, resp.get_json()


def test_chunked_body_without_length_is_cut_at_the_cap(app):
    body = json.dumps({**UNIT_LETTER, "matter": "承" * CAP}).encode()
    environ = EnvironBuilder(path="/api/v1/commitments", method="POST",
                             input_stream=io.BytesIO(body),
                             headers={"Content-Type": "application/json",
                                      "Transfer-Encoding": "chunked"}).get_environ()
    del environ["CONTENT_LENGTH"]  # as a server passes a chunked body on
    environ["wsgi.input_terminated"] = True
    app_iter, status, _ = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("413")
    assert json.loads(b"".join(app_iter))["error"] == "too_large"
    assert count(app, IssuedDocument) == 0


def test_check_and_scaffold_bodies_have_the_same_cap(app, client, runner):
    big = json.dumps({"subject_code": "x" * CAP, "purpose": "bidding"})
    resp = client.post("/api/v1/checks", headers=api_key(runner, ZJJ), data=big,
                       content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"] == "too_large"
    resp = client.post("/api/v1/agency/scaffolds", headers=api_key(runner, AGENCY), data=big,
                       content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"] == "too_large"
    assert count(app, CreditCheck) == 0
    assert count(app, AgencyReport) == 0


def test_the_cap_is_configurable(app_factory):
    app = app_factory(API_JSON_MAX_BYTES=1024)
    body = json.dumps({**UNIT_LETTER, "matter": "承" * 400}, ensure_ascii=False).encode()
    assert len(body) > 1024
    resp = app.test_client().post("/api/v1/commitments", data=body,
                                  content_type="application/json")
    assert resp.status_code == 413
    assert "1 KB" in resp.get_json()["message"]


# --- field lengths -----------------------------------------------------------------------


@pytest.mark.parametrize("field, limit", [
    ("matter", 200), ("receiving_unit", 100), ("subject_name", 100),
    ("legal_representative", 30),
])
def test_overlong_field_is_refused_by_its_length_before_normalising(app, commitments, field,
                                                                    limit):
    # A zero-width space at the end would be reported by the normaliser; the length check
    # comes first, so the message is about the length.
    value = "承" * 10_000 + "\u200b"
    resp = commitments.create(**{field: value})
    assert resp.status_code == 400
    message = resp.get_json()["fields"][field]
    assert f"不能超过{limit}个字符，当前为10001个字符" in message
    assert count(app, IssuedDocument) == 0


def test_overlong_code_is_refused_by_its_length(commitments):
    resp = commitments.create(subject_code="9" * 10_000)
    assert resp.status_code == 400
    assert "当前为10000个字符" in resp.get_json()["fields"]["subject_code"]


# --- nesting depth -----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [21, 1000, 30_000])
def test_deep_letter_is_400_invalid_json(app, client, depth):
    body = '{"matter": ' + nested(depth - 1) + "}"
    resp = client.post("/api/v1/commitments", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_json"
    assert "嵌套层数过多" in resp.get_json()["message"]
    assert count(app, IssuedDocument) == 0


def test_nesting_at_the_limit_reaches_the_field_checks(commitments):
    resp = commitments.create(matter=json.loads(nested(19)))
    assert resp.status_code == 400
    assert resp.get_json()["fields"]["matter"] == "承诺事项应为文本"


def test_deep_check_and_scaffold_are_400(app, client, runner):
    body = '{"subject_code": ' + nested(1000) + ', "purpose": "bidding"}'
    for url, owner in (("/api/v1/checks", ZJJ), ("/api/v1/agency/scaffolds", AGENCY)):
        resp = client.post(url, headers=api_key(runner, owner), data=body,
                           content_type="application/json")
        assert resp.status_code == 400, url
        assert resp.get_json()["error"] == "invalid_json"
        assert "嵌套层数过多" in resp.get_json()["message"]
    assert count(app, CreditCheck) == 0
    assert count(app, AgencyReport) == 0


def test_deep_stamp_operations_are_a_field_error(client, runner):
    resp = client.post("/api/v1/stamp-jobs", headers=api_key(runner, ZJJ),
                       data={"operations": nested(1000), "document_number": "x"})
    assert resp.status_code == 400
    assert "operations" in resp.get_json()["fields"]


def test_malformed_json_is_still_400(client):
    resp = client.post("/api/v1/commitments", data='{"matter": ', content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_json"
    assert "第1行" in resp.get_json()["message"]


def deep_import(depth: int) -> bytes:
    row = {"record_type": "red_list", "subject_name": "凌源市示例建筑工程有限公司",
           "subject_code": "91211382MA0Y8K7Q3B"}
    text = json.dumps([row], ensure_ascii=False)
    return text.replace('"red_list"', '"red_list", "extra": ' + nested(depth), 1).encode()


def test_deep_import_on_the_command_line_is_a_clean_error(app, runner, tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(deep_import(1000))
    result = runner.invoke(args=["credit", "import", str(path)])
    assert result.exit_code == 2  # the file itself cannot be read (rows rejected: 1)
    assert "JSON嵌套层数过多" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert count(app, CreditRecordRow) == 0


def test_deep_import_through_the_office_page_is_400(app, make_user):
    admin = login_as(app, make_user(Role.OFFICE_ADMIN))
    resp = admin.post("/staff/credit/import", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(deep_import(1000)), "deep.json")})
    assert resp.status_code == 400
    assert "JSON嵌套层数过多" in resp.get_data(as_text=True)
    assert count(app, CreditRecordRow) == 0
