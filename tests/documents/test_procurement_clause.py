"""The procurement clause's floors are the credit check's entry rule (三(二)), one set of constants."""

from __future__ import annotations

import pytest

from app.documents.procurement import ClauseError, Scope, clause_warnings, render_clause
from app.domain.credit_check import ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT
from app.domain.credit_records import GRADES

BELOW = GRADES[GRADES.index(ENTRY_MINIMUM_GRADE) + 1]


@pytest.mark.parametrize(("grade", "percent", "refused"), [
    (ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT, False),
    (BELOW, INCENTIVE_WEIGHT_MIN_PERCENT, True),
    (ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT - 0.5, True),
])
def test_clause_floors_follow_the_entry_rule(grade: str, percent: float, refused: bool) -> None:
    if refused:
        with pytest.raises(ClauseError):
            render_clause(grade, percent)
    else:
        assert f"{ENTRY_MINIMUM_GRADE}" in render_clause(grade, percent)


def test_new_clauses_use_the_current_version() -> None:
    from app.documents.registry import CURRENT, Family

    current = CURRENT[Family.PROCUREMENT_CLAUSE]
    assert render_clause(ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT) == render_clause(
        ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT, version=current)


def test_an_unreleased_clause_version_is_refused() -> None:
    from app.documents.registry import UnknownTemplateVersion

    with pytest.raises(UnknownTemplateVersion):
        render_clause(ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT, version="v0")


@pytest.mark.parametrize("scope", [Scope.KEY_PROJECT_BIDDING, Scope.PUBLIC_TENDER_PROCUREMENT])
def test_within_3_2_second_paragraph_the_floors_are_compulsory(scope: Scope) -> None:
    """三(二): "在重点项目招标投标或采取公开招标形式进行政府采购活动过程中…必须…不低于BBB…不低于8%"."""
    for grade, percent in ((BELOW, INCENTIVE_WEIGHT_MIN_PERCENT), (ENTRY_MINIMUM_GRADE, 5)):
        with pytest.raises(ClauseError):
            render_clause(grade, percent, scope=scope)


def test_outside_3_2_second_paragraph_a_lower_bar_is_allowed_with_a_warning() -> None:
    """Trial 14 item 8: outside the compulsory scope the department may set a lower bar."""
    assert "B级" in render_clause("B", 5, scope=Scope.OTHER)
    warnings = clause_warnings("B", 5, Scope.OTHER)
    assert f"不低于{ENTRY_MINIMUM_GRADE}级" in warnings["minimum_grade"]
    assert f"不低于{INCENTIVE_WEIGHT_MIN_PERCENT}%" in warnings["incentive_percent"]
    for percent in (0, -1, 101, "nan"):
        with pytest.raises(ClauseError):
            render_clause("B", percent, scope=Scope.OTHER)
