"""The credit clause a tender or procurement document must contain (policy 三(二))."""

from __future__ import annotations

import markupsafe

from app.documents.registry import CURRENT, Family, template_version
from app.documents.render import render_html
from app.domain.credit_check import ENTRY_MINIMUM_GRADE as FLOOR_GRADE
from app.domain.credit_check import INCENTIVE_WEIGHT_MIN_PERCENT as FLOOR_INCENTIVE_PERCENT
from app.domain.credit_records import GRADES

# 三(二)'s floors (准入条件不得低于"BBB"级; 激励分值不得低于总评分分值的8%) are the credit check's own
# constants: a clause may only ask for what the check enforces.


class ClauseError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def render_clause(minimum_grade: str, incentive_percent: str | float, project_name: str = "",
                  version: str = CURRENT[Family.PROCUREMENT_CLAUSE]) -> markupsafe.Markup:
    """The clause as HTML in the legal text of ``version`` (app/documents/registry.py), with
    thresholds checked against the policy's floors."""
    grade = (minimum_grade or "").strip().upper()
    if grade not in GRADES:
        raise ClauseError(f"准入等级应为：{'、'.join(GRADES)}")
    if GRADES.index(grade) > GRADES.index(FLOOR_GRADE):
        raise ClauseError(f"准入等级不得低于{FLOOR_GRADE}级（政策三(二)），当前为{grade}级")
    try:
        percent = float(incentive_percent)
    except (TypeError, ValueError):
        raise ClauseError("信用激励分值占比应为数字（百分比）") from None
    if not FLOOR_INCENTIVE_PERCENT <= percent <= 100:
        raise ClauseError(f"信用激励分值不得低于总评分分值的{FLOOR_INCENTIVE_PERCENT}%（政策三(二)）"
                          f"，当前为{percent:g}%")
    html = render_html(template_version(Family.PROCUREMENT_CLAUSE, version).html_template, {
        "grade": grade, "percent": f"{percent:g}", "project_name": project_name.strip()[:200],
        "acceptable": GRADES[: GRADES.index(grade) + 1]})
    return markupsafe.Markup(html)
