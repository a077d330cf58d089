"""Parsing one cell of an export (单元格): dates, record types, grades, grounds; values quoted in messages."""

from __future__ import annotations

import re
from datetime import date

from app.domain.chars import code_point, fullwidth_to_ascii, is_visible
from app.domain.credit_records import BLACKLIST_GROUNDS, GRADES, RecordType
from app.domain.errors import FieldError

RECORD_TYPE_NAMES_ZH: dict[RecordType, str] = {
    RecordType.RED_LIST: "守信红名单",
    RecordType.BLACK_LIST: "失信黑名单",
    RecordType.MINOR: "轻微失信",
    RecordType.LICENSE: "行政许可",
    RecordType.PENALTY: "行政处罚",
    RecordType.RATING: "信用评价",
    RecordType.BREACH: "违诺",
}
"""Chinese names accepted in the ``record_type`` column besides the English values."""

_RECORD_TYPE_ALIASES: dict[str, RecordType] = {
    **{kind.value: kind for kind in RecordType},
    **{name: kind for kind, name in RECORD_TYPE_NAMES_ZH.items()},
    "轻微失信记录": RecordType.MINOR,
    "信用等级评价": RecordType.RATING,
    "违反信用承诺": RecordType.BREACH,
}

_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_DATE_FORMATS_ZH = "YYYY-MM-DD、YYYY/M/D或YYYY年M月D日"


class InvalidCell(Exception):
    """A cell's problem; ``message`` is the detail after "label：" ."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def shown(value: str, limit: int = 30) -> str:
    """Quote a user value for a message: invisible characters as code points, long values cut."""
    text = "".join(c if is_visible(c) else f"({code_point(c)})" for c in value.strip())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def detail(error: FieldError, label: str) -> str:
    """A shared validator's message without its leading label ("…代码校验码错误" -> "校验码错误")."""
    message = error.message
    if message.startswith(label):
        message = message[len(label) :].removeprefix("中的").removeprefix("为").lstrip("：: ")
    return message


def parse_date(value: str) -> date:
    """A date written YYYY-MM-DD, YYYY/M/D or YYYY年M月D日 (full-width digits accepted).

    :raises InvalidCell: another format, or no such day.
    """
    text = fullwidth_to_ascii(value).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise InvalidCell(f"{shown(value)}不是有效日期") from None
    raise InvalidCell(f"格式应为{_DATE_FORMATS_ZH}，当前为{shown(value)}")


def parse_record_type(value: str) -> RecordType:
    """The record type for its English value or a Chinese name (``RECORD_TYPE_NAMES_ZH`` and variants).

    :raises InvalidCell: an unknown type.
    """
    text = fullwidth_to_ascii(value).strip()
    kind = _RECORD_TYPE_ALIASES.get(text.lower()) or _RECORD_TYPE_ALIASES.get(text)
    if kind is None:
        accepted = "、".join(f"{k.value}（{name}）" for k, name in RECORD_TYPE_NAMES_ZH.items())
        raise InvalidCell(f"无法识别{shown(value)}，应为{accepted}之一")
    return kind


def parse_grade(value: str) -> str:
    """One of the nine grades (三等九级, AAA to C).

    :raises InvalidCell: "+"/"-" modifiers, grade D, or anything else.
    """
    text = fullwidth_to_ascii(value).strip().upper().replace("\u2212", "-").replace("\u2013", "-")
    if text in GRADES:
        return text
    if text.rstrip("+-") in GRADES and text != text.rstrip("+-"):
        raise InvalidCell(f"不接受“+”“-”修饰符（三等九级），当前为{shown(value)}")
    if text.rstrip("+-").strip("D") == "":
        raise InvalidCell(f"不接受D级（本市采用三等九级：AAA至C），当前为{shown(value)}")
    raise InvalidCell(f"应为{'、'.join(GRADES)}之一，当前为{shown(value)}")


def parse_ground(value: str) -> int:
    """A black-list ground, 1 to 14 (policy 七(一)).

    :raises InvalidCell: not an integer in that range.
    """
    text = fullwidth_to_ascii(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) not in BLACKLIST_GROUNDS:
        raise InvalidCell(f"应为1–14之间的整数（政策七(一)），当前为{shown(value)}")
    return int(text)
