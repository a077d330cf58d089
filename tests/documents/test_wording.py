"""The wording of every released 信用承诺书 version (templates/commitment/<version>/wording.json):
policy 五(二)1–5 verbatim, preamble, closing and signature block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.documents.registry import RELEASED, Family
from app.documents.wording import LetterWording, letter_wording
from app.domain.commitments import Scenario, normalise_extra_clause
from app.domain.subjects import SubjectKind

POLICY = Path(__file__).resolve().parents[3] / "shared" / "reference" / "lingyuan-credit-opinion.txt"
"""The policy beside the repository (CI clones main with ../shared next to it)."""


@pytest.fixture(params=sorted(RELEASED[Family.COMMITMENT]))
def wording(request: pytest.FixtureRequest) -> LetterWording:
    return letter_wording(request.param)


@pytest.mark.parametrize(("scenario", "subtitle"), [
    (Scenario.PROJECT_APPROVAL, "（适用于项目审批、核准、备案）"),
    (Scenario.PROCUREMENT_BIDDING, "（适用于政府采购、招标投标）"),
    (Scenario.ADMINISTRATIVE_SERVICE, "（适用于其他行政管理服务事项）"),
])
def test_subtitle_names_the_scenario(wording: LetterWording, scenario: Scenario,
                                     subtitle: str) -> None:
    assert wording.subtitle(scenario) == subtitle


def test_every_unit_kind_has_a_printed_label(wording: LetterWording) -> None:
    units = {k.value for k in SubjectKind if k.is_unit}
    assert set(wording.subject_kinds) == units



UNIT_CLAUSES = (
    "承诺本单位提供的所有资料均合法、真实、有效，并对所提供资料的真实性负责；",
    "承诺本单位严格按照国家法律、法规和规章开展相关经济活动，全面履行应尽的责任和义务，"
    "主动接受行业监管和事务管理，自愿接受依法开展的日常检查；"
    "违法失信经营后将自愿接受约束和惩戒，并依法承担相应责任；",
    "承诺本单位不违约毁约，守合同、重信用，维护经营者、消费者的合法权益；",
    "承诺本单位自觉接受行业管理部门、行业组织、社会公众、新闻舆论的监督；",
    "承诺本单位自愿按照信用信息管理有关要求，将信用承诺信息和失信信息纳入社会信用信息共享交换平台，"
    "并通过信用平台和网站向社会公示信息。",
)


def _without_clause_6(wording: LetterWording, clauses: tuple[str, ...]) -> tuple[str, ...]:
    """The five policy clauses as a version prints them when no unit clause applies: clause 5
    ends "。" (v1, v2) or "；" when the open item 六 follows (v3 on)."""
    if wording.open_item_lines:
        return (*clauses[:4], clauses[4][:-1] + "；")
    return clauses


@pytest.mark.parametrize("kind", [k for k in SubjectKind if k is not SubjectKind.NATURAL_PERSON])
def test_unit_clauses(wording: LetterWording, kind: SubjectKind) -> None:
    assert wording.clauses(kind) == _without_clause_6(wording, UNIT_CLAUSES)


def test_person_clauses(wording: LetterWording) -> None:
    expected = tuple(c.replace("本单位", "本人") for c in UNIT_CLAUSES)
    assert wording.clauses(SubjectKind.NATURAL_PERSON) == _without_clause_6(wording, expected)
    assert all(c.startswith("承诺本人") for c in expected)


@pytest.mark.parametrize(("version", "lines"), [("v1", 0), ("v2", 0), ("v3", 3), ("v4", 3),
                                                         ("v5", 3)])
def test_open_item_lines_of_each_version(version: str, lines: int) -> None:
    # Policy 五(二)6 has its place from v3 on (issue 12 §2): three ruled lines to write on.
    assert letter_wording(version).open_item_lines == lines


def test_open_item_gives_way_to_a_unit_clause(wording: LetterWording) -> None:
    assert wording.open_lines("在30日内补齐项目环评材料。") == 0


def test_open_item_is_printed_without_a_unit_clause(wording: LetterWording) -> None:
    assert wording.open_lines(None) == wording.open_item_lines


@pytest.mark.skipif(not POLICY.exists(), reason="policy text not available")
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_clauses_are_verbatim_policy_text(wording: LetterWording, number: int) -> None:
    policy = POLICY.read_text(encoding="utf-8")
    match = re.search(rf"^{number}、(承诺本单位\(个人\)[^\n]*?)[;。]$", policy, re.MULTILINE)
    assert match is not None
    half_width = str.maketrans({"，": ",", "；": ";", "（": "(", "）": ")"})
    clause = wording.clauses(SubjectKind.ENTERPRISE)[number - 1][:-1]
    assert clause.replace("本单位", "本单位（个人）").translate(half_width) == match.group(1)


@pytest.mark.parametrize(
    ("extra", "sixth"),
    [
        ("在30日内补齐项目环评材料", "在30日内补齐项目环评材料。"),
        ("在30日内补齐项目环评材料。", "在30日内补齐项目环评材料。"),
        ("在30日内补齐项目环评材料；\n", "在30日内补齐项目环评材料。"),
    ],
)
def test_extra_clause_is_sixth(wording: LetterWording, extra: str, sixth: str) -> None:
    clauses = wording.clauses(SubjectKind.ENTERPRISE, normalise_extra_clause(extra))
    assert len(clauses) == 6
    assert clauses[4] == UNIT_CLAUSES[4][:-1] + "；"
    assert clauses[5] == sixth


@pytest.mark.parametrize(
    ("kind", "pronoun"),
    [(SubjectKind.ENTERPRISE, "本单位"), (SubjectKind.NATURAL_PERSON, "本人")],
)
@pytest.mark.parametrize("scenario", list(Scenario))
def test_preamble(wording: LetterWording, kind: SubjectKind, pronoun: str,
                  scenario: Scenario) -> None:
    del scenario  # the same text for all three 情形 (the subtitle names the scenario)
    assert wording.preamble_for(kind) == (
        f"为维护公平竞争的市场秩序，营造诚实守信的社会环境，{pronoun}就上述事项郑重承诺如下："
    )


def test_closing(wording: LetterWording) -> None:
    text = wording.closing
    assert text.startswith(
        "本承诺书自签署之日起生效。如违背上述承诺，愿意承担相应的法律责任，"
        "接受有关部门依法依规实施的失信惩戒措施。"
    )
    assert "“信用中国（辽宁凌源）”网站公示，接受社会监督。" in text


@pytest.mark.parametrize(
    ("kind", "lines"),
    [
        (SubjectKind.ENTERPRISE, ("承诺单位（盖章）：", "法定代表人（负责人）（签字）：")),
        (SubjectKind.INSTITUTION, ("承诺单位（盖章）：", "法定代表人（负责人）（签字）：")),
        (SubjectKind.SOCIAL_ORGANIZATION, ("承诺单位（盖章）：", "法定代表人（负责人）（签字）：")),
        (SubjectKind.INDIVIDUAL_BUSINESS, ("承诺单位（盖章）：", "法定代表人（负责人）（签字）：")),
        (SubjectKind.NATURAL_PERSON, ("承诺人（签字并按指印）：",)),
    ],
)
def test_signature_lines(wording: LetterWording, kind: SubjectKind,
                         lines: tuple[str, ...]) -> None:
    assert wording.signature_block(kind) == lines
