"""The entry rule of 招标投标 and 政府采购 (信用准入, policy 三(二)): not below BBB, not blacklisted."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.credit_check.categories import Purpose
from app.domain.credit_check.grades import ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT
from app.domain.credit_records import GRADES

ENTRY_PURPOSES = frozenset({Purpose.BIDDING, Purpose.GOVERNMENT_PROCUREMENT})
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


def entry_rule(
    purpose: Purpose,
    blacklisted: bool,
    grade: str | None,
    subject_is_enterprise: bool,
) -> EntryRule | None:
    """三(二) entry rule; see ``check_credit`` for the 个体工商户 / natural-person decision."""
    if purpose not in ENTRY_PURPOSES:
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
            "非企业主体（个体工商户、社会团体、农民专业合作社、自然人等）不适用信用等级评价报告要求"
            "（三(二)），且未被列入失信黑名单"
        )
    else:
        reason = (
            f"信用等级评价为{grade}级，不低于准入条件{ENTRY_MINIMUM_GRADE}级，且未被列入失信黑名单（三(二)）"
        )
    return EntryRule(passed=True, reason_zh=reason)
