"""信用承诺书 requests (policy 五): scenarios, request parsing and clause 6."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.commitments import (
    CommitmentRequest,
    Scenario,
    normalise_extra_clause,
    parse_commitment_request,
)
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError, FieldErrors
from app.domain.subjects import SubjectKind

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
    ("value", "label"),
    [
        ("project_approval", "项目审批、核准、备案"),
        ("procurement_bidding", "政府采购、招标投标"),
        ("administrative_service", "其他行政管理服务事项"),
    ],
)
def test_scenario_rows(value: str, label: str) -> None:
    assert Scenario(value).label == label


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


# --- clause 6 (policy 五(二)6) ----------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "sixth"),
    [
        ("在30日内补齐项目环评材料", "在30日内补齐项目环评材料"),
        ("在30日内补齐项目环评材料。", "在30日内补齐项目环评材料"),
        ("在30日内补齐项目环评材料；\n", "在30日内补齐项目环评材料"),
    ],
)
def test_extra_clause_loses_its_end_punctuation(extra: str, sixth: str) -> None:
    assert normalise_extra_clause(extra) == sixth


@pytest.mark.parametrize("extra", [None, "", "  "])
def test_no_extra_clause(extra: str | None) -> None:
    assert normalise_extra_clause(extra) is None


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
        normalise_extra_clause(extra)
    assert (caught.value.field, caught.value.message) == ("extra_clause", message)


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
