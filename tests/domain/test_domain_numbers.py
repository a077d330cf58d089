"""Document numbers LYXY-{TYPE}-{YYYY}-{NNNNNN}{C} and verification codes (domain-rules §5.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date

import pytest

from app.domain.errors import FieldError
from app.domain.identifiers import USCC_ALPHABET
from app.domain.numbers import (
    DocumentType,
    format_document_number,
    number_check_char,
    parse_document_number,
    verification_code,
)


@pytest.mark.parametrize(
    ("doc_type", "label"),
    [
        (DocumentType.CN, "承诺书"),
        (DocumentType.HC, "核查"),
        (DocumentType.BG, "报告"),
        (DocumentType.PJ, "评价"),
    ],
)
def test_document_type_labels(doc_type: DocumentType, label: str) -> None:
    assert doc_type.label == label


def test_worked_number() -> None:
    # Σ over "LYXYCN2026000123" with weights 3^(i-1) mod 31 -> 'T'. The brief's
    # "…000123K" was illustrative: 'K' is not what the §5.3 scheme yields.
    assert format_document_number(DocumentType.CN, 2026, 123) == "LYXY-CN-2026-000123T"
    assert number_check_char("LYXY-CN-2026-000123") == "T"


def test_check_char_matches_uscc_scheme() -> None:
    # Same algorithm as GB 32100: the worked USCC example yields its own check character.
    assert number_check_char("91350200776049653") == "A"


@pytest.mark.parametrize("doc_type", list(DocumentType))
@pytest.mark.parametrize(("year", "serial"), [(2026, 1), (2026, 123), (2027, 999999), (2099, 40)])
def test_round_trip(doc_type: DocumentType, year: int, serial: int) -> None:
    number = format_document_number(doc_type, year, serial)
    assert number.startswith(f"LYXY-{doc_type.value}-{year}-{serial:06d}")
    assert len(number) == len("LYXY-CN-2026-000123T")
    assert number[-1] in USCC_ALPHABET
    assert parse_document_number(number) == (doc_type, year, serial)


@pytest.mark.parametrize(
    "typed",
    [
        "LYXY-CN-2026-000123T",
        "lyxy-cn-2026-000123t",
        "  LYXY-CN-2026-000123T\n",
        "ＬＹＸＹ－ＣＮ－２０２６－０００１２３Ｔ",
        "LYXY–CN–2026–000123T",  # en dashes from a word processor
    ],
)
def test_parse_is_tolerant(typed: str) -> None:
    assert parse_document_number(typed) == (DocumentType.CN, 2026, 123)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写文书编号"),
        ("   ", "请填写文书编号"),
        ("LYXY-CN-2026-000123K", "编号校验位错误，请核对是否输错"),
        ("LYXY-CN-2026-000132T", "编号校验位错误，请核对是否输错"),
        ("LYXY-CN-2026-000124T", "编号校验位错误，请核对是否输错"),
        ("LYXY-CN-26-000123T", "文书编号格式不正确，应形如“LYXY-CN-2026-000123T”"),
        ("LYXY-CN-2026-000123", "文书编号格式不正确，应形如“LYXY-CN-2026-000123T”"),
        ("LYXY CN 2026 000123T", "文书编号格式不正确，应形如“LYXY-CN-2026-000123T”"),
        ("ABCD-CN-2026-000123T", "文书编号格式不正确，应形如“LYXY-CN-2026-000123T”"),
        ("LYXY-XX-2026-000123T", "文书编号中的类型“XX”无效，应为CN、HC、BG、PJ之一"),
    ],
)
def test_parse_refused(typed: str, message: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse_document_number(typed)
    assert (caught.value.field, caught.value.message) == ("number", message)


def _typos(number: str) -> list[str]:
    """Every single-digit substitution and adjacent transposition in the year and serial."""
    typos = []
    for index in [i for i in range(len(number) - 1) if number[i].isdigit()]:
        for digit in "0123456789":
            if digit != number[index]:
                typos.append(number[:index] + digit + number[index + 1 :])
        j = index + 1
        if number[j].isdigit() and number[j] != number[index]:
            typos.append(number[:index] + number[j] + number[index] + number[j + 1 :])
    return typos


@pytest.mark.parametrize("serial", [123, 908172, 55])
def test_every_single_typo_is_caught(serial: int) -> None:
    number = format_document_number(DocumentType.HC, 2026, serial)
    typos = _typos(number)
    assert len(typos) > 90
    for typo in typos:
        with pytest.raises(FieldError, match="编号校验位错误"):
            parse_document_number(typo)


@pytest.mark.parametrize(("year", "serial"), [(999, 1), (10000, 1), (2026, 0), (2026, 1000000)])
def test_format_refuses_out_of_range(year: int, serial: int) -> None:
    with pytest.raises(ValueError):
        format_document_number(DocumentType.CN, year, serial)


SECRET = b"test-secret"
NUMBER = "LYXY-CN-2026-000123T"
CODE = "91211382MA0Y8K7Q3B"
DAY = date(2026, 11, 29)
SHA = hashlib.sha256(b"%PDF-1.7 test").hexdigest()


def test_verification_code_known_answer() -> None:
    message = f"{NUMBER}|{CODE}|2026-11-29|{SHA}".encode()
    expected = base64.b32encode(hmac.new(SECRET, message, hashlib.sha256).digest())[:8].decode()
    assert verification_code(SECRET, NUMBER, CODE, DAY, SHA) == expected


def test_verification_code_shape_and_normalisation() -> None:
    code = verification_code(SECRET, NUMBER, CODE, DAY, SHA)
    assert len(code) == 8
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert verification_code(SECRET, NUMBER.lower(), CODE.lower(), DAY, SHA.upper()) == code


@pytest.mark.parametrize(
    "changed",
    [
        (b"other-secret", NUMBER, CODE, DAY, SHA),
        (SECRET, "LYXY-CN-2026-000124G", CODE, DAY, SHA),
        (SECRET, NUMBER, "91350200776049653A", DAY, SHA),
        (SECRET, NUMBER, CODE, date(2026, 11, 30), SHA),
        (SECRET, NUMBER, CODE, DAY, hashlib.sha256(b"other").hexdigest()),
    ],
)
def test_verification_code_depends_on_every_input(changed: tuple) -> None:  # type: ignore[type-arg]
    assert verification_code(*changed) != verification_code(SECRET, NUMBER, CODE, DAY, SHA)
