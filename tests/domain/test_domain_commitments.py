"""信用承诺书 content (policy 五): scenarios, request parsing, clauses and signature block."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from app.domain.commitments import (
    CommitmentRequest,
    Scenario,
    closing,
    commitment_clauses,
    parse_commitment_request,
    preamble,
    signature_lines,
)
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError, FieldErrors
from app.domain.subjects import SubjectKind

POLICY = Path(__file__).resolve().parents[3] / "shared" / "reference" / "lingyuan-credit-opinion.txt"
"""The policy beside the repository (CI clones main with ../shared next to it)."""

UNIT = {
    "scenario": "project_approval",
    "subject_kind": "enterprise",
    "subject_name": "凌源市测试有限公司",
    "subject_code": "91211382MA0Y8K7Q3B",
    "legal_representative": "张三",
    "matter": "申请凌源市某某项目备案",
    "receiving_unit": "凌源市发展和改革局",
}
PERSON = {
    "scenario": "administrative_service",
    "subject_kind": "natural_person",
    "subject_name": "李四",
    "subject_code": "211382199003071237",
    "matter": "申请某某行政许可",
    "receiving_unit": "凌源市行政审批局",
}


def errors_of(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        parse_commitment_request(data)
    return caught.value.fields


# --- scenarios ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label", "subtitle"),
    [
        ("project_approval", "项目审批、核准、备案", "（适用于项目审批、核准、备案）"),
        ("procurement_bidding", "政府采购、招标投标", "（适用于政府采购、招标投标）"),
        ("administrative_service", "其他行政管理服务事项", "（适用于其他行政管理服务事项）"),
    ],
)
def test_scenario_rows(value: str, label: str, subtitle: str) -> None:
    scenario = Scenario(value)
    assert scenario.label == label
    assert scenario.subtitle == subtitle


# --- parsing -----------------------------------------------------------------------


def test_parse_unit() -> None:
    request = parse_commitment_request(
        {**UNIT, "subject_code": " 91211382ma0y8k7q3b ", "subject_name": "凌源市测试 有限公司"}
    )
    assert request == CommitmentRequest(
        scenario=Scenario.PROJECT_APPROVAL,
        subject_kind=SubjectKind.ENTERPRISE,
        subject_name="凌源市测试有限公司",
        subject_code="91211382MA0Y8K7Q3B",
        legal_representative="张三",
        matter="申请凌源市某某项目备案",
        receiving_unit="凌源市发展和改革局",
    )


def test_request_is_frozen() -> None:
    request = parse_commitment_request(UNIT)
    with pytest.raises(AttributeError):
        request.subject_name = "x"  # type: ignore[misc]


@pytest.mark.parametrize("representative", [None, "", "  "])
def test_parse_natural_person_without_representative(representative: str | None) -> None:
    data = dict(PERSON)
    if representative is not None:
        data["legal_representative"] = representative
    request = parse_commitment_request(data)
    assert request.subject_kind is SubjectKind.NATURAL_PERSON
    assert request.legal_representative == ""
    assert request.subject_code == "211382199003071237"


def test_parse_accepts_enum_members_and_upper_case_values() -> None:
    request = parse_commitment_request(
        {**UNIT, "scenario": Scenario.PROCUREMENT_BIDDING, "subject_kind": "ENTERPRISE"}
    )
    assert request.scenario is Scenario.PROCUREMENT_BIDDING
    assert request.subject_kind is SubjectKind.ENTERPRISE


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("scenario", "请选择承诺适用情形"),
        ("subject_kind", "请选择承诺主体类型"),
        ("subject_name", "请填写承诺主体名称"),
        ("subject_code", "请填写统一社会信用代码"),
        ("legal_representative", "请填写法定代表人（负责人）姓名"),
        ("matter", "请填写承诺事项"),
        ("receiving_unit", "请填写接受承诺单位"),
    ],
)
def test_missing_unit_field(field: str, message: str) -> None:
    data = {k: v for k, v in UNIT.items() if k != field}
    assert errors_of(data) == {field: message}
    assert errors_of({**UNIT, field: "  "}) == {field: message}


def test_missing_person_code_names_resident_id() -> None:
    data = {k: v for k, v in PERSON.items() if k != "subject_code"}
    assert errors_of(data) == {"subject_code": "请填写身份证号码"}


def test_all_problems_reported_at_once_in_form_order() -> None:
    fields = errors_of({})
    assert list(fields) == [
        "scenario",
        "subject_kind",
        "subject_name",
        "subject_code",
        "matter",
        "receiving_unit",
    ]
    assert fields["subject_code"] == "请填写统一社会信用代码或身份证号码"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"scenario": "bidding"},
            "scenario",
            "承诺适用情形无效，可选值为：project_approval（项目审批、核准、备案）、"
            "procurement_bidding（政府采购、招标投标）、administrative_service（其他行政管理服务事项）",
        ),
        (
            {"subject_kind": "company"},
            "subject_kind",
            "承诺主体类型无效，可选值为：enterprise（企业/法人）、institution（事业单位）、"
            "social_organization（社会团体）、individual_business（个体工商户）、natural_person（自然人）",
        ),
        ({"subject_kind": 3}, "subject_kind", None),
        ({"subject_name": 123}, "subject_name", "承诺主体名称应为文本"),
        (
            {"subject_name": "凌源市\u202e公司"},
            "subject_name",
            "承诺主体名称含不允许的双向文本控制字符(U+202E)",
        ),
        (
            {"subject_code": "91350203M0001QAY9B"},
            "subject_code",
            "统一社会信用代码校验码错误：第18位应为“9”，实际为“B”",
        ),
        ({"subject_code": "211382199003071237"}, "subject_code", None),
        (
            {"legal_representative": "张\u200b三"},
            "legal_representative",
            "法定代表人（负责人）姓名含不允许的零宽字符(U+200B)",
        ),
        (
            {"legal_representative": "张"},
            "legal_representative",
            "法定代表人（负责人）姓名至少应为2个字符",
        ),
        ({"matter": "项" * 201}, "matter", "承诺事项不能超过200个字符，当前为201个字符"),
        (
            {"receiving_unit": "凌源市\x00发改局"},
            "receiving_unit",
            "接受承诺单位含不允许的控制字符(U+0000)",
        ),
    ],
)
def test_invalid_unit_field(changes: dict[str, object], field: str, message: str | None) -> None:
    fields = errors_of({**UNIT, **changes})
    assert list(fields) == [field]
    if message is not None:
        assert fields[field] == message


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"legal_representative": "王五"},
            "legal_representative",
            "自然人作出承诺时无需填写法定代表人（负责人）姓名，请留空",
        ),
        ({"subject_code": "91211382MA0Y8K7Q3B"}, "subject_code",
         "填写的号码是统一社会信用代码，不是身份证号码；如承诺人是单位或个体工商户，"
         "请在“承诺主体类型”中选择相应类型"),
        ({"subject_code": "91211382MA0Y8K7Q3C"}, "subject_code", "身份证号码第9位含非法字符“M”"),
        (
            {"subject_code": "211382900307123"},
            "subject_code",
            "身份证号码为15位旧号码，请填写18位居民身份证号码",
        ),
        ({"subject_name": "凌源市(某某)"}, "subject_name", "承诺主体名称含不允许的字符“(”(U+0028)"),
    ],
)
def test_invalid_person_field(changes: dict[str, object], field: str, message: str) -> None:
    assert errors_of({**PERSON, **changes}) == {field: message}


def test_matter_at_max_length_is_accepted() -> None:
    assert parse_commitment_request({**UNIT, "matter": "项" * 200}).matter == "项" * 200


# --- clauses -----------------------------------------------------------------------

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


@pytest.mark.parametrize("kind", [k for k in SubjectKind if k is not SubjectKind.NATURAL_PERSON])
def test_unit_clauses(kind: SubjectKind) -> None:
    assert commitment_clauses(kind) == UNIT_CLAUSES


def test_person_clauses() -> None:
    expected = tuple(c.replace("本单位", "本人") for c in UNIT_CLAUSES)
    assert commitment_clauses(SubjectKind.NATURAL_PERSON) == expected
    assert all(c.startswith("承诺本人") for c in expected)


@pytest.mark.skipif(not POLICY.exists(), reason="policy text not available")
@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_clauses_are_verbatim_policy_text(number: int) -> None:
    policy = POLICY.read_text(encoding="utf-8")
    match = re.search(rf"^{number}、(承诺本单位\(个人\)[^\n]*?)[;。]$", policy, re.MULTILINE)
    assert match is not None
    half_width = str.maketrans({"，": ",", "；": ";", "（": "(", "）": ")"})
    clause = commitment_clauses(SubjectKind.ENTERPRISE)[number - 1][:-1]
    assert clause.replace("本单位", "本单位（个人）").translate(half_width) == match.group(1)


@pytest.mark.parametrize(
    ("extra", "sixth"),
    [
        ("在30日内补齐项目环评材料", "在30日内补齐项目环评材料。"),
        ("在30日内补齐项目环评材料。", "在30日内补齐项目环评材料。"),
        ("在30日内补齐项目环评材料；\n", "在30日内补齐项目环评材料。"),
    ],
)
def test_extra_clause_is_sixth(extra: str, sixth: str) -> None:
    clauses = commitment_clauses(SubjectKind.ENTERPRISE, extra)
    assert len(clauses) == 6
    assert clauses[4] == UNIT_CLAUSES[4][:-1] + "；"
    assert clauses[5] == sixth


@pytest.mark.parametrize("extra", [None, "", "  "])
def test_no_extra_clause(extra: str | None) -> None:
    assert commitment_clauses(SubjectKind.ENTERPRISE, extra) == UNIT_CLAUSES


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("补齐\u202e材料", "其他承诺含不允许的双向文本控制字符(U+202E)"),
        ("；。", "请填写其他承诺的内容"),
        ("补" * 501, "其他承诺不能超过500个字符，当前为501个字符"),
    ],
)
def test_invalid_extra_clause(extra: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        commitment_clauses(SubjectKind.ENTERPRISE, extra)
    assert (caught.value.field, caught.value.message) == ("extra_clause", message)


@pytest.mark.parametrize(
    ("kind", "pronoun"),
    [(SubjectKind.ENTERPRISE, "本单位"), (SubjectKind.NATURAL_PERSON, "本人")],
)
@pytest.mark.parametrize("scenario", list(Scenario))
def test_preamble(kind: SubjectKind, pronoun: str, scenario: Scenario) -> None:
    assert preamble(kind, scenario) == (
        f"为维护公平竞争的市场秩序，营造诚实守信的社会环境，{pronoun}就上述事项郑重承诺如下："
    )


def test_closing() -> None:
    text = closing()
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
def test_signature_lines(kind: SubjectKind, lines: tuple[str, ...]) -> None:
    assert signature_lines(kind) == lines


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 29), "2026年11月29日"),
        (date(2026, 1, 5), "2026年1月5日"),
        (date(2025, 4, 13), "2025年4月13日"),
        (date(2026, 10, 1), "2026年10月1日"),
    ],
)
def test_format_cn_date(day: date, text: str) -> None:
    assert format_cn_date(day) == text
