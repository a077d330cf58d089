"""The policy's periods in one place: a rating's year (policy 三(五)) and the publicity and repair
windows of dishonesty records (公示期限与信用修复, domain-rules §8): the tables and the regime by date."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.credit_records import CreditRecord, severity_of
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, clamped to the month end.

    2025-01-31 + 3 months = 2025-04-30; 2024-02-29 + 12 months = 2025-02-28 (as relativedelta,
    and as 民法典 第二百零二条: no corresponding day -> the last day of that month).
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


RATING_VALIDITY_CLAUSE = "三(五)"
"""Policy 三(五): "企业综合信用等级的有效期为一年"."""


def rating_valid_through(issued: date) -> date:
    """Last day (inclusive) a rating issued on ``issued`` may be used (有效期至): the one rule of
    policy 三(五), "企业综合信用等级的有效期为一年", for the check, the import, the upload and the
    printed scaffold.

    The issue day is the first valid day (a rating is usable the day it is issued), so the year
    ends the day before the same date a year later, as certificates print "2027年6月15日至2028年6月14日"
    (domain-rules §4: "有效期至" on the cover). A rating issued on 29 February has no same date in a
    common year: its year ends on the last day of February (民法典 第二百零二条: no corresponding
    day -> the month's last day).

    2027-06-15 -> 2028-06-14; 2027-03-01 -> 2028-02-29; 2028-02-29 -> 2029-02-28;
    2027-01-01 -> 2027-12-31.

    :param issued: 出具日期 of the rating.
    :returns: the last day on which the rating counts; a check on ``as_of`` uses it when
        ``as_of <= rating_valid_through(issued)``.
    """
    try:
        same_date_next_year = issued.replace(year=issued.year + 1)
    except ValueError:  # 29 February -> 1 March of a common year
        same_date_next_year = date(issued.year + 1, 3, 1)
    return same_date_next_year - timedelta(days=1)


def check_rating_valid_until(issued: date, valid_until: date, *, field: str = "valid_until") -> date:
    """``valid_until`` of a rating issued on ``issued``, refused when it runs past the year of
    policy 三(五) or ends before the issue date.

    :raises FieldError: ``field``, with a Chinese message naming both dates.
    """
    if valid_until < issued:
        raise FieldError(field, f"有效期至（{format_cn_date(valid_until)}）早于出具日期"
                                f"（{format_cn_date(issued)}）")
    through = rating_valid_through(issued)
    if valid_until > through:
        raise FieldError(field, f"有效期至（{format_cn_date(valid_until)}）超过一年：企业综合信用等级"
                                f"的有效期为一年（政策{RATING_VALIDITY_CLAUSE}），{format_cn_date(issued)}"
                                f"出具的评价最晚有效至{format_cn_date(through)}")
    return valid_until


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


def _rule(record: CreditRecord, regime: str, rules: Mapping[str, Mapping[str, WindowRule]]
          ) -> WindowRule:
    severity = severity_of(record)
    if severity is None:
        raise FieldError("severity", "记录未注明失信行为严重程度（轻微、一般、严重），无法计算公示期限")
    rule = rules[regime].get(severity)
    if rule is None:
        known = "、".join(rules[regime])
        raise FieldError("severity", f"失信行为严重程度“{severity}”无效：应为{known}之一")
    return rule


def publicity_window(
    record: CreditRecord, *, rules: Mapping[str, Mapping[str, WindowRule]] = PUBLICITY_RULES
) -> Window:
    """Publicity and repair window of a 行政处罚, 轻微失信, 黑名单 or 违诺 record.

    The severity is the record's, or its type's default (``credit_records.DEFAULT_SEVERITY``,
    domain-rules §8.1): every such record has a window. The regime is chosen by ``decided_on``
    (``regime_for``); the periods run from ``decided_on`` with month-end clamping. An explicit
    ``valid_until`` (the last day shown, a 公示期限 published by the department) may end the
    publicity earlier, never later than the regime's maximum (§8.1: "After the maximum,
    publication stops automatically").

    :param rules: regime -> severity -> rule; defaults to ``PUBLICITY_RULES``.
    :raises FieldError: field ``"severity"`` for a severity the regime's table does not know.
    """
    regime = regime_for(record.decided_on)
    rule = _rule(record, regime, rules)
    auto_stop = None if rule.max_months is None else add_months(record.decided_on, rule.max_months)
    if record.valid_until is not None:
        explicit = record.valid_until + timedelta(days=1)
        auto_stop = explicit if auto_stop is None else min(auto_stop, explicit)
    return Window(
        regime=regime,
        publish=rule.publish,
        repair_from=add_months(record.decided_on, rule.min_months),
        auto_stop=auto_stop,
    )


def repair_allowed_from(
    record: CreditRecord, repaired_on: date,
    *, rules: Mapping[str, Mapping[str, WindowRule]] = PUBLICITY_RULES,
) -> date:
    """Earliest day ``record`` may be repaired when the repair is made on ``repaired_on``.

    domain-rules §8.2, condition 1: repair only once the minimum publicity period has been
    reached. The minimum is that of the regime in force on the repair date (§8.3: "decisions/
    repairs from 2026-04-01 -> 2026"), counted from the decision date; a severity that regime does
    not know (2019 特定严重) keeps the decision's regime, where it cannot be repaired early.
    """
    regime = regime_for(repaired_on)
    try:
        rule = _rule(record, regime, rules)
    except FieldError:
        rule = _rule(record, regime_for(record.decided_on), rules)
    return add_months(record.decided_on, rule.min_months)


def check_repair_date(record: CreditRecord, repaired_on: date, *, field: str = "repaired_on") -> date:
    """``repaired_on``, refused before the minimum publicity period (domain-rules §8.2).

    :raises FieldError: ``field``, naming the earliest repair date and the severity.
    """
    earliest = repair_allowed_from(record, repaired_on)
    if repaired_on < earliest:
        raise FieldError(field, f"信用修复日期（{format_cn_date(repaired_on)}）早于最短公示期满之日"
                                f"（{format_cn_date(earliest)}，失信程度“{severity_of(record)}”）："
                                "未满最短公示期不能修复（《信用修复管理办法》：最短公示期满后方可申请信用修复）")
    return repaired_on
