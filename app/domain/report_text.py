"""What a finished third-party report states in its text layer: grade, dates, recommendation, and
the fields its scaffold asked to fill that are still unfilled (issue 14 §3).

The scaffold (app/documents/reports) prints every field to fill as "【请填写：…】" and labels the facts
the office checks ("出具日期：", "有效期至：", "评价等级：", "决策建议："). Text extraction breaks lines
anywhere, so the text is searched with all whitespace removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.credit_records import GRADES
from app.domain.report_kinds import RECOMMENDATIONS

PLACEHOLDER = "请填写"
"""The scaffold's mark of a field to fill (``templates/reports/<version>/wording.json`` ``fill``)."""

_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_ISSUE = (re.compile(r"出具日期[：:]" + _DATE),)
_VALID = (re.compile(r"有效期至[：:]?" + _DATE),
          re.compile(r"有效期[：:]" + _DATE + "至" + _DATE),
          re.compile(r"自" + _DATE + "起至" + _DATE + "止"))
_GRADE = (re.compile(r"评价等级[：:]([A-Z]{1,3})(?![A-Z])"),
          re.compile(r"信用等级为([A-Z]{1,3})级"))
_RECOMMENDATION = re.compile("决策建议[：:](" + "|".join(sorted(RECOMMENDATIONS, key=len, reverse=True))
                             + ")")
_EXAMPLE = re.compile(r"【" + PLACEHOLDER + r"[^】]{0,40}】?")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ReportText:
    """The facts a report's text states; each tuple holds the distinct values, in order found."""

    grades: tuple[str, ...]
    """评价等级 stated (in the summary "评价等级：AA" and the conclusion "信用等级为AA级")."""
    issue_dates: tuple[date, ...]
    """出具日期 stated on the cover."""
    valid_until: tuple[date, ...]
    """有效期至 stated (cover, statement, summary, conclusion)."""
    recommendations: tuple[str, ...]
    """信用报告: 决策建议 stated ("决策建议：具备信用能力")."""
    placeholders: int
    """How many "请填写" marks remain."""
    placeholder_example: str
    """The first unfilled field as printed, e.g. "【请填写：评价基准日】"; empty when none."""

    @property
    def has_text(self) -> bool:
        """False for a file without a text layer (a scan): nothing can be compared."""
        return bool(self.grades or self.issue_dates or self.valid_until or self.recommendations
                    or self.placeholders)


def read_report_text(text: str) -> ReportText:
    """The facts ``text`` (a report's extracted text) states.

    :param text: text of the report's pages, as extracted (line breaks anywhere).
    :returns: the distinct values found for each fact; dates that do not exist are skipped.
    """
    flat = _SPACE.sub("", text)
    issue = _dates(flat, _ISSUE)
    valid = _dates(flat, _VALID, last_group=True)
    grades = [m.group(1) for pattern in _GRADE for m in pattern.finditer(flat)
              if m.group(1) in GRADES]
    example = _EXAMPLE.search(flat)
    return ReportText(
        grades=tuple(dict.fromkeys(grades)), issue_dates=issue, valid_until=valid,
        recommendations=tuple(dict.fromkeys(m.group(1) for m in _RECOMMENDATION.finditer(flat))),
        placeholders=flat.count(PLACEHOLDER),
        placeholder_example=(example.group() if example else PLACEHOLDER if PLACEHOLDER in flat
                             else ""))


def _dates(flat: str, patterns: tuple[re.Pattern[str], ...], *, last_group: bool = False
           ) -> tuple[date, ...]:
    found: list[date] = []
    for pattern in patterns:
        for match in pattern.finditer(flat):
            y, m, d = (match.groups()[-3:] if last_group else match.groups()[:3])
            try:
                found.append(date(int(y), int(m), int(d)))
            except ValueError:
                continue
    return tuple(dict.fromkeys(found))
