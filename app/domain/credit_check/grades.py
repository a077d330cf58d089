"""Credit grades (信用等级, 三等九级, domain-rules §4.1): meanings, implied categories, the entry floor."""

from __future__ import annotations

import unicodedata

from app.domain.credit_check.categories import Category
from app.domain.credit_records import GRADES
from app.domain.errors import FieldError

GRADE_MEANINGS: dict[str, tuple[str, str]] = {
    "AAA": ("信用极好", "信用程度高、履约能力强；经营状况佳、盈利能力强，不确定因素影响很小"),
    "AA": ("信用优良", "信用程度较高、履约能力较强；不确定因素影响很小"),
    "A": ("信用较好", "信用程度良好，正常情况下能履约；存在一定不确定因素"),
    "BBB": ("信用一般", "履约能力一般，易受不确定因素影响，有波动"),
    "BB": ("信用欠佳", "履约能力不足，有较多不良记录，前景不明朗，含投机因素"),
    "B": ("信用较差", "履约能力较弱"),
    "CCC": ("信用很差", "几乎没有履约能力"),
    "CC": ("信用极差", "没有履约能力"),
    "C": ("没有信用", "无信用，拒不履约"),
}

# policy 二(四)1: "A级"以上 -> 激励; 二(四)2: "B级"-"BBB级" -> 审慎; 二(四)3: "CCC"级以下 -> 惩戒.
GRADE_CATEGORY = {
    **dict.fromkeys(GRADES[0:3], Category.INCENTIVE),
    **dict.fromkeys(GRADES[3:6], Category.CAUTION),
    **dict.fromkeys(GRADES[6:9], Category.PUNISHMENT),
}

ENTRY_MINIMUM_GRADE = "BBB"
"""三(二): 信用准入条件不得低于"BBB"级."""
INCENTIVE_WEIGHT_MIN_PERCENT = 8
"""三(二): 激励分值不得低于总评分分值的8%."""


def validate_grade(text: object) -> str:
    """Return the canonical grade (one of ``GRADES``) for ``text``.

    Accepts lower case, full-width letters, surrounding spaces and a trailing "级"
    ("aa" -> "AA", "ＢＢＢ级" -> "BBB"). Rejects the "+"/"−" modifiers and grade D that some
    agencies use (domain-rules §4.1): policy 二(四) and 三(二) speak only of 三等九级, and
    GB/T 22116 has not been checked for them (domain-rules §9.3), so a modified grade must be
    entered as its base grade by the person who reads the report.

    :raises FieldError: field ``"grade"``, with a Chinese message, for anything else.
    """
    if isinstance(text, str):
        canonical = unicodedata.normalize("NFKC", text).strip().upper().removesuffix("级").strip()
        if canonical in GRADE_MEANINGS:
            return canonical
        shown = text.strip()
    else:
        shown = "" if text is None else str(text)
    if not shown:
        raise FieldError("grade", "请填写信用等级")
    raise FieldError(
        "grade",
        f"信用等级“{shown}”无效：应为{'、'.join(GRADES)}之一（三等九级，不接受“+”“-”修饰符或D级）",
    )


def rating_meaning(grade: str) -> tuple[str, str]:
    """(short label, meaning) of a grade per domain-rules §4.1, e.g. ``("信用一般", "履约能力一般，…")``.

    :raises FieldError: for an unknown grade (see ``validate_grade``).
    """
    return GRADE_MEANINGS[validate_grade(grade)]
