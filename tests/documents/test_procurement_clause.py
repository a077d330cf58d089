"""The procurement clause's floors are the credit check's entry rule (三(二)), one set of constants."""

from __future__ import annotations

import pytest

from app.documents.procurement import ClauseError, render_clause
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
