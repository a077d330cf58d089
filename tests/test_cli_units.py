"""`flask units`: the registry of receiving units and each unit's clause 6 (issue 12 §2)."""

from __future__ import annotations

import io

import pypdf

from tests.conftest import PERSON_LETTER, UNIT_LETTER, ZJJ


def letter_text(client, **fields) -> str:
    body = client.post("/api/v1/commitments", json={**UNIT_LETTER, **fields}).get_json()
    pdf = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).data
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\n", "").replace(" ", "")


def test_a_registered_unit_can_receive_letters(runner, client):
    assert runner.invoke(args=["units", "add", "凌源市审计局"]).exit_code == 0
    resp = client.post("/api/v1/commitments", json={**UNIT_LETTER, "receiving_unit": "凌源市审计局"})
    assert resp.status_code == 201


def test_a_unit_is_registered_once(runner):
    runner.invoke(args=["units", "add", "凌源市审计局"])
    result = runner.invoke(args=["units", "add", "凌源市审计局"])
    assert "已登记" in result.output


def test_a_clause_scoped_to_persons_prints_on_a_persons_letter(runner, client):
    runner.invoke(args=["units", "set-clause", ZJJ, "--clause", "承诺如实申报家庭住房情况",
                        "--kind", "natural_person"])
    assert "承诺如实申报家庭住房情况" in letter_text(client, **PERSON_LETTER)


def test_a_clause_scoped_to_persons_is_not_on_a_units_letter(runner, client):
    runner.invoke(args=["units", "set-clause", ZJJ, "--clause", "承诺如实申报家庭住房情况",
                        "--kind", "natural_person"])
    assert "承诺如实申报家庭住房情况" not in letter_text(client)


def test_an_unknown_scenario_is_refused_in_chinese(runner):
    result = runner.invoke(args=["units", "set-clause", ZJJ, "--clause", "x", "--scenario", "housing"])
    assert result.exit_code != 0
    assert "不是有效的取值" in result.output


def test_list_shows_the_clause_scope(runner):
    output = runner.invoke(args=["units", "list"]).output
    assert "适用情形：项目审批、核准、备案；适用主体：企业/法人、事业单位、社会团体、个体工商户" in output
