"""The check itself (信用核查结论, policy 二(四), 三(二)): the applied rating, the category, its reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain.credit_check.categories import Category, Purpose
from app.domain.credit_check.counting import RATING_SUPERSEDED, WINDOWED, ignore_reason
from app.domain.credit_check.entry import EntryRule, entry_rule
from app.domain.credit_check.grades import GRADE_CATEGORY, GRADE_MEANINGS, validate_grade
from app.domain.credit_check.measures import (
    GREEN_CHANNEL_CLEAN,
    RATING_REPORT_PURPOSES,
    SEVERE_PENALTY_REMINDER,
    Measure,
    green_channel_fits,
    measures_for,
    rating_report_reminder,
)
from app.domain.credit_check.rows import (
    BLACK_LIST_ROW,
    NOT_FOUND,
    ROW_OF,
    ROW_TITLES,
    ListRow,
    detail_parts,
    listed_penalty_parts,
)
from app.domain.credit_check.windows import add_months, publicity_window
from app.domain.credit_records import GRADES, CreditRecord, RecordType, severity_of
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError

PENALTY_GROUND = 13
"""七(一)13: 其他违法违规生产经营受到较重行政处罚或刑罚的 — a 严重 行政处罚 the department lists."""
CLEAN_YEARS_MONTHS = 36
"""六(一): 连续三年无不良信用记录."""

# policy 二(四)3 and 五(四)3: black list or breach -> 惩戒; 二(四)2: minor -> 审慎; 二(四)1: red -> 激励.
# A 行政处罚 is a 失信记录 too: 轻微 or 一般 -> 审慎 (二(四)2); 严重 -> 审慎 with the 七(一)13
# reminder, or 惩戒 when the record lists it on ground 13 (``_listed_penalty``).
_TYPE_CATEGORY = {
    RecordType.BLACK_LIST: Category.PUNISHMENT,
    RecordType.BREACH: Category.PUNISHMENT,
    RecordType.MINOR: Category.CAUTION,
    RecordType.PENALTY: Category.CAUTION,
    RecordType.RED_LIST: Category.INCENTIVE,
}


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one 信用核查 (policy 二(四))."""

    purpose: Purpose
    as_of: date
    category: Category
    reasons: tuple[str, ...]
    """Chinese, one per counted record that supports the winning category (empty for 无不良记录)."""
    measures: tuple[Measure, ...]
    entry_rule: EntryRule | None
    """Only for 招标投标 and 政府采购 (三(二))."""
    counted: tuple[CreditRecord, ...]
    """Records in effect on ``as_of``, input order (licences included, as information)."""
    ignored: tuple[tuple[CreditRecord, str], ...]
    """Records left out, with the Chinese reason: 尚未生效 / 已修复 / 评价已过期 / 公示期满 /
    已被较新的评价取代."""
    rows: tuple[ListRow, ...]
    applied_rating: CreditRecord | None
    """The rating the category and the entry rule used (most recent valid one), if any."""
    data_as_of: date | None = None
    """Date of the last import of the platform's records, stated on a 无不良记录 result."""


_REASON_PREFIX = {
    RecordType.BLACK_LIST: "列入失信黑名单",
    RecordType.BREACH: "列入失信黑名单",  # the detail starts with 违反信用承诺（第14项…）
    RecordType.RED_LIST: "列入守信红名单",
    RecordType.MINOR: "有轻微失信记录",
    RecordType.PENALTY: "受到行政处罚",
}


def check_credit(
    records: Sequence[CreditRecord],
    purpose: Purpose,
    as_of: date,
    *,
    subject_is_enterprise: bool = True,
    data_as_of: date | None = None,
) -> CheckResult:
    """信用核查 of one subject for one matter on one day (policy 二(四), 三(二)).

    Which records count: see ``record_counts``. Among several valid ratings the one issued last
    is applied (a newer report supersedes an older one; same issue date -> the worse grade, so
    the check never overstates trust); the others are ignored as "已被较新的评价取代".

    Category (the most severe applicable one wins, ``Category.rank``):

    - 惩戒: a counted 失信黑名单 or 违诺 record, a 严重 行政处罚 the record lists on ground 13
      (七(一)13: 受到较重行政处罚), or the applied rating is CCC, CC or C (二(四)3);
    - 审慎: a counted 轻微失信记录 or 行政处罚 (轻微, 一般, or 严重 without ground 13: then a
      reminder asks the department whether 七(一)13 applies), or the applied rating is BBB, BB
      or B (二(四)2);
    - 激励: a counted 守信红名单, or the applied rating is AAA, AA or A (二(四)1);
    - 无不良记录: none of these (行政许可 never changes the category). With ``data_as_of`` the
      result states the date of the platform's data; with three clean years of history it adds
      the 绿色通道 of 六(一).

    Rating report (三(二), first paragraph): for 行政审批、市场准入、资质审核、政策扶持、政府资金、
    土地矿权、金融贷款, an enterprise without a valid rating gets the reminder that the department
    "应当要求…提供" one.

    Entry rule (招标投标, 政府采购 only, 三(二)): fails when blacklisted, or when the applied
    rating is below BBB. An enterprise without a valid rating fails ("未提供有效期内的信用等级
    评价报告（三(二)）"). Per 三(二) "本文件所称企业，暂不包含个体工商户", a non-enterprise
    (``subject_is_enterprise=False``: 个体工商户, natural persons, and other non-enterprise
    subjects) need not provide a rating: it passes unless blacklisted — but a valid rating it
    does have is still applied, so a non-enterprise rated below BBB fails.

    :param records: every record of the subject, any order; all must share one ``subject_code``.
    :param purpose: the matter the check is made for.
    :param as_of: the check date.
    :param subject_is_enterprise: False for 个体工商户, natural persons and other non-enterprises
        (``subjects.is_enterprise``).
    :param data_as_of: date of the last import of the platform's records, stated on a
        无不良记录 result (a subject the platform has no record of is 无不良记录, 二(一)).
    :returns: the frozen result.
    :raises FieldError: records of several subjects (``"subject_code"``), a rating without a
        known grade (``"grade"``), an unknown black-list ground (``"ground"``) or severity
        (``"severity"``).
    """
    selection = _select(records, as_of)
    applied_grade = selection.grade_of(selection.applied)
    tally = _tally(selection)
    category = max(
        (c for c in Category if tally.drivers[c]), key=lambda c: c.rank, default=Category.CLEAN
    )
    rows = tuple(
        ListRow(title, bool(tally.lines[title]), tuple(tally.lines[title]) or (NOT_FOUND,))
        for title in ROW_TITLES
    )
    reasons = list(tally.drivers[category])
    if category is Category.CLEAN and data_as_of is not None:
        reasons.append(_clean_statement(records, data_as_of))
    measures: list[Measure] = []
    if subject_is_enterprise and selection.applied is None and purpose in RATING_REPORT_PURPOSES:
        measures.append(rating_report_reminder(purpose))
    if tally.severe_unlisted_penalty:
        measures.append(SEVERE_PENALTY_REMINDER)
    measures.extend(measures_for(category, purpose))
    if category is Category.CLEAN and green_channel_fits(purpose) and three_clean_years(records, as_of):
        measures.append(GREEN_CHANNEL_CLEAN)
    return CheckResult(
        purpose=purpose,
        as_of=as_of,
        category=category,
        reasons=tuple(reasons),
        measures=tuple(measures),
        entry_rule=entry_rule(purpose, tally.blacklisted, applied_grade, subject_is_enterprise),
        counted=tuple(tally.counted),
        ignored=tuple(selection.ignored),
        rows=rows,
        applied_rating=selection.applied,
        data_as_of=data_as_of,
    )


def _clean_statement(records: Sequence[CreditRecord], data_as_of: date) -> str:
    """The 无不良记录 result names the date of the data it rests on."""
    when = format_cn_date(data_as_of)
    if not records:
        return f"平台未收录该主体的信用记录，未发现不良信用记录（数据截至{when}最近一次导入）"
    return f"未发现有效的不良信用记录（数据截至{when}最近一次导入）"


def three_clean_years(records: Sequence[CreditRecord], as_of: date) -> bool:
    """六(一) "连续三年无不良信用记录", from the records' history.

    True when the subject's history on the platform reaches back three years (a record decided
    on or before ``as_of`` minus three years: a subject the platform has known for less, or not
    at all, has no three years to show) and no dishonesty record (黑名单, 违诺, 轻微失信, 行政处罚)
    was in its publicity window at any time in those three years, unless it has been repaired
    (a repaired record is no longer used, domain-rules §8.2).
    """
    start = add_months(as_of, -CLEAN_YEARS_MONTHS)
    known = [r for r in records if r.decided_on <= as_of]
    if not known or min(r.decided_on for r in known) > start:
        return False
    for record in known:
        if record.record_type not in WINDOWED:
            continue
        if record.repaired_on is not None and record.repaired_on <= as_of:
            continue
        stop = publicity_window(record).auto_stop
        if stop is None or stop > start:
            return False
    return True


@dataclass
class _Selection:
    """The records of one check sorted out: in effect or ignored, and the rating to apply."""

    in_effect: list[CreditRecord] = field(default_factory=list)
    ignored: list[tuple[CreditRecord, str]] = field(default_factory=list)
    grades: dict[int, str] = field(default_factory=dict)
    """Canonical grade of each rating in effect, by ``id(record)``."""
    applied: CreditRecord | None = None

    def grade_of(self, record: CreditRecord | None) -> str | None:
        return None if record is None else self.grades.get(id(record))


def _select(records: Sequence[CreditRecord], as_of: date) -> _Selection:
    """Sort the records by ``ignore_reason`` and pick the rating to apply (the latest; tie -> worse).

    :raises FieldError: records of several subjects, a rating without a known grade.
    """
    selection = _Selection()
    applied_key: tuple[date, int] | None = None
    subject_code = records[0].subject_code if records else None
    for record in records:
        if record.subject_code != subject_code:
            raise FieldError("subject_code", "信用核查的记录须属于同一信用主体")
        reason = ignore_reason(record, as_of)
        if reason is not None:
            selection.ignored.append((record, reason))
            continue
        selection.in_effect.append(record)
        if record.record_type is RecordType.RATING:
            grade = validate_grade(record.grade)
            selection.grades[id(record)] = grade
            key = (record.decided_on, GRADES.index(grade))  # later issue first; tie -> worse grade
            if applied_key is None or key > applied_key:
                selection.applied, applied_key = record, key
    return selection


@dataclass
class _Tally:
    """What the counted records say: certificate lines per row, reasons per category."""

    counted: list[CreditRecord] = field(default_factory=list)
    lines: dict[str, list[str]] = field(default_factory=lambda: {title: [] for title in ROW_TITLES})
    drivers: dict[Category, list[str]] = field(default_factory=lambda: {c: [] for c in Category})
    blacklisted: bool = False
    severe_unlisted_penalty: bool = False
    """A counted 严重 行政处罚 not listed on ground 13: the department is reminded of 七(一)13."""


def _tally(selection: _Selection) -> _Tally:
    """Count the records in effect; a rating other than the applied one joins ``selection.ignored``."""
    tally = _Tally()
    for record in selection.in_effect:
        kind = record.record_type
        if kind is RecordType.RATING and record is not selection.applied:
            selection.ignored.append((record, RATING_SUPERSEDED))
            continue
        tally.counted.append(record)
        parts = detail_parts(record, selection.grade_of(record))
        tally.lines[ROW_OF[kind]].append("；".join(parts))
        if _listed_penalty(record):
            # 七(一)13: the penalty is also the ground of a black-list entry.
            parts = listed_penalty_parts(record)
            tally.lines[BLACK_LIST_ROW].append("；".join(parts))
            tally.drivers[Category.PUNISHMENT].append(f"列入失信黑名单（{'；'.join(parts)}）")
            tally.blacklisted = True
            continue
        driver = _driver(record, parts, selection.grade_of(selection.applied))
        if driver is not None:
            category, reason = driver
            tally.drivers[category].append(reason)
        if kind is RecordType.PENALTY and severity_of(record) == "严重":
            tally.severe_unlisted_penalty = True
        # 七(二)3 for the entry rule: a black-list or breach record, not a CCC-or-worse rating.
        tally.blacklisted = tally.blacklisted or _TYPE_CATEGORY.get(kind) is Category.PUNISHMENT
    return tally


def _listed_penalty(record: CreditRecord) -> bool:
    """A 严重 行政处罚 whose record lists it on ground 13 of 七(一) (受到较重行政处罚)."""
    return (record.record_type is RecordType.PENALTY and record.ground == PENALTY_GROUND
            and severity_of(record) == "严重")


def _driver(
    record: CreditRecord, parts: list[str], applied_grade: str | None
) -> tuple[Category, str] | None:
    """The category a counted record supports and the Chinese reason, or None (许可)."""
    kind = record.record_type
    if kind is RecordType.RATING:
        assert applied_grade is not None
        # policy 二(四)1–3 by grade class.
        short = GRADE_MEANINGS[applied_grade][0]
        reason = f"信用等级评价为{applied_grade}级（{short}；{'；'.join(parts[1:])}）"
        return GRADE_CATEGORY[applied_grade], reason
    if kind in _TYPE_CATEGORY:
        return _TYPE_CATEGORY[kind], f"{_REASON_PREFIX[kind]}（{'；'.join(parts)}）"
    return None
