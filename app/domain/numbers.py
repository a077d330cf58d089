"""Document numbers LYXY-{TYPE}-{YYYY}-{NNNNNN}{C} and verification codes (domain-rules §5.3)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import date
from enum import Enum

from app.domain.chars import fullwidth_to_ascii
from app.domain.errors import FieldError
from app.domain.identifiers import USCC_ALPHABET

NUMBER_PREFIX = "LYXY"
"""信用凌源."""
NUMBER_FIELD = "number"
NUMBER_LABEL = "文书编号"
SERIAL_DIGITS = 6
VERIFICATION_CODE_LENGTH = 8

_NUMBER_PATTERN = re.compile(r"LYXY-([A-Z]{2})-(\d{4})-(\d{6})([0-9A-Z])")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})


class DocumentType(Enum):
    """文书类型 code in the number (§5.3)."""

    CN = "CN"
    HC = "HC"
    BG = "BG"
    PJ = "PJ"

    @property
    def label(self) -> str:
        """Chinese label: 承诺书, 核查, 报告, 评价."""
        return _TYPE_LABELS[self]


_TYPE_LABELS = {
    DocumentType.CN: "承诺书",
    DocumentType.HC: "核查",
    DocumentType.BG: "报告",
    DocumentType.PJ: "评价",
}


def number_check_char(body: str) -> str:
    """Check character over ``body`` with the GB 32100 alphabet, mod 31 (§5.3).

    Hyphens are ignored; the i-th remaining character weighs 3^(i-1) mod 31 and the
    result is ``USCC_ALPHABET[(31 - Σ mod 31) mod 31]``, as for a 统一社会信用代码.

    :raises ValueError: a character outside ``USCC_ALPHABET`` (besides "-").
    """
    chars = body.replace("-", "")
    if any(c not in USCC_ALPHABET for c in chars):
        raise ValueError(f"characters outside the USCC alphabet in {body!r}")
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(chars))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def format_document_number(doc_type: DocumentType, year: int, serial: int) -> str:
    """Format a document number, e.g. ``LYXY-CN-2026-000123T``.

    :param doc_type: the document type.
    :param year: four-digit year of issue (1000–9999).
    :param serial: per-type, per-year serial, 1–999999, printed with six digits.
    :returns: the number with its check character appended to the serial.
    :raises ValueError: year or serial out of range (a programming error, not user input).
    """
    if not 1000 <= year <= 9999:
        raise ValueError(f"year out of range: {year}")
    if not 1 <= serial < 10**SERIAL_DIGITS:
        raise ValueError(f"serial out of range: {serial}")
    body = f"{NUMBER_PREFIX}-{doc_type.value}-{year:04d}-{serial:0{SERIAL_DIGITS}d}"
    return body + number_check_char(body)


def parse_document_number(text: str) -> tuple[DocumentType, int, int]:
    """Parse a typed document number, tolerating case, full-width forms and surrounding spaces.

    :returns: ``(doc_type, year, serial)``.
    :raises FieldError: field "number": empty, malformed, unknown type, or a wrong
        check character ("编号校验位错误，请核对是否输错").
    """
    if not isinstance(text, str) or not text.strip():
        raise FieldError(NUMBER_FIELD, f"请填写{NUMBER_LABEL}")
    normalised = fullwidth_to_ascii(text).translate(_DASHES).strip().upper()
    match = _NUMBER_PATTERN.fullmatch(normalised)
    if match is None:
        raise FieldError(NUMBER_FIELD, f"{NUMBER_LABEL}格式不正确，应形如“LYXY-CN-2026-000123T”")
    type_code, year_text, serial_text, check = match.groups()
    try:
        doc_type = DocumentType(type_code)
    except ValueError:
        allowed = "、".join(t.value for t in DocumentType)
        raise FieldError(
            NUMBER_FIELD, f"{NUMBER_LABEL}中的类型“{type_code}”无效，应为{allowed}之一"
        ) from None
    if number_check_char(normalised[:-1]) != check:
        raise FieldError(NUMBER_FIELD, "编号校验位错误，请核对是否输错")
    return doc_type, int(year_text), int(serial_text)


def verification_code(
    secret: bytes, number: str, subject_code: str, issued_on: date, sha256_hex: str
) -> str:
    """验证码: first 8 base32 characters (upper case, no padding) of an HMAC-SHA256 (§5.3).

    The message is ``number | subject_code | issued_on (ISO) | sha256_hex`` joined by
    "|", with number and code upper-cased and the hash lower-cased, so the same
    document always yields the same code.

    :param secret: server-side key (never stored with the documents).
    :param number: document number as formatted by ``format_document_number``.
    :param subject_code: 统一社会信用代码 or 身份证号码 of the subject.
    :param issued_on: 出具日期.
    :param sha256_hex: SHA-256 of the final PDF, hex.
    """
    message = "|".join(
        [
            number.strip().upper(),
            subject_code.strip().upper(),
            issued_on.isoformat(),
            sha256_hex.strip().lower(),
        ]
    ).encode("utf-8")
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:VERIFICATION_CODE_LENGTH]


FILE_NUMBER_CODES = {DocumentType.HC: "凌信核"}
"""机关代字 of the 发文字号 printed on documents that are 公文 (GB/T 9704 7.2.4): 凌源 信用 核查."""


def file_number(number: str) -> str:
    """The 发文字号 of the document ``number``, e.g. ``LYXY-HC-2026-000012X`` -> ``凌信核〔2026〕12号``.

    Derived from the number (one source): same year, same serial, no "第" and no leading zeros,
    the year in full inside 六角括号 (GB/T 9704 7.2.4).

    :raises FieldError: a malformed number (``parse_document_number``).
    :raises ValueError: a document type that is not a 公文 (no 机关代字).
    """
    doc_type, year, serial = parse_document_number(number)
    try:
        code = FILE_NUMBER_CODES[doc_type]
    except KeyError:
        raise ValueError(f"no 发文字号 for document type {doc_type.value}") from None
    return f"{code}〔{year}〕{serial}号"
