"""Identifier checks: GB 32100 统一社会信用代码 and GB 11643 居民身份证号码 (domain-rules §3)."""

from __future__ import annotations

import re
from datetime import date

from app.domain.chars import fullwidth_to_ascii, quote_char
from app.domain.errors import FieldError

USCC_LABEL = "统一社会信用代码"
RESIDENT_ID_LABEL = "身份证号码"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100 character set, value = index; I, O, Z, S and V are never used (§3.1)."""
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""W_i = 3^(i-1) mod 31: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28."""
USCC_EXCLUDED_LETTERS = "IOZSV"

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""GB 11714 组织机构代码 body alphabet (A = 10 … Z = 35)."""
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

USCC_CATEGORIES: dict[str, str] = {
    "11": "机构编制·机关",
    "12": "机构编制·事业单位",
    "13": "机构编制·中央编办直管群众团体",
    "19": "机构编制·其他",
    "21": "外交",
    "31": "教育",
    "41": "公安",
    "51": "民政·社会团体",
    "52": "民政·民办非企业单位",
    "53": "民政·基金会",
    "59": "民政·其他",
    "61": "司法",
    "71": "交通运输",
    "81": "文化",
    "91": "工商·企业",
    "92": "工商·个体工商户",
    "93": "工商·农民专业合作社",
    "A1": "旅游",
    "B1": "宗教",
    "C1": "全国总工会",
    "D1": "解放军总后勤部",
    "E1": "省级人民政府",
    "F1": "地市级人民政府",
    "G1": "区县级人民政府",
    "N1": "农业农村·农村集体经济组织",  # [M] in domain-rules §3.1: to verify
    "Y1": "其他",
}
"""登记管理部门代码 + 机构类别代码 (positions 1–2); other pairs of a known department are warnings."""

USCC_AUTHORITIES: dict[str, str] = {
    code[0]: label.split("·")[0] for code, label in USCC_CATEGORIES.items()
}
"""登记管理部门代码 (position 1). Any other character is no registration authority at all: refused."""

USCC_VERIFIED_CATEGORIES: dict[str, str] = {"1": "1239", "5": "1239", "9": "123"}
"""机构类别代码 (position 2) of the departments domain-rules §3.1 tags [V] (机构编制, 民政, 工商):
any other category under them is refused. The other departments' lists are best-effort, so an
unlisted category there stays a warning (§3.1: "treat unknown pairs as a warning")."""

USCC_REGION_PREFIXES = frozenset(
    ["10", "11", "12", "13", "14", "15", "21", "22", "23"]
    + [str(c) for c in range(31, 38)]
    + [str(c) for c in range(41, 47)]
    + [str(c) for c in range(50, 55)]
    + [str(c) for c in range(61, 66)]
    + ["71", "81", "82"]
)
"""Positions 3–4: a GB/T 2260 province, or 10 for departments of the central government
(national registrations such as 51100000500000024G, 中华全国工商业联合会)."""

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""W_i = 2^(18-i) mod 11 (ISO 7064 MOD 11-2)."""
RESIDENT_ID_CHECK_MAP = "10X98765432"
"""S mod 11 = 0..10 -> check character."""

PROVINCE_CODES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23"]
    + [str(c) for c in range(31, 38)]
    + [str(c) for c in range(41, 47)]
    + [str(c) for c in range(50, 55)]
    + [str(c) for c in range(61, 66)]
    + ["71", "81", "82", "83"]
)
"""GB/T 2260 省级 prefixes; 71/81/82/83 cover 台湾 and the 港澳台居民居住证 codes."""

EARLIEST_BIRTH_YEAR = 1900


def uscc_check_char(code17: str) -> str:
    """Return the GB 32100 check character (位置18) for the first 17 characters.

    :param code17: 17 characters of ``USCC_ALPHABET`` (upper case).
    :raises ValueError: wrong length or a character outside the alphabet.
    """
    if len(code17) != 17 or any(c not in USCC_ALPHABET for c in code17):
        raise ValueError(f"expected 17 characters of the USCC alphabet, got {code17!r}")
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(body8: str) -> str:
    """Return the GB 11714 组织机构代码 check character for its 8-character body (USCC 9–16).

    :raises ValueError: wrong length or a character outside ``ORG_ALPHABET``.
    """
    if len(body8) != 8 or any(c not in ORG_ALPHABET for c in body8):
        raise ValueError(f"expected 8 characters 0-9A-Z, got {body8!r}")
    remainder = (
        11 - sum(ORG_ALPHABET.index(c) * w for c, w in zip(body8, ORG_WEIGHTS, strict=True)) % 11
    )
    return "0" if remainder == 11 else "X" if remainder == 10 else str(remainder)


CODE_RAW_MAX_LEN = 64
"""An 18-character code typed with spaces or full-width forms is still far below this."""


def _require_text(value: object, field: str, label: str) -> str:
    if not isinstance(value, str):
        raise FieldError(field, f"{label}应为文本")
    if len(value) > CODE_RAW_MAX_LEN:  # refused before mapping, however long (issue 10 §4)
        raise FieldError(field, f"{label}应为18位，当前为{len(value)}个字符")
    text = fullwidth_to_ascii(value).strip().upper()
    if not text:
        raise FieldError(field, f"请填写{label}")
    return text


def validate_uscc(code: str, *, field: str = "subject_code") -> str:
    """Validate a 统一社会信用代码 (GB 32100-2015, domain-rules §3.1).

    Normalises by mapping full-width forms to ASCII, stripping and upper-casing.
    Look-alikes (O for 0, I for 1) are reported, never silently mapped.

    :param code: the code as typed.
    :param field: API field name used in the raised error.
    :returns: the normalised 18-character code.
    :raises FieldError: empty, illegal character, wrong length, no registration authority
        (position 1), a category that authority does not issue (position 2), non-digit or
        impossible region code (positions 3–8), all-zero 主体标识码 (positions 9–17) or wrong
        check character (position 18).
    """
    text = _require_text(code, field, USCC_LABEL)
    for position, char in enumerate(text, start=1):
        if char in USCC_ALPHABET:
            continue
        if char in USCC_EXCLUDED_LETTERS:
            raise FieldError(
                field,
                f"{USCC_LABEL}第{position}位为“{char}”，"
                f"统一社会信用代码不使用字母I、O、Z、S、V，请核对是否应为数字",
            )
        shown = quote_char(char, with_code=not char.isascii())
        raise FieldError(field, f"{USCC_LABEL}第{position}位含非法字符{shown}")
    if len(text) != 18:
        raise FieldError(field, f"{USCC_LABEL}应为18位，当前为{len(text)}位")
    for position in range(3, 9):
        char = text[position - 1]
        if not char.isdigit():
            raise FieldError(
                field,
                f"{USCC_LABEL}第3–8位应为登记管理机关行政区划码（数字），第{position}位为“{char}”",
            )
    _check_uscc_structure(text, field)
    expected = uscc_check_char(text[:17])
    if expected != text[17]:
        raise FieldError(
            field, f"{USCC_LABEL}校验码错误：第18位应为“{expected}”，实际为“{text[17]}”"
        )
    return text


def _check_uscc_structure(text: str, field: str) -> None:
    """Refuse what GB 32100 cannot issue even when the check character fits (issue 10 §5):
    ``000000000000000000`` passes the checksum, but no department, region or body is zero."""
    authority, category = text[0], text[1]
    if authority not in USCC_AUTHORITIES:
        raise FieldError(field, f"{USCC_LABEL}第1位登记管理部门代码“{authority}”无效")
    allowed = USCC_VERIFIED_CATEGORIES.get(authority)
    if category == "0" or (allowed is not None and category not in allowed):
        hint = f"（应为{'、'.join(allowed)}）" if allowed else ""
        raise FieldError(
            field,
            f"{USCC_LABEL}第2位机构类别代码“{category}”无效：登记管理部门“{authority}”"
            f"（{USCC_AUTHORITIES[authority]}）没有这一机构类别{hint}",
        )
    region = text[2:8]
    if region[:2] not in USCC_REGION_PREFIXES:
        raise FieldError(
            field,
            f"{USCC_LABEL}第3–8位登记管理机关行政区划码“{region}”无效"
            f"（应为登记机关所在地的行政区划代码）",
        )
    if set(text[8:17]) == {"0"}:
        raise FieldError(field, f"{USCC_LABEL}第9–17位主体标识码（组织机构代码）不能全为0")


def uscc_warnings(code: str) -> tuple[str, ...]:
    """Return Chinese warnings (提示, not errors) for a code that passed ``validate_uscc``.

    Warns on an unknown 登记管理部门/机构类别 pair and on a GB 11714 check mismatch
    in positions 9–17 (some legitimately issued codes fail it, see §3.1).
    """
    warnings: list[str] = []
    if code[:2] not in USCC_CATEGORIES:
        warnings.append(
            f"{USCC_LABEL}前两位“{code[:2]}”不是已知的登记管理部门和机构类别代码，请核对"
        )
    body = code[8:16]
    if all(c in ORG_ALPHABET for c in body) and org_code_check_char(body) != code[16]:
        warnings.append(f"{USCC_LABEL}第9–17位（组织机构代码）校验位不符，请核对")
    return tuple(warnings)


def resident_id_check_char(id17: str) -> str:
    """Return the GB 11643 check character (ISO 7064 MOD 11-2) for 17 digits.

    :raises ValueError: not exactly 17 ASCII digits.
    """
    if len(id17) != 17 or not (id17.isascii() and id17.isdigit()):
        raise ValueError(f"expected 17 digits, got {id17!r}")
    total = sum(int(c) * w for c, w in zip(id17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_MAP[total % 11]


def resident_id_birth_date(number: str) -> date:
    """Return the 出生日期 (positions 7–14) of an 18-character number already validated.

    :raises ValueError: the date part is not a calendar date.
    """
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def looks_like_resident_id(code: str, today: date) -> bool:
    """True when a whole code has the shape of a 居民身份证号码 rather than a 统一社会信用代码.

    The shape: 17 ASCII digits and a digit or X, a GB/T 2260 province prefix, and positions
    7–14 a calendar date between 1900-01-01 and ``today``; or 15 digits (a legacy ID number,
    which ``validate_resident_id`` refuses with its own message). Everything else is read as a
    USCC (which may also be 18 digits, e.g. 913502000728319549, but then positions 7–14 are not
    a birth date). The check digit is not part of the shape: a mistyped ID number is reported
    as a 身份证号码 error, not as a USCC error. For ID numbers inside free text see
    ``find_resident_ids``.

    :param code: the code as typed (full-width forms, spaces and a lower-case x are tolerated).
    """
    text = fullwidth_to_ascii(code).strip().upper()
    if len(text) == 15 and text.isascii() and text.isdigit():
        return True
    if len(text) != 18 or not (text[:17].isascii() and text[:17].isdigit()):
        return False
    if not (text[17].isdigit() or text[17] == "X") or text[:2] not in PROVINCE_CODES:
        return False
    try:
        birth = resident_id_birth_date(text)
    except ValueError:
        return False
    return 1900 <= birth.year and birth <= today


# GB 11643 inside free text: 6-digit area, a birth year 19xx/20xx, month, day, 3 digits, check
# 0-9/X, not part of a longer code. No province check: masking and refusing err on the safe side.
_RESIDENT_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])\d{6}((?:19|20)\d{2})(\d{2})(\d{2})\d{3}[0-9Xx](?![0-9A-Za-z])"
)


def find_resident_ids(text: str) -> list[tuple[int, int]]:
    """(start, end) of every number in ``text`` shaped like a 居民身份证号码 whose birth date is a
    calendar date (reports refuse such numbers and mask them in public credit information).

    :param text: any text; numbers glued to letters or longer digit runs are not matched.
    """
    spans = []
    for match in _RESIDENT_ID_IN_TEXT.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        try:
            date(year, month, day)
        except ValueError:
            continue
        spans.append(match.span())
    return spans


def validate_resident_id(
    number: str,
    today: date | None = None,
    *,
    field: str = "subject_code",
    min_birth_year: int = EARLIEST_BIRTH_YEAR,
) -> str:
    """Validate an 18-digit 居民身份证号码 (GB 11643-1999, domain-rules §3.2).

    :param number: the number as typed; a lower-case ``x`` is accepted.
    :param today: reference date for the "not in the future" rule (default: today).
    :param field: API field name used in the raised error.
    :param min_birth_year: earliest accepted birth year (1900: no living signer is older).
    :returns: the normalised number (upper-case ``X``).
    :raises FieldError: empty, 15-digit legacy number, illegal character, wrong length,
        degenerate address code, impossible/future/too-early 出生日期, wrong 校验码.
    """
    text = _require_text(number, field, RESIDENT_ID_LABEL)
    if len(text) == 15 and text.isascii() and text.isdigit():
        # [D] §3.2: 15-digit GB 11643-1989 numbers have no check digit; refused for new input.
        raise FieldError(field, f"{RESIDENT_ID_LABEL}为15位旧号码，请填写18位居民身份证号码")
    last = len(text) - 1
    for index, char in enumerate(text):
        if char.isascii() and char.isdigit():
            continue
        if char == "X" and index == last:
            continue
        if char == "X":
            raise FieldError(
                field, f"{RESIDENT_ID_LABEL}只有第18位可以是X，第{index + 1}位不能为“X”"
            )
        shown = quote_char(char, with_code=not char.isascii())
        raise FieldError(field, f"{RESIDENT_ID_LABEL}第{index + 1}位含非法字符{shown}")
    if len(text) != 18:
        raise FieldError(field, f"{RESIDENT_ID_LABEL}应为18位，当前为{len(text)}位")
    if len(set(text)) == 1:
        raise FieldError(field, f"{RESIDENT_ID_LABEL}无效：不能全部为相同的字符")
    if text[:6] == "000000":
        raise FieldError(field, f"{RESIDENT_ID_LABEL}无效：地址码（前6位）不能为000000")
    if text[:2] not in PROVINCE_CODES:
        raise FieldError(field, f"{RESIDENT_ID_LABEL}前两位“{text[:2]}”不是有效的省级行政区划代码")
    birth_text = text[6:14]
    try:
        birth = resident_id_birth_date(text)
    except ValueError:
        raise FieldError(
            field, f"{RESIDENT_ID_LABEL}中的出生日期“{birth_text}”不是有效日期"
        ) from None
    if birth > (today or date.today()):
        raise FieldError(field, f"{RESIDENT_ID_LABEL}中的出生日期“{birth_text}”晚于今天")
    if birth.year < min_birth_year:
        raise FieldError(
            field, f"{RESIDENT_ID_LABEL}中的出生日期“{birth_text}”早于{min_birth_year}年"
        )
    expected = resident_id_check_char(text[:17])
    if expected != text[17]:
        raise FieldError(
            field,
            f"{RESIDENT_ID_LABEL}校验码错误：第18位应为“{expected}”，实际为“{text[17]}”",
        )
    return text
