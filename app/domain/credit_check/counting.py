"""Which records count on a day (记录是否有效): not yet effective, repaired, expired, publicity ended."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.credit_check.windows import publicity_window, rating_valid_through
from app.domain.credit_records import CreditRecord, RecordType

NOT_YET_EFFECTIVE = "尚未生效"
REPAIRED = "已修复"
RATING_EXPIRED = "评价已过期"
PUBLICITY_ENDED = "公示期满"
RATING_SUPERSEDED = "已被较新的评价取代"

WINDOWED = frozenset({RecordType.PENALTY, RecordType.MINOR, RecordType.BLACK_LIST, RecordType.BREACH})
"""Dishonesty records: each has a severity (its own or its type's default) and a publicity window."""


def rating_valid_until(record: CreditRecord) -> date:
    """Last day (inclusive) a rating may be used: one year from its issue (三(五),
    ``windows.rating_valid_through``: issued 2025-06-01 -> through 2026-05-31), or its
    ``valid_until`` when that is earlier. A longer ``valid_until`` never extends the year.
    """
    through = rating_valid_through(record.decided_on)
    if record.valid_until is not None:
        return min(record.valid_until, through)
    return through


def ignore_reason(record: CreditRecord, as_of: date) -> str | None:
    """Why ``record`` does not count on ``as_of`` (Chinese), or None when it counts."""
    if record.decided_on > as_of:
        return NOT_YET_EFFECTIVE
    # domain-rules §8.2: from the repair date the record is no longer shown nor used.
    if record.repaired_on is not None and record.repaired_on <= as_of:
        return REPAIRED
    if record.record_type is RecordType.RATING:
        return RATING_EXPIRED if as_of > rating_valid_until(record) else None
    if record.record_type in WINDOWED:
        end = publicity_window(record).auto_stop
    elif record.valid_until is not None:
        end = record.valid_until + timedelta(days=1)
    else:
        end = None
    return PUBLICITY_ENDED if end is not None and end <= as_of else None


def record_counts(record: CreditRecord, as_of: date) -> bool:
    """Whether ``record`` counts in a check made on ``as_of``.

    A record does not count when:

    - it is decided (issued) after ``as_of`` (尚未生效);
    - it is repaired on or before ``as_of`` (已修复; a repair dated tomorrow still counts today);
    - it is a rating and ``as_of`` is after its last valid day, one year at most (三(五)):
      inclusive, a rating expiring today still counts today (评价已过期; see ``rating_valid_until``);
    - it is a 行政处罚 / 轻微失信 / 黑名单 / 违诺 and its publicity window has ended,
      ``auto_stop <= as_of`` (公示期满; see ``publicity_window``: a record without a severity
      takes its type's default, domain-rules §8.1, so none counts for ever);
    - any other record with an explicit ``valid_until`` (the last day shown) before ``as_of``.

    :raises FieldError: for a severity the record's regime does not know.
    """
    return ignore_reason(record, as_of) is None
