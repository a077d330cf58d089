"""How long a 企业综合信用等级 (enterprise credit rating) may be used: policy 三(五).

The rule itself lives with the policy's other periods (``credit_check.windows``); this module
keeps the names the documents and services import."""

from __future__ import annotations

from app.domain.credit_check.windows import (
    RATING_VALIDITY_CLAUSE,
    check_rating_valid_until,
    rating_valid_through,
)

__all__ = ["RATING_VALIDITY_CLAUSE", "check_rating_valid_until", "rating_valid_through"]
