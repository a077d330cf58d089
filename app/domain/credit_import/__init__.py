"""Import of credit records exported by the provincial platform (信用记录导入): CSV or JSON, row by row.

A file goes through three stages, one module each:

- ``reading``: bytes -> text (UTF-8 or GB18030) -> raw rows (CSV lines or JSON objects), with the
  header matched against ``columns``;
- ``validation``: each raw row -> a ``CreditRecord`` or its errors (cell parsers in ``cells``);
- ``report``: the records, the row errors and the Chinese summary.

``parse_credit_records`` runs them; callers import everything from this package.
"""

from __future__ import annotations

from datetime import date

from app.domain.credit_import.cells import RECORD_TYPE_NAMES_ZH
from app.domain.credit_import.columns import (
    COLUMN_LABELS,
    COLUMN_ORDER,
    IMPORT_COLUMNS,
    REQUIRED_COLUMNS,
    ImportColumn,
)
from app.domain.credit_import.reading import (
    MAX_ROWS,
    check_row_count,
    csv_rows,
    decode,
    detect_format,
    json_rows,
)
from app.domain.credit_import.report import ImportFileError, ImportReport, RowError, line_unit
from app.domain.credit_import.validation import (
    BREACH_GROUND,
    DECISION_NUMBER_MAX_LEN,
    DEPARTMENT_MAX_LEN,
    DISHONESTY_TYPES,
    SUMMARY_MAX_LEN,
    RowValidator,
)
from app.domain.credit_records import CreditRecord

__all__ = [
    "BREACH_GROUND",
    "COLUMN_LABELS",
    "DECISION_NUMBER_MAX_LEN",
    "DEPARTMENT_MAX_LEN",
    "DISHONESTY_TYPES",
    "IMPORT_COLUMNS",
    "MAX_ROWS",
    "RECORD_TYPE_NAMES_ZH",
    "REQUIRED_COLUMNS",
    "SUMMARY_MAX_LEN",
    "ImportColumn",
    "ImportFileError",
    "ImportReport",
    "RowError",
    "natural_key",
    "parse_credit_records",
]


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
    text = decode(data)
    fmt = detect_format(text, filename)
    rows = list(json_rows(text) if fmt == "json" else csv_rows(text))
    if not rows:
        raise ImportFileError("文件中没有数据：只有表头或空行" if fmt == "csv" else "JSON中没有记录")
    check_row_count(len(rows))
    validator = RowValidator(today, line_unit(fmt))
    records: list[CreditRecord] = []
    errors: list[RowError] = []
    for raw in rows:
        record, row_errors = validator.validate(raw)
        errors.extend(row_errors)
        if record is not None:
            records.append(record)
    errors.sort(key=lambda e: (e.line, COLUMN_ORDER.get(e.field, -1)))
    return ImportReport(tuple(records), tuple(errors), len(rows), fmt)
