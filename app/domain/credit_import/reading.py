"""Reading an export file into raw rows (读取): encoding, format, CSV lines or JSON objects, no validation."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from app.domain.bounded_json import InvalidJson, loads_bounded
from app.domain.credit_import.columns import COLUMN_LABELS, check_columns, column_key
from app.domain.credit_import.report import ImportFileError

MAX_ROWS = 100_000
"""Largest number of data rows (CSV) or objects (JSON) accepted in one file."""

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "Excel工作簿（.xlsx）或ZIP压缩包，请在Excel中另存为“CSV UTF-8”后再导入"),
    (b"\xd0\xcf\x11\xe0", "Excel 97–2003工作簿（.xls），请另存为“CSV UTF-8”后再导入"),
    (b"%PDF", "PDF文件"),
)


@dataclass
class RawRow:
    """One row before validation: cell texts by column key, other columns, reading problems."""

    line: int
    values: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(field, message) found while reading, such as a row longer than the header."""


def check_row_count(count: int) -> None:
    """:raises ImportFileError: more than ``MAX_ROWS`` rows."""
    if count > MAX_ROWS:
        raise ImportFileError(f"文件有{count}行数据，超过{MAX_ROWS}行的上限，请拆分为多个文件后分别导入")


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), else GB18030/GBK.

    :raises ImportFileError: empty, binary (Excel, ZIP, PDF, UTF-16) or undecodable.
    """
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


def detect_format(text: str, filename: str) -> str:
    """``"json"`` or ``"csv"``: by the file name's suffix, else by the first character."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("json", "csv"):
        return suffix
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


# --- CSV ---------------------------------------------------------------------------


def csv_rows(text: str) -> Iterator[RawRow]:
    """The data rows of a CSV (comma or tab separated), blank lines skipped.

    :raises ImportFileError: (while iterating) no header, a repeated or missing required column,
        malformed CSV.
    """
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns, names = _csv_header(reader)
        for start, cells in _non_blank_lines(reader):
            yield _csv_row(start, cells, columns, names)
    except csv.Error as error:
        raise ImportFileError(f"CSV格式错误（第{reader.line_num}行）：{error}") from None


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _csv_header(reader: Iterator[list[str]]) -> tuple[list[str | None], list[str]]:
    """(column key or None for an unknown column, header text) per position of the first non-blank line."""
    header = next((cells for cells in reader if not _is_blank(cells)), None)
    if not header:
        raise ImportFileError("文件为空")
    columns: list[str | None] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        key = column_key(name)
        if key in seen:
            raise ImportFileError(
                f"表头第{seen[key]}列和第{position}列都是“{COLUMN_LABELS[key]}”（{key}），请删除其中一列"
            )
        if key is not None:
            seen[key] = position
        columns.append(key)
    check_columns(set(seen))
    return columns, [name.strip() for name in header]


class _LineReader(Protocol):
    """A ``csv.reader``: rows of cells, and the physical line number reached."""

    line_num: int

    def __next__(self) -> list[str]: ...


def _non_blank_lines(reader: _LineReader) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the row starts, cells) for every row that is not blank."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        if not _is_blank(cells):
            yield start, cells


def _csv_row(start: int, cells: list[str], columns: list[str | None], names: list[str]) -> RawRow:
    width = len(columns)
    raw = RawRow(line=start, values={})
    for key, name, cell in zip(columns, names, cells, strict=False):
        if key is not None:
            raw.values[key] = cell
        elif name and cell.strip():
            raw.extra[name] = cell.strip()
    if not _is_blank(cells[width:]):
        raw.problems.append(
            (
                "row",
                f"列数：本行有{len(cells)}列，多于表头的{width}列"
                "（内容中含英文逗号时请用英文双引号把该项括起来）",
            )
        )
    return raw


# --- JSON --------------------------------------------------------------------------


def json_rows(text: str) -> Iterator[RawRow]:
    """The objects of a JSON array (or of a ``{"records": [...]}`` object), one row each.

    :raises ImportFileError: (at once) malformed or too deep JSON, not a list of objects, no
        records, more than ``MAX_ROWS``, a missing required key.
    """
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
    check_row_count(len(items))  # before the per-item work below
    keys = {column_key(name) for item in items for name in item}
    check_columns({key for key in keys if key is not None})
    return (_json_row(index, item) for index, item in enumerate(items, start=1))


def _json_row(index: int, item: dict[str, object]) -> RawRow:
    raw = RawRow(line=index, values={})
    first_name: dict[str, str] = {}
    for name, value in item.items():
        key = column_key(name)
        if key is None:
            raw.extra[name] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        elif key in first_name:
            raw.problems.append(
                (key, f"{COLUMN_LABELS[key]}：同时出现“{first_name[key]}”和“{name}”两个键，只能保留一个")
            )
        else:
            first_name[key] = name
            _put_json_value(raw, key, value)
    return raw


def _put_json_value(raw: RawRow, key: str, value: object) -> None:
    """A JSON value as cell text: null is empty, numbers as written; other types are a problem."""
    if value is None:
        raw.values[key] = ""
    elif isinstance(value, str):
        raw.values[key] = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        raw.values[key] = str(value)
    else:
        raw.problems.append((key, f"{COLUMN_LABELS[key]}：应为文本或数字，当前为{_json_kind(value)}"))


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, dict):
        return "对象"
    return type(value).__name__
