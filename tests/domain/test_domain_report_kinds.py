"""One table of report kinds and recommendations (policy 三, 四(一))."""

from __future__ import annotations

from app.documents import reports
from app.domain.report_kinds import RECOMMENDATIONS, REPORT_KINDS, ReportKind


def test_every_kind_has_one_name_used_everywhere() -> None:
    assert [k.value for k in ReportKind] == list(REPORT_KINDS)
    assert ReportKind("rating").label == "企业综合信用等级评价报告"
    assert ReportKind("decision").label == "信用报告"
    assert reports.TITLE_SUFFIX == {k: REPORT_KINDS[k.value] for k in ReportKind}
    assert reports.KINDS == tuple(ReportKind)


def test_stored_values_stay_plain_strings() -> None:
    assert ReportKind.RATING == "rating"
    assert f"{ReportKind.DECISION}" == "decision"


def test_recommendations_are_policy_four_one() -> None:
    assert RECOMMENDATIONS == ("具备信用能力", "信用能力一般", "不具备信用能力")
    assert reports.DECISION_RECOMMENDATIONS is RECOMMENDATIONS
