"""The two kinds of third-party credit report and the 信用报告's recommendations (policy 三, 四)."""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    """报告类型; the value is what is stored (``agency_reports.kind``) and posted by forms."""

    RATING = "rating"
    """企业综合信用等级评价报告 (policy 三), valid one year (三(五), ``ratings.rating_valid_through``)."""
    DECISION = "decision"
    """信用报告 for a major government decision (policy 四(一)), for one named project only (四(二))."""

    @property
    def label(self) -> str:
        """The document's Chinese name: 企业综合信用等级评价报告 | 信用报告."""
        return REPORT_KINDS[self.value]


REPORT_KINDS: dict[str, str] = {"rating": "企业综合信用等级评价报告", "decision": "信用报告"}
"""kind value -> Chinese name, in form order (pages and templates iterate it)."""

RECOMMENDATIONS: tuple[str, ...] = ("具备信用能力", "信用能力一般", "不具备信用能力")
"""四(一): a 信用报告's 决策建议 is exactly one of these three."""

REPORT_STATUS: dict[str, str] = {"scaffold": "已出具模板", "pending": "待审核", "approved": "已通过",
                                 "rejected": "已驳回"}
"""agency_reports.status -> Chinese label."""
