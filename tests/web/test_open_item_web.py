"""Item 六 (policy 五(二)6, issue 12 §2) through HTTP: blank forms and issued letters give it its
place, ruled lines or the receiving unit's clause when it applies; letters issued with an older
template version keep it."""

from __future__ import annotations

import io

import pypdf
import pytest

from app.documents import commitment as doc
from tests.conftest import PERSON_LETTER, UNIT_LETTER
from tests.documents.ruled_lines import open_items, ruled_lines_mm

WAGES = "按时足额支付农民工工资"
"""From 住建局's demo clause (app/demo.py), scoped to project approvals of units."""


def _text(pdf: bytes) -> str:
    # line breaks fall where the layout puts them (the 28-character grid from v4 on): read across
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return "".join(p.extract_text() for p in pages).replace(" ", "").replace("\n", "")


def _rule_count(pdf: bytes) -> int:
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return sum(len(ruled_lines_mm(pdf, n)) for n in range(1, pages + 1))


def _local(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.mark.parametrize("who", ["unit", "person"])
def test_blank_pdf_has_item_6_with_ruled_lines(client, who):
    resp = client.get(f"/blank/project_approval/{who}.pdf")
    assert resp.status_code == 200
    assert "六、" in _text(resp.data)
    assert _rule_count(resp.data) == 6  # three per copy


@pytest.mark.parametrize("who", ["unit", "person"])
def test_blank_docx_has_item_6_with_ruled_lines(client, who):
    resp = client.get(f"/blank/administrative_service/{who}.docx")
    assert resp.status_code == 200
    assert open_items(resp.data) == [["rule", "rule"], ["rule", "rule"]]


def test_person_housing_letter_to_zjj_shows_the_lines_not_the_wage_clause(client, commitments):
    # 住建局's clause applies to project approvals of units only, not to 公共租赁住房保障.
    body = commitments.create(**PERSON_LETTER).get_json()
    pdf = client.get(_local(body["pdf_url"])).data
    assert "六、" in _text(pdf)
    assert WAGES not in _text(pdf)
    assert _rule_count(pdf) == 6
    docx = client.get(_local(body["docx_url"])).data
    assert open_items(docx) == [["rule", "rule"], ["rule", "rule"]]


def test_project_approval_letter_of_a_unit_shows_the_units_clause(client, commitments):
    body = commitments.create(**UNIT_LETTER).get_json()
    pdf = client.get(_local(body["pdf_url"])).data
    assert "六、承诺在施工许可办理后" in _text(pdf)
    assert WAGES in _text(pdf)
    assert _rule_count(pdf) == 0
    docx = client.get(_local(body["docx_url"])).data
    assert open_items(docx) == []


def test_letter_issued_with_v2_keeps_v2(client, commitments, monkeypatch):
    # Issued before v3 was released: the archived original is served, and the DOCX re-renders
    # with the version the record stores (no item 六 lines).
    monkeypatch.setattr(doc, "CURRENT_TEMPLATE_VERSION", "v2")
    body = commitments.create(**PERSON_LETTER).get_json()
    monkeypatch.undo()
    pdf = client.get(_local(body["pdf_url"])).data
    assert "六、" not in _text(pdf)
    assert _rule_count(pdf) == 0
    docx = client.get(_local(body["docx_url"])).data
    assert open_items(docx) == []
    assert client.get(f"/api/v1/documents/{body['number']}").get_json()["template_version"] == "v2"
