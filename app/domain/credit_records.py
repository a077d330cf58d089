"""Credit records of a subject (信用记录): the value types the check and the import share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum


class RecordType(Enum):
    """信用记录类型."""

    RED_LIST = "red_list"
    """守信红名单 (policy 二(四)1)."""
    BLACK_LIST = "black_list"
    """失信黑名单, with one of the fourteen grounds of 七(一)."""
    MINOR = "minor"
    """轻微失信记录 (policy 二(四)2)."""
    LICENSE = "license"
    """行政许可 (双公示)."""
    PENALTY = "penalty"
    """行政处罚 (双公示), with a severity for the publicity window (domain-rules §8)."""
    RATING = "rating"
    """信用等级评价 by a registered agency (AAA … C, domain-rules §4)."""
    BREACH = "breach"
    """违诺: a breached commitment recorded by a unit; puts the subject on the black list with
    ground 14 (policy 五(四)3)."""


GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
"""三等九级, best first (domain-rules §4.1)."""

SEVERITIES = ("轻微", "一般", "严重")
"""失信行为 severity under NDRC 令第36号 (2026) and earlier regimes (domain-rules §8)."""

DEFAULT_SEVERITY: dict[RecordType, str] = {
    RecordType.BLACK_LIST: "严重",
    RecordType.BREACH: "严重",
    RecordType.PENALTY: "一般",
    RecordType.MINOR: "轻微",
}
"""Severity of a dishonesty record that names none (domain-rules §8.1): a 失信黑名单 entry is a
严重失信 listing (the 2026 办法's 严重 class; 2019 527号 严重); a 违诺 lists the subject on the
black list (policy 五(四)3), so it is 严重 too; a 行政处罚 is 一般 unless the department marks it
轻微 or 严重 (527号: 一般失信 by default); a 轻微失信记录 is 轻微. Every record of these types has
a severity, so every one has a publicity window and none counts for ever."""


def severity_of(record: CreditRecord) -> str | None:
    """The record's severity, or its type's default (``DEFAULT_SEVERITY``); None for types
    without a publicity window (红名单, 行政许可, 信用评价)."""
    return record.severity or DEFAULT_SEVERITY.get(record.record_type)

BLACKLIST_GROUNDS = {
    1: "被人民法院列入失信被执行人",
    2: "被税务部门列入重大税收违法案件",
    3: "被市场监管部门列入严重违法失信名单",
    4: "发生较大及以上安全、质量、环境等责任事故",
    5: "制售有毒有害食品、药品、假冒伪劣产品被从重处罚",
    6: "严重拖欠农民工工资",
    7: "在申请政府资金、招投标、政府采购等活动中弄虚作假造成较大损失",
    8: "在招录、职业资格考试、职称评定等过程中伪造证明、抄袭、作弊",
    9: "在申请政府补助、社会救济、保障房等活动中提供虚假证明",
    10: "非法泄露国家秘密、商业秘密、个人隐私造成重大损失",
    11: "破坏网络传播秩序、聚众扰乱社会秩序情节严重",
    12: "组织参与传销被查处累计三次以上",
    13: "其他违法违规生产经营受到较重行政处罚或刑罚",
    14: "法律、法规和其他规范性文件规定应列入失信黑名单（含违反信用承诺）",
}
"""七(一) 1–14, shortened to one line each."""


@dataclass(frozen=True)
class CreditRecord:
    """One record about one subject, as imported or recorded (values validated)."""

    record_type: RecordType
    subject_code: str
    """USCC, or a resident ID number for natural persons."""
    subject_name: str
    source_department: str
    """认定/决定部门, or the rating agency for ratings."""
    decision_number: str
    """决定书文号, report number for ratings; with type and code the natural key."""
    decided_on: date
    """认定/决定之日, or the rating's issue date."""
    valid_until: date | None = None
    """Ratings: 有效期至 (one year by default, 三(五)); others: an explicit end if published."""
    grade: str | None = None
    """Ratings only: one of GRADES."""
    ground: int | None = None
    """Black list: 1–14 of 七(一); a 严重 行政处罚 the department lists on the black list: 13
    (七(一)13: 受到较重行政处罚)."""
    severity: str | None = None
    """Penalties / dishonesty: 轻微 | 一般 | 严重 (publicity window per domain-rules §8)."""
    repaired_on: date | None = None
    """信用修复 date: from that day the record no longer counts and is no longer shown."""
    summary: str = ""
    """Short description (违法事实, 许可内容 …)."""
    extra: dict[str, str] = field(default_factory=dict)
