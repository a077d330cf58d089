"""The monthly report of the credit work (policy 八(三): 每月底前报送): per unit, the certificates
issued by conclusion, the commitment letters filed and the breaches recorded, in China time.

Certificates count by the date printed on them (already Beijing's calendar day); filings and
breaches by the instant they were received, cut at Beijing midnight (UTC+8, Asia/Shanghai has had
no daylight saving since 1991), so a letter uploaded at 01:00 on 1 December Beijing time (17:00
UTC on 30 November) counts in December.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.domain.credit_check import Category
from app.domain.dates import BEIJING

CATEGORY_ORDER = (Category.INCENTIVE, Category.CAUTION, Category.PUNISHMENT, Category.CLEAN)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def month_bounds_utc(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a Beijing calendar month as timezone-aware UTC instants."""
    ny, nm = next_month(year, month)
    start = datetime(year, month, 1, tzinfo=BEIJING).astimezone(UTC)
    end = datetime(ny, nm, 1, tzinfo=BEIJING).astimezone(UTC)
    return start, end


def period_label(year: int, month: int) -> str:
    return f"{year}年{month}月"


@dataclass
class UnitMonth:
    """One unit's work in the month."""

    unit: str
    certificates: dict[Category, int] = field(default_factory=dict)
    filings: int = 0
    """信用承诺书 filed (uploaded) by the unit."""
    breaches: int = 0
    """违诺 recorded by the unit."""

    @property
    def certificate_total(self) -> int:
        return sum(self.certificates.values())

    @property
    def total(self) -> int:
        return self.certificate_total + self.filings + self.breaches


@dataclass
class MonthlyReport:
    year: int
    month: int
    units: list[UnitMonth]
    """Units with any work in the month, most work first (then by name)."""

    @property
    def period(self) -> str:
        return period_label(self.year, self.month)

    @property
    def totals(self) -> UnitMonth:
        """The 合计 row."""
        total = UnitMonth("合计")
        for row in self.units:
            for category, n in row.certificates.items():
                total.certificates[category] = total.certificates.get(category, 0) + n
            total.filings += row.filings
            total.breaches += row.breaches
        return total

    def only(self, unit: str) -> MonthlyReport:
        """The report restricted to one unit (what a unit's clerk may see)."""
        return MonthlyReport(self.year, self.month, [r for r in self.units if r.unit == unit])


def build_report(year: int, month: int, certificates: list[tuple[str, str, int]],
                 filings: list[tuple[str, int]], breaches: list[tuple[str, int]]
                 ) -> MonthlyReport:
    """The report from (unit, category, count), (unit, filings) and (unit, breaches) counts."""
    rows: dict[str, UnitMonth] = {}
    for unit, category, n in certificates:
        row = rows.setdefault(unit, UnitMonth(unit))
        row.certificates[Category(category)] = row.certificates.get(Category(category), 0) + n
    for unit, n in filings:
        rows.setdefault(unit, UnitMonth(unit)).filings += n
    for unit, n in breaches:
        rows.setdefault(unit, UnitMonth(unit)).breaches += n
    ordered = sorted(rows.values(), key=lambda r: (-r.total, r.unit))
    return MonthlyReport(year, month, ordered)


CSV_HEADER = ("统计期间", "单位", "核查告知书合计", *(f"其中{c.label}" for c in CATEGORY_ORDER),
              "承诺书备案", "违诺记录")


def report_csv(report: MonthlyReport) -> bytes:
    """The monthly report as CSV (UTF-8 with BOM, so Excel opens it): one row per unit, then 合计;
    the period in every row, so months appended into one sheet stay apart."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in [*report.units, report.totals]:
        writer.writerow([report.period, row.unit, row.certificate_total,
                         *(row.certificates.get(c, 0) for c in CATEGORY_ORDER),
                         row.filings, row.breaches])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
