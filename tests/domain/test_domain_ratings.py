"""Rating validity (policy 三(五) 有效期为一年): one function for the printed date and the check."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.documents.reports import default_valid_until
from app.domain.credit_check import RATING_EXPIRED, Purpose, check_credit, record_counts
from app.domain.credit_records import CreditRecord, RecordType
from app.domain.ratings import rating_valid_through

CASES = [
    # issued,            valid through (last valid day)
    (date(2027, 6, 15), date(2028, 6, 14)),   # ordinary day (the example)
    (date(2026, 6, 15), date(2027, 6, 14)),   # ordinary day, no leap day in between
    (date(2027, 1, 31), date(2028, 1, 30)),   # month end
    (date(2027, 4, 30), date(2028, 4, 29)),   # month end of a 30-day month
    (date(2028, 2, 29), date(2029, 2, 28)),   # leap day: no 29 February next year
    (date(2027, 2, 28), date(2028, 2, 27)),   # 28 February before a leap year
    (date(2027, 3, 1), date(2028, 2, 29)),    # the year ends on the leap day
    (date(2028, 3, 1), date(2029, 2, 28)),
    (date(2027, 12, 31), date(2028, 12, 30)),  # 31 December
    (date(2028, 1, 1), date(2028, 12, 31)),   # 1 January: within the same calendar year
]


@pytest.mark.parametrize(("issued", "through"), CASES, ids=[c[0].isoformat() for c in CASES])
def test_rating_valid_through(issued: date, through: date) -> None:
    assert rating_valid_through(issued) == through


@pytest.mark.parametrize(("issued", "through"), CASES, ids=[c[0].isoformat() for c in CASES])
def test_printed_date_is_the_checked_date(issued: date, through: date) -> None:
    """The scaffold's 有效期至 and the check's last valid day are the same day."""
    assert default_valid_until(issued) == through
    record = CreditRecord(
        record_type=RecordType.RATING, subject_code="91211382MA0Y8K7Q3B",
        subject_name="凌源市示例建筑工程有限公司",
        source_department="辽宁示例信用评价有限公司", decision_number="R-1", decided_on=issued, grade="A")
    assert record_counts(record, through) is True
    assert record_counts(record, through + timedelta(days=1)) is False
    assert check_credit([record], Purpose.OTHER, through + timedelta(days=1)).ignored == (
        (record, RATING_EXPIRED),)
