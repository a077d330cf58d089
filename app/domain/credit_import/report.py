"""What an import reports (导入结果): the file-level error, the row errors and the Chinese summary."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.credit_records import CreditRecord
from app.domain.errors import DomainError


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


def line_unit(fmt: str) -> str:
    """How a report counts rows: 条 (array items) in a JSON file, 行 (lines) in a CSV file."""
    return "条" if fmt == "json" else "行"


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
        unit = line_unit(self.source_format)
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
