"""Chinese dates and Beijing times (app.domain.dates)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.domain.dates import format_cn_date, format_cn_datetime, to_beijing


def test_cn_date_has_no_zero_padding() -> None:
    assert format_cn_date(date(2026, 3, 5)) == "2026年3月5日"


@pytest.mark.parametrize(("moment", "shown"), [
    (datetime(2026, 12, 3, 6, 22, tzinfo=UTC), "2026年12月3日 14:22（北京时间）"),
    (datetime(2026, 12, 31, 16, 5, tzinfo=UTC), "2027年1月1日 00:05（北京时间）"),
    (datetime(2026, 12, 3, 6, 22), "2026年12月3日 14:22（北京时间）"),  # naive: read as UTC
    (datetime(2026, 12, 3, 9, 0, tzinfo=timezone(timedelta(hours=1))), "2026年12月3日 16:00（北京时间）"),
])
def test_cn_datetime_is_beijing_time(moment: datetime, shown: str) -> None:
    assert format_cn_datetime(moment) == shown


def test_to_beijing_keeps_the_instant() -> None:
    moment = datetime(2026, 12, 3, 6, 22, tzinfo=UTC)
    assert to_beijing(moment) == moment
