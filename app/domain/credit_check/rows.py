"""The lists printed on the certificate (核查结果列表): one row per list, one line per counted record."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.credit_check.counting import rating_valid_until
from app.domain.credit_check.grades import GRADE_MEANINGS
from app.domain.credit_records import BLACKLIST_GROUNDS, CreditRecord, RecordType, severity_of
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError


@dataclass(frozen=True)
class ListRow:
    """One list of the certificate: title, whether anything was found, one line per record."""

    title_zh: str
    found: bool
    details: tuple[str, ...]
    """One line per counted record, or ``("未发现",)`` when none was found."""


NOT_FOUND = "未发现"

# Fixed certificate order; 违诺 is shown on the black list it leads to (五(四)3).
BLACK_LIST_ROW = "失信黑名单"
ROW_TITLES = ("失信黑名单", "守信红名单", "轻微失信记录", "行政处罚", "行政许可", "信用等级评价")
ROW_OF = {
    RecordType.BLACK_LIST: "失信黑名单",
    RecordType.BREACH: "失信黑名单",
    RecordType.RED_LIST: "守信红名单",
    RecordType.MINOR: "轻微失信记录",
    RecordType.PENALTY: "行政处罚",
    RecordType.LICENSE: "行政许可",
    RecordType.RATING: "信用等级评价",
}


def _ground_text(record: CreditRecord) -> str:
    if record.ground is None:
        return "未注明列入情形"
    if record.ground not in BLACKLIST_GROUNDS:
        raise FieldError("ground", f"失信黑名单列入情形“{record.ground}”无效：应为七(一)第1至14项之一")
    return f"第{record.ground}项：{BLACKLIST_GROUNDS[record.ground]}"


def listed_penalty_parts(record: CreditRecord) -> list[str]:
    """The black-list line of a 严重 行政处罚 listed on ground 13 (七(一)13)."""
    summary = [record.summary] if record.summary else []
    return [_ground_text(record), f"处罚机关：{record.source_department}",
            f"文号：{record.decision_number}", f"决定日期：{format_cn_date(record.decided_on)}",
            *summary]


def detail_parts(record: CreditRecord, grade: str | None) -> list[str]:
    """The pieces of one certificate line for a counted record (a rating's grade comes first)."""
    kind = record.record_type
    when = format_cn_date(record.decided_on)
    summary = [record.summary] if record.summary else []
    if kind is RecordType.BLACK_LIST:
        return [_ground_text(record), f"认定部门：{record.source_department}",
                f"文号：{record.decision_number}", f"认定日期：{when}", *summary]
    if kind is RecordType.BREACH:
        # policy 五(四)3: 违反信用承诺 -> 失信黑名单, ground 14 of 七(一).
        return [f"违反信用承诺（第14项：{BLACKLIST_GROUNDS[14]}）", f"记录单位：{record.source_department}",
                f"文号：{record.decision_number}", f"记录日期：{when}", *summary]
    if kind is RecordType.RATING:
        assert grade is not None
        return [f"{grade}级（{GRADE_MEANINGS[grade][0]}）", f"评价机构：{record.source_department}",
                f"报告编号：{record.decision_number}", f"出具日期：{when}",
                f"有效期至{format_cn_date(rating_valid_until(record))}"]
    decision = kind in (RecordType.PENALTY, RecordType.LICENSE)
    authority = {RecordType.PENALTY: "处罚机关", RecordType.LICENSE: "许可机关"}.get(kind, "认定部门")
    parts = [*summary, f"{authority}：{record.source_department}", f"文号：{record.decision_number}",
             f"{'决定' if decision else '认定'}日期：{when}"]
    severity = severity_of(record)
    if severity is not None:
        parts.append(f"严重程度：{severity}")
    return parts
