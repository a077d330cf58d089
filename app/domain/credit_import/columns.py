"""The columns of the platform export (导入列) and how headers and JSON keys are matched to them."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from app.domain.chars import fullwidth_to_ascii, is_visible
from app.domain.credit_import.report import ImportFileError


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
COLUMN_ORDER: dict[str, int] = {column.key: index for index, column in enumerate(IMPORT_COLUMNS)}
"""Position of each column key, for sorting errors in column order."""


def _header_key(name: str) -> str:
    """Normalise a header for matching: NFC, ASCII forms, no spaces, no "*" marker, lower case."""
    text = fullwidth_to_ascii(unicodedata.normalize("NFC", name))
    text = "".join(c for c in text if is_visible(c) and not c.isspace())
    for marker in ("(必填)", "（必填）"):
        text = text.removesuffix(marker)
    return text.strip("*").lower()


_HEADER_INDEX: dict[str, str] = {
    _header_key(name): column.key
    for column in IMPORT_COLUMNS
    for name in (column.key, column.label, *column.aliases)
}


@functools.lru_cache(maxsize=1024)
def column_key(name: str) -> str | None:
    """The column key for a header or JSON key, or None for a column the import does not know."""
    return _HEADER_INDEX.get(_header_key(name))


def _column_list_zh(keys: list[str] | tuple[str, ...]) -> str:
    return "、".join(f"{COLUMN_LABELS[key]}（{key}）" for key in keys)


def check_columns(keys: set[str]) -> None:
    """Refuse a file without a header or without one of ``REQUIRED_COLUMNS``.

    :raises ImportFileError: naming the missing columns.
    """
    if not keys:
        raise ImportFileError(
            "未找到表头：第一行应为列名，如“记录类型（record_type）”、“主体代码（subject_code）”……"
        )
    missing = [key for key in REQUIRED_COLUMNS if key not in keys]
    if missing:
        raise ImportFileError(f"缺少必需的列：{_column_list_zh(missing)}")
