"""统一社会信用代码 and 身份证号码 rules, with the worked examples of domain-rules §3."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import FieldError
from app.domain.identifiers import (
    USCC_WEIGHTS,
    find_resident_ids,
    org_code_check_char,
    resident_id_birth_date,
    resident_id_check_char,
    uscc_check_char,
    uscc_warnings,
    validate_resident_id,
    validate_uscc,
)
from app.domain.subjects import SubjectKind, subject_code_field_label

TODAY = date(2026, 11, 29)


def make_id(address: str, birth: str, sequence: str = "123") -> str:
    """An 18-digit number with a correct check character, so only the rule under test fails."""
    body = address + birth + sequence
    return body + resident_id_check_char(body)


# --- 统一社会信用代码 -------------------------------------------------------------


def test_uscc_weights_match_standard() -> None:
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize(
    "code",
    [
        "91350200776049653A",  # worked example, Σ = 1261 -> 'A'
        "91440101MA5CJQ4N59",
        "913502000728319549",
        "123502001549897397",  # 事业单位
        "91350213678251743X",
        "91211382MA0Y8K7Q3B",  # synthetic 凌源 value
    ],
)
def test_valid_uscc(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("91350200776049653a", "91350200776049653A"),
        ("  91211382ma0y8k7q3b\t", "91211382MA0Y8K7Q3B"),
        ("９１２１１３８２ＭＡ０Ｙ８Ｋ７Ｑ３Ｂ", "91211382MA0Y8K7Q3B"),  # full-width IME input
    ],
)
def test_uscc_normalisation(typed: str, normalised: str) -> None:
    assert validate_uscc(typed) == normalised


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350203M0001QAY9B", "统一社会信用代码校验码错误：第18位应为“9”，实际为“B”"),
        ("91350200776049653B", "统一社会信用代码校验码错误：第18位应为“A”，实际为“B”"),
        ("9135020077604965", "统一社会信用代码应为18位，当前为16位"),
        ("91350200776049653AA", "统一社会信用代码应为18位，当前为19位"),
        (
            "91A50200776049653A",
            "统一社会信用代码第3–8位应为登记管理机关行政区划码（数字），第3位为“A”",
        ),
        ("913502007760-49653A", "统一社会信用代码第13位含非法字符“-”"),
        ("9135 0200776049653A", "统一社会信用代码第5位含非法字符“ ”"),
        ("91350200中76049653A", "统一社会信用代码第9位含非法字符“中”(U+4E2D)"),
        ("", "请填写统一社会信用代码"),
        ("   ", "请填写统一社会信用代码"),
    ],
)
def test_invalid_uscc(code: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        validate_uscc(code)
    assert caught.value.field == "subject_code"
    assert caught.value.message == message


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_uscc_excluded_letters_are_reported_not_mapped(letter: str) -> None:
    code = "91350200776049653A"
    typed = code[:11] + letter + code[12:]  # position 12 ('0') replaced
    with pytest.raises(FieldError) as caught:
        validate_uscc(typed)
    assert caught.value.message.startswith(f"统一社会信用代码第12位为“{letter}”")
    assert "不使用字母I、O、Z、S、V" in caught.value.message


@pytest.mark.parametrize("letter", list("iozsv"))
def test_uscc_excluded_letters_lower_case(letter: str) -> None:
    with pytest.raises(FieldError, match=f"第12位为“{letter.upper()}”"):
        validate_uscc("91350200776" + letter + "49653A")


def test_uscc_non_text() -> None:
    with pytest.raises(FieldError, match="统一社会信用代码应为文本"):
        validate_uscc(None)  # type: ignore[arg-type]


def test_uscc_field_name_is_configurable() -> None:
    with pytest.raises(FieldError) as caught:
        validate_uscc("1", field="unit_code")
    assert caught.value.field == "unit_code"


@pytest.mark.parametrize("bad", ["", "9135020077604965", "9135020077604965O"])
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(bad)


def test_uscc_warnings_clean_code() -> None:
    assert uscc_warnings("91350200776049653A") == ()


def with_check(body17: str) -> str:
    """``body17`` plus its correct check character, so only the structural rule under test fails."""
    return body17 + uscc_check_char(body17)


def test_uscc_warnings_unknown_category_pair() -> None:
    code = with_check("22211382MA0Y8K7Q3")  # 外交's category list is best-effort (§3.1)
    assert validate_uscc(code) == code  # an unlisted category of a known department: a warning
    assert any("前两位“22”" in w for w in uscc_warnings(code))


@pytest.mark.parametrize(
    ("code", "message"),
    [
        # issue 10 §5: passes the checksum (Σ = 0 -> '0') but nothing in it can be issued
        ("000000000000000000", "统一社会信用代码第1位登记管理部门代码“0”无效"),
        (with_check("01211382MA0Y8K7Q3"), "统一社会信用代码第1位登记管理部门代码“0”无效"),
        (with_check("H1211382MA0Y8K7Q3"), "统一社会信用代码第1位登记管理部门代码“H”无效"),
        (with_check("X1211382MA0Y8K7Q3"), "统一社会信用代码第1位登记管理部门代码“X”无效"),
        (
            with_check("90211382MA0Y8K7Q3"),
            "统一社会信用代码第2位机构类别代码“0”无效：登记管理部门“9”（工商）没有这一机构类别"
            "（应为1、2、3）",
        ),
        (
            with_check("94211382MA0Y8K7Q3"),
            "统一社会信用代码第2位机构类别代码“4”无效：登记管理部门“9”（工商）没有这一机构类别"
            "（应为1、2、3）",
        ),
        (
            with_check("99211382MA0Y8K7Q3"),
            "统一社会信用代码第2位机构类别代码“9”无效：登记管理部门“9”（工商）没有这一机构类别"
            "（应为1、2、3）",
        ),
        (
            with_check("1A211382MA0Y8K7Q3"),
            "统一社会信用代码第2位机构类别代码“A”无效：登记管理部门“1”（机构编制）没有这一机构类别"
            "（应为1、2、3、9）",
        ),
        (
            with_check("54211382MA0Y8K7Q3"),
            "统一社会信用代码第2位机构类别代码“4”无效：登记管理部门“5”（民政）没有这一机构类别"
            "（应为1、2、3、9）",
        ),
        (
            with_check("Y0211382MA0Y8K7Q3"),
            "统一社会信用代码第2位机构类别代码“0”无效：登记管理部门“Y”（其他）没有这一机构类别",
        ),
        (
            with_check("91000000MA0Y8K7Q3"),
            "统一社会信用代码第3–8位登记管理机关行政区划码“000000”无效（应为登记机关所在地的行政区划代码）",
        ),
        (
            with_check("91991382MA0Y8K7Q3"),
            "统一社会信用代码第3–8位登记管理机关行政区划码“991382”无效（应为登记机关所在地的行政区划代码）",
        ),
        (with_check("91211382000000000"), "统一社会信用代码第9–17位主体标识码（组织机构代码）不能全为0"),
    ],
)
def test_uscc_structurally_impossible_codes_are_refused(code: str, message: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]  # the checksum alone would accept it
    with pytest.raises(FieldError) as caught:
        validate_uscc(code)
    assert (caught.value.field, caught.value.message) == ("subject_code", message)


@pytest.mark.parametrize(
    "body",
    [
        "11211382MA0Y8K7Q3", "12211382MA0Y8K7Q3", "13211382MA0Y8K7Q3", "19211382MA0Y8K7Q3",
        "51211382MA0Y8K7Q3", "52211382MA0Y8K7Q3", "53211382MA0Y8K7Q3", "59211382MA0Y8K7Q3",
        "91211382MA0Y8K7Q3", "92211382MA0Y8K7Q3", "93211382MA0Y8K7Q3",
        "21211382MA0Y8K7Q3", "A1211382MA0Y8K7Q3", "G1211382MA0Y8K7Q3", "N1211382MA0Y8K7Q3",
        "Y1211382MA0Y8K7Q3",
        "91210000MA0Y8K7Q3",  # registered at provincial level (辽宁省)
        "51100000500000024",  # a national registration (region 100000)
    ],
)
def test_uscc_every_issuable_department_category_and_region_is_accepted(body: str) -> None:
    code = with_check(body)
    assert validate_uscc(code) == code


def test_uscc_warnings_org_check_mismatch() -> None:
    body = "91211382MA0Y8K7Q4"  # 17th character should be '3'
    code = body + uscc_check_char(body)
    assert validate_uscc(code) == code
    assert uscc_warnings(code) == ("统一社会信用代码第9–17位（组织机构代码）校验位不符，请核对",)


# --- 居民身份证号码 ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "normalised"),
    [
        ("11010519491231002X", "11010519491231002X"),  # worked example, S = 167 -> 'X'
        ("11010519491231002x", "11010519491231002X"),  # lower-case x normalised
        ("211382199003071237", "211382199003071237"),  # synthetic 凌源 value, S = 269 -> '7'
        (" 211382199003071237 ", "211382199003071237"),
        ("２１１３８２１９９００３０７１２３７", "211382199003071237"),
    ],
)
def test_valid_resident_id(number: str, normalised: str) -> None:
    assert validate_resident_id(number, TODAY) == normalised


def test_worked_example_1880_has_correct_check_digit_but_predates_1900() -> None:
    # §3.2 lists 440524188001010014 (S = 195 -> '4') as a check-digit example; the
    # 1900 floor for a living signer refuses it unless the caller lowers the floor.
    assert resident_id_check_char("44052418800101001") == "4"
    with pytest.raises(FieldError, match="出生日期“18800101”早于1900年"):
        validate_resident_id("440524188001010014", TODAY)
    assert (
        validate_resident_id("440524188001010014", TODAY, min_birth_year=1800)
        == "440524188001010014"
    )


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("211382199003071238", "身份证号码校验码错误：第18位应为“7”，实际为“8”"),
        ("110105194912310021", "身份证号码校验码错误：第18位应为“X”，实际为“1”"),
        (make_id("211382", "19990230"), "身份证号码中的出生日期“19990230”不是有效日期"),
        (make_id("211382", "19991301"), "身份证号码中的出生日期“19991301”不是有效日期"),
        (make_id("211382", "20261130"), "身份证号码中的出生日期“20261130”晚于今天"),
        (make_id("211382", "20300101"), "身份证号码中的出生日期“20300101”晚于今天"),
        (make_id("211382", "18991231"), "身份证号码中的出生日期“18991231”早于1900年"),
        ("211382900307123", "身份证号码为15位旧号码，请填写18位居民身份证号码"),
        ("000000000000000000", "身份证号码无效：不能全部为相同的字符"),
        ("111111111111111111", "身份证号码无效：不能全部为相同的字符"),
        (make_id("000000", "19900307"), "身份证号码无效：地址码（前6位）不能为000000"),
        (make_id("991382", "19900307"), "身份证号码前两位“99”不是有效的省级行政区划代码"),
        ("21138219900307123", "身份证号码应为18位，当前为17位"),
        ("2113821990030712377", "身份证号码应为18位，当前为19位"),
        ("2113821990030712X7", "身份证号码只有第18位可以是X，第17位不能为“X”"),
        ("21138219900307A237", "身份证号码第15位含非法字符“A”"),
        ("", "请填写身份证号码"),
    ],
)
def test_invalid_resident_id(number: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        validate_resident_id(number, TODAY)
    assert caught.value.field == "subject_code"
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("birth", "ok"),
    [
        ("20261129", True),  # born today
        ("20261130", False),  # tomorrow
        ("19000101", True),  # floor
        ("18991231", False),
    ],
)
def test_resident_id_birth_date_boundaries(birth: str, ok: bool) -> None:
    number = make_id("211382", birth)
    if ok:
        assert validate_resident_id(number, TODAY) == number
        assert resident_id_birth_date(number) == date(
            int(birth[:4]), int(birth[4:6]), int(birth[6:])
        )
    else:
        with pytest.raises(FieldError, match="出生日期"):
            validate_resident_id(number, TODAY)


def test_resident_id_default_today_refuses_far_future() -> None:
    with pytest.raises(FieldError, match="晚于今天"):
        validate_resident_id(make_id("211382", "29991231"))


@pytest.mark.parametrize(
    ("body", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("21138219900307123", "7")],
)
def test_resident_id_check_char(body: str, check: str) -> None:
    assert resident_id_check_char(body) == check


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (SubjectKind.ENTERPRISE, "统一社会信用代码"),
        (SubjectKind.INSTITUTION, "统一社会信用代码"),
        (SubjectKind.SOCIAL_ORGANIZATION, "统一社会信用代码"),
        (SubjectKind.INDIVIDUAL_BUSINESS, "统一社会信用代码"),
        (SubjectKind.NATURAL_PERSON, "身份证号码"),
    ],
)
def test_subject_code_field_label(kind: SubjectKind, label: str) -> None:
    assert subject_code_field_label(kind) == label


@pytest.mark.parametrize(("text", "found"), [
    ("法定代表人身份证号码211382199003071237。", ["211382199003071237"]),
    ("211382199003071237与21138219920525172x", ["211382199003071237", "21138219920525172x"]),
    ("编号A211382199003071237", []),            # glued to a letter: part of a longer code
    ("2113821990030712371", []),               # 19 digits
    ("211382199002301237", []),                # 1990-02-30 is no date
    ("211382189003071237", []),                # born in the 1890s: not an ID shape
    ("913502000728319549", []),                # a USCC of digits: 0007-28-31 is no date
    ("91211382MA0Y8K7Q3B", []),
])
def test_find_resident_ids_in_text(text: str, found: list[str]) -> None:
    assert [text[a:b] for a, b in find_resident_ids(text)] == found
