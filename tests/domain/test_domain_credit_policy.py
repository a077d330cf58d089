"""Issue 14 §1, rule errors: each test is written from the policy line it cites
(lingyuan-credit-opinion.txt 二, 三, 六, 七; domain-rules.md §8)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.domain.credit_check import (
    Category,
    Purpose,
    check_credit,
    check_rating_valid_until,
    check_repair_date,
    publicity_window,
    rating_valid_until,
    record_counts,
)
from app.domain.credit_import import parse_credit_records
from app.domain.credit_records import DEFAULT_SEVERITY, CreditRecord, RecordType, severity_of
from app.domain.errors import FieldError
from app.domain.subjects import SubjectKind, is_enterprise, subject_kind_of_code

TODAY = date(2026, 12, 3)
CODE = "91211382MA0Y8K7Q3B"


def rec(kind: RecordType, decided_on: date, **fields: object) -> CreditRecord:
    values: dict[str, object] = {
        "record_type": kind, "subject_code": CODE, "subject_name": "凌源市示例建筑工程有限公司",
        "source_department": "凌源市市场监督管理局", "decision_number": f"凌{kind.value}〔{decided_on}〕号",
        "decided_on": decided_on, **fields,
    }
    return CreditRecord(**values)  # type: ignore[arg-type]


def penalty(severity: str, **fields: object) -> CreditRecord:
    return rec(RecordType.PENALTY, date(2026, 11, 1), severity=severity,
               summary="超范围经营，罚款五万元", **fields)


def rating(grade: str, issued: date, valid_until: date | None = None) -> CreditRecord:
    return rec(RecordType.RATING, issued, grade=grade, valid_until=valid_until,
               source_department="辽宁示例信用评价有限公司")


# --- 二(四)2 and 七(一)13: 行政处罚 count by severity ----------------------------------------


@pytest.mark.parametrize("severity", ["轻微", "一般"])
def test_minor_or_ordinary_penalty_is_caution_with_2_4_2_measures(severity: str) -> None:
    """二(四)2: 有轻微失信记录的 … 持审慎态度, 加大前期资格审查和事后监督检查, 提醒信用提升或信用修复."""
    result = check_credit([penalty(severity)], Purpose.OTHER, TODAY)
    assert result.category is Category.CAUTION
    (reason,) = result.reasons
    assert reason.startswith("受到行政处罚（超范围经营，罚款五万元；处罚机关：凌源市市场监督管理局")
    assert f"严重程度：{severity}" in reason
    assert [m.clause for m in result.measures] == ["二(四)2", "二(四)2"]


def test_severe_penalty_listed_on_ground_13_is_black_list_punishment() -> None:
    """七(一)13: 其他违法违规生产经营受到较重行政处罚 … 应列入违法失信“黑名单”; 二(四)3 惩戒."""
    record = penalty("严重", ground=13)
    result = check_credit([record], Purpose.BIDDING, TODAY, subject_is_enterprise=False)
    assert result.category is Category.PUNISHMENT
    (reason,) = result.reasons
    assert reason.startswith("列入失信黑名单（第13项：其他违法违规生产经营受到较重行政处罚或刑罚；处罚机关：")
    rows = {r.title_zh: r for r in result.rows}
    assert rows["失信黑名单"].found and "第13项" in rows["失信黑名单"].details[0]
    assert rows["行政处罚"].found  # the penalty itself stays listed as a penalty
    assert result.entry_rule is not None and not result.entry_rule.passed  # 七(二)3
    assert "失信黑名单" in result.entry_rule.reason_zh


def test_severe_penalty_not_listed_is_caution_with_reminder_to_department() -> None:
    """七(一)13 is the department's decision: 严重 without the listing -> 审慎 and a reminder."""
    result = check_credit([penalty("严重")], Purpose.OTHER, TODAY)
    assert result.category is Category.CAUTION
    codes = [m.code for m in result.measures]
    assert codes[0] == "caution.severe_penalty_review"
    assert result.measures[0].clause == "七(一)13"
    assert "较重行政处罚" in result.measures[0].text_zh
    assert codes[1:] == ["caution.prudent_review", "caution.remind_improvement"]


def test_severe_penalty_beside_a_black_list_keeps_the_reminder() -> None:
    black = rec(RecordType.BLACK_LIST, date(2026, 8, 1), ground=6)
    result = check_credit([black, penalty("严重")], Purpose.OTHER, TODAY)
    assert result.category is Category.PUNISHMENT
    assert "caution.severe_penalty_review" in [m.code for m in result.measures]


# --- 二(一): every subject is checked; an unknown one is 无不良记录 ---------------------------


def test_subject_without_records_is_clean_with_the_data_date() -> None:
    """二(一): 都必须对行政相对人进行信用核查 — a subject the platform has no record of is clean."""
    result = check_credit([], Purpose.ADMINISTRATIVE_APPROVAL, TODAY, data_as_of=date(2026, 11, 30))
    assert result.category is Category.CLEAN
    assert result.data_as_of == date(2026, 11, 30)
    assert result.reasons == (
        "平台未收录该主体的信用记录，未发现不良信用记录（数据截至2026年11月30日最近一次导入）",)


# --- 三(五): a rating is valid one year --------------------------------------------------


def test_rating_with_a_five_year_valid_until_counts_one_year() -> None:
    """三(五): 企业综合信用等级的有效期为一年 (the issue's 2026-12-02 -> 2031-12-01 rating)."""
    record = rating("AAA", date(2026, 12, 2), valid_until=date(2031, 12, 1))
    assert rating_valid_until(record) == date(2027, 12, 1)
    assert record_counts(record, date(2027, 12, 1))
    assert not record_counts(record, date(2027, 12, 2))
    result = check_credit([record], Purpose.OTHER, date(2028, 6, 1))
    assert result.category is Category.CLEAN
    assert result.ignored == ((record, "评价已过期"),)


def test_longer_rating_validity_is_refused_in_chinese() -> None:
    with pytest.raises(FieldError) as error:
        check_rating_valid_until(date(2026, 12, 2), date(2031, 12, 1))
    assert error.value.field == "valid_until"
    assert "三(五)" in error.value.message and "2027年12月1日" in error.value.message
    assert check_rating_valid_until(date(2026, 12, 2), date(2027, 12, 1)) == date(2027, 12, 1)
    assert check_rating_valid_until(date(2026, 12, 2), date(2027, 6, 1)) == date(2027, 6, 1)


def test_import_refuses_a_rating_valid_longer_than_a_year() -> None:
    header = "记录类型,主体代码,主体名称,认定部门,决定书文号,决定日期,有效期至,信用等级\n"
    data = (header + f"rating,{CODE},凌源市示例建筑工程有限公司,辽宁示例信用评价有限公司,R-9,"
            "2026-12-02,2031-12-01,AAA\n").encode()
    report = parse_credit_records(data, filename="r.csv", today=TODAY)
    assert report.records == ()
    (error,) = report.errors
    assert error.field == "valid_until"
    assert "有效期为一年（政策三(五)）" in error.message


# --- domain-rules §8: every dishonesty record has a severity and a window ----------------


@pytest.mark.parametrize(
    ("kind", "severity"),
    [(RecordType.BLACK_LIST, "严重"), (RecordType.BREACH, "严重"), (RecordType.PENALTY, "一般"),
     (RecordType.MINOR, "轻微")],
)
def test_default_severity_per_type(kind: RecordType, severity: str) -> None:
    assert DEFAULT_SEVERITY[kind] == severity
    assert severity_of(rec(kind, date(2026, 5, 1), ground=14)) == severity


def test_2021_breach_without_severity_no_longer_punishes() -> None:
    """The issue's case: a 2021 违诺 still gave 惩戒. 严重 (2019 regime): 3 years at most."""
    breach = rec(RecordType.BREACH, date(2021, 3, 1), ground=14)
    assert publicity_window(breach).auto_stop == date(2024, 3, 1)
    result = check_credit([breach], Purpose.OTHER, TODAY)
    assert result.category is Category.CLEAN
    assert result.ignored == ((breach, "公示期满"),)


def test_2026_black_list_without_severity_takes_the_2026_window() -> None:
    """令第36号 (2026-04-01): 严重 1 year min / 3 years max."""
    black = rec(RecordType.BLACK_LIST, date(2026, 5, 1), ground=3)
    window = publicity_window(black)
    assert (window.regime, window.repair_from, window.auto_stop) == (
        "2026", date(2027, 5, 1), date(2029, 5, 1))


def test_valid_until_shortens_but_never_lengthens_the_window() -> None:
    longer = rec(RecordType.BLACK_LIST, date(2026, 5, 1), ground=3, valid_until=date(2035, 1, 1))
    shorter = replace(longer, valid_until=date(2027, 12, 31))
    assert publicity_window(longer).auto_stop == date(2029, 5, 1)
    assert publicity_window(shorter).auto_stop == date(2028, 1, 1)
    assert not record_counts(longer, date(2029, 5, 1))


def test_repair_before_the_minimum_period_is_refused() -> None:
    """domain-rules §8.2 condition 1: the minimum publicity period has been reached."""
    black = rec(RecordType.BLACK_LIST, date(2026, 5, 1), ground=3)  # 严重: 1 year minimum
    with pytest.raises(FieldError) as error:
        check_repair_date(black, date(2026, 11, 1))
    assert error.value.field == "repaired_on"
    assert "2027年5月1日" in error.value.message
    assert check_repair_date(black, date(2027, 5, 1)) == date(2027, 5, 1)


def test_repair_uses_the_regime_of_the_repair_date() -> None:
    """§8.3: decisions/repairs from 2026-04-01 -> "2026": a 2025 严重 record repaired in 2026 waits a year."""
    black = rec(RecordType.BLACK_LIST, date(2025, 10, 1), ground=3)
    with pytest.raises(FieldError):
        check_repair_date(black, date(2026, 5, 1))  # 2023 regime would allow it after 3 months
    assert check_repair_date(black, date(2026, 10, 1)) == date(2026, 10, 1)


def test_import_refuses_early_repair_and_a_longer_publicity_end() -> None:
    header = "记录类型,主体代码,主体名称,认定部门,决定书文号,决定日期,有效期至,失信情形编号,信用修复日期\n"
    who = f"{CODE},凌源市示例建筑工程有限公司"
    rows = (f"black_list,{who},凌源市市场监督管理局,A-1,2026-05-01,,3,2026-11-01\n"
            f"black_list,{who},凌源市市场监督管理局,A-2,2026-05-01,2035-01-01,3,\n"
            f"breach,{who},凌源市住房和城乡建设局,A-3,2026-05-01,2027-01-01,,\n")
    report = parse_credit_records((header + rows).encode(), filename="b.csv", today=TODAY)
    assert {(e.line, e.field) for e in report.errors} == {(2, "repaired_on"), (3, "valid_until")}
    (breach,) = report.records
    assert breach.severity == "严重"  # stored with its default severity


# --- 三(二): the rating report in the other key matters ------------------------------------

REPORT_PURPOSES = [Purpose.ADMINISTRATIVE_APPROVAL, Purpose.MARKET_ACCESS, Purpose.QUALIFICATION_REVIEW,
                   Purpose.POLICY_SUPPORT, Purpose.GOVERNMENT_FUNDING, Purpose.LAND_AND_MINING_RIGHTS,
                   Purpose.FINANCIAL_LOAN]


@pytest.mark.parametrize("purpose", REPORT_PURPOSES)
def test_enterprise_without_rating_is_asked_for_a_report(purpose: Purpose) -> None:
    """三(二): 在行政审批、市场准入、资质审核、政策扶持、…金融贷款发放等 … 行政相对人为企业的，
    应当要求行政相对人提供由第三方信用服务机构出具的信用评价报告."""
    result = check_credit([], purpose, TODAY)
    (measure,) = [m for m in result.measures if m.code == "requirement.rating_report"]
    assert measure.clause == "三(二)"
    assert "应当要求其提供由第三方信用服务机构出具的信用评价报告" in measure.text_zh
    assert purpose.label in measure.text_zh
    if purpose is Purpose.ADMINISTRATIVE_APPROVAL:
        assert "企业初次设立和注销、吊销除外" in measure.text_zh


@pytest.mark.parametrize("purpose", REPORT_PURPOSES)
def test_no_report_reminder_with_a_valid_rating_or_for_a_non_enterprise(purpose: Purpose) -> None:
    with_rating = check_credit([rating("A", date(2026, 6, 1))], purpose, TODAY)
    non_enterprise = check_credit([], purpose, TODAY, subject_is_enterprise=False)
    for result in (with_rating, non_enterprise):
        assert "requirement.rating_report" not in [m.code for m in result.measures]


@pytest.mark.parametrize("purpose", [Purpose.OTHER, Purpose.BIDDING, Purpose.GOVERNMENT_PROCUREMENT])
def test_report_reminder_not_outside_its_matters(purpose: Purpose) -> None:
    """招标投标、政府采购 have the entry rule instead; 其他 is not a key matter of 三(二)."""
    assert "requirement.rating_report" not in [m.code for m in check_credit([], purpose, TODAY).measures]


# --- 三(二) 企业: by subject kind ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "is_person", "kind", "enterprise"),
    [
        ("91211382MA0Y8K7Q3B", False, SubjectKind.ENTERPRISE, True),
        ("92211382MA071HU49P", False, SubjectKind.INDIVIDUAL_BUSINESS, False),  # 个体工商户
        ("51211382MJ0000000X", False, SubjectKind.SOCIAL_ORGANIZATION, False),  # 社会团体
        ("93211382MA053JJL2X", False, None, False),  # 农民专业合作社
        ("12211382000000000X", False, SubjectKind.INSTITUTION, False),
        ("211382199003071237", True, SubjectKind.NATURAL_PERSON, False),
    ],
)
def test_enterprise_is_derived_from_the_subject_kind(
    code: str, is_person: bool, kind: SubjectKind | None, enterprise: bool
) -> None:
    """三(二): 本文件所称企业，暂不包含个体工商户 — nor a 社会团体 or a 合作社, which are no 企业."""
    assert subject_kind_of_code(code, is_person=is_person) is kind
    assert is_enterprise(code, is_person=is_person) is enterprise


# --- 六(一): three clean years -> 绿色通道 ----------------------------------------------------


def test_three_clean_years_add_the_green_channel() -> None:
    """六(一): 可对…连续三年无不良信用记录的行政相对人提供“绿色通道”等便利服务."""
    licence = rec(RecordType.LICENSE, date(2023, 6, 1))
    result = check_credit([licence], Purpose.ADMINISTRATIVE_APPROVAL, TODAY, subject_is_enterprise=False)
    assert result.category is Category.CLEAN
    assert [(m.code, m.clause) for m in result.measures] == [("clean.green_channel", "六(一)")]
    assert "绿色通道" in result.measures[0].text_zh


@pytest.mark.parametrize(
    "history",
    [
        pytest.param([rec(RecordType.LICENSE, date(2024, 6, 1))], id="known for less than three years"),
        pytest.param([], id="no history at all"),
        pytest.param(
            [rec(RecordType.LICENSE, date(2022, 6, 1)),
             rec(RecordType.PENALTY, date(2026, 4, 5), severity="轻微")],  # window ended 2026-07-05
            id="a minor penalty this year, past its window",
        ),
        pytest.param(
            [rec(RecordType.LICENSE, date(2020, 6, 1)),
             rec(RecordType.BLACK_LIST, date(2021, 6, 1), ground=6)],  # in effect until 2024-06-01
            id="black list in effect within the three years",
        ),
    ],
)
def test_no_green_channel_without_three_clean_years(history: list[CreditRecord]) -> None:
    result = check_credit(history, Purpose.ADMINISTRATIVE_APPROVAL, TODAY, subject_is_enterprise=False)
    assert result.category is Category.CLEAN
    assert "clean.green_channel" not in [m.code for m in result.measures]


def test_repaired_or_long_past_records_do_not_block_the_green_channel() -> None:
    old_black = rec(RecordType.BLACK_LIST, date(2019, 6, 1), ground=6)  # window ended 2022-06-01
    repaired = rec(RecordType.PENALTY, date(2025, 1, 10), severity="一般", repaired_on=date(2025, 5, 1))
    result = check_credit([old_black, repaired], Purpose.QUALIFICATION_REVIEW, TODAY,
                          subject_is_enterprise=False)
    assert "clean.green_channel" in [m.code for m in result.measures]


@pytest.mark.parametrize("purpose", [Purpose.BIDDING, Purpose.GOVERNMENT_PROCUREMENT, Purpose.FINANCIAL_LOAN])
def test_green_channel_only_where_it_fits(purpose: Purpose) -> None:
    licence = rec(RecordType.LICENSE, date(2023, 6, 1))
    result = check_credit([licence], purpose, TODAY, subject_is_enterprise=False)
    assert "clean.green_channel" not in [m.code for m in result.measures]


# --- 七(二): the loan purpose prints what fits a loan -------------------------------------


def test_bank_loan_punishment_does_not_print_listing_and_bonds() -> None:
    """七(二)4 speaks of 上市融资、发行企业债券, not of loans; print only what the cited clause says."""
    black = rec(RecordType.BLACK_LIST, date(2026, 8, 1), ground=1)
    result = check_credit([black, rating("CCC", date(2026, 8, 1))], Purpose.FINANCIAL_LOAN, TODAY)
    texts = "".join(m.text_zh for m in result.measures)
    assert "上市融资" not in texts and "债券" not in texts
    assert [m.clause for m in result.measures] == ["二(四)3", "七(二)8", "二(四)3"]


POLICY_WORDS = {
    # clause: words of that clause (lingyuan-credit-opinion.txt), one of which the measure prints
    "二(四)1": ("《联合奖励备忘录》",),
    "二(四)2": ("持审慎态度", "信用提升或信用修复"),
    "二(四)3": ("《联合惩戒备忘录》", "信用修复"),
    "三(二)": ("应当要求其提供由第三方信用服务机构出具的信用评价报告",),
    "六(一)": ("绿色通道", "容缺受理"),
    "六(二)": ("信用加分", "政府优惠扶持政策"),
    "六(三)": ("减少检查抽查的比例",),
    "六(四)": ("贷款利率",),
    "七(一)13": ("较重行政处罚",),
    "七(二)2": ("暂缓办理行政许可、资质资格审核手续",),
    "七(二)3": ("限制参加重大项目招投标和政府采购活动",),
    "七(二)4": ("不予享受政府扶持政策，取消财政补贴资格",),
    "七(二)6": ("严格限制新增项目、用地和矿业权审批",),
    "七(二)8": ("法律、法规、规章规定的其他限制和惩戒措施",),
}


@pytest.mark.parametrize("purpose", list(Purpose))
@pytest.mark.parametrize(
    "records",
    [
        [rec(RecordType.RED_LIST, date(2026, 8, 1))],
        [penalty("严重")],
        [rec(RecordType.BLACK_LIST, date(2026, 8, 1), ground=1)],
        [rec(RecordType.LICENSE, date(2022, 8, 1))],
    ],
    ids=["incentive", "caution", "punishment", "clean"],
)
def test_every_printed_measure_cites_a_clause_that_says_it(
    purpose: Purpose, records: list[CreditRecord]
) -> None:
    """Cite only clauses that say what is printed: each measure uses the words of its clause."""
    for measure in check_credit(records, purpose, TODAY).measures:
        assert measure.clause in POLICY_WORDS, measure
        assert any(words in measure.text_zh for words in POLICY_WORDS[measure.clause]), measure
