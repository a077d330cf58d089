"""The fixed text of a report scaffold version: templates/reports/<version>/wording.json, read with
the one wording loader (``app.documents.wording.wording_data``), as strings and segments for
``content``.

The file's strings are ``str.format`` templates over the version's ``terms`` (platform, policy, …)
and the values of one report (subject name, agency, dates, …). A paragraph is a list of segments,
each one run in the DOCX: a string, or ``{"fill": hint}`` for a field the agency fills in. A segment
that is exactly one slot, e.g. ``"{project}"``, takes the value as it is, so a value that is itself
a field to fill (an empty project name) stays one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from app.documents.registry import Family
from app.documents.reports.model import Fill, Parts, Segment
from app.documents.wording import wording_data

_ONE_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ReportWording:
    """The wording of one reports version, with the values of one report bound (see
    :meth:`filled`); keys are dotted paths into wording.json, e.g. ``"rating.headings.summary"``."""

    data: Mapping[str, Any]
    """The parsed wording.json (shared; never modified)."""
    values: Mapping[str, Segment] = field(default_factory=dict)
    """Slot values: the version's ``terms``, then those bound with :meth:`filled`."""

    def filled(self, **values: Segment) -> ReportWording:
        """The same wording with more slot values bound."""
        return ReportWording(self.data, {**self.values, **values})

    def get(self, key: str) -> Any:
        """The raw node at dotted ``key`` (string, list or object); raises ``KeyError``."""
        node: Any = self.data
        for name in key.split("."):
            node = node[name]
        return node

    def _slots(self, values: Mapping[str, Segment]) -> Mapping[str, Segment]:
        return {**self.values, **values} if values else self.values

    def format(self, template: str, **values: Segment) -> str:
        """``template`` with its slots filled."""
        return template.format_map(self._slots(values))

    def text(self, key: str, **values: Segment) -> str:
        """The string at ``key``, slots filled."""
        return self.format(self.get(key), **values)

    def texts(self, key: str, **values: Segment) -> tuple[str, ...]:
        """The list of strings at ``key``, slots filled."""
        return tuple(self.format(t, **values) for t in self.get(key))

    def fill(self, hint: str = "") -> Fill:
        """A field to fill, "【请填写：hint】" (or the bare marker without a hint)."""
        if not hint:
            return Fill(self.get("fill.blank"))
        return Fill(self.text("fill.with_hint", hint=hint))

    def segment(self, raw: str | Mapping[str, str], **values: Segment) -> Segment:
        """One segment of a paragraph: a string, a ``{"fill": hint}`` or a lone slot's value."""
        if not isinstance(raw, str):
            return self.fill(self.format(raw["fill"], **values))
        slot = _ONE_SLOT.fullmatch(raw)
        if slot is not None:
            return self._slots(values)[slot[1]]
        return self.format(raw, **values)

    def segments(self, raw: list[Any], **values: Segment) -> Parts:
        """A paragraph's segments; empty strings (an empty value) are left out."""
        return tuple(s for s in (self.segment(r, **values) for r in raw) if s != "")

    def parts(self, key: str, **values: Segment) -> Parts:
        """The paragraph at ``key`` as segments."""
        return self.segments(self.get(key), **values)


@cache
def report_wording(version: str) -> ReportWording:
    """The wording of reports ``version`` with its ``terms`` bound (a term may use the ones before
    it); raises ``UnknownTemplateVersion``."""
    data = wording_data(Family.REPORT, version)
    terms: dict[str, Segment] = {}
    for name, template in data["terms"].items():
        terms[name] = template.format_map(terms)
    return ReportWording(data, terms)
