"""Jinja filters the pages share: dates and times as a Chinese reader expects them."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from app.domain.dates import format_cn_date, format_cn_datetime
from app.domain.ratings import rating_valid_through


def cn_datetime(value: datetime | str | None) -> str:
    """An instant (datetime or ISO 8601 text) as "2026年12月3日 14:22（北京时间）"; "—" when absent."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return format_cn_datetime(value)


def cn_date(value: date | str | None) -> str:
    """A date (or ISO date text) as "2026年12月3日"; "—" when absent."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return format_cn_date(value)


def cn_text(value: str | None) -> str:
    """Chinese text in book form: full-width parentheses (三(二) -> 三（二）), as the certificate
    prints it."""
    return (value or "").replace("(", "（").replace(")", "）")


def cn_sentence(value: str | None) -> str:
    """``cn_text`` closed by its punctuation ("。" unless it ends with 。；！？), so that two
    sentences printed one after the other never run together."""
    text = cn_text(value)
    return text if not text or text[-1] in "。；！？" else text + "。"


def date_placeholders() -> dict[str, str]:
    """Example dates for empty date fields: today's date, and a rating's end of validity."""
    from app.web.common import today  # the app's clock (honours the TODAY setting)

    day = today()
    return {"today_iso": day.isoformat(), "year_start_iso": day.replace(month=1, day=1).isoformat(),
            "rating_valid_through_iso": rating_valid_through(day).isoformat()}


def init_app(app: Flask) -> None:
    app.add_template_filter(cn_datetime)
    app.add_template_filter(cn_date)
    app.add_template_filter(cn_text)
    app.add_template_filter(cn_sentence)
    app.context_processor(date_placeholders)
