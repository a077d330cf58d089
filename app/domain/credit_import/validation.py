"""Validating one raw row into a ``CreditRecord`` (行校验): each column's rule, the rules between columns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Protocol, TypeVar

from app.domain.chars import fullwidth_to_ascii
from app.domain.credit_check.windows import check_rating_valid_until, check_repair_date, publicity_window
from app.domain.credit_import.cells import (
    RECORD_TYPE_NAMES_ZH,
    InvalidCell,
    detail,
    parse_date,
    parse_grade,
    parse_ground,
    parse_record_type,
    shown,
)
from app.domain.credit_import.columns import COLUMN_LABELS
from app.domain.credit_import.reading import RawRow
from app.domain.credit_import.report import RowError
from app.domain.credit_records import DEFAULT_SEVERITY, SEVERITIES, CreditRecord, RecordType
from app.domain.dates import format_cn_date
from app.domain.errors import FieldError
from app.domain.identifiers import (
    RESIDENT_ID_LABEL,
    USCC_LABEL,
    looks_like_resident_id,
    validate_resident_id,
    validate_uscc,
)
from app.domain.names import normalise_free_text, normalise_org_name, normalise_person_name
from app.domain.ratings import rating_valid_through

PENALTY_GROUND = 13
"""七(一)13 (受到较重行政处罚): the one ground a 严重 行政处罚 row may carry, listing the subject."""

DEPARTMENT_MAX_LEN = 100
DECISION_NUMBER_MAX_LEN = 100
SUMMARY_MAX_LEN = 500

DISHONESTY_TYPES = frozenset({RecordType.BLACK_LIST, RecordType.MINOR, RecordType.PENALTY, RecordType.BREACH})
"""Record types that can be repaired (信用修复, domain-rules §8): the others carry no 修复日期."""

BREACH_GROUND = 14
"""Policy 五(四)3 / 七(一)14: a breached commitment lists the subject on ground 14."""

_SEVERITY_REQUIRED = frozenset({RecordType.PENALTY})
"""A penalty's severity decides between 审慎 and a 七(一)13 ground: never assumed."""
_SEVERITY_OPTIONAL = frozenset({RecordType.BLACK_LIST, RecordType.BREACH, RecordType.MINOR})
"""Left empty: the type's default (domain-rules §8.1), e.g. 轻微 for a 轻微失信 record."""


T = TypeVar("T")


class _Fail(Protocol):
    def __call__(self, key: str, detail: str, label: str | None = None) -> None: ...


class _Row:
    """One row under validation: its cells and the errors found so far (reading problems first)."""

    def __init__(self, raw: RawRow) -> None:
        self.raw = raw
        self.errors = [RowError(raw.line, key, message) for key, message in raw.problems]

    def fail(self, key: str, detail: str, label: str | None = None) -> None:
        """Record a problem of column ``key``: "label：detail" (the column's label by default)."""
        self.errors.append(RowError(self.raw.line, key, f"{label or COLUMN_LABELS[key]}：{detail}"))

    def cell(self, key: str) -> str:
        """The cell's text, stripped ("" for a missing column)."""
        return self.raw.values.get(key, "").strip()

    def quoted(self, key: str) -> str:
        """The cell quoted for a message (``cells.shown``)."""
        return shown(self.cell(key))

    def parse(self, key: str, parser: Callable[[str], T]) -> T | None:
        """The parsed cell, or None when it is empty or invalid (then the problem is recorded)."""
        value = self.cell(key)
        if not value:
            return None
        try:
            return parser(value)
        except InvalidCell as problem:
            self.fail(key, problem.message)
            return None


class RowValidator:
    """Validates rows one by one and remembers natural keys to report duplicates in the file."""

    def __init__(self, today: date, unit: str) -> None:
        self.today = today
        self.unit = unit
        self.seen_keys: dict[tuple[str, str, str], int] = {}

    def validate(self, raw: RawRow) -> tuple[CreditRecord | None, list[RowError]]:
        """The record, or None and every problem of the row."""
        row = _Row(raw)
        kind = self._record_type(row)
        code, is_person = self._subject_code(row.cell("subject_code"), row.fail)
        name = self._subject_name(raw.values.get("subject_name", ""), is_person, row.fail)
        department = self._free_text(row, "source_department", DEPARTMENT_MAX_LEN, required=True)
        number = self._free_text(row, "decision_number", DECISION_NUMBER_MAX_LEN, required=True)
        summary = self._free_text(row, "summary", SUMMARY_MAX_LEN, required=False)
        decided_on = self._decided_on(row)
        valid_until = self._valid_until(row, decided_on)
        repaired_on = self._repaired_on(row, kind, decided_on)
        grade = ground = severity = None
        if kind is not None:
            grade, ground, severity, valid_until = self._typed_fields(
                row, kind, decided_on, valid_until, repaired_on)
        if kind is not None and code is not None and number is not None:
            self._check_duplicate(row, (kind.value, code, number))
        if row.errors:
            return None, row.errors
        assert kind is not None and code is not None and name is not None and decided_on is not None
        assert department is not None and number is not None
        return CreditRecord(
            record_type=kind,
            subject_code=code,
            subject_name=name,
            source_department=department,
            decision_number=number,
            decided_on=decided_on,
            valid_until=valid_until,
            grade=grade,
            ground=ground,
            severity=severity,
            repaired_on=repaired_on,
            summary=summary or "",
            extra=dict(raw.extra),
        ), []

    def _typed_fields(self, row: _Row, kind: RecordType, decided_on: date | None,
                      valid_until: date | None, repaired_on: date | None
                      ) -> tuple[str | None, int | None, str | None, date | None]:
        """Grade, ground, severity and the rules on dates that depend on the type: the rating's
        year (三(五)), the publicity window's maximum and the repair's minimum (domain-rules §8)."""
        grade = self._grade(kind, row.cell("grade"), row.fail)
        ground = self._ground(kind, row.cell("ground"), row.fail)
        severity = self._severity(kind, row.cell("severity"), row.fail)
        if kind is RecordType.PENALTY and ground is not None and severity != "严重":
            row.fail("ground", f"只有严重程度为“严重”的行政处罚可以填写{PENALTY_GROUND}"
                               f"（七(一)13：受到较重行政处罚），当前严重程度为“{severity or ''}”")
        if kind is RecordType.RATING and decided_on is not None:
            if valid_until is None:
                valid_until = rating_valid_through(decided_on)  # policy 三(五): valid one year
            elif valid_until >= decided_on:
                valid_until = self._rating_year(row, decided_on, valid_until)
        if decided_on is not None and severity is not None and not row.errors:
            draft = CreditRecord(record_type=kind, subject_code="", subject_name="",
                                 source_department="", decision_number="", decided_on=decided_on,
                                 severity=severity)
            self._publicity_end(row, draft, valid_until)
            if repaired_on is not None:
                self._repair_date(row, draft, repaired_on)
        return grade, ground, severity, valid_until

    @staticmethod
    def _rating_year(row: _Row, decided_on: date, valid_until: date) -> date | None:
        """三(五): a rating is valid one year; a later 有效期至 is refused."""
        try:
            return check_rating_valid_until(decided_on, valid_until)
        except FieldError as error:
            row.fail("valid_until", error.message)
            return None

    @staticmethod
    def _publicity_end(row: _Row, draft: CreditRecord, valid_until: date | None) -> None:
        """An explicit 有效期至 may end the publicity earlier, never after the maximum (§8.1)."""
        if valid_until is None:
            return
        stop = publicity_window(draft).auto_stop
        if stop is not None and valid_until >= stop:
            last = stop - timedelta(days=1)
            row.fail("valid_until", f"{row.quoted('valid_until')}晚于最长公示期的最后一天"
                                    f"（{format_cn_date(last)}，失信程度“{draft.severity}”）：有效期至"
                                    "只能缩短、不能延长公示期限")

    @staticmethod
    def _repair_date(row: _Row, draft: CreditRecord, repaired_on: date) -> None:
        """Repair only after the minimum publicity period (domain-rules §8.2)."""
        try:
            check_repair_date(draft, repaired_on)
        except FieldError as error:
            row.fail("repaired_on", error.message)

    @staticmethod
    def _record_type(row: _Row) -> RecordType | None:
        if not row.cell("record_type"):
            row.fail("record_type", "不能为空")
            return None
        return row.parse("record_type", parse_record_type)

    def _decided_on(self, row: _Row) -> date | None:
        """决定日期: required, not later than today."""
        decided_on = row.parse("decided_on", parse_date)
        if not row.cell("decided_on"):
            row.fail("decided_on", "不能为空")
        elif decided_on is not None and decided_on > self.today:
            row.fail("decided_on", f"{row.quoted('decided_on')}晚于今天（{format_cn_date(self.today)}）")
            return None
        return decided_on

    @staticmethod
    def _valid_until(row: _Row, decided_on: date | None) -> date | None:
        """有效期至: optional, not before the decision date."""
        valid_until = row.parse("valid_until", parse_date)
        if valid_until is not None and decided_on is not None and valid_until < decided_on:
            row.fail("valid_until", f"{row.quoted('valid_until')}早于决定日期{row.quoted('decided_on')}")
        return valid_until

    def _repaired_on(self, row: _Row, kind: RecordType | None, decided_on: date | None) -> date | None:
        """信用修复日期: only for dishonesty records, between the decision date and today."""
        repaired_on = row.parse("repaired_on", parse_date)
        if repaired_on is None:
            return None
        if kind is not None and kind not in DISHONESTY_TYPES:
            row.fail("repaired_on", f"只有失信类记录可以填写，{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
        elif repaired_on > self.today:
            row.fail("repaired_on", f"{row.quoted('repaired_on')}晚于今天（{format_cn_date(self.today)}）")
        elif decided_on is not None and repaired_on < decided_on:
            row.fail("repaired_on", f"{row.quoted('repaired_on')}早于决定日期{row.quoted('decided_on')}")
        return repaired_on

    def _check_duplicate(self, row: _Row, key: tuple[str, str, str]) -> None:
        """The natural key may appear once per file."""
        earlier = self.seen_keys.setdefault(key, row.raw.line)
        if earlier != row.raw.line:
            row.fail(
                "decision_number",
                f"与第{earlier}{self.unit}重复（记录类型、主体代码和决定书文号均相同）",
            )

    def _subject_code(self, value: str, fail: _Fail) -> tuple[str | None, bool]:
        """Validate the code as a resident ID or a USCC, chosen by its shape (``looks_like_resident_id``)."""
        if not value:
            fail("subject_code", "不能为空，应填写统一社会信用代码或身份证号码")
            return None, False
        is_person = looks_like_resident_id(value, self.today)
        label = RESIDENT_ID_LABEL if is_person else USCC_LABEL
        try:
            if is_person:
                return validate_resident_id(value, self.today), True
            return validate_uscc(value), False
        except FieldError as error:
            fail("subject_code", detail(error, label), label)
            return None, is_person

    @staticmethod
    def _subject_name(value: str, is_person: bool, fail: _Fail) -> str | None:
        label = COLUMN_LABELS["subject_name"]
        if not value.strip():
            fail("subject_name", "不能为空")
            return None
        normalise = normalise_person_name if is_person else normalise_org_name
        try:
            return normalise(value, "subject_name", label)
        except FieldError as error:
            fail("subject_name", detail(error, label))
            return None

    @staticmethod
    def _free_text(row: _Row, key: str, max_len: int, *, required: bool) -> str | None:
        value = row.raw.values.get(key, "")
        label = COLUMN_LABELS[key]
        if not value.strip():
            if required:
                row.fail(key, "不能为空")
            return None
        try:
            return normalise_free_text(value, key, label, max_len)
        except FieldError as error:
            row.fail(key, detail(error, label))
            return None

    @staticmethod
    def _grade(kind: RecordType, value: str, fail: _Fail) -> str | None:
        if kind is not RecordType.RATING:
            if value:
                fail("grade", f"只有信用评价记录可以填写，{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            return None
        if not value:
            fail("grade", "信用评价记录必须填写（AAA至C）")
            return None
        try:
            return parse_grade(value)
        except InvalidCell as problem:
            fail("grade", problem.message)
            return None

    @staticmethod
    def _ground(kind: RecordType, value: str, fail: _Fail) -> int | None:
        if kind is RecordType.BREACH:
            # policy 五(四)3: a breached commitment is a black-list entry on ground 14.
            if value and fullwidth_to_ascii(value).strip() != str(BREACH_GROUND):
                fail("ground", f"违诺记录的失信情形固定为{BREACH_GROUND}（可不填），当前为{shown(value)}")
                return None
            return BREACH_GROUND
        if kind is RecordType.PENALTY and value:
            if fullwidth_to_ascii(value).strip() != str(PENALTY_GROUND):
                fail("ground", f"行政处罚记录只能填写{PENALTY_GROUND}（七(一)13：受到较重行政处罚，"
                               f"列入失信黑名单），当前为{shown(value)}")
                return None
            return PENALTY_GROUND
        if kind is not RecordType.BLACK_LIST:
            if value:
                fail("ground", f"只有失信黑名单、违诺和严重行政处罚记录可以填写，"
                               f"{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            return None
        if not value:
            fail("ground", "失信黑名单记录必须填写1–14之间的整数（政策七(一)）")
            return None
        try:
            return parse_ground(value)
        except InvalidCell as problem:
            fail("ground", problem.message)
            return None

    @staticmethod
    def _severity(kind: RecordType, value: str, fail: _Fail) -> str | None:
        text = value.strip()
        if kind not in _SEVERITY_REQUIRED | _SEVERITY_OPTIONAL:
            if text:
                fail("severity", f"{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            return None
        if not text:
            if kind in _SEVERITY_REQUIRED:
                fail("severity", f"{RECORD_TYPE_NAMES_ZH[kind]}记录必须填写（{'、'.join(SEVERITIES)}）")
                return None
            return DEFAULT_SEVERITY[kind]  # domain-rules §8.1: every record has a severity
        if text not in SEVERITIES:
            fail("severity", f"应为{'、'.join(SEVERITIES)}之一，当前为{shown(value)}")
            return None
        if kind is RecordType.MINOR and text == "严重":
            fail("severity", "轻微失信记录不能为“严重”：严重失信行为应作为失信黑名单导入")
            return None
        return text
