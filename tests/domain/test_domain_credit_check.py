"""信用核查 (policy 二(四), 三(二), 六, 七(二)): counting, windows, categories, measures, entry rule, rows."""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError, replace
from datetime import date, timedelta

import pytest

from app.domain.credit_check import (
    NO_VALID_RATING,
    PUBLICITY_RULES,
    ROW_TITLES,
    Category,
    CheckResult,
    EntryRule,
    Measure,
    Purpose,
    Window,
    WindowRule,
    add_months,
    check_credit,
    publicity_window,
    rating_meaning,
    rating_valid_until,
    record_counts,
    regime_for,
    validate_grade,
)
from app.domain.credit_records import GRADES, CreditRecord, RecordType
from app.domain.errors import FieldError

TODAY = date(2026, 6, 15)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
CODE = "91211382MA0Y8K7Q3B"
CLAUSE = re.compile(r"^[一二三四五六七八九十]+\([一二三四五六七八九十]+\)\d*$")


def rec(kind: RecordType, decided_on: date = date(2026, 5, 1), **fields: object) -> CreditRecord:
    """A record of the one test subject, with plausible defaults per type."""
    defaults: dict[str, object] = {
        RecordType.RATING: {"grade": "A", "valid_until": add_months(decided_on, 12)},
        RecordType.BLACK_LIST: {"ground": 3},
    }.get(kind, {})
    values = {
        "record_type": kind,
        "subject_code": CODE,
        "subject_name": "凌源市示例建筑工程有限公司",
        "source_department": "凌源市市场监督管理局",
        "decision_number": f"凌{kind.value}〔2026〕{decided_on.toordinal() % 1000}号",
        "decided_on": decided_on,
        **defaults,
        **fields,
    }
    return CreditRecord(**values)  # type: ignore[arg-type]


AGENCY = "辽宁某信用评价有限公司"


def rating(grade: str | None, decided_on: date = date(2026, 1, 10), **fields: object) -> CreditRecord:
    return rec(RecordType.RATING, decided_on, grade=grade, source_department=AGENCY, **fields)


RED = rec(RecordType.RED_LIST)
BLACK = rec(RecordType.BLACK_LIST)
MINOR = rec(RecordType.MINOR)
BREACH = rec(RecordType.BREACH, source_department="凌源市住房和城乡建设局")
PENALTY = rec(RecordType.PENALTY, severity="一般", summary="未按规定公示年度报告，罚款2000元")
LICENSE = rec(RecordType.LICENSE, summary="建筑工程施工许可")


# ------------------------------------------------------------------------------------------
# Month arithmetic and publicity windows (domain-rules §8)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 3, date(2025, 4, 30)),  # the example of domain-rules §8.3
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap February
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no corresponding day -> month end
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # year roll-over
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2026, 5, 31), 0, date(2026, 5, 31)),
    ],
)
def test_add_months_clamps_month_ends(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("decided_on", "regime"),
    [
        (date(2026, 4, 1), "2026"),
        (date(2026, 3, 31), "2023"),
        (date(2023, 5, 1), "2023"),
        (date(2023, 4, 30), "2019"),
        (date(2015, 1, 1), "2019"),
    ],
)
def test_regime_by_decision_date(decided_on: date, regime: str) -> None:
    assert regime_for(decided_on) == regime


@pytest.mark.parametrize(
    ("decided_on", "severity", "expected"),
    [
        # 2026 令第36号: 轻微 not published, ≤ 3 months; 一般 3 months–1 year; 严重 1–3 years.
        (date(2026, 4, 1), "轻微", Window("2026", False, date(2026, 4, 1), date(2026, 7, 1))),
        (date(2026, 4, 1), "一般", Window("2026", True, date(2026, 7, 1), date(2027, 4, 1))),
        (date(2026, 5, 31), "严重", Window("2026", True, date(2027, 5, 31), date(2029, 5, 31))),
        (date(2026, 8, 31), "一般", Window("2026", True, date(2026, 11, 30), date(2027, 8, 31))),
        (date(2026, 11, 30), "一般", Window("2026", True, date(2027, 2, 28), date(2027, 11, 30))),
        # 2023 令第58号: 行政处罚 3 months / 3 years whatever the severity.
        (date(2026, 3, 31), "一般", Window("2023", True, date(2026, 6, 30), date(2029, 3, 31))),
        (date(2023, 5, 1), "严重", Window("2023", True, date(2023, 8, 1), date(2026, 5, 1))),
        (date(2025, 1, 31), "轻微", Window("2023", True, date(2025, 4, 30), date(2028, 1, 31))),
        (date(2024, 2, 29), "严重", Window("2023", True, date(2024, 5, 29), date(2027, 2, 28))),
        # 2019 527号: 一般 3m/1y (轻微 the same), 严重 6m/3y, 特定严重 3y/3y (no early repair).
        (date(2023, 4, 30), "一般", Window("2019", True, date(2023, 7, 30), date(2024, 4, 30))),
        (date(2021, 3, 10), "轻微", Window("2019", True, date(2021, 6, 10), date(2022, 3, 10))),
        (date(2019, 6, 30), "严重", Window("2019", True, date(2019, 12, 30), date(2022, 6, 30))),
        (date(2020, 8, 31), "严重", Window("2019", True, date(2021, 2, 28), date(2023, 8, 31))),
        (date(2020, 1, 2), "特定严重", Window("2019", True, date(2023, 1, 2), date(2023, 1, 2))),
    ],
)
def test_publicity_window_by_regime(decided_on: date, severity: str, expected: Window) -> None:
    assert publicity_window(rec(RecordType.PENALTY, decided_on, severity=severity)) == expected


def test_explicit_valid_until_is_the_last_day_shown() -> None:
    record = rec(RecordType.PENALTY, date(2026, 4, 1), severity="严重", valid_until=date(2027, 12, 31))
    window = publicity_window(record)
    assert (window.repair_from, window.auto_stop) == (date(2027, 4, 1), date(2028, 1, 1))


def test_rules_are_data_that_callers_can_override() -> None:
    assert PUBLICITY_RULES["2026"]["一般"] == WindowRule(3, 12, True)
    sector = {**PUBLICITY_RULES, "2026": {**PUBLICITY_RULES["2026"], "一般": WindowRule(12, 36, True)}}
    window = publicity_window(rec(RecordType.PENALTY, date(2026, 4, 1), severity="一般"), rules=sector)
    assert (window.repair_from, window.auto_stop) == (date(2027, 4, 1), date(2029, 4, 1))
    no_stop = {"2026": {"一般": WindowRule(3, None, True)}}
    record = rec(RecordType.PENALTY, date(2026, 4, 1), severity="一般")
    assert publicity_window(record, rules=no_stop).auto_stop is None


@pytest.mark.parametrize(
    ("record", "message_part"),
    [
        (rec(RecordType.PENALTY, date(2026, 4, 1), severity="特定严重"), "特定严重"),  # not in 2026 table
        (rec(RecordType.PENALTY, date(2026, 4, 1), severity="较重"), "较重"),
    ],
)
def test_publicity_window_rejects_bad_severity(record: CreditRecord, message_part: str) -> None:
    with pytest.raises(FieldError) as error:
        publicity_window(record)
    assert error.value.field == "severity"
    assert message_part in error.value.message


# ------------------------------------------------------------------------------------------
# Which records count on a day
# ------------------------------------------------------------------------------------------

MINOR_2026 = rec(RecordType.MINOR, date(2026, 4, 15), severity="轻微")  # auto stop 2026-07-15
PENALTY_2026 = rec(RecordType.PENALTY, date(2026, 4, 1), severity="一般")  # auto stop 2027-04-01
BLACK_2019 = rec(RecordType.BLACK_LIST, date(2019, 1, 10), severity="严重")  # auto stop 2022-01-10


@pytest.mark.parametrize(
    ("record", "as_of", "ignored_as"),
    [
        # ratings: valid_until is inclusive (三(五))
        (rating("A", valid_until=TODAY), TODAY, None),
        (rating("A", valid_until=YESTERDAY), TODAY, "评价已过期"),
        (rating("A", decided_on=TOMORROW), TODAY, "尚未生效"),
        (rating("A", decided_on=TODAY), TODAY, None),
        # no valid_until: one year, through the day before the same date (ratings.rating_valid_through)
        (rating("A", decided_on=date(2025, 6, 16), valid_until=None), TODAY, None),
        (rating("A", decided_on=date(2025, 6, 15), valid_until=None), TODAY, "评价已过期"),
        # repairs: from the repair date on
        (replace(BLACK, repaired_on=TODAY), TODAY, "已修复"),
        (replace(BLACK, repaired_on=TOMORROW), TODAY, None),
        (replace(MINOR, repaired_on=YESTERDAY), TODAY, "已修复"),
        (replace(rating("CCC"), repaired_on=TODAY), TODAY, "已修复"),
        # not yet decided
        (rec(RecordType.RED_LIST, TOMORROW), TODAY, "尚未生效"),
        (rec(RecordType.BLACK_LIST, TOMORROW), TODAY, "尚未生效"),
        # publicity windows: auto_stop is the first day not counted
        (MINOR_2026, date(2026, 7, 14), None),
        (MINOR_2026, date(2026, 7, 15), "公示期满"),
        (PENALTY_2026, date(2027, 3, 31), None),
        (PENALTY_2026, date(2027, 4, 1), "公示期满"),
        (BLACK_2019, date(2022, 1, 9), None),
        (BLACK_2019, date(2022, 1, 10), "公示期满"),
        (rec(RecordType.BREACH, date(2026, 4, 1), severity="严重"), date(2029, 4, 1), "公示期满"),
        # no severity: the type's default (black list 严重, 2019 regime: 3 years) ends it
        (rec(RecordType.BLACK_LIST, date(2015, 3, 1)), TODAY, "公示期满"),
        # explicit end (last day shown) on other records, inclusive
        (replace(LICENSE, valid_until=TODAY), TODAY, None),
        (replace(LICENSE, valid_until=YESTERDAY), TODAY, "公示期满"),
        (replace(RED, valid_until=YESTERDAY), TODAY, "公示期满"),
        (LICENSE, TODAY, None),
    ],
    ids=lambda v: v.isoformat() if isinstance(v, date) else None,
)
def test_record_counts(record: CreditRecord, as_of: date, ignored_as: str | None) -> None:
    assert record_counts(record, as_of) is (ignored_as is None)
    result = check_credit([record], Purpose.OTHER, as_of)
    if ignored_as is None:
        assert result.counted == (record,)
        assert result.ignored == ()
    else:
        assert result.counted == ()
        assert result.ignored == ((record, ignored_as),)


def test_rating_default_validity_is_rating_valid_through() -> None:
    june, leap = date(2025, 6, 1), date(2024, 2, 29)
    assert rating_valid_until(rating("A", decided_on=june, valid_until=None)) == date(2026, 5, 31)
    assert rating_valid_until(rating("A", decided_on=leap, valid_until=None)) == date(2025, 2, 28)
    assert rating_valid_until(rating("A", valid_until=date(2026, 9, 9))) == date(2026, 9, 9)


# ------------------------------------------------------------------------------------------
# Category (policy 二(四)1–3): the most severe applicable one wins
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "category", "reason_parts"),
    [
        pytest.param([], Category.CLEAN, [], id="nothing"),
        pytest.param([RED], Category.INCENTIVE, ["列入守信红名单"], id="red list"),
        pytest.param([rating("A")], Category.INCENTIVE, ["信用等级评价为A级（信用较好"], id="A"),
        pytest.param([rating("BBB")], Category.CAUTION, ["BBB级"], id="BBB"),
        pytest.param([rating("B")], Category.CAUTION, ["为B级"], id="B"),
        pytest.param([rating("CCC")], Category.PUNISHMENT, ["CCC级"], id="CCC"),
        pytest.param([MINOR], Category.CAUTION, ["有轻微失信记录"], id="minor"),
        pytest.param([BLACK], Category.PUNISHMENT, ["列入失信黑名单（第3项："], id="black list"),
        pytest.param(
            [BREACH],
            Category.PUNISHMENT,
            ["列入失信黑名单（违反信用承诺（第14项：法律、法规和其他规范性文件"],
            id="breach is ground 14",
        ),
        pytest.param([RED, BLACK], Category.PUNISHMENT, ["列入失信黑名单"], id="red and black -> punishment"),
        pytest.param([MINOR, rating("AAA")], Category.CAUTION, ["有轻微失信记录"], id="minor and AAA"),
        pytest.param([RED, rating("BBB")], Category.CAUTION, ["BBB级"], id="red and BBB -> caution"),
        pytest.param([BLACK, rating("CC")], Category.PUNISHMENT, ["失信黑名单", "CC级"], id="black and CC"),
        pytest.param([RED, rating("AA")], Category.INCENTIVE, ["守信红名单", "AA级"], id="red and AA"),
        pytest.param(
            [rating("CCC", decided_on=date(2025, 1, 10), valid_until=date(2026, 1, 10))],
            Category.CLEAN,
            [],
            id="expired CCC ignored",
        ),
        pytest.param([replace(BLACK, repaired_on=TODAY)], Category.CLEAN, [], id="black repaired today"),
        pytest.param([BLACK_2019], Category.CLEAN, [], id="black list past its 2019 window"),
        pytest.param([PENALTY], Category.CAUTION, ["受到行政处罚（未按规定公示年度报告"], id="一般 penalty"),
        pytest.param([LICENSE], Category.CLEAN, [], id="licence is information only"),
        pytest.param(
            [rating("AAA", decided_on=date(2025, 9, 1)), rating("CCC", decided_on=date(2026, 3, 1))],
            Category.PUNISHMENT,
            ["CCC级"],
            id="latest rating wins (worse)",
        ),
        pytest.param(
            [rating("CCC", decided_on=date(2026, 3, 1)), rating("AAA", decided_on=date(2026, 5, 1))],
            Category.INCENTIVE,
            ["AAA级"],
            id="latest rating wins (better)",
        ),
        pytest.param(
            [rating("AA", decided_on=date(2026, 3, 1)), rating("BB", decided_on=date(2026, 3, 1))],
            Category.CAUTION,
            ["BB级"],
            id="same issue date -> worse grade",
        ),
        pytest.param(
            [rating("C", decided_on=date(2026, 3, 1)), rating("A", decided_on=TOMORROW)],
            Category.PUNISHMENT,
            ["为C级"],
            id="rating issued tomorrow does not supersede",
        ),
    ],
)
def test_category(records: list[CreditRecord], category: Category, reason_parts: list[str]) -> None:
    result = check_credit(records, Purpose.ADMINISTRATIVE_APPROVAL, TODAY)
    assert result.category is category
    assert len(result.reasons) == len(reason_parts)
    for reason, part in zip(result.reasons, reason_parts, strict=True):
        assert part in reason


@pytest.mark.parametrize(
    ("grade", "category"),
    [
        ("AAA", Category.INCENTIVE), ("AA", Category.INCENTIVE), ("A", Category.INCENTIVE),  # 二(四)1
        ("BBB", Category.CAUTION), ("BB", Category.CAUTION), ("B", Category.CAUTION),  # 二(四)2
        ("CCC", Category.PUNISHMENT), ("CC", Category.PUNISHMENT), ("C", Category.PUNISHMENT),  # 二(四)3
    ],
)
def test_every_grade_maps_to_its_category(grade: str, category: Category) -> None:
    assert check_credit([rating(grade)], Purpose.OTHER, TODAY).category is category


def test_reasons_cite_number_department_and_dates() -> None:
    (reason,) = check_credit([BLACK], Purpose.OTHER, TODAY).reasons
    assert reason == (
        "列入失信黑名单（第3项：被市场监管部门列入严重违法失信名单；认定部门：凌源市市场监督管理局；"
        f"文号：{BLACK.decision_number}；认定日期：2026年5月1日）"
    )
    (reason,) = check_credit([rating("BBB", valid_until=date(2026, 12, 31))], Purpose.OTHER, TODAY).reasons
    assert reason.startswith("信用等级评价为BBB级（信用一般；评价机构：辽宁某信用评价有限公司；")
    assert reason.endswith("有效期至2026年12月31日）")


def test_superseded_rating_is_ignored_and_licences_are_counted() -> None:
    old, new = rating("AAA", decided_on=date(2025, 9, 1)), rating("BB", decided_on=date(2026, 3, 1))
    result = check_credit([old, LICENSE, new], Purpose.OTHER, TODAY)
    assert result.applied_rating == new
    assert result.counted == (LICENSE, new)
    assert result.ignored == ((old, "已被较新的评价取代"),)


@pytest.mark.parametrize(
    ("category", "rank"),
    [(Category.PUNISHMENT, 3), (Category.CAUTION, 2), (Category.INCENTIVE, 1), (Category.CLEAN, 0)],
)
def test_category_rank_and_labels(category: Category, rank: int) -> None:
    assert category.rank == rank
    assert category.label == {3: "惩戒", 2: "审慎", 1: "激励", 0: "无不良记录"}[rank]


# ------------------------------------------------------------------------------------------
# Measures (二(四), 六, 七(二))
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "code", "clause"),
    [
        (Purpose.BIDDING, "punishment.restrict_bidding", "七(二)3"),
        (Purpose.GOVERNMENT_PROCUREMENT, "punishment.restrict_bidding", "七(二)3"),
        (Purpose.ADMINISTRATIVE_APPROVAL, "punishment.suspend_licensing", "七(二)2"),
        (Purpose.QUALIFICATION_REVIEW, "punishment.suspend_licensing", "七(二)2"),
        (Purpose.MARKET_ACCESS, "punishment.suspend_licensing", "七(二)2"),
        (Purpose.POLICY_SUPPORT, "punishment.no_support", "七(二)4"),
        (Purpose.GOVERNMENT_FUNDING, "punishment.no_support", "七(二)4"),
        (Purpose.LAND_AND_MINING_RIGHTS, "punishment.restrict_land", "七(二)6"),
        (Purpose.FINANCIAL_LOAN, "punishment.other_statutory", "七(二)8"),
        (Purpose.OTHER, "punishment.other_statutory", "七(二)8"),
    ],
)
def test_punishment_measure_per_purpose(purpose: Purpose, code: str, clause: str) -> None:
    measures = check_credit([BLACK], purpose, TODAY, subject_is_enterprise=False).measures
    assert [(m.code, m.clause) for m in measures] == [
        ("punishment.joint_punishment", "二(四)3"),
        (code, clause),
        ("punishment.remind_repair", "二(四)3"),  # always: 提醒信用修复
    ]
    assert "信用修复" in measures[-1].text_zh


@pytest.mark.parametrize(
    ("purpose", "clauses"),
    [
        (Purpose.ADMINISTRATIVE_APPROVAL, ["二(四)1", "六(一)", "六(一)", "六(三)"]),
        (Purpose.MARKET_ACCESS, ["二(四)1", "六(一)", "六(一)", "六(三)"]),
        (Purpose.QUALIFICATION_REVIEW, ["二(四)1", "六(一)", "六(一)", "六(三)"]),
        (Purpose.POLICY_SUPPORT, ["二(四)1", "六(一)", "六(一)", "六(二)"]),
        (Purpose.GOVERNMENT_FUNDING, ["二(四)1", "六(一)", "六(一)", "六(二)"]),
        (Purpose.BIDDING, ["二(四)1", "六(二)"]),
        (Purpose.GOVERNMENT_PROCUREMENT, ["二(四)1", "六(二)"]),
        (Purpose.LAND_AND_MINING_RIGHTS, ["二(四)1", "六(一)", "六(二)"]),
        (Purpose.FINANCIAL_LOAN, ["二(四)1", "六(四)"]),
        (Purpose.OTHER, ["二(四)1", "六(一)", "六(一)"]),
    ],
)
def test_incentive_measures_per_purpose(purpose: Purpose, clauses: list[str]) -> None:
    measures = check_credit([RED], purpose, TODAY, subject_is_enterprise=False).measures
    assert [m.clause for m in measures] == clauses


def test_incentive_texts_name_green_channel_and_tolerance() -> None:
    texts = [m.text_zh for m in check_credit([RED], Purpose.ADMINISTRATIVE_APPROVAL, TODAY).measures]
    assert any("绿色通道" in t for t in texts)
    assert any("容缺受理" in t for t in texts)
    bidding = [m.text_zh for m in check_credit([RED], Purpose.BIDDING, TODAY).measures]
    assert any("8%" in t for t in bidding)


@pytest.mark.parametrize("purpose", list(Purpose))
def test_caution_measures_are_those_of_2_4_2(purpose: Purpose) -> None:
    measures = check_credit([MINOR], purpose, TODAY, subject_is_enterprise=False).measures
    assert [m.clause for m in measures] == ["二(四)2", "二(四)2"]
    assert "加大前期资格审查和事后监督检查" in measures[0].text_zh
    assert "信用提升或信用修复" in measures[1].text_zh


@pytest.mark.parametrize("purpose", list(Purpose))
def test_clean_has_no_measures(purpose: Purpose) -> None:
    """A non-enterprise known for less than three years: nothing to apply."""
    assert check_credit([LICENSE], purpose, TODAY, subject_is_enterprise=False).measures == ()


@pytest.mark.parametrize("purpose", list(Purpose))
@pytest.mark.parametrize("records", [[RED], [MINOR], [BLACK]], ids=["incentive", "caution", "punishment"])
def test_measures_always_carry_clauses(purpose: Purpose, records: list[CreditRecord]) -> None:
    measures = check_credit(records, purpose, TODAY).measures
    assert measures
    for measure in measures:
        assert isinstance(measure, Measure)
        assert CLAUSE.match(measure.clause), measure
        assert measure.text_zh
        assert measure.code
    assert len({m.code for m in measures}) == len(measures)


# ------------------------------------------------------------------------------------------
# Entry rule (三(二)): 招标投标 and 政府采购
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("records", "purpose", "enterprise", "passed", "reason_part"),
    [
        pytest.param([rating("BBB")], Purpose.BIDDING, True, True, "不低于准入条件BBB级", id="BBB passes"),
        pytest.param([rating("AAA")], Purpose.GOVERNMENT_PROCUREMENT, True, True, "AAA级", id="AAA passes"),
        pytest.param([rating("BB")], Purpose.BIDDING, True, False, "BB级，低于准入条件BBB级", id="BB fails"),
        pytest.param([rating("C")], Purpose.GOVERNMENT_PROCUREMENT, True, False, "C级", id="C fails"),
        pytest.param([], Purpose.BIDDING, True, False, NO_VALID_RATING, id="no rating, enterprise"),
        pytest.param([], Purpose.BIDDING, False, True, "不适用信用等级评价", id="no rating, 个体工商户"),
        pytest.param(
            [rating("BBB", decided_on=date(2025, 1, 10), valid_until=YESTERDAY)],
            Purpose.BIDDING, True, False, NO_VALID_RATING, id="expired BBB is no rating",
        ),
        pytest.param([BLACK, rating("AAA")], Purpose.BIDDING, True, False, "黑名单", id="blacklisted AAA"),
        pytest.param([BREACH, rating("A")], Purpose.BIDDING, True, False, "失信黑名单", id="breach with A"),
        pytest.param([BLACK], Purpose.BIDDING, False, False, "失信黑名单", id="blacklisted 个体工商户"),
        pytest.param(
            [replace(BLACK, repaired_on=TODAY), rating("BBB")], Purpose.BIDDING, True, True, "BBB",
            id="repaired black list",
        ),
        pytest.param([rating("CCC")], Purpose.BIDDING, False, False, "CCC级", id="个体工商户 rated CCC"),
        pytest.param([MINOR, rating("BBB")], Purpose.BIDDING, True, True, "BBB", id="minor, BBB passes"),
    ],
)
def test_entry_rule(
    records: list[CreditRecord], purpose: Purpose, enterprise: bool, passed: bool, reason_part: str
) -> None:
    rule = check_credit(records, purpose, TODAY, subject_is_enterprise=enterprise).entry_rule
    assert rule is not None
    assert rule.passed is passed
    assert reason_part in rule.reason_zh
    assert (rule.minimum_grade, rule.incentive_weight_min_percent) == ("BBB", 8)
    assert rule.reminder_zh == "信用激励分值不得低于总评分分值的8%"


def test_entry_rule_reports_every_failure() -> None:
    rule = check_credit([BLACK], Purpose.BIDDING, TODAY).entry_rule
    assert rule == EntryRule(
        passed=False,
        reason_zh=f"已被列入失信黑名单（七(二)3：限制参加招投标和政府采购活动）；{NO_VALID_RATING}",
    )


@pytest.mark.parametrize(
    "purpose", [p for p in Purpose if p not in (Purpose.BIDDING, Purpose.GOVERNMENT_PROCUREMENT)]
)
def test_entry_rule_only_for_bidding_and_procurement(purpose: Purpose) -> None:
    assert check_credit([rating("BB")], purpose, TODAY).entry_rule is None


# ------------------------------------------------------------------------------------------
# Certificate rows
# ------------------------------------------------------------------------------------------


def test_rows_say_not_found_when_empty() -> None:
    rows = check_credit([], Purpose.OTHER, TODAY).rows
    assert [r.title_zh for r in rows] == [
        "失信黑名单", "守信红名单", "轻微失信记录", "行政处罚", "行政许可", "信用等级评价",
    ]
    assert list(ROW_TITLES) == [r.title_zh for r in rows]
    for row in rows:
        assert (row.found, row.details) == (False, ("未发现",))


@pytest.mark.parametrize(
    ("record", "title", "detail_part"),
    [
        (BLACK, "失信黑名单", "第3项：被市场监管部门列入严重违法失信名单"),
        (BREACH, "失信黑名单", "违反信用承诺（第14项"),
        (RED, "守信红名单", "认定部门：凌源市市场监督管理局"),
        (MINOR, "轻微失信记录", "认定日期：2026年5月1日"),
        (PENALTY, "行政处罚", "未按规定公示年度报告，罚款2000元；处罚机关：凌源市市场监督管理局"),
        (PENALTY, "行政处罚", "决定日期：2026年5月1日；严重程度：一般"),
        (LICENSE, "行政许可", "建筑工程施工许可；许可机关："),
        (rating("AA", valid_until=date(2027, 1, 10)), "信用等级评价", "AA级（信用优良）"),
    ],
    ids=lambda v: v.record_type.value if isinstance(v, CreditRecord) else "",
)
def test_each_record_type_goes_to_its_row(record: CreditRecord, title: str, detail_part: str) -> None:
    rows = {r.title_zh: r for r in check_credit([record], Purpose.OTHER, TODAY).rows}
    assert rows[title].found
    (detail,) = rows[title].details
    assert detail_part in detail
    assert all(r.details == ("未发现",) for t, r in rows.items() if t != title)


def test_ignored_records_are_not_in_rows_and_rows_keep_input_order() -> None:
    black_2 = rec(RecordType.BLACK_LIST, date(2026, 2, 1), ground=6, decision_number="凌人社〔2026〕7号")
    records = [BREACH, replace(MINOR, repaired_on=YESTERDAY), black_2]
    rows = {r.title_zh: r for r in check_credit(records, Purpose.OTHER, TODAY).rows}
    assert rows["轻微失信记录"].details == ("未发现",)
    first, second = rows["失信黑名单"].details
    assert first.startswith("违反信用承诺")
    assert "第6项：严重拖欠农民工工资" in second


# ------------------------------------------------------------------------------------------
# Grades (domain-rules §4.1)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grade"),
    [("AAA", "AAA"), ("aaa", "AAA"), (" bbb ", "BBB"), ("Cc", "CC"), ("ＡＡ", "AA"), ("A级", "A")],
)
def test_validate_grade_accepts(text: str, grade: str) -> None:
    assert validate_grade(text) == grade


@pytest.mark.parametrize("text", ["A+", "AA-", "BBB−", "D", "DDD", "AAAA", "E", "", "   ", None, 3])
def test_validate_grade_rejects(text: object) -> None:
    with pytest.raises(FieldError) as error:
        validate_grade(text)
    assert error.value.field == "grade"
    assert "信用等级" in error.value.message


@pytest.mark.parametrize(
    ("grade", "label", "meaning_part"),
    [
        ("AAA", "信用极好", "履约能力强"),
        ("AA", "信用优良", "履约能力较强"),
        ("A", "信用较好", "正常情况下能履约"),
        ("bbb", "信用一般", "履约能力一般"),
        ("BB", "信用欠佳", "履约能力不足"),
        ("B", "信用较差", "履约能力较弱"),
        ("CCC", "信用很差", "几乎没有履约能力"),
        ("CC", "信用极差", "没有履约能力"),
        ("C", "没有信用", "拒不履约"),
    ],
)
def test_rating_meaning(grade: str, label: str, meaning_part: str) -> None:
    short, meaning = rating_meaning(grade)
    assert short == label
    assert meaning_part in meaning


def test_every_grade_has_a_meaning() -> None:
    assert [rating_meaning(g)[0] for g in GRADES] == [
        "信用极好", "信用优良", "信用较好", "信用一般", "信用欠佳", "信用较差",
        "信用很差", "信用极差", "没有信用",
    ]


# ------------------------------------------------------------------------------------------
# Purposes, errors, result shape
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "label"),
    [
        (Purpose.ADMINISTRATIVE_APPROVAL, "行政审批"),
        (Purpose.MARKET_ACCESS, "市场准入"),
        (Purpose.QUALIFICATION_REVIEW, "资质审核"),
        (Purpose.POLICY_SUPPORT, "政策扶持"),
        (Purpose.GOVERNMENT_PROCUREMENT, "政府采购"),
        (Purpose.BIDDING, "招标投标"),
        (Purpose.GOVERNMENT_FUNDING, "政府资金安排"),
        (Purpose.LAND_AND_MINING_RIGHTS, "国有土地和矿权出让"),
        (Purpose.FINANCIAL_LOAN, "金融贷款"),
        (Purpose.OTHER, "其他"),
    ],
)
def test_purpose_labels(purpose: Purpose, label: str) -> None:
    assert purpose.label == label


@pytest.mark.parametrize(
    ("records", "field"),
    [
        ([RED, replace(BLACK, subject_code="91211382MA0Y8K7Q4X")], "subject_code"),
        ([rating(None)], "grade"),
        ([rating("A+")], "grade"),
        ([rec(RecordType.BLACK_LIST, ground=15)], "ground"),
        ([rec(RecordType.MINOR, date(2026, 4, 15), severity="特别严重")], "severity"),
    ],
)
def test_invalid_input_raises_field_error(records: list[CreditRecord], field: str) -> None:
    with pytest.raises(FieldError) as error:
        check_credit(records, Purpose.OTHER, TODAY)
    assert error.value.field == field


def test_result_is_frozen() -> None:
    result = check_credit([RED], Purpose.OTHER, TODAY)
    assert isinstance(result, CheckResult)
    with pytest.raises(FrozenInstanceError):
        result.category = Category.CLEAN  # type: ignore[misc]
