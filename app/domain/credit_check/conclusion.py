"""The check itself (信用核查结论, policy 二(四), 三(二)): the applied rating, the category, its reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from app.domain.credit_check.categories import Category, Purpose
from app.domain.credit_check.counting import RATING_SUPERSEDED, ignore_reason
from app.domain.credit_check.entry import EntryRule, entry_rule
from app.domain.credit_check.grades import GRADE_CATEGORY, GRADE_MEANINGS, validate_grade
from app.domain.credit_check.measures import Measure, measures_for
from app.domain.credit_check.rows import NOT_FOUND, ROW_OF, ROW_TITLES, ListRow, detail_parts
from app.domain.credit_records import GRADES, CreditRecord, RecordType
from app.domain.errors import FieldError

# policy 二(四)3 and 五(四)3: black list or breach -> 惩戒; 二(四)2: minor -> 审慎; 二(四)1: red -> 激励.
_TYPE_CATEGORY = {
    RecordType.BLACK_LIST: Category.PUNISHMENT,
    RecordType.BREACH: Category.PUNISHMENT,
    RecordType.MINOR: Category.CAUTION,
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


_REASON_PREFIX = {
    RecordType.BLACK_LIST: "列入失信黑名单",
    RecordType.BREACH: "列入失信黑名单",  # the detail starts with 违反信用承诺（第14项…）
    RecordType.RED_LIST: "列入守信红名单",
    RecordType.MINOR: "有轻微失信记录",
}


def check_credit(
    records: Sequence[CreditRecord],
    purpose: Purpose,
    as_of: date,
    *,
    subject_is_enterprise: bool = True,
) -> CheckResult:
    """信用核查 of one subject for one matter on one day (policy 二(四), 三(二)).

    Which records count: see ``record_counts``. Among several valid ratings the one issued last
    is applied (a newer report supersedes an older one; same issue date -> the worse grade, so
    the check never overstates trust); the others are ignored as "已被较新的评价取代".

    Category (the most severe applicable one wins, ``Category.rank``):

    - 惩戒: a counted 失信黑名单 or 违诺 record, or the applied rating is CCC, CC or C (二(四)3);
    - 审慎: a counted 轻微失信记录, or the applied rating is BBB, BB or B (二(四)2);
    - 激励: a counted 守信红名单, or the applied rating is AAA, AA or A (二(四)1);
    - 无不良记录: none of these. 行政处罚 and 行政许可 never change the category; they are shown
      in ``rows`` as information.

    Entry rule (招标投标, 政府采购 only, 三(二)): fails when blacklisted, or when the applied
    rating is below BBB. An enterprise without a valid rating fails ("未提供有效期内的信用等级
    评价报告（三(二)）"). Per 三(二) "本文件所称企业，暂不包含个体工商户", a non-enterprise
    (``subject_is_enterprise=False``: 个体工商户, natural persons, and other non-enterprise
    subjects) need not provide a rating: it passes unless blacklisted — but a valid rating it
    does have is still applied, so a non-enterprise rated below BBB fails.

    :param records: every record of the subject, any order; all must share one ``subject_code``.
    :param purpose: the matter the check is made for.
    :param as_of: the check date.
    :param subject_is_enterprise: False for 个体工商户, natural persons and other non-enterprises.
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
    return CheckResult(
        purpose=purpose,
        as_of=as_of,
        category=category,
        reasons=tuple(tally.drivers[category]),
        measures=measures_for(category, purpose),
        entry_rule=entry_rule(purpose, tally.blacklisted, applied_grade, subject_is_enterprise),
        counted=tuple(tally.counted),
        ignored=tuple(selection.ignored),
        rows=rows,
        applied_rating=selection.applied,
    )


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
        driver = _driver(record, parts, selection.grade_of(selection.applied))
        if driver is not None:
            category, reason = driver
            tally.drivers[category].append(reason)
        # 七(二)3 for the entry rule: a black-list or breach record, not a CCC-or-worse rating.
        tally.blacklisted = tally.blacklisted or _TYPE_CATEGORY.get(kind) is Category.PUNISHMENT
    return tally


def _driver(
    record: CreditRecord, parts: list[str], applied_grade: str | None
) -> tuple[Category, str] | None:
    """The category a counted record supports and the Chinese reason, or None (处罚, 许可)."""
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
