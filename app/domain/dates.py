"""Chinese date and time formatting (成文日期, GB/T 9704: no zero padding; times in Beijing time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone


def format_cn_date(d: date) -> str:
    """Format a date as "2026年11月29日" (Arabic numerals, year in full, no zero padding)."""
    return f"{d.year}年{d.month}月{d.day}日"


BEIJING = timezone(timedelta(hours=8), "北京时间")
"""China Standard Time (UTC+8, no daylight saving): the time users read on every page."""


def to_beijing(moment: datetime) -> datetime:
    """The same instant in Beijing time; a naive datetime is read as UTC (what SQLite returns)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING)


def format_cn_datetime(moment: datetime) -> str:
    """Format an instant as "2026年12月3日 14:22（北京时间）" (issue 12 §5: never raw UTC on a page)."""
    local = to_beijing(moment)
    return f"{format_cn_date(local.date())} {local:%H:%M}（北京时间）"
