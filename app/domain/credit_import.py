"""Import of credit records exported by the provincial platform (信用记录导入): CSV or JSON, row by row."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from app.domain.bounded_json import InvalidJson, loads_bounded
from app.domain.chars import code_point, fullwidth_to_ascii, is_visible
from app.domain.credit_records import BLACKLIST_GROUNDS, GRADES, SEVERITIES, CreditRecord, RecordType
from app.domain.dates import format_cn_date
from app.domain.errors import DomainError, FieldError
from app.domain.identifiers import (
    RESIDENT_ID_LABEL,
    USCC_LABEL,
    looks_like_resident_id,
    validate_resident_id,
    validate_uscc,
)
from app.domain.names import normalise_free_text, normalise_org_name, normalise_person_name
from app.domain.ratings import rating_valid_through

MAX_ROWS = 100_000
"""Largest number of data rows (CSV) or objects (JSON) accepted in one file."""

DEPARTMENT_MAX_LEN = 100
DECISION_NUMBER_MAX_LEN = 100
SUMMARY_MAX_LEN = 500


@dataclass(frozen=True)
class ImportColumn:
    """One column of the platform export (CSV header or JSON key)."""

    key: str
    """English key, as in ``CreditRecord`` (``record_type``)."""
    label: str
    """Chinese label used in headers and error messages (记录类型)."""
    aliases: tuple[str, ...]
    """Other accepted header names (Chinese variants); matching ignores case, spaces and a "*" marker."""
    required: bool
    """The column must be present in the file (its cells may still be empty for some record types)."""


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("record_type", "记录类型", ("信用记录类型",), True),
    ImportColumn(
        "subject_code",
        "主体代码",
        ("统一社会信用代码", "身份证号码", "统一社会信用代码/身份证号码", "信用主体代码", "证件号码"),
        True,
    ),
    ImportColumn("subject_name", "主体名称", ("信用主体名称", "名称", "姓名", "相对人名称"), True),
    ImportColumn("source_department", "认定部门", ("决定部门", "来源部门", "评价机构"), True),
    ImportColumn("decision_number", "决定书文号", ("文号", "决定文书号", "报告编号"), True),
    ImportColumn("decided_on", "决定日期", ("认定日期", "评价日期"), True),
    ImportColumn("valid_until", "有效期至", ("有效截止日期", "截止日期"), False),
    ImportColumn("grade", "信用等级", ("评价等级",), False),
    ImportColumn("ground", "失信情形编号", ("失信情形", "列入情形"), False),
    ImportColumn("severity", "失信程度", ("严重程度",), False),
    ImportColumn("repaired_on", "信用修复日期", ("修复日期",), False),
    ImportColumn("summary", "摘要", ("内容摘要", "事由"), False),
)
"""The columns of the export, in export order; ``record_type`` and ``记录类型`` headers both work."""

COLUMN_LABELS: dict[str, str] = {column.key: column.label for column in IMPORT_COLUMNS}
REQUIRED_COLUMNS: tuple[str, ...] = tuple(column.key for column in IMPORT_COLUMNS if column.required)

RECORD_TYPE_NAMES_ZH: dict[RecordType, str] = {
    RecordType.RED_LIST: "守信红名单",
    RecordType.BLACK_LIST: "失信黑名单",
    RecordType.MINOR: "轻微失信",
    RecordType.LICENSE: "行政许可",
    RecordType.PENALTY: "行政处罚",
    RecordType.RATING: "信用评价",
    RecordType.BREACH: "违诺",
}
"""Chinese names accepted in the ``record_type`` column besides the English values."""

_RECORD_TYPE_ALIASES: dict[str, RecordType] = {
    **{kind.value: kind for kind in RecordType},
    **{name: kind for kind, name in RECORD_TYPE_NAMES_ZH.items()},
    "轻微失信记录": RecordType.MINOR,
    "信用等级评价": RecordType.RATING,
    "违反信用承诺": RecordType.BREACH,
}

DISHONESTY_TYPES = frozenset({RecordType.BLACK_LIST, RecordType.MINOR, RecordType.PENALTY, RecordType.BREACH})
"""Record types that can be repaired (信用修复, domain-rules §8): the others carry no 修复日期."""

BREACH_GROUND = 14
"""Policy 五(四)3 / 七(一)14: a breached commitment lists the subject on ground 14."""

_SEVERITY_REQUIRED = frozenset({RecordType.PENALTY, RecordType.MINOR})
_SEVERITY_OPTIONAL = frozenset({RecordType.BLACK_LIST, RecordType.BREACH})

_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
)
_DATE_FORMATS_ZH = "YYYY-MM-DD、YYYY/M/D或YYYY年M月D日"

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "Excel工作簿（.xlsx）或ZIP压缩包，请在Excel中另存为“CSV UTF-8”后再导入"),
    (b"\xd0\xcf\x11\xe0", "Excel 97–2003工作簿（.xls），请另存为“CSV UTF-8”后再导入"),
    (b"%PDF", "PDF文件"),
)


class ImportFileError(DomainError):
    """The file as a whole cannot be imported (文件级错误): not CSV/JSON, empty, too large, no header…

    ``message`` is the Chinese text naming the problem.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __repr__(self) -> str:
        return f"ImportFileError({self.message!r})"


@dataclass(frozen=True)
class RowError:
    """One problem in one row (行级错误)."""

    line: int
    """CSV: 1-based physical line including the header (first data row = 2); JSON: 1-based array index."""
    field: str
    """English column key (``subject_code``), or ``"row"`` for a problem of the row as a whole."""
    message: str
    """Chinese message starting with the column's label: "失信情形编号：应为1–14之间的整数，当前为“15”"."""


@dataclass(frozen=True)
class ImportReport:
    """Result of ``parse_credit_records``: the valid records and every problem of the other rows."""

    records: tuple[CreditRecord, ...]
    errors: tuple[RowError, ...]
    """Sorted by line, then column order."""
    total_rows: int
    """Data rows read (CSV: blank lines and the header not counted; JSON: array length)."""
    source_format: str = "csv"
    """``"csv"`` or ``"json"``: lines are 行 in a CSV and 条 (array items) in a JSON file."""

    @property
    def rejected_rows(self) -> int:
        """Number of rows with at least one error (none of them is in ``records``)."""
        return len({error.line for error in self.errors})

    def lines_zh(self) -> list[str]:
        """Chinese report: one line per error ("第3行 统一社会信用代码：校验码错误…"), then a summary."""
        unit = _unit(self.source_format)
        lines = [f"第{error.line}{unit} {error.message}" for error in self.errors]
        noun = "行数据" if unit == "行" else "条记录"
        if not self.errors:
            lines.append(f"共{self.total_rows}{noun}，全部通过校验，可导入{len(self.records)}条记录")
        else:
            lines.append(
                f"共{self.total_rows}{noun}，可导入{len(self.records)}条记录，"
                f"{self.rejected_rows}{unit}有错误（共{len(self.errors)}处），请修改后重新导入这些{unit}"
            )
        return lines


def natural_key(record: CreditRecord) -> tuple[str, str, str]:
    """Return the natural key ``(record_type value, subject_code, decision_number)``.

    Importing the same row twice yields the same key, so a store can upsert on it.
    """
    return (record.record_type.value, record.subject_code, record.decision_number)


def parse_credit_records(
    data: bytes,
    *,
    filename: str = "",
    today: date,
) -> ImportReport:
    """Parse and validate a platform export, row by row.

    Every problem of every row is reported; the valid rows are returned; one bad row never
    blocks the others. A row with an error is not imported at all.

    :param data: the file's bytes: UTF-8 (with or without BOM), or GB18030/GBK when the bytes
        are not valid UTF-8.
    :param filename: the uploaded name; ``.json`` / ``.csv`` decide the format, otherwise the
        content does (a first character ``[`` or ``{`` means JSON).
    :param today: the import date: 决定日期 and 信用修复日期 may not be later.
    :returns: the report (records in file order, errors sorted by line).
    :raises ImportFileError: empty file, binary file (Excel, PDF…), undecodable text, malformed
        JSON, a JSON that is not a list of objects, missing or repeated required columns,
        no data rows, more than ``MAX_ROWS`` rows.
    """
    text = _decode(data)
    fmt = _detect_format(text, filename)
    rows = list(_json_rows(text) if fmt == "json" else _csv_rows(text))
    if not rows:
        raise ImportFileError("文件中没有数据：只有表头或空行" if fmt == "csv" else "JSON中没有记录")
    _check_row_count(len(rows))
    validator = _RowValidator(today, _unit(fmt))
    records: list[CreditRecord] = []
    errors: list[RowError] = []
    for raw in rows:
        record, row_errors = validator.validate(raw)
        errors.extend(row_errors)
        if record is not None:
            records.append(record)
    order = {column.key: index for index, column in enumerate(IMPORT_COLUMNS)}
    errors.sort(key=lambda e: (e.line, order.get(e.field, -1)))
    return ImportReport(tuple(records), tuple(errors), len(rows), fmt)


# --- reading -----------------------------------------------------------------------


@dataclass
class _RawRow:
    """One row before validation: cell texts by column key, other columns, reading problems."""

    line: int
    values: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(field, message) found while reading, such as a row longer than the header."""


def _check_row_count(count: int) -> None:
    if count > MAX_ROWS:
        raise ImportFileError(f"文件有{count}行数据，超过{MAX_ROWS}行的上限，请拆分为多个文件后分别导入")


def _check_row_count(count: int) -> None:
    if count > MAX_ROWS:
        raise ImportFileError(f"文件有{count}行数据，超过{MAX_ROWS}行的上限，请拆分为多个文件后分别导入")


def _unit(fmt: str) -> str:
    return "条" if fmt == "json" else "行"


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ImportFileError("文件为空")
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ImportFileError(f"文件不是CSV或JSON：看起来是{kind}")
    if b"\x00" in data[:4096]:
        raise ImportFileError("文件不是CSV或JSON文本（含二进制内容，或为UTF-16编码），请另存为UTF-8编码的CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Government exports from Excel on Chinese Windows are GBK, a subset of GB18030.
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportFileError("无法识别文件编码：应为UTF-8或GB18030（GBK）编码的文本") from None
    return text.lstrip("\ufeff")


def _detect_format(text: str, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("json", "csv"):
        return suffix
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def _header_key(name: str) -> str:
    """Normalise a header for matching: NFC, ASCII forms, no spaces, no "*" marker, lower case."""
    text = fullwidth_to_ascii(unicodedata.normalize("NFC", name))
    text = "".join(c for c in text if is_visible(c) and not c.isspace())
    for marker in ("(必填)", "（必填）"):
        text = text.removesuffix(marker)
    return text.strip("*").lower()


@functools.lru_cache(maxsize=1024)
def _column_key(name: str) -> str | None:
    """The column key for a header or JSON key, or None for a column the import does not know."""
    return _HEADER_INDEX.get(_header_key(name))


_HEADER_INDEX: dict[str, str] = {
    _header_key(name): column.key
    for column in IMPORT_COLUMNS
    for name in (column.key, column.label, *column.aliases)
}


def _column_list_zh(keys: list[str] | tuple[str, ...]) -> str:
    return "、".join(f"{COLUMN_LABELS[key]}（{key}）" for key in keys)


def _check_columns(keys: set[str]) -> None:
    if not keys:
        raise ImportFileError(
            "未找到表头：第一行应为列名，如“记录类型（record_type）”、“主体代码（subject_code）”……"
        )
    missing = [key for key in REQUIRED_COLUMNS if key not in keys]
    if missing:
        raise ImportFileError(f"缺少必需的列：{_column_list_zh(missing)}")


def _csv_rows(text: str) -> Iterator[_RawRow]:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header: list[str] = []
        for cells in reader:
            if any(cell.strip() for cell in cells):
                header = cells
                break
        if not header:
            raise ImportFileError("文件为空")
        columns: list[str | None] = []  # key for known columns, None for an unnamed column
        names: list[str] = []
        seen: dict[str, int] = {}
        for position, name in enumerate(header, start=1):
            key = _column_key(name)
            shown = name.strip()
            if key is not None:
                if key in seen:
                    raise ImportFileError(
                        f"表头第{seen[key]}列和第{position}列都是“{COLUMN_LABELS[key]}”（{key}），请删除其中一列"
                    )
                seen[key] = position
            columns.append(key)
            names.append(shown)
        _check_columns(set(seen))
        width = len(header)
        while True:
            start = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            if not any(cell.strip() for cell in cells):
                continue
            raw = _RawRow(line=start, values={})
            for index, cell in enumerate(cells[:width]):
                key = columns[index]
                if key is not None:
                    raw.values[key] = cell
                elif names[index] and cell.strip():
                    raw.extra[names[index]] = cell.strip()
            surplus = [cell for cell in cells[width:] if cell.strip()]
            if surplus:
                raw.problems.append(
                    (
                        "row",
                        f"列数：本行有{len(cells)}列，多于表头的{width}列"
                        "（内容中含英文逗号时请用英文双引号把该项括起来）",
                    )
                )
            yield raw
    except csv.Error as error:
        raise ImportFileError(f"CSV格式错误（第{reader.line_num}行）：{error}") from None


def _json_rows(text: str) -> Iterator[_RawRow]:
    try:
        document = loads_bounded(text)  # depth 1,000 was a RecursionError (issue 10 §4)
    except InvalidJson as error:
        raise ImportFileError(f"{error.message}，{error.detail}" if error.detail
                              else error.message) from None
    if isinstance(document, dict) and isinstance(document.get("records"), list):
        items = document["records"]
    elif isinstance(document, list):
        items = document
    else:
        raise ImportFileError("JSON应为记录对象的数组，或包含“records”数组的对象")
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(f"JSON数组第{index}项不是对象：每条记录应为一个{{…}}对象")
    if not items:
        raise ImportFileError("JSON中没有记录")
    _check_row_count(len(items))  # before the per-item work below
    _check_row_count(len(items))  # before the per-item work below
    keys = {_column_key(name) for item in items for name in item}
    _check_columns({key for key in keys if key is not None})
    return _json_raw_rows(items)


def _json_raw_rows(items: list[dict[str, object]]) -> Iterator[_RawRow]:
    for index, item in enumerate(items, start=1):
        raw = _RawRow(line=index, values={})
        first_name: dict[str, str] = {}
        for name, value in item.items():
            key = _column_key(name)
            if key is None:
                raw.extra[name] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                continue
            if key in first_name:
                raw.problems.append(
                    (key, f"{COLUMN_LABELS[key]}：同时出现“{first_name[key]}”和“{name}”两个键，只能保留一个")
                )
                continue
            first_name[key] = name
            if value is None:
                raw.values[key] = ""
            elif isinstance(value, str):
                raw.values[key] = value
            elif isinstance(value, int | float) and not isinstance(value, bool):
                raw.values[key] = str(value)
            else:
                raw.problems.append((key, f"{COLUMN_LABELS[key]}：应为文本或数字，当前为{_json_kind(value)}"))
        yield raw


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "对象"
    return type(value).__name__


# --- validation --------------------------------------------------------------------


class _Invalid(Exception):
    """A cell's problem; ``message`` is the detail after "label：" ."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _shown(value: str, limit: int = 30) -> str:
    """Quote a user value for a message: invisible characters as code points, long values cut."""
    text = "".join(c if is_visible(c) else f"({code_point(c)})" for c in value.strip())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def _detail(error: FieldError, label: str) -> str:
    """A shared validator's message without its leading label ("…代码校验码错误" -> "校验码错误")."""
    message = error.message
    if message.startswith(label):
        message = message[len(label) :].removeprefix("中的").removeprefix("为").lstrip("：: ")
    return message


def _parse_date(value: str) -> date:
    text = fullwidth_to_ascii(value).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                raise _Invalid(f"{_shown(value)}不是有效日期") from None
    raise _Invalid(f"格式应为{_DATE_FORMATS_ZH}，当前为{_shown(value)}")


def _parse_record_type(value: str) -> RecordType:
    text = fullwidth_to_ascii(value).strip()
    kind = _RECORD_TYPE_ALIASES.get(text.lower()) or _RECORD_TYPE_ALIASES.get(text)
    if kind is None:
        accepted = "、".join(f"{k.value}（{name}）" for k, name in RECORD_TYPE_NAMES_ZH.items())
        raise _Invalid(f"无法识别{_shown(value)}，应为{accepted}之一")
    return kind


def _parse_grade(value: str) -> str:
    text = fullwidth_to_ascii(value).strip().upper().replace("\u2212", "-").replace("\u2013", "-")
    if text in GRADES:
        return text
    if text.rstrip("+-") in GRADES and text != text.rstrip("+-"):
        raise _Invalid(f"不接受“+”“-”修饰符（三等九级），当前为{_shown(value)}")
    if text.rstrip("+-").strip("D") == "":
        raise _Invalid(f"不接受D级（本市采用三等九级：AAA至C），当前为{_shown(value)}")
    raise _Invalid(f"应为{'、'.join(GRADES)}之一，当前为{_shown(value)}")


def _parse_ground(value: str) -> int:
    text = fullwidth_to_ascii(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) not in BLACKLIST_GROUNDS:
        raise _Invalid(f"应为1–14之间的整数（政策七(一)），当前为{_shown(value)}")
    return int(text)


T = TypeVar("T")


class _Fail(Protocol):
    def __call__(self, key: str, detail: str, label: str | None = None) -> None: ...


class _RowValidator:
    """Validates rows one by one and remembers natural keys to report duplicates in the file."""

    def __init__(self, today: date, unit: str) -> None:
        self.today = today
        self.unit = unit
        self.seen_keys: dict[tuple[str, str, str], int] = {}

    def validate(self, raw: _RawRow) -> tuple[CreditRecord | None, list[RowError]]:
        errors = [RowError(raw.line, f, message) for f, message in raw.problems]

        def fail(key: str, detail: str, label: str | None = None) -> None:
            errors.append(RowError(raw.line, key, f"{label or COLUMN_LABELS[key]}：{detail}"))

        def cell(key: str) -> str:
            return raw.values.get(key, "").strip()

        def parse(key: str, parser: Callable[[str], T]) -> T | None:
            value = cell(key)
            if not value:
                return None
            try:
                return parser(value)
            except _Invalid as problem:
                fail(key, problem.message)
                return None

        kind = None
        if not cell("record_type"):
            fail("record_type", "不能为空")
        else:
            kind = parse("record_type", _parse_record_type)

        code, is_person = self._subject_code(cell("subject_code"), fail)
        name = self._subject_name(raw.values.get("subject_name", ""), is_person, fail)
        department = self._free_text(raw.values, "source_department", DEPARTMENT_MAX_LEN, fail, required=True)
        number = self._free_text(raw.values, "decision_number", DECISION_NUMBER_MAX_LEN, fail, required=True)
        summary = self._free_text(raw.values, "summary", SUMMARY_MAX_LEN, fail, required=False)

        decided_on = parse("decided_on", _parse_date)
        if not cell("decided_on"):
            fail("decided_on", "不能为空")
        elif decided_on is not None and decided_on > self.today:
            fail("decided_on", f"{_shown(cell('decided_on'))}晚于今天（{format_cn_date(self.today)}）")
            decided_on = None
        valid_until = parse("valid_until", _parse_date)
        if valid_until is not None and decided_on is not None and valid_until < decided_on:
            fail("valid_until", f"{_shown(cell('valid_until'))}早于决定日期{_shown(cell('decided_on'))}")
        repaired_on = parse("repaired_on", _parse_date)
        if repaired_on is not None:
            if kind is not None and kind not in DISHONESTY_TYPES:
                fail("repaired_on", f"只有失信类记录可以填写，{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            elif repaired_on > self.today:
                fail("repaired_on", f"{_shown(cell('repaired_on'))}晚于今天（{format_cn_date(self.today)}）")
            elif decided_on is not None and repaired_on < decided_on:
                fail("repaired_on", f"{_shown(cell('repaired_on'))}早于决定日期{_shown(cell('decided_on'))}")

        grade = ground = severity = None
        if kind is not None:
            grade = self._grade(kind, cell("grade"), fail)
            ground = self._ground(kind, cell("ground"), fail)
            severity = self._severity(kind, cell("severity"), fail)
            if kind is RecordType.RATING and valid_until is None and decided_on is not None:
                valid_until = rating_valid_through(decided_on)  # policy 三(五): valid one year

        if kind is not None and code is not None and number is not None:
            key = (kind.value, code, number)
            earlier = self.seen_keys.setdefault(key, raw.line)
            if earlier != raw.line:
                fail(
                    "decision_number",
                    f"与第{earlier}{self.unit}重复（记录类型、主体代码和决定书文号均相同）",
                )

        if errors:
            return None, errors
        assert kind is not None and code is not None and name is not None and decided_on is not None
        assert department is not None and number is not None
        record = CreditRecord(
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
        )
        return record, []

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
            fail("subject_code", _detail(error, label), label)
            return None, is_person

    def _subject_name(self, value: str, is_person: bool, fail: _Fail) -> str | None:
        label = COLUMN_LABELS["subject_name"]
        if not value.strip():
            fail("subject_name", "不能为空")
            return None
        normalise = normalise_person_name if is_person else normalise_org_name
        try:
            return normalise(value, "subject_name", label)
        except FieldError as error:
            fail("subject_name", _detail(error, label))
            return None

    def _free_text(
        self, values: Mapping[str, str], key: str, max_len: int, fail: _Fail, *, required: bool
    ) -> str | None:
        value = values.get(key, "")
        label = COLUMN_LABELS[key]
        if not value.strip():
            if required:
                fail(key, "不能为空")
            return None
        try:
            return normalise_free_text(value, key, label, max_len)
        except FieldError as error:
            fail(key, _detail(error, label))
            return None

    def _grade(self, kind: RecordType, value: str, fail: _Fail) -> str | None:
        if kind is not RecordType.RATING:
            if value:
                fail("grade", f"只有信用评价记录可以填写，{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            return None
        if not value:
            fail("grade", "信用评价记录必须填写（AAA至C）")
            return None
        try:
            return _parse_grade(value)
        except _Invalid as problem:
            fail("grade", problem.message)
            return None

    def _ground(self, kind: RecordType, value: str, fail: _Fail) -> int | None:
        if kind is RecordType.BREACH:
            # policy 五(四)3: a breached commitment is a black-list entry on ground 14.
            if value and fullwidth_to_ascii(value).strip() != str(BREACH_GROUND):
                fail("ground", f"违诺记录的失信情形固定为{BREACH_GROUND}（可不填），当前为{_shown(value)}")
                return None
            return BREACH_GROUND
        if kind is not RecordType.BLACK_LIST:
            if value:
                fail("ground", f"只有失信黑名单和违诺记录可以填写，{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            return None
        if not value:
            fail("ground", "失信黑名单记录必须填写1–14之间的整数（政策七(一)）")
            return None
        try:
            return _parse_ground(value)
        except _Invalid as problem:
            fail("ground", problem.message)
            return None

    def _severity(self, kind: RecordType, value: str, fail: _Fail) -> str | None:
        text = value.strip()
        if kind not in _SEVERITY_REQUIRED | _SEVERITY_OPTIONAL:
            if text:
                fail("severity", f"{RECORD_TYPE_NAMES_ZH[kind]}记录不能填写")
            return None
        if not text:
            if kind in _SEVERITY_REQUIRED:
                fail("severity", f"{RECORD_TYPE_NAMES_ZH[kind]}记录必须填写（{'、'.join(SEVERITIES)}）")
            return None
        if text not in SEVERITIES:
            fail("severity", f"应为{'、'.join(SEVERITIES)}之一，当前为{_shown(value)}")
            return None
        if kind is RecordType.MINOR and text == "严重":
            fail("severity", "轻微失信记录不能为“严重”：严重失信行为应作为失信黑名单导入")
            return None
        return text
