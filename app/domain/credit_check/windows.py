"""Publicity and repair windows (公示期限与信用修复, domain-rules §8): the tables and the regime by date."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.credit_records import CreditRecord
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
