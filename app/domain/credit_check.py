"""信用核查 (policy 二, 三(二), 六, 七): which records count, the result category, its measures and rows."""

from __future__ import annotations

import calendar
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from app.domain.credit_records import BLACKLIST_GROUNDS, GRADES, CreditRecord, RecordType
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError
from app.domain.ratings import rating_valid_through

# --------------------------------------------------------------------------------------------
# Purposes and categories
# --------------------------------------------------------------------------------------------


class Purpose(Enum):
    """核查事项: the key matters of policy 三(二) where a rating report is required, plus 其他."""

    ADMINISTRATIVE_APPROVAL = "administrative_approval"
    """行政审批 (三(二): 不包括企业初次设立和注销、吊销)."""
    MARKET_ACCESS = "market_access"
    """市场准入."""
    QUALIFICATION_REVIEW = "qualification_review"
    """资质审核."""
    POLICY_SUPPORT = "policy_support"
    """政策扶持."""
    GOVERNMENT_PROCUREMENT = "government_procurement"
    """政府采购 (entry rule of 三(二) applies)."""
    BIDDING = "bidding"
    """招标投标 (entry rule of 三(二) applies)."""
    GOVERNMENT_FUNDING = "government_funding"
    """政府资金安排使用."""
    LAND_AND_MINING_RIGHTS = "land_and_mining_rights"
    """国有土地和矿权出让."""
    FINANCIAL_LOAN = "financial_loan"
    """金融贷款发放."""
    OTHER = "other"
    """其他行政管理服务事项 (二(一): every matter is checked)."""

    @property
    def label(self) -> str:
        """Chinese label, e.g. "招标投标"."""
        return _PURPOSE_LABELS[self]


_PURPOSE_LABELS = {
    Purpose.ADMINISTRATIVE_APPROVAL: "行政审批",
    Purpose.MARKET_ACCESS: "市场准入",
    Purpose.QUALIFICATION_REVIEW: "资质审核",
    Purpose.POLICY_SUPPORT: "政策扶持",
    Purpose.GOVERNMENT_PROCUREMENT: "政府采购",
    Purpose.BIDDING: "招标投标",
    Purpose.GOVERNMENT_FUNDING: "政府资金安排",
    Purpose.LAND_AND_MINING_RIGHTS: "国有土地和矿权出让",
    Purpose.FINANCIAL_LOAN: "金融贷款",
    Purpose.OTHER: "其他",
}


class Category(Enum):
    """信用核查结果类别 (policy 二(四)1–3, plus 无不良记录 when none applies)."""

    INCENTIVE = "incentive"
    """激励: 守信红名单 or a valid rating of A or better (二(四)1)."""
    CAUTION = "caution"
    """审慎: 轻微失信记录 or a valid rating from B to BBB (二(四)2)."""
    PUNISHMENT = "punishment"
    """惩戒: 失信黑名单 (incl. 违诺, 五(四)3) or a valid rating of CCC or worse (二(四)3)."""
    CLEAN = "clean"
    """无不良记录: none of the above."""

    @property
    def label(self) -> str:
        """Chinese label, e.g. "惩戒"."""
        return _CATEGORY_LABELS[self]

    @property
    def rank(self) -> int:
        """Severity order, most severe wins: 惩戒 3 > 审慎 2 > 激励 1 > 无不良记录 0."""
        return _CATEGORY_RANKS[self]


_CATEGORY_LABELS = {
    Category.INCENTIVE: "激励",
    Category.CAUTION: "审慎",
    Category.PUNISHMENT: "惩戒",
    Category.CLEAN: "无不良记录",
}
_CATEGORY_RANKS = {Category.CLEAN: 0, Category.INCENTIVE: 1, Category.CAUTION: 2, Category.PUNISHMENT: 3}

# --------------------------------------------------------------------------------------------
# Grades (domain-rules §4.1)
# --------------------------------------------------------------------------------------------

_GRADE_MEANINGS: dict[str, tuple[str, str]] = {
    "AAA": ("信用极好", "信用程度高、履约能力强；经营状况佳、盈利能力强，不确定因素影响很小"),
    "AA": ("信用优良", "信用程度较高、履约能力较强；不确定因素影响很小"),
    "A": ("信用较好", "信用程度良好，正常情况下能履约；存在一定不确定因素"),
    "BBB": ("信用一般", "履约能力一般，易受不确定因素影响，有波动"),
    "BB": ("信用欠佳", "履约能力不足，有较多不良记录，前景不明朗，含投机因素"),
    "B": ("信用较差", "履约能力较弱"),
    "CCC": ("信用很差", "几乎没有履约能力"),
    "CC": ("信用极差", "没有履约能力"),
    "C": ("没有信用", "无信用，拒不履约"),
}

# policy 二(四)1: "A级"以上 -> 激励; 二(四)2: "B级"-"BBB级" -> 审慎; 二(四)3: "CCC"级以下 -> 惩戒.
_GRADE_CATEGORY = {
    **dict.fromkeys(GRADES[0:3], Category.INCENTIVE),
    **dict.fromkeys(GRADES[3:6], Category.CAUTION),
    **dict.fromkeys(GRADES[6:9], Category.PUNISHMENT),
}

ENTRY_MINIMUM_GRADE = "BBB"
"""三(二): 信用准入条件不得低于"BBB"级."""
INCENTIVE_WEIGHT_MIN_PERCENT = 8
"""三(二): 激励分值不得低于总评分分值的8%."""


def validate_grade(text: object) -> str:
    """Return the canonical grade (one of ``GRADES``) for ``text``.

    Accepts lower case, full-width letters, surrounding spaces and a trailing "级"
    ("aa" -> "AA", "ＢＢＢ级" -> "BBB"). Rejects the "+"/"−" modifiers and grade D that some
    agencies use (domain-rules §4.1): policy 二(四) and 三(二) speak only of 三等九级, and
    GB/T 22116 has not been checked for them (domain-rules §9.3), so a modified grade must be
    entered as its base grade by the person who reads the report.

    :raises FieldError: field ``"grade"``, with a Chinese message, for anything else.
    """
    if isinstance(text, str):
        canonical = unicodedata.normalize("NFKC", text).strip().upper().removesuffix("级").strip()
        if canonical in _GRADE_MEANINGS:
            return canonical
        shown = text.strip()
    else:
        shown = "" if text is None else str(text)
    if not shown:
        raise FieldError("grade", "请填写信用等级")
    raise FieldError(
        "grade",
        f"信用等级“{shown}”无效：应为{'、'.join(GRADES)}之一（三等九级，不接受“+”“-”修饰符或D级）",
    )


def rating_meaning(grade: str) -> tuple[str, str]:
    """(short label, meaning) of a grade per domain-rules §4.1, e.g. ``("信用一般", "履约能力一般，…")``.

    :raises FieldError: for an unknown grade (see ``validate_grade``).
    """
    return _GRADE_MEANINGS[validate_grade(grade)]


# --------------------------------------------------------------------------------------------
# Publicity and repair windows (domain-rules §8)
# --------------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, clamped to the month end.

    2025-01-31 + 3 months = 2025-04-30; 2024-02-29 + 12 months = 2025-02-28 (as relativedelta,
    and as 民法典 第二百零二条: no corresponding day -> the last day of that month).
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


@dataclass(frozen=True)
class WindowRule:
    """One row of the publicity table: periods counted from the decision date (认定/决定之日)."""

    min_months: int
    """最短公示期 in months: repair may be requested from decided_on + min_months."""
    max_months: int | None
    """最长公示期 in months: publication stops automatically on decided_on + max_months;
    None = no automatic stop (room for sector overrides)."""
    publish: bool
    """Published by default (2026 轻微: not published unless a department insists)."""


# domain-rules §8.1/§8.3, keyed by regime then severity. Data, so sector overrides (市场监管 3 months /
# 3 years, local 安全生产 minimum 1 year …) can be added as further tables and passed to
# publicity_window(rules=...).
PUBLICITY_RULES: dict[str, dict[str, WindowRule]] = {
    # NDRC 令第36号《信用修复管理办法》, effective 2026-04-01.
    "2026": {
        "轻微": WindowRule(0, 3, False),
        "一般": WindowRule(3, 12, True),
        "严重": WindowRule(12, 36, True),
    },
    # NDRC 令第58号 (2023-05-01): one row for 行政处罚信息, 3 months / 3 years whatever the severity
    # (article text still to verify, domain-rules §9.4).
    "2023": {
        "轻微": WindowRule(3, 36, True),
        "一般": WindowRule(3, 36, True),
        "严重": WindowRule(3, 36, True),
    },
    # 发改办财金〔2019〕527号: no 轻微 class, so 轻微 takes the 一般 row; 特定严重 cannot be repaired early.
    "2019": {
        "轻微": WindowRule(3, 12, True),
        "一般": WindowRule(3, 12, True),
        "严重": WindowRule(6, 36, True),
        "特定严重": WindowRule(36, 36, True),
    },
}

_REGIME_STARTS = (("2026", date(2026, 4, 1)), ("2023", date(2023, 5, 1)), ("2019", date.min))


def regime_for(decided_on: date) -> str:
    """The repair regime of a record, fixed by its decision date: "2026" from 2026-04-01, "2023" from
    2023-05-01, "2019" before (records keep the regime they were decided under)."""
    for regime, start in _REGIME_STARTS:
        if decided_on >= start:
            return regime
    raise AssertionError("unreachable: date.min starts the 2019 regime")


@dataclass(frozen=True)
class Window:
    """Publicity window of one record (domain-rules §8.3)."""

    regime: str
    """"2026" | "2023" | "2019"."""
    publish: bool
    """Published on the public site by default."""
    repair_from: date
    """Earliest date a repair may be requested (end of the minimum period)."""
    auto_stop: date | None
    """First day the record is no longer published nor counted; None = no automatic stop."""


def publicity_window(
    record: CreditRecord, *, rules: Mapping[str, Mapping[str, WindowRule]] = PUBLICITY_RULES
) -> Window:
    """Publicity and repair window of a record with a severity (行政处罚, 轻微失信, 黑名单, 违诺).

    The regime is chosen by ``decided_on`` (``regime_for``); the periods run from ``decided_on``
    with month-end clamping. When the record carries an explicit ``valid_until`` (a 公示期限
    published by the department, e.g. an occupational ban longer than 3 years, domain-rules §7.1),
    it prevails over the table: ``valid_until`` is the last day shown, so ``auto_stop`` is the
    day after.

    :param rules: regime -> severity -> rule; defaults to ``PUBLICITY_RULES``.
    :raises FieldError: field ``"severity"`` when the record has no severity or one the regime's
        table does not know.
    """
    if record.severity is None:
        raise FieldError("severity", "记录未注明失信行为严重程度（轻微、一般、严重），无法计算公示期限")
    regime = regime_for(record.decided_on)
    rule = rules[regime].get(record.severity)
    if rule is None:
        known = "、".join(rules[regime])
        raise FieldError("severity", f"失信行为严重程度“{record.severity}”无效：应为{known}之一")
    auto_stop = None if rule.max_months is None else add_months(record.decided_on, rule.max_months)
    if record.valid_until is not None:
        auto_stop = record.valid_until + timedelta(days=1)
    return Window(
        regime=regime,
        publish=rule.publish,
        repair_from=add_months(record.decided_on, rule.min_months),
        auto_stop=auto_stop,
    )


# --------------------------------------------------------------------------------------------
# Which records count
# --------------------------------------------------------------------------------------------

NOT_YET_EFFECTIVE = "尚未生效"
REPAIRED = "已修复"
RATING_EXPIRED = "评价已过期"
PUBLICITY_ENDED = "公示期满"
RATING_SUPERSEDED = "已被较新的评价取代"

_WINDOWED = frozenset({RecordType.PENALTY, RecordType.MINOR, RecordType.BLACK_LIST, RecordType.BREACH})


def rating_valid_until(record: CreditRecord) -> date:
    """Last day (inclusive) a rating may be used: its ``valid_until``, else one year (三(五)).

    The one-year default is ``ratings.rating_valid_through``: a rating issued 2025-06-01 is valid
    through 2026-05-31.
    """
    if record.valid_until is not None:
        return record.valid_until
    return rating_valid_through(record.decided_on)


def _ignore_reason(record: CreditRecord, as_of: date) -> str | None:
    """Why ``record`` does not count on ``as_of`` (Chinese), or None when it counts."""
    if record.decided_on > as_of:
        return NOT_YET_EFFECTIVE
    # domain-rules §8.2: from the repair date the record is no longer shown nor used.
    if record.repaired_on is not None and record.repaired_on <= as_of:
        return REPAIRED
    if record.record_type is RecordType.RATING:
        return RATING_EXPIRED if as_of > rating_valid_until(record) else None
    if record.record_type in _WINDOWED and record.severity is not None:
        end = publicity_window(record).auto_stop
    elif record.valid_until is not None:
        end = record.valid_until + timedelta(days=1)
    else:
        end = None
    return PUBLICITY_ENDED if end is not None and end <= as_of else None


def record_counts(record: CreditRecord, as_of: date) -> bool:
    """Whether ``record`` counts in a check made on ``as_of``.

    A record does not count when:

    - it is decided (issued) after ``as_of`` (尚未生效);
    - it is repaired on or before ``as_of`` (已修复; a repair dated tomorrow still counts today);
    - it is a rating and ``as_of`` is after its last valid day: ``valid_until`` is **inclusive**,
      a rating expiring today still counts today (评价已过期; see ``rating_valid_until``);
    - it is a 行政处罚 / 轻微失信 / 黑名单 / 违诺 with a severity and its publicity window has
      ended, ``auto_stop <= as_of`` (公示期满; see ``publicity_window``);
    - any other record with an explicit ``valid_until`` (the last day shown) before ``as_of``.

    Records of those types without a severity and without ``valid_until`` count until repaired.

    :raises FieldError: for a severity the record's regime does not know.
    """
    return _ignore_reason(record, as_of) is None


# --------------------------------------------------------------------------------------------
# Measures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One measure the checking department applies, with the clause it comes from."""

    code: str
    """Stable identifier, e.g. "punishment.restrict_bidding"."""
    text_zh: str
    """Text printed on the certificate."""
    clause: str
    """Policy clause, e.g. "七(二)3"."""


# policy 二(四)1 and 六: incentives.
_JOINT_REWARDS = Measure(
    "incentive.joint_rewards",
    "全面落实国家各部委《联合奖励备忘录》及地方各级政府、部门出台的信用奖励法规、文件中列明的各项激励政策",
    "二(四)1",
)
_GREEN_CHANNEL = Measure(
    "incentive.green_channel",
    "将拟办理事项纳入“绿色通道”，精简办事程序，减少办事环节和证明材料，压缩时限，加快办理速度",
    "六(一)",
)
_TOLERANCE_ACCEPTANCE = Measure(
    "incentive.tolerance_acceptance",
    "实行“容缺受理”：行政相对人书面承诺限期补齐相关材料的，可先行受理，加快办理进度",
    "六(一)",
)
_PUBLIC_SERVICE_PREFERENCE = Measure(
    "incentive.public_service_preference",
    "在财政性资金项目安排、招商引资配套等各类政府优惠扶持政策中予以倾斜",
    "六(二)",
)
_CREDIT_BONUS = Measure(
    "incentive.credit_bonus",
    "在公共资源交易、政府采购、招标投标等活动中依法依约采取信用加分等激励措施"
    f"（信用激励分值不得低于总评分分值的{INCENTIVE_WEIGHT_MIN_PERCENT}%，三(二)）",
    "六(二)",
)
_REDUCED_INSPECTION = Measure(
    "incentive.reduced_inspection",
    "在日常检查、专项检查、随机抽查中，可根据实际情况减少检查抽查的比例和频次",
    "六(三)",
)
_FINANCIAL_FACILITATION = Measure(
    "incentive.financial_facilitation",
    "鼓励金融机构参考信用评价结果，给予贷款利率、财产保费优惠或提供便利化服务",
    "六(四)",
)

# 二(四)1 names 绿色通道 and 容缺受理 for the "行政事项" the subject is about to handle; they do not
# fit competitive procedures (招标投标, 政府采购: equal treatment of bidders), where 六(二)'s credit
# bonus applies instead, nor a bank's loan decision, which 六(四) covers. 六(三) (fewer inspections)
# is regulatory supervision after a licence, approval or access decision.
_INCENTIVES: dict[Purpose, tuple[Measure, ...]] = {
    Purpose.ADMINISTRATIVE_APPROVAL: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _REDUCED_INSPECTION,
    ),
    Purpose.MARKET_ACCESS: (_JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _REDUCED_INSPECTION),
    Purpose.QUALIFICATION_REVIEW: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _REDUCED_INSPECTION,
    ),
    # 六(二): 财政性资金项目安排 and 政府优惠扶持政策 lean towards trustworthy subjects.
    Purpose.POLICY_SUPPORT: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _PUBLIC_SERVICE_PREFERENCE,
    ),
    Purpose.GOVERNMENT_FUNDING: (
        _JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE, _PUBLIC_SERVICE_PREFERENCE,
    ),
    # 六(二) 公共资源交易 + 三(二) 8% incentive weight.
    Purpose.GOVERNMENT_PROCUREMENT: (_JOINT_REWARDS, _CREDIT_BONUS),
    Purpose.BIDDING: (_JOINT_REWARDS, _CREDIT_BONUS),
    # 出让 is a 公共资源交易 (六(二) credit bonus); the related 用地/矿业权 approvals get the green channel.
    Purpose.LAND_AND_MINING_RIGHTS: (_JOINT_REWARDS, _GREEN_CHANNEL, _CREDIT_BONUS),
    # 六(四): 贷款利率优惠, 便利化服务.
    Purpose.FINANCIAL_LOAN: (_JOINT_REWARDS, _FINANCIAL_FACILITATION),
    # Unknown matter: only what 二(四)1 grants for every 行政事项.
    Purpose.OTHER: (_JOINT_REWARDS, _GREEN_CHANNEL, _TOLERANCE_ACCEPTANCE),
}

# policy 二(四)2: caution, the same for every purpose.
_CAUTIONS = (
    Measure(
        "caution.prudent_review",
        "对拟办理事项持审慎态度，加大前期资格审查和事后监督检查的工作力度",
        "二(四)2",
    ),
    Measure("caution.remind_improvement", "提醒行政相对人进行信用提升或信用修复", "二(四)2"),
)

# policy 二(四)3 and 七(二): punishments.
_JOINT_PUNISHMENT = Measure(
    "punishment.joint_punishment",
    "全面落实国家各部委《联合惩戒备忘录》及地方各级政府、部门出台的信用惩戒法规、文件中列明的各项惩戒措施，"
    "依法依规实施信用惩戒",
    "二(四)3",
)
_REMIND_REPAIR = Measure("punishment.remind_repair", "提醒行政相对人进行信用修复", "二(四)3")
_SUSPEND_LICENSING = Measure(
    "punishment.suspend_licensing",
    "暂缓办理行政许可、资质资格审核手续，或者取消有关申请资格",
    "七(二)2",
)
_RESTRICT_BIDDING = Measure("punishment.restrict_bidding", "限制参加重大项目招投标和政府采购活动", "七(二)3")
_NO_SUPPORT = Measure("punishment.no_support", "不予享受政府扶持政策，取消财政补贴资格", "七(二)4")
_RESTRICT_FINANCING = Measure("punishment.restrict_financing", "限制上市融资、发行企业债券", "七(二)4")
_RESTRICT_LAND = Measure("punishment.restrict_land", "严格限制新增项目、用地和矿业权审批", "七(二)6")
_OTHER_STATUTORY = Measure(
    "punishment.other_statutory", "依照法律、法规、规章规定的其他限制和惩戒措施办理", "七(二)8"
)

_PUNISHMENTS: dict[Purpose, tuple[Measure, ...]] = {
    # 七(二)2 names 行政许可 and 资质资格审核; 市场准入 is granted by licence or registration.
    Purpose.ADMINISTRATIVE_APPROVAL: (_SUSPEND_LICENSING,),
    Purpose.MARKET_ACCESS: (_SUSPEND_LICENSING,),
    Purpose.QUALIFICATION_REVIEW: (_SUSPEND_LICENSING,),
    # 七(二)4 first half: 政府扶持政策, 财政补贴 — exactly what these two matters hand out.
    Purpose.POLICY_SUPPORT: (_NO_SUPPORT,),
    Purpose.GOVERNMENT_FUNDING: (_NO_SUPPORT,),
    # 七(二)3 names 招投标 and 政府采购.
    Purpose.GOVERNMENT_PROCUREMENT: (_RESTRICT_BIDDING,),
    Purpose.BIDDING: (_RESTRICT_BIDDING,),
    # 七(二)6 names 用地和矿业权审批.
    Purpose.LAND_AND_MINING_RIGHTS: (_RESTRICT_LAND,),
    # 七(二)4 second half: 上市融资, 企业债券 — the financing restrictions 七(二) has; 七(二) says
    # nothing of bank loans, so the lender applies its own rules on top.
    Purpose.FINANCIAL_LOAN: (_RESTRICT_FINANCING,),
    # No specific measure fits an unknown matter: 七(二)8's catch-all.
    Purpose.OTHER: (_OTHER_STATUTORY,),
}


def _measures(category: Category, purpose: Purpose) -> tuple[Measure, ...]:
    if category is Category.INCENTIVE:
        return _INCENTIVES[purpose]
    if category is Category.CAUTION:
        return _CAUTIONS
    if category is Category.PUNISHMENT:
        # policy 二(四)3: 落实惩戒措施 … 并提醒行政相对人进行信用修复 (always, last).
        return (_JOINT_PUNISHMENT, *_PUNISHMENTS[purpose], _REMIND_REPAIR)
    return ()


# --------------------------------------------------------------------------------------------
# Entry rule, rows, result
# --------------------------------------------------------------------------------------------

_ENTRY_PURPOSES = frozenset({Purpose.BIDDING, Purpose.GOVERNMENT_PROCUREMENT})
NO_VALID_RATING = "未提供有效期内的信用等级评价报告（三(二)）"


@dataclass(frozen=True)
class EntryRule:
    """信用准入 of 三(二) for 招标投标 and 政府采购: not below BBB, not blacklisted."""

    passed: bool
    reason_zh: str
    """Why it passed or failed (Chinese; several failures joined by "；")."""
    minimum_grade: str = ENTRY_MINIMUM_GRADE
    incentive_weight_min_percent: int = INCENTIVE_WEIGHT_MIN_PERCENT
    reminder_zh: str = f"信用激励分值不得低于总评分分值的{INCENTIVE_WEIGHT_MIN_PERCENT}%"
    """Reminder for whoever drafts the 招标/采购文件 (三(二))."""


@dataclass(frozen=True)
class ListRow:
    """One list of the certificate: title, whether anything was found, one line per record."""

    title_zh: str
    found: bool
    details: tuple[str, ...]
    """One line per counted record, or ``("未发现",)`` when none was found."""


NOT_FOUND = "未发现"

# Fixed certificate order; 违诺 is shown on the black list it leads to (五(四)3).
ROW_TITLES = ("失信黑名单", "守信红名单", "轻微失信记录", "行政处罚", "行政许可", "信用等级评价")
_ROW_OF = {
    RecordType.BLACK_LIST: "失信黑名单",
    RecordType.BREACH: "失信黑名单",
    RecordType.RED_LIST: "守信红名单",
    RecordType.MINOR: "轻微失信记录",
    RecordType.PENALTY: "行政处罚",
    RecordType.LICENSE: "行政许可",
    RecordType.RATING: "信用等级评价",
}

# policy 二(四)3 and 五(四)3: black list or breach -> 惩戒; 二(四)2: minor -> 审慎; 二(四)1: red -> 激励.
_TYPE_CATEGORY = {
    RecordType.BLACK_LIST: Category.PUNISHMENT,
    RecordType.BREACH: Category.PUNISHMENT,
    RecordType.MINOR: Category.CAUTION,
    RecordType.RED_LIST: Category.INCENTIVE,
}


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one 信用核查 (policy 二(四))."""

    purpose: Purpose
    as_of: date
    category: Category
    reasons: tuple[str, ...]
    """Chinese, one per counted record that supports the winning category (empty for 无不良记录)."""
    measures: tuple[Measure, ...]
    entry_rule: EntryRule | None
    """Only for 招标投标 and 政府采购 (三(二))."""
    counted: tuple[CreditRecord, ...]
    """Records in effect on ``as_of``, input order (licences included, as information)."""
    ignored: tuple[tuple[CreditRecord, str], ...]
    """Records left out, with the Chinese reason: 尚未生效 / 已修复 / 评价已过期 / 公示期满 /
    已被较新的评价取代."""
    rows: tuple[ListRow, ...]
    applied_rating: CreditRecord | None
    """The rating the category and the entry rule used (most recent valid one), if any."""


def _ground_text(record: CreditRecord) -> str:
    if record.ground is None:
        return "未注明列入情形"
    if record.ground not in BLACKLIST_GROUNDS:
        raise FieldError("ground", f"失信黑名单列入情形“{record.ground}”无效：应为七(一)第1至14项之一")
    return f"第{record.ground}项：{BLACKLIST_GROUNDS[record.ground]}"


def _detail_parts(record: CreditRecord, grade: str | None) -> list[str]:
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
        return [f"{grade}级（{_GRADE_MEANINGS[grade][0]}）", f"评价机构：{record.source_department}",
                f"报告编号：{record.decision_number}", f"出具日期：{when}",
                f"有效期至{format_cn_date(rating_valid_until(record))}"]
    decision = kind in (RecordType.PENALTY, RecordType.LICENSE)
    authority = {RecordType.PENALTY: "处罚机关", RecordType.LICENSE: "许可机关"}.get(kind, "认定部门")
    parts = [*summary, f"{authority}：{record.source_department}", f"文号：{record.decision_number}",
             f"{'决定' if decision else '认定'}日期：{when}"]
    if record.severity is not None and kind is not RecordType.LICENSE:
        parts.append(f"严重程度：{record.severity}")
    return parts


_REASON_PREFIX = {
    RecordType.BLACK_LIST: "列入失信黑名单",
    RecordType.BREACH: "列入失信黑名单",  # the detail starts with 违反信用承诺（第14项…）
    RecordType.RED_LIST: "列入守信红名单",
    RecordType.MINOR: "有轻微失信记录",
}


def _entry_rule(
    purpose: Purpose,
    blacklisted: bool,
    grade: str | None,
    subject_is_enterprise: bool,
) -> EntryRule | None:
    """三(二) entry rule; see ``check_credit`` for the 个体工商户 / natural-person decision."""
    if purpose not in _ENTRY_PURPOSES:
        return None
    failures: list[str] = []
    if blacklisted:
        failures.append("已被列入失信黑名单（七(二)3：限制参加招投标和政府采购活动）")
    if grade is None:
        if subject_is_enterprise:
            failures.append(NO_VALID_RATING)
    elif GRADES.index(grade) > GRADES.index(ENTRY_MINIMUM_GRADE):
        failures.append(f"信用等级评价为{grade}级，低于准入条件{ENTRY_MINIMUM_GRADE}级（三(二)）")
    if failures:
        return EntryRule(passed=False, reason_zh="；".join(failures))
    if grade is None:
        reason = (
            "非企业主体（个体工商户、自然人等）不适用信用等级评价报告要求（三(二)），且未被列入失信黑名单"
        )
    else:
        reason = (
            f"信用等级评价为{grade}级，不低于准入条件{ENTRY_MINIMUM_GRADE}级，且未被列入失信黑名单（三(二)）"
        )
    return EntryRule(passed=True, reason_zh=reason)


def check_credit(
    records: Sequence[CreditRecord],
    purpose: Purpose,
    as_of: date,
    *,
    subject_is_enterprise: bool = True,
) -> CheckResult:
    """信用核查 of one subject for one matter on one day (policy 二(四), 三(二)).

    Which records count: see ``record_counts``. Among several valid ratings the one issued last
    is applied (a newer report supersedes an older one; same issue date -> the worse grade, so
    the check never overstates trust); the others are ignored as "已被较新的评价取代".

    Category (the most severe applicable one wins, ``Category.rank``):

    - 惩戒: a counted 失信黑名单 or 违诺 record, or the applied rating is CCC, CC or C (二(四)3);
    - 审慎: a counted 轻微失信记录, or the applied rating is BBB, BB or B (二(四)2);
    - 激励: a counted 守信红名单, or the applied rating is AAA, AA or A (二(四)1);
    - 无不良记录: none of these. 行政处罚 and 行政许可 never change the category; they are shown
      in ``rows`` as information.

    Entry rule (招标投标, 政府采购 only, 三(二)): fails when blacklisted, or when the applied
    rating is below BBB. An enterprise without a valid rating fails ("未提供有效期内的信用等级
    评价报告（三(二)）"). Per 三(二) "本文件所称企业，暂不包含个体工商户", a non-enterprise
    (``subject_is_enterprise=False``: 个体工商户, natural persons, and other non-enterprise
    subjects) need not provide a rating: it passes unless blacklisted — but a valid rating it
    does have is still applied, so a non-enterprise rated below BBB fails.

    :param records: every record of the subject, any order; all must share one ``subject_code``.
    :param purpose: the matter the check is made for.
    :param as_of: the check date.
    :param subject_is_enterprise: False for 个体工商户, natural persons and other non-enterprises.
    :returns: the frozen result.
    :raises FieldError: records of several subjects (``"subject_code"``), a rating without a
        known grade (``"grade"``), an unknown black-list ground (``"ground"``) or severity
        (``"severity"``).
    """
    in_effect: list[CreditRecord] = []
    ignored: list[tuple[CreditRecord, str]] = []
    applied: CreditRecord | None = None
    applied_key: tuple[date, int] | None = None
    grades: dict[int, str] = {}
    subject_code = records[0].subject_code if records else None
    for record in records:
        if record.subject_code != subject_code:
            raise FieldError("subject_code", "信用核查的记录须属于同一信用主体")
        reason = _ignore_reason(record, as_of)
        if reason is not None:
            ignored.append((record, reason))
            continue
        in_effect.append(record)
        if record.record_type is RecordType.RATING:
            grade = validate_grade(record.grade)
            grades[id(record)] = grade
            key = (record.decided_on, GRADES.index(grade))  # later issue first; tie -> worse grade
            if applied_key is None or key > applied_key:
                applied, applied_key = record, key

    applied_grade = None if applied is None else grades[id(applied)]
    counted: list[CreditRecord] = []
    lines: dict[str, list[str]] = {title: [] for title in ROW_TITLES}
    drivers: dict[Category, list[str]] = {c: [] for c in Category}
    blacklisted = False
    for record in in_effect:
        kind = record.record_type
        if kind is RecordType.RATING and record is not applied:
            ignored.append((record, RATING_SUPERSEDED))
            continue
        counted.append(record)
        parts = _detail_parts(record, grades.get(id(record)))
        lines[_ROW_OF[kind]].append("；".join(parts))
        if kind is RecordType.RATING:
            assert applied_grade is not None
            # policy 二(四)1–3 by grade class.
            short = _GRADE_MEANINGS[applied_grade][0]
            reason = f"信用等级评价为{applied_grade}级（{short}；{'；'.join(parts[1:])}）"
            drivers[_GRADE_CATEGORY[applied_grade]].append(reason)
        elif kind in _TYPE_CATEGORY:
            drivers[_TYPE_CATEGORY[kind]].append(f"{_REASON_PREFIX[kind]}（{'；'.join(parts)}）")
            blacklisted = blacklisted or _TYPE_CATEGORY[kind] is Category.PUNISHMENT

    category = max((c for c in Category if drivers[c]), key=lambda c: c.rank, default=Category.CLEAN)
    rows = tuple(
        ListRow(title, bool(lines[title]), tuple(lines[title]) or (NOT_FOUND,)) for title in ROW_TITLES
    )
    return CheckResult(
        purpose=purpose,
        as_of=as_of,
        category=category,
        reasons=tuple(drivers[category]),
        measures=_measures(category, purpose),
        entry_rule=_entry_rule(purpose, blacklisted, applied_grade, subject_is_enterprise),
        counted=tuple(counted),
        ignored=tuple(ignored),
        rows=rows,
        applied_rating=applied,
    )
