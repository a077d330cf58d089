"""How long a 企业综合信用等级 (enterprise credit rating) may be used: policy 三(五).

The rule itself lives with the policy's other periods (``credit_check.windows``); this module
keeps the names the documents and services import."""

from __future__ import annotations

from datetime import date

from app.domain.credit_check.windows import (
    RATING_VALIDITY_CLAUSE,
    check_rating_valid_until,
    rating_valid_through,
)
from app.domain.dates import format_cn_date

__all__ = ["RATING_VALIDITY_CLAUSE", "cancelled_agency_note", "check_rating_valid_until",
           "rating_valid_through"]


def cancelled_agency_note(cancelled_on: date | None) -> str:
    """What follows the name of a cancelled (注销) agency wherever one of its ratings is shown:
    "（已于2026年11月29日注销）".

    Policy 三(五) ("有效期内可…无限次查询使用"): a rating the office approved before the agency was
    cancelled keeps counting until its 有效期 ends (the subject fulfilled 三(四) on that approval);
    八(二) ends the agency's right to work in 凌源, so every reader is told.
    """
    return f"（已于{format_cn_date(cancelled_on)}注销）" if cancelled_on else "（已注销）"
