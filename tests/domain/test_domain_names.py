"""Name and free-text normalisation: NFC, invisible characters, allowed sets, lengths."""

from __future__ import annotations

import unicodedata

import pytest

from app.domain.errors import FieldError
from app.domain.names import (
    MATTER_MAX_LEN,
    ORG_NAME_MAX_LEN,
    PERSON_NAME_MAX_LEN,
    is_cjk_ideograph,
    name_key,
    normalise_free_text,
    normalise_name,
    normalise_org_name,
    normalise_person_name,
)

REP = ("legal_representative", "法定代表人姓名")
ORG = ("subject_name", "承诺主体名称")
MATTER = ("matter", "承诺事项")

INVISIBLE = [
    ("\u202a", "双向文本控制字符"),
    ("\u202b", "双向文本控制字符"),
    ("\u202c", "双向文本控制字符"),
    ("\u202d", "双向文本控制字符"),
    ("\u202e", "双向文本控制字符"),
    ("\u2066", "双向文本控制字符"),
    ("\u2067", "双向文本控制字符"),
    ("\u2068", "双向文本控制字符"),
    ("\u2069", "双向文本控制字符"),
    ("\u200e", "双向文本控制字符"),
    ("\u200f", "双向文本控制字符"),
    ("\u061c", "双向文本控制字符"),
    ("\u200b", "零宽字符"),
    ("\u200c", "零宽字符"),
    ("\u200d", "零宽字符"),
    ("\u2060", "零宽字符"),
    ("\ufeff", "零宽字符"),
    ("\x00", "控制字符"),
    ("\x07", "控制字符"),
    ("\x1b", "控制字符"),
    ("\x1f", "控制字符"),
    ("\x7f", "控制字符"),
    ("\x85", "控制字符"),
    ("\ue000", "私用区字符"),
    ("\uf8ff", "私用区字符"),
    ("\U000f0000", "私用区字符"),
    ("\u00ad", "不可见的格式字符"),  # soft hyphen
    ("\U000e0041", "不可见的格式字符"),  # tag character
]


def expect_error(call, message: str, field: str | None = None) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as caught:
        call()
    assert caught.value.message == message
    if field is not None:
        assert caught.value.field == field


# --- invisible characters, every normaliser ------------------------------------


@pytest.mark.parametrize(("char", "kind"), INVISIBLE)
def test_person_name_refuses_invisible(char: str, kind: str) -> None:
    message = f"法定代表人姓名含不允许的{kind}(U+{ord(char):04X})"
    expect_error(
        lambda: normalise_person_name(f"张{char}三", *REP), message, "legal_representative"
    )


@pytest.mark.parametrize(("char", "kind"), INVISIBLE)
def test_org_name_refuses_invisible(char: str, kind: str) -> None:
    message = f"承诺主体名称含不允许的{kind}(U+{ord(char):04X})"
    expect_error(lambda: normalise_org_name(f"凌源市{char}某某有限公司", *ORG), message)


@pytest.mark.parametrize(("char", "kind"), INVISIBLE)
def test_free_text_refuses_invisible(char: str, kind: str) -> None:
    message = f"承诺事项含不允许的{kind}(U+{ord(char):04X})"
    expect_error(lambda: normalise_free_text(f"申请{char}项目备案", *MATTER, 200), message)


def test_bidi_override_message_does_not_echo_the_character() -> None:
    with pytest.raises(FieldError) as caught:
        normalise_person_name("张\u202e三", *REP)
    assert "\u202e" not in caught.value.message
    assert caught.value.message == "法定代表人姓名含不允许的双向文本控制字符(U+202E)"


# --- NFC and look-alikes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Jose\u0301 Marti\u0301", "José Martí"),  # decomposed accents composed
        ("Franc\u0327ois", "François"),
        # NFC itself maps U+F900 to U+8C48 (not NFC-stable): "as typed" ends where NFC does
        ("\uf900\u4e09", "\u8c48\u4e09"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # U+2022 bullet
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # U+30FB katakana middle dot
        ("阿依古丽．买买提", "阿依古丽·买买提"),  # U+FF0E full-width full stop
        ("阿依古丽･买买提", "阿依古丽·买买提"),  # U+FF65
        ("阿依古丽‧买买提", "阿依古丽·买买提"),  # U+2027
        ("阿依古丽∙买买提", "阿依古丽·买买提"),  # U+2219
        ("阿依古丽⋅买买提", "阿依古丽·买买提"),  # U+22C5
        ("阿依古丽\u0387买买提", "阿依古丽·买买提"),  # Greek ano teleia, NFC -> U+00B7
        ("  张  三 ", "张三"),  # spaces between 汉字 dropped
        ("张\t三\n", "张三"),
        ("张\u3000三", "张三"),  # ideographic space
        ("John   Smith", "John Smith"),
        ("John\u00a0Smith", "John Smith"),
        ("Mary O’Neil-Smith Jr.", "Mary O'Neil-Smith Jr."),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "Ｊｏｈｎ Ｓｍｉｔｈ"),  # full-width letters kept as typed (issue 12 §5)
        ("张Wei", "张Wei"),
        ("𠀀三", "𠀀三"),  # Ext B
        ("㐀三", "㐀三"),  # Ext A
        ("\U00031350三", "\U00031350三"),  # Ext H (unassigned in Python 3.11's Unicode data)
        ("\U0002ebf0三", "\U0002ebf0三"),  # Ext I
        ("王〇", "王〇"),
    ],
)
def test_person_name_normalisation(typed: str, expected: str) -> None:
    result = normalise_person_name(typed, *REP)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)


def test_decomposed_input_is_nfc_and_counts_composed_length() -> None:
    decomposed = "E" + "\u0301" + "a" * (PERSON_NAME_MAX_LEN - 1)  # 31 code points, 30 after NFC
    assert len(normalise_person_name(decomposed, *REP)) == PERSON_NAME_MAX_LEN


# --- allowed characters ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("张3", "法定代表人姓名含不允许的字符“3”(U+0033)"),
        ("张@三", "法定代表人姓名含不允许的字符“@”(U+0040)"),
        ("张三（小）", "法定代表人姓名含不允许的字符“（”(U+FF08)"),
        ("张三🙂", "法定代表人姓名含不允许的字符“🙂”(U+1F642)"),
        ("Иван", "法定代表人姓名含不允许的字符“И”(U+0418)"),
        ("Jose\u0301\u0301", "法定代表人姓名含不允许的字符(U+0301)"),  # stray combining mark
        ("张\U0003ffff", "法定代表人姓名含未定义的字符(U+3FFFF)"),
        ("·张三", "法定代表人姓名中的间隔号“·”位置不正确"),
        ("张三·", "法定代表人姓名中的间隔号“·”位置不正确"),
        ("张··三", "法定代表人姓名中的间隔号“·”位置不正确"),
        ("--", "法定代表人姓名应包含汉字或字母"),
        ("张", "法定代表人姓名至少应为2个字符"),
        ("", "请填写法定代表人姓名"),
        (" \u3000 ", "请填写法定代表人姓名"),
    ],
)
def test_person_name_refused(typed: str, message: str) -> None:
    expect_error(lambda: normalise_person_name(typed, *REP), message, "legal_representative")


def test_person_name_non_text() -> None:
    expect_error(lambda: normalise_person_name(12, *REP), "法定代表人姓名应为文本")  # type: ignore[arg-type]


def test_allow_latin_false() -> None:
    assert normalise_name("阿依古丽·买买提", *REP, allow_latin=False) == "阿依古丽·买买提"
    expect_error(
        lambda: normalise_name("张Wei", *REP, allow_latin=False),
        "法定代表人姓名含不允许的字符“W”(U+0057)",
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("凌源市某某有限公司", "凌源市某某有限公司"),
        ("凌源市某某有限公司（第一分公司）", "凌源市某某有限公司（第一分公司）"),
        ("凌源市某某有限公司(分公司)", "凌源市某某有限公司(分公司)"),
        ("A&B（凌源）科技有限公司", "A&B（凌源）科技有限公司"),
        ("Ａ＆Ｂ（凌源）科技有限公司", "Ａ＆Ｂ（凌源）科技有限公司"),  # as typed (issue 12 §5)
        ("凌源市第１中学", "凌源市第１中学"),
        ("凌源市第1中学", "凌源市第1中学"),
        ("凌源市工商联、商会联合会", "凌源市工商联、商会联合会"),
        ("凌源市某某—物流有限公司".replace("—", "－"), "凌源市某某-物流有限公司"),
        ("凌源 市某某 有限公司", "凌源市某某有限公司"),
        ("ABC International (Lingyuan) Co. Ltd.", "ABC International (Lingyuan) Co. Ltd."),
        ("凌源市张三烧烤店", "凌源市张三烧烤店"),
        ("361度凌源专卖店", "361度凌源专卖店"),
    ],
)
def test_org_name_accepted(typed: str, expected: str) -> None:
    assert normalise_org_name(typed, *ORG) == expected


@pytest.mark.parametrize(
    ("typed", "half_width"),
    [
        ("ＡＢＣ有限公司", "ABC有限公司"),
        ("Ａ＆Ｂ（凌源）科技有限公司", "A&B(凌源)科技有限公司"),
        ("凌源市第１中学", "凌源市第1中学"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith"),
    ],
)
def test_full_width_names_are_kept_but_match_their_half_width_twins(typed: str, half_width: str) -> None:
    """Issue 12 §5: printed as typed, matched by name_key (NFKC)."""
    assert normalise_org_name(typed, *ORG) == typed
    assert name_key(normalise_org_name(typed, *ORG)) == name_key(normalise_org_name(half_width, *ORG))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("凌源市某某（公司", "承诺主体名称中的括号不配对"),
        ("凌源市某某)(公司", "承诺主体名称中的括号不配对"),
        ("凌源市某某公司！", "承诺主体名称含不允许的字符“！”(U+FF01)"),
        ("凌源市某某公司#1", "承诺主体名称含不允许的字符“#”(U+0023)"),
        ("凌源市\ue000公司", "承诺主体名称含不允许的私用区字符(U+E000)"),
        ("某", "承诺主体名称至少应为2个字符"),
        ("123", "承诺主体名称应包含汉字或字母"),
    ],
)
def test_org_name_refused(typed: str, message: str) -> None:
    expect_error(lambda: normalise_org_name(typed, *ORG), message, "subject_name")


# --- length boundaries ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("normalise", "max_len", "unit"),
    [
        (lambda v: normalise_person_name(v, *REP), PERSON_NAME_MAX_LEN, "张"),
        (lambda v: normalise_org_name(v, *ORG), ORG_NAME_MAX_LEN, "凌"),
        (lambda v: normalise_free_text(v, *MATTER, MATTER_MAX_LEN), MATTER_MAX_LEN, "项"),
    ],
    ids=["person", "org", "matter"],
)
def test_length_boundaries(normalise, max_len: int, unit: str) -> None:  # type: ignore[no-untyped-def]
    assert normalise(unit * max_len) == unit * max_len
    with pytest.raises(FieldError) as caught:
        normalise(unit * (max_len + 1))
    assert caught.value.message.endswith(f"不能超过{max_len}个字符，当前为{max_len + 1}个字符")


def test_length_limits() -> None:
    assert (PERSON_NAME_MAX_LEN, ORG_NAME_MAX_LEN, MATTER_MAX_LEN) == (30, 100, 200)


def test_extension_b_counts_as_one_character() -> None:
    assert normalise_person_name("𠀀" * PERSON_NAME_MAX_LEN, *REP) == "𠀀" * PERSON_NAME_MAX_LEN


def test_min_len_is_configurable() -> None:
    assert normalise_name("张", *REP, min_len=1) == "张"


# --- free text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("《某某项目》备案（第2期），金额100万元；", "《某某项目》备案（第2期），金额100万元；"),
        ("申请\n项目\r\n备案", "申请 项目 备案"),
        ("  申请   项目备案  ", "申请 项目备案"),
        ("温度≤25℃、№3、50%", "温度≤25℃、№3、50%"),
        ("Cafe\u0301 license", "Café license"),
    ],
)
def test_free_text_accepted(typed: str, expected: str) -> None:
    assert normalise_free_text(typed, *MATTER, MATTER_MAX_LEN) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写承诺事项"),
        ("\n\t ", "请填写承诺事项"),
        ("申请🙂", "承诺事项含不允许的字符“🙂”(U+1F642)"),
        ("申请\u0301", "承诺事项含不允许的字符(U+0301)"),
        ("申请\U0003ffff", "承诺事项含未定义的字符(U+3FFFF)"),
    ],
)
def test_free_text_refused(typed: str, message: str) -> None:
    expect_error(lambda: normalise_free_text(typed, *MATTER, MATTER_MAX_LEN), message, "matter")


@pytest.mark.parametrize(
    ("char", "cjk"),
    [
        ("中", True),
        ("㐀", True),
        ("𠀀", True),
        ("\U00031350", True),
        ("〇", True),
        ("A", False),
        ("·", False),
        ("ア", False),
        ("가", False),
    ],
)
def test_is_cjk_ideograph(char: str, cjk: bool) -> None:
    assert is_cjk_ideograph(char) is cjk
