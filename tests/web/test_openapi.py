"""/api/v1/openapi.json: complete (every /api/v1 rule), valid OpenAPI 3.1, and true (schemathesis)."""

from __future__ import annotations

import io
import json
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from schemathesis import checks

from app.db import get_session
from app.services import accounts
from app.services.stamping import OPERATION_PARAMS
from app.web.api_schemas import OPERATIONS_EXAMPLE
from app.web.converters import MAX_ROW_ID
from tests.conftest import PASSWORD, UNIT_LETTER, login_as
from tests.web.test_agencies import AGENCY
from tests.web.test_filings import ZJJ
from tests.web.test_stamping_web import make_seal

RULE_ARG = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
MAX_EXAMPLES = int(os.environ.get("LYXY_API_FUZZ_EXAMPLES", "4"))
"""Examples per operation and mode; raise it locally to search harder (CI keeps the bound)."""
EXAMPLE_ARGS = {"number": "LYXY-CN-2026-000001X", "job_id": "1", "filing_id": "1", "fmt": "pdf"}


def api_rules(app):
    """(OpenAPI path, method) of every /api/v1 rule the app serves."""
    return sorted((RULE_ARG.sub(r"{\1}", rule.rule), method.lower())
                  for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")
                  for method in rule.methods - {"HEAD", "OPTIONS"})


@pytest.fixture
def spec(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def test_the_app_has_api_rules(app):
    assert len(api_rules(app)) >= 16  # the walk finds them (16 when this was written)


def test_every_api_rule_is_described(app, spec):
    missing = [(path, method) for path, method in api_rules(app)
               if method not in spec["paths"].get(path, {})]
    assert missing == []


def test_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on an invalid document


def test_keyed_routes_declare_bearer_and_public_routes_declare_none(app, spec):
    """The declared security is what the route does: without a key, 401 exactly where declared
    (a key required); where a key is optional (``[{}, bearer]``), a wrong key is refused."""
    client = app.test_client()
    wrong = []
    for path, method in api_rules(app):
        security = spec["paths"][path][method]["security"]
        declared = security != [] and {} not in security
        url = re.sub(r"{(\w+)}", lambda m: EXAMPLE_ARGS[m.group(1)], path)
        status = client.open(url, method=method.upper()).status_code
        if declared != (status == 401):
            wrong.append((path, method, declared, status))
        if {} in security:
            keyed = client.open(url, method=method.upper(),
                                headers={"Authorization": "Bearer lyxy_000000000000_wrong"})
            if keyed.status_code != 401:
                wrong.append((path, method, "optional key", keyed.status_code))
    assert wrong == []


@pytest.mark.parametrize("number", [MAX_ROW_ID + 1, 2**63, 10**30])
def test_an_id_past_the_database_range_is_not_found(app, api_keys, number):
    """Every ``<int:>`` route, API or page: an id no row can have matches no route (404), so it
    never reaches a query (SQLite cannot bind integers over 2**63 - 1: it was a 500)."""
    client = app.test_client()
    key = {"Authorization": f"Bearer {api_keys['unit']}"}
    answers = {}
    for rule in app.url_map.iter_rules():
        if "<int:" in rule.rule:
            url = RULE_ARG.sub(lambda m: str(number) if m.group(0).startswith("<int:")
                               else EXAMPLE_ARGS.get(m.group(1), "x"), rule.rule)
            method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            answers[rule.rule] = client.open(url, method=method, headers=key).status_code
    assert answers
    # 405 where werkzeug's matcher reports another rule's methods for the same path
    assert {r: s for r, s in answers.items() if s not in (404, 405)} == {}


@pytest.mark.parametrize(("method", "url", "body"), [
    ("GET", "/api/v1/checks/HC%00/certificate.pdf", {}),
    ("GET", "/api/v1/public/commitments?q=%00", {}),
    ("POST", "/api/v1/agency/reports", {"data": {"number": "PJ\x00"}}),
    ("POST", "/api/v1/agency/scaffolds", {"json": {"kind": "decision", "requesting_unit": "\x00"}}),
])
def test_a_nul_character_is_refused_with_a_chinese_message(client, api_keys, method, url, body):
    """PostgreSQL refuses NUL in text even in a lookup (these were 500s there)."""
    owner = "agency" if "/agency/" in url else "unit"
    resp = client.open(url, method=method, headers={"Authorization": f"Bearer {api_keys[owner]}"},
                       **body)
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_characters"
    assert resp.get_json()["message"] == "请求中含有不允许的控制字符（NUL）"


def test_bearer_scheme_is_declared(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "lyxy_<前缀>_<密钥>",
        "description": "接口密钥：Authorization: Bearer <key>"}


def test_stamp_operations_are_those_the_service_reads(spec):
    """Every operation kind of app.services.stamping, each with the fields it reads, required."""
    schemas = spec["components"]["schemas"]
    mapping = schemas["StampOperations"]["items"]["discriminator"]["mapping"]
    declared = {op: set(schemas[ref.rsplit("/", 1)[1]]["required"]) - {"op"}
                for op, ref in mapping.items()}
    assert declared == {op: set(params) for op, params in OPERATION_PARAMS.items()}


def test_stamp_job_form_points_to_the_operations_schema(spec):
    operations = spec["components"]["schemas"]["StampJobForm"]["properties"]["operations"]
    assert operations["contentSchema"] == {"$ref": "#/components/schemas/StampOperations"}


def test_every_error_response_is_the_one_error_shape(spec):
    shapes = {(path, method, status): body["content"]
              for path, ops in spec["paths"].items() if path.startswith("/api/v1/")
              for method, op in ops.items()
              for status, body in op["responses"].items() if int(status) >= 400}
    odd = [key for key, content in shapes.items()
           if content != {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}]
    assert odd == []


def test_the_documented_descriptions_are_chinese(spec):
    assert spec["info"]["title"] == "信用文书服务 API"
    summaries = [op["summary"] for ops in spec["paths"].values() for op in ops.values()]
    assert [s for s in summaries if not re.search(r"[\u4e00-\u9fff]", s)] == []


# --- schemathesis: the description is true of the running app ----------------------------------

@pytest.fixture
def api_keys(runner):
    """Keys for a receiving unit and for an agency (demo data)."""
    def key(owner: str) -> str:
        return runner.invoke(args=["create-api-key", owner]).output.strip().splitlines()[-1]
    return {"unit": key(ZJJ), "agency": key(AGENCY)}


CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.response_headers_conformance]


def run_cases(strategy, headers: dict[str, str], max_examples: int, seen: list[int]) -> None:
    """Send ``max_examples`` cases drawn from ``strategy`` (derandomized); raises on a failed check."""
    @given(case=strategy)
    @settings(max_examples=max_examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    def answers_as_described(case) -> None:
        response = case.call(headers=headers)
        seen.append(response.status_code)
        case.validate_response(response, checks=CHECKS)

    try:
        answers_as_described()
    except Unsatisfiable:  # nothing to vary (no parameters, no body), so nothing to get wrong
        pass


def test_api_answers_as_described(app, api_keys):
    """The schema's examples, then generated requests (valid and invalid) to every described
    operation: no 5xx, and each answer has a declared status, content type, headers and body.

    Bounded and reproducible: MAX_EXAMPLES per operation and mode, derandomized, no example
    database. (schemathesis' ``from_fixture`` loader fails under pytest 9.2 on a private
    ``Node._nodeid``, hence this loop over its strategies.)"""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: dict[str, str] = {}
    seen: dict[str, list[int]] = {}
    for result in api.get_all_operations():
        operation = result.ok()
        owner = "agency" if operation.path.startswith("/api/v1/agency/") else "unit"
        headers = {"Authorization": f"Bearer {api_keys[owner]}"}
        statuses = seen.setdefault(operation.label, [])
        runs = [("examples", s, 1) for s in api.get_strategies_from_examples(operation)]
        runs += [(mode.value, operation.as_strategy(generation_mode=mode), MAX_EXAMPLES)
                 for mode in schemathesis.GenerationMode]
        for name, strategy, count in runs:
            try:
                run_cases(strategy, headers, count, statuses)
            except Exception as exc:  # noqa: BLE001 - collected: one report for all operations
                failures[f"{operation.label} ({name})"] = str(exc)[:3000]
    assert failures == {}
    assert 201 in seen["POST /api/v1/commitments"]  # the documented example is a valid request
    assert 201 in seen["POST /api/v1/agency/scaffolds"]


# --- the successful answers of a whole session are as described -----------------------------------

def assert_as_described(spec, method: str, path: str, resp) -> None:
    """``resp`` has a status the operation declares, its media type and, for JSON, its schema."""
    declared = spec["paths"][path][method]["responses"][str(resp.status_code)]  # KeyError: undeclared
    assert list(declared["content"]) == [resp.mimetype], (path, resp.status_code)
    if resp.mimetype == "application/json":
        schema = {**declared["content"][resp.mimetype]["schema"], "components": spec["components"]}
        Draft202012Validator(schema).validate(resp.get_json())


def test_a_unit_session_is_answered_as_described(app, client, spec, api_keys):
    """Issue, look up, stamp with every documented operation kind, verify and file a letter."""
    with app.app_context():
        accounts.create_user(get_session(), username="clerk", password=PASSWORD,
                             role="unit_clerk", display_name="经办人", owner=ZJJ)
        get_session().commit()
    seal_id = make_seal(app, login_as(app, "clerk"))
    key = {"Authorization": f"Bearer {api_keys['unit']}"}

    issued = client.post("/api/v1/commitments", json=UNIT_LETTER)
    assert_as_described(spec, "post", "/api/v1/commitments", issued)
    number = issued.get_json()["number"]
    assert_as_described(spec, "get", "/api/v1/documents/{number}",
                        client.get(f"/api/v1/documents/{number}"))
    assert_as_described(spec, "get", "/api/v1/seals", client.get("/api/v1/seals", headers=key))

    operations = [{**op, "seal_id": seal_id} if "seal_id" in op else op
                  for op in OPERATIONS_EXAMPLE]
    job = client.post("/api/v1/stamp-jobs", headers=key, content_type="multipart/form-data",
                      data={"document_number": number, "operations": json.dumps(operations)})
    assert job.status_code == 201, job.get_json()
    assert_as_described(spec, "post", "/api/v1/stamp-jobs", job)
    job_id = job.get_json()["id"]
    assert_as_described(spec, "get", "/api/v1/stamp-jobs/{job_id}",
                        client.get(f"/api/v1/stamp-jobs/{job_id}", headers=key))
    result = client.get(f"/api/v1/stamp-jobs/{job_id}/result.pdf", headers=key)
    assert_as_described(spec, "get", "/api/v1/stamp-jobs/{job_id}/result.pdf", result)

    verdict = client.post("/api/v1/verify", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(result.data), "a.pdf")})
    assert verdict.get_json()["match"] == "stamped"
    assert_as_described(spec, "post", "/api/v1/verify", verdict)

    filed = client.post("/api/v1/filings", headers=key, content_type="multipart/form-data",
                        data={"file": (io.BytesIO(result.data), "承诺书.pdf")})
    assert_as_described(spec, "post", "/api/v1/filings", filed)
    assert_as_described(spec, "get", "/api/v1/filings/{filing_id}",
                        client.get(f"/api/v1/filings/{filed.get_json()['id']}", headers=key))


def test_an_agency_session_is_answered_as_described(client, spec, api_keys):
    key = {"Authorization": f"Bearer {api_keys['agency']}"}
    example = spec["components"]["schemas"]["ScaffoldRequest"]["examples"][0]
    scaffold = client.post("/api/v1/agency/scaffolds", headers=key, json=example)
    assert scaffold.status_code == 201, scaffold.get_json()
    assert_as_described(spec, "post", "/api/v1/agency/scaffolds", scaffold)
    number = scaffold.get_json()["number"]
    preview = client.get(f"/api/v1/agency/scaffolds/{number}.pdf", headers=key)
    assert preview.mimetype == "application/pdf"
    docx = client.get(f"/api/v1/agency/scaffolds/{number}.docx", headers=key)
    assert_as_described(spec, "get", "/api/v1/agency/scaffolds/{number}.{fmt}", docx)
    assert_as_described(spec, "get", "/api/v1/documents/{number}",
                        client.get(f"/api/v1/documents/{number}"))
