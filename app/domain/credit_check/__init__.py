"""信用核查 (policy 二, 三(二), 六, 七): which records count, the result category, its measures and rows.

One module per part of the rules, in the order a check uses them:

- ``categories``: the matters (``Purpose``) and the result categories (``Category``);
- ``grades``: the nine grades, their meanings and categories, the entry floor (三(二));
- ``windows``: publicity and repair windows by regime (domain-rules §8);
- ``counting``: whether a record counts on a day;
- ``measures``: the measures of each category and matter (二(四), 六, 七(二));
- ``entry``: the entry rule of 招标投标 and 政府采购 (三(二));
- ``rows``: the certificate's lists;
- ``conclusion``: ``check_credit``, which puts them together.

Callers import from this package.
"""

from __future__ import annotations

from app.domain.credit_check.categories import Category, Purpose
from app.domain.credit_check.conclusion import CheckResult, check_credit, three_clean_years
from app.domain.credit_check.counting import (
    NOT_YET_EFFECTIVE,
    PUBLICITY_ENDED,
    RATING_EXPIRED,
    RATING_SUPERSEDED,
    REPAIRED,
    rating_valid_until,
    record_counts,
)
from app.domain.credit_check.entry import NO_VALID_RATING, EntryRule
from app.domain.credit_check.grades import (
    ENTRY_MINIMUM_GRADE,
    INCENTIVE_WEIGHT_MIN_PERCENT,
    rating_meaning,
    validate_grade,
)
from app.domain.credit_check.measures import RATING_REPORT_PURPOSES, Measure
from app.domain.credit_check.rows import NOT_FOUND, ROW_TITLES, ListRow
from app.domain.credit_check.windows import (
    PUBLICITY_RULES,
    Window,
    WindowRule,
    add_months,
    check_rating_valid_until,
    check_repair_date,
    publicity_window,
    rating_valid_through,
    regime_for,
    repair_allowed_from,
)

__all__ = [
    "ENTRY_MINIMUM_GRADE",
    "INCENTIVE_WEIGHT_MIN_PERCENT",
    "NOT_FOUND",
    "NOT_YET_EFFECTIVE",
    "NO_VALID_RATING",
    "PUBLICITY_ENDED",
    "PUBLICITY_RULES",
    "RATING_REPORT_PURPOSES",
    "RATING_EXPIRED",
    "RATING_SUPERSEDED",
    "REPAIRED",
    "ROW_TITLES",
    "Category",
    "CheckResult",
    "EntryRule",
    "ListRow",
    "Measure",
    "Purpose",
    "Window",
    "WindowRule",
    "add_months",
    "check_credit",
    "check_rating_valid_until",
    "check_repair_date",
    "publicity_window",
    "rating_meaning",
    "rating_valid_through",
    "rating_valid_until",
    "record_counts",
    "regime_for",
    "repair_allowed_from",
    "three_clean_years",
    "validate_grade",
]
