"""JSON API v1: creation, public document view, errors, OpenAPI, health."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select

from app.db import get_session
from app.models import IssuedDocument
from tests.conftest import PERSON_LETTER, UNIT_LETTER


def count_documents(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(IssuedDocument))


def archive_files(app) -> list[Path]:
    root = Path(app.config["ARCHIVE_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_create_returns_201_with_location_and_links(client, commitments):
    resp = commitments.create()
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"number", "verification_code", "sha256", "pdf_url", "docx_url",
                         "verify_url"}
    assert body["number"].startswith("LYXY-CN-2026-000001")
    assert resp.headers["Location"].endswith(f"/api/v1/documents/{body['number']}")
    pdf = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000"))
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == body["sha256"]
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    docx = client.get(body["docx_url"].removeprefix("http://127.0.0.1:8000"))
    assert docx.status_code == 200
    assert docx.data[:2] == b"PK"


def test_numbers_are_sequential(commitments):
    first = commitments.create().get_json()["number"]
    second = commitments.create().get_json()["number"]
    assert first[:-1].endswith("000001")
    assert second[:-1].endswith("000002")


def test_document_json_is_public_and_hides_id_numbers(client, commitments):
    number = commitments.create(**PERSON_LETTER).get_json()["number"]
    resp = client.get(f"/api/v1/documents/{number}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["subject_name"] == "张**"
    assert "211382199003071237" not in resp.get_data(as_text=True)
    assert "19900307" not in resp.get_data(as_text=True)
    assert "verification_code" not in body
    assert body["status"] == "not_published"
    assert body["issued_on"] == "2026-11-29"


def test_document_json_masks_a_compound_surname_after_the_surname(client, commitments):
    number = commitments.create(**{**PERSON_LETTER, "subject_name": "欧阳修远"}).get_json()["number"]
    body = client.get(f"/api/v1/documents/{number}").get_json()
    assert body["subject_name"] == "欧阳**"


def test_issued_letter_has_number_and_clause_six_of_the_unit(client, commitments):
    body = commitments.create().get_json()
    pdf = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    text = text.replace("\n", "").replace(" ", "")
    assert body["number"] in text
    assert "六、承诺在施工许可办理后严格落实工程质量安全责任" in text


def letter_text(client, body) -> str:
    pdf = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\n", "").replace(" ", "")


def test_a_persons_housing_letter_gets_no_building_clause(client, commitments):
    """Issue 12 §2: 住建局's clause is for building projects of units (its scope in the registry)."""
    body = commitments.create(**PERSON_LETTER).get_json()  # 申请公共租赁住房保障, to 住建局
    assert "不转包" not in letter_text(client, body)


def test_a_procurement_letter_to_the_building_bureau_gets_no_building_clause(client, commitments):
    body = commitments.create(scenario="procurement_bidding").get_json()
    assert "不转包" not in letter_text(client, body)


@pytest.mark.parametrize("field, value, message_part", [
    ("subject_code", "91211382MA0Y8K7Q3C", "校验码"),
    ("subject_code", "9121138MA0Y8K7Q3B", "18位"),
    # issue 12 §2: the letter names a registered receiving unit, with the closest names offered
    ("receiving_unit", "凌源市不存在局", "不是本平台登记的接受承诺单位"),
    ("receiving_unit", "住建局", "您是否要选择：凌源市住房和城乡建设局"),
    # issue 12 §5: a person's ID number typed for an enterprise
    ("subject_code", "211382199003071237", "看起来是身份证号码"),
    # issue 10 §5: the checksum fits (Σ = 0), but no registration authority is "0"
    ("subject_code", "000000000000000000", "第1位登记管理部门代码“0”无效"),
    ("subject_code", "91211382000000000R", "主体标识码（组织机构代码）不能全为0"),
    ("subject_name", "", "请填写"),
    ("scenario", "housing", "project_approval"),
    ("subject_kind", "company", "enterprise"),
    ("legal_representative", "", "法定代表人"),
    ("subject_name", "凌源\u202e公司", "U+202E"),
])
def test_invalid_fields_are_refused_in_chinese_and_nothing_is_stored(
        app, commitments, field, value, message_part):
    resp = commitments.create(**{field: value})
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_fields"
    assert field in body["fields"]
    assert message_part in body["fields"][field]
    assert count_documents(app) == 0
    assert archive_files(app) == []


def test_unit_typed_with_full_width_spaces_is_stored_in_the_registry_spelling(client, commitments):
    number = commitments.create(receiving_unit="凌源市住房和城乡建设局\u3000").get_json()["number"]
    assert client.get(f"/api/v1/documents/{number}").get_json()["receiving_unit"] == "凌源市住房和城乡建设局"


def test_character_no_font_can_draw_is_refused_by_name(app, commitments):
    resp = commitments.create(matter="申请\ue000事项")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] in {"uncoverable_character", "invalid_fields"}
    assert "U+E000" in body["message"]
    assert count_documents(app) == 0


def test_non_json_body_is_refused(client):
    resp = client.post("/api/v1/commitments", data="scenario=x",
                       content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "invalid_json"


def test_unknown_document_is_404_json(client):
    resp = client.get("/api/v1/documents/LYXY-CN-2026-000099" + "X")
    assert resp.status_code in (400, 404)
    assert resp.is_json
    assert "message" in resp.get_json()


def test_mistyped_number_is_caught_by_the_check_character(client, commitments):
    number = commitments.create().get_json()["number"]
    typo = number[:-2] + ("2" if number[-2] != "2" else "3") + number[-1]
    resp = client.get(f"/api/v1/documents/{typo}")
    assert resp.status_code == 400
    assert "校验" in resp.get_json()["message"]


def test_openapi_lists_the_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/commitments" in spec["paths"]
    props = spec["components"]["schemas"]["CommitmentRequest"]["properties"]
    assert set(props) == set(UNIT_LETTER)


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json()["database"] == "ok"


def test_rate_limit_answers_429_in_chinese(app_factory):
    app = app_factory(COMMITMENT_RATE_LIMIT="2 per minute", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    bad = {**UNIT_LETTER, "subject_code": "bad"}
    statuses = [client.post("/api/v1/commitments", json=bad).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]
    resp = client.post("/api/v1/commitments", json=bad)
    assert resp.get_json()["error"] == "rate_limited"
    assert "频繁" in resp.get_json()["message"]
    assert "（限制：每分钟2次）" in resp.get_json()["message"]  # Chinese, not "2 per 1 minute"
    assert "per" not in resp.get_json()["message"]
    page = client.post("/commitments/new", data=bad, headers={"Accept": "text/html"})
    assert page.status_code == 429
    assert "频繁" in page.get_data(as_text=True)


def test_receiving_units_are_listed_for_api_clients(client):
    """Issue 12 §2 / user trial: a client can learn the registered units without reading errors."""
    units = client.get("/api/v1/receiving-units").get_json()["units"]
    assert "凌源市住房和城乡建设局" in units


def test_a_filing_form_needs_only_the_file_for_our_letters_as_described(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["FilingForm"]["required"] == ["file"]
