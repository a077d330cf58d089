"""Chinese date formatting for documents (成文日期, GB/T 9704: no zero padding)."""

from __future__ import annotations

from datetime import date


def format_cn_date(d: date) -> str:
    """Format a date as "2026年11月29日" (Arabic numerals, year in full, no zero padding)."""
    return f"{d.year}年{d.month}月{d.day}日"
