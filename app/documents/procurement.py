"""The credit clause a tender or procurement document must contain (policy 三(二))."""

from __future__ import annotations

from enum import StrEnum

import markupsafe

from app.documents.registry import CURRENT, Family, template_version
from app.documents.render import render_html
from app.domain.credit_check import ENTRY_MINIMUM_GRADE as FLOOR_GRADE
from app.domain.credit_check import INCENTIVE_WEIGHT_MIN_PERCENT as FLOOR_INCENTIVE_PERCENT
from app.domain.credit_records import GRADES

# 三(二)'s floors (准入条件不得低于"BBB"级; 激励分值不得低于总评分分值的8%) are the credit check's own
# constants: a clause may only ask for what the check enforces.


class ClauseError(ValueError):
    """A clause that cannot be made; ``field`` names the form field (minimum_grade,
    incentive_percent, scope)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Scope(StrEnum):
    """Whether the matter is in the scope of 三(二)'s second paragraph, where the credit clause is
    compulsory: "在重点项目招标投标或采取公开招标形式进行政府采购活动过程中…必须设置"."""

    KEY_PROJECT_BIDDING = "key_project_bidding"
    """重点项目招标投标."""
    PUBLIC_TENDER_PROCUREMENT = "public_tender_procurement"
    """采取公开招标形式的政府采购."""
    OTHER = "other"
    """其他招标投标或政府采购 (邀请招标、竞争性谈判、询价…; a project not listed as 重点项目)."""

    @property
    def label(self) -> str:
        return SCOPE_LABELS[self.value]


SCOPE_LABELS: dict[str, str] = {
    Scope.KEY_PROJECT_BIDDING.value: "重点项目招标投标",
    Scope.PUBLIC_TENDER_PROCUREMENT.value: "采取公开招标形式的政府采购",
    Scope.OTHER.value: "以上都不是（其他招标投标或政府采购）",
}
"""scope value -> the answer shown on the form, in form order."""

HIGH_INCENTIVE_PERCENT = 30
"""Above this, the credit score outweighs what 财政部令第87号 第五十五条 leaves to price in a goods
procurement (价格分值不得低于30%): the form warns."""


def parse_scope(value: str | None) -> Scope:
    """The answer to "does 三(二)'s second paragraph apply?"; raises ClauseError(field="scope")."""
    try:
        return Scope((value or "").strip())
    except ValueError:
        raise ClauseError("请选择本项目是否属于政策三(二)第二款的范围（重点项目招标投标，或采取公开招标"
                          "形式的政府采购）：属于的，必须设置信用准入和激励条款", "scope") from None


def clause_warnings(minimum_grade: str, incentive_percent: str | float, scope: Scope
                    ) -> dict[str, str]:
    """Field -> Chinese warning, for a clause the policy allows but the office would question:
    entry limited to AAA or AA (三(二) asks for "不低于BBB级"; a higher bar shuts out A-rated
    enterprises), a credit weight above ``HIGH_INCENTIVE_PERCENT`` (三(二) asks for "不低于8%"),
    and a clause outside 三(二)'s compulsory scope."""
    warnings: dict[str, str] = {}
    grade = (minimum_grade or "").strip().upper()
    if grade in GRADES and GRADES.index(grade) < GRADES.index("A"):
        excluded = "、".join(GRADES[GRADES.index(grade) + 1: GRADES.index(FLOOR_GRADE) + 1])
        warnings["minimum_grade"] = (
            f"最低准入等级：只接受{'、'.join(GRADES[: GRADES.index(grade) + 1])}级，"
            f"{excluded}级企业将被排除。政策三(二)只要求不低于{FLOOR_GRADE}级，过高的准入条件"
            "可能构成对投标人（供应商）的差别待遇，请确认确有必要")
    try:
        percent = float(incentive_percent)
    except (TypeError, ValueError):
        percent = None
    if percent is not None and percent > HIGH_INCENTIVE_PERCENT:
        extra = "，评分将完全由信用决定，价格、技术和商务因素不再计分" if percent >= 100 else ""
        warnings["incentive_percent"] = (
            f"信用激励分值占比：{percent:g}%明显偏高{extra}。政策三(二)只要求不低于"
            f"{FLOOR_INCENTIVE_PERCENT}%；政府采购货物项目的价格分值不得低于总分的30%、服务项目"
            "不得低于10%（财政部令第87号第五十五条），请核实")
    if scope is Scope.OTHER and grade in GRADES and GRADES.index(grade) > GRADES.index(FLOOR_GRADE):
        warnings["minimum_grade"] = (
            f"最低准入等级：{grade}级低于政策三(二)第二款对重点项目招标投标和公开招标政府采购的要求"
            f"（不低于{FLOOR_GRADE}级）。本项目不在该范围，可以这样设置，请确认")
    if scope is Scope.OTHER and percent is not None and 0 < percent < FLOOR_INCENTIVE_PERCENT:
        warnings["incentive_percent"] = (
            f"信用激励分值占比：{percent:g}%低于政策三(二)第二款范围内的要求（不低于"
            f"{FLOOR_INCENTIVE_PERCENT}%）。本项目不在该范围，可以这样设置，请确认")
    if scope is Scope.OTHER:
        warnings["scope"] = (
            "适用范围：本项目不属于政策三(二)第二款的范围，信用准入和激励条款不是必须设置的；"
            "如设置，仍按本条款执行。政策三(二)第一款仍要求投标人（供应商）为企业的提供信用评价报告")
    return warnings


def render_clause(minimum_grade: str, incentive_percent: str | float, project_name: str = "",
                  version: str = CURRENT[Family.PROCUREMENT_CLAUSE], *,
                  scope: Scope | None = None) -> markupsafe.Markup:
    """The clause as HTML in the legal text of ``version`` (app/documents/registry.py).

    Within 三(二)'s second paragraph (重点项目招标投标, 公开招标的政府采购; ``scope`` None is taken
    as within) the floors are the policy's "必须": at least ``FLOOR_GRADE`` and
    ``FLOOR_INCENTIVE_PERCENT``. Outside it (``Scope.OTHER``) the clause is optional and a lower
    bar is the department's choice: only a grade of the scale and a share above 0 are required
    (``clause_warnings`` says what the policy would ask)."""
    compulsory = scope is not Scope.OTHER
    grade = (minimum_grade or "").strip().upper()
    if grade not in GRADES:
        raise ClauseError(f"最低准入等级应为：{'、'.join(GRADES)}", "minimum_grade")
    if compulsory and GRADES.index(grade) > GRADES.index(FLOOR_GRADE):
        raise ClauseError(f"最低准入等级不得低于{FLOOR_GRADE}级（政策三(二)），当前为{grade}级",
                          "minimum_grade")
    try:
        percent = float(incentive_percent)
    except (TypeError, ValueError):
        raise ClauseError("信用激励分值占比应为数字（百分比）", "incentive_percent") from None
    floor = FLOOR_INCENTIVE_PERCENT if compulsory else 0
    if not (floor <= percent <= 100 and percent > 0) or percent != percent:
        raise ClauseError((f"信用激励分值占比不得低于总评分分值的{FLOOR_INCENTIVE_PERCENT}%"
                           "（政策三(二)），" if compulsory else "信用激励分值占比应大于0，")
                          + f"也不能超过100%，当前为{percent:g}%", "incentive_percent")
    html = render_html(template_version(Family.PROCUREMENT_CLAUSE, version).html_template, {
        "grade": grade, "percent": f"{percent:g}", "project_name": project_name.strip()[:200],
        "acceptable": GRADES[: GRADES.index(grade) + 1]})
    return markupsafe.Markup(html)
