"""How long a 企业综合信用等级 (enterprise credit rating) may be used: policy 三(五), in one place."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.dates import format_cn_date


def rating_valid_through(issued: date) -> date:
    """Last day (inclusive) a rating issued on ``issued`` may be used (有效期至).

    Policy 三(五): "企业综合信用等级的有效期为一年". The issue day is the first valid day (a rating
    is usable the day it is issued), so the year ends the day before the same date a year later,
    as certificates print "2027年6月15日至2028年6月14日" (domain-rules §4: "有效期至" on the cover).
    A rating issued on 29 February has no same date in a common year: its year ends on the last day
    of February (民法典 第二百零二条: no corresponding day -> the month's last day).

    2027-06-15 -> 2028-06-14; 2027-03-01 -> 2028-02-29; 2028-02-29 -> 2029-02-28;
    2027-01-01 -> 2027-12-31.

    :param issued: 出具日期 of the rating.
    :returns: the last day on which the rating counts; a check on ``as_of`` uses it when
        ``as_of <= rating_valid_through(issued)``.
    """
    try:
        same_date_next_year = issued.replace(year=issued.year + 1)
    except ValueError:  # 29 February -> 1 March of a common year
        same_date_next_year = date(issued.year + 1, 3, 1)
    return same_date_next_year - timedelta(days=1)


def cancelled_agency_note(cancelled_on: date | None) -> str:
    """What follows the name of a cancelled (注销) agency wherever one of its ratings is shown:
    "（已于2026年11月29日注销）".

    Policy 三(五) ("有效期内可…无限次查询使用"): a rating the office approved before the agency was
    cancelled keeps counting until its 有效期 ends (the subject fulfilled 三(四) on that approval);
    八(二) ends the agency's right to work in 凌源, so every reader is told.
    """
    return f"（已于{format_cn_date(cancelled_on)}注销）" if cancelled_on else "（已注销）"
