"""承诺主体 kinds: labels, unit/person split, code dispatch and category warnings."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import FieldError
from app.domain.identifiers import uscc_check_char
from app.domain.subjects import SubjectKind, subject_code_warnings, validate_subject_code


@pytest.mark.parametrize(
    ("value", "label", "is_unit", "uses_resident_id", "prefix"),
    [
        ("enterprise", "企业/法人", True, False, "91"),
        ("institution", "事业单位", True, False, "12"),
        ("social_organization", "社会团体", True, False, "51"),
        ("individual_business", "个体工商户", True, False, "92"),
        ("natural_person", "自然人", False, True, None),
    ],
)
def test_subject_kind_rows(
    value: str, label: str, is_unit: bool, uses_resident_id: bool, prefix: str | None
) -> None:
    kind = SubjectKind(value)
    assert kind.label == label
    assert kind.is_unit is is_unit
    assert kind.uses_resident_id is uses_resident_id
    assert kind.expected_uscc_prefix == prefix


def test_individual_business_is_a_unit_with_uscc() -> None:
    body = "92211382MA0Y8K7Q3"
    code = body + uscc_check_char(body)
    assert validate_subject_code(SubjectKind.INDIVIDUAL_BUSINESS, code) == code
    assert subject_code_warnings(SubjectKind.INDIVIDUAL_BUSINESS, code) == ()


@pytest.mark.parametrize(
    ("kind", "code", "normalised"),
    [
        (SubjectKind.ENTERPRISE, "91211382ma0y8k7q3b", "91211382MA0Y8K7Q3B"),
        (SubjectKind.INSTITUTION, "123502001549897397", "123502001549897397"),
        (SubjectKind.NATURAL_PERSON, "11010519491231002x", "11010519491231002X"),
    ],
)
def test_validate_subject_code_dispatch(kind: SubjectKind, code: str, normalised: str) -> None:
    assert validate_subject_code(kind, code, date(2026, 11, 29)) == normalised


@pytest.mark.parametrize(
    ("kind", "code", "message_start"),
    [
        # a person's ID number typed for a unit, and a unit's code typed for a person (issue 12 §5)
        (SubjectKind.ENTERPRISE, "211382199003071237", "填写的号码看起来是身份证号码，不是统一社会信用代码"),
        (SubjectKind.INDIVIDUAL_BUSINESS, "11010519491231002X", "填写的号码看起来是身份证号码"),
        (SubjectKind.NATURAL_PERSON, "91211382MA0Y8K7Q3B", "填写的号码是统一社会信用代码，不是身份证号码"),
        # otherwise the code's own message
        (SubjectKind.ENTERPRISE, "91211382MA0Y8K7Q3C", "统一社会信用代码校验码错误"),
        (SubjectKind.NATURAL_PERSON, "91211382MA0Y8K7Q3C", "身份证号码第9位含非法字符“M”"),
    ],
)
def test_validate_subject_code_wrong_identifier(
    kind: SubjectKind, code: str, message_start: str
) -> None:
    with pytest.raises(FieldError) as caught:
        validate_subject_code(kind, code)
    assert caught.value.message.startswith(message_start)


@pytest.mark.parametrize(
    ("kind", "code", "warns"),
    [
        (SubjectKind.ENTERPRISE, "91350200776049653A", False),
        (SubjectKind.INSTITUTION, "123502001549897397", False),
        (SubjectKind.INSTITUTION, "91350200776049653A", True),
        (SubjectKind.SOCIAL_ORGANIZATION, "123502001549897397", True),
        (SubjectKind.INDIVIDUAL_BUSINESS, "91350200776049653A", True),
        (SubjectKind.ENTERPRISE, "123502001549897397", True),
        (SubjectKind.NATURAL_PERSON, "211382199003071237", False),
    ],
)
def test_kind_category_warning(kind: SubjectKind, code: str, warns: bool) -> None:
    warnings = subject_code_warnings(kind, code)
    assert bool(warnings) is warns
    if warns:
        assert f"与所选主体类型“{kind.label}”" in warnings[0]


def test_mismatch_is_a_warning_not_an_error() -> None:
    assert validate_subject_code(SubjectKind.INSTITUTION, "91350200776049653A")
    assert subject_code_warnings(SubjectKind.INSTITUTION, "91350200776049653A") == (
        "统一社会信用代码前两位“91”表示工商·企业，与所选主体类型“事业单位”（应为“12”）不一致，请核对",
    )
