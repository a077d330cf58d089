"""Which letters a receiving unit's clause 6 belongs on (policy 五(二)6, issue 12 §2).

A 行业管理部门 asks "其他承诺" for the matters it handles: 住建局's wage clause is for building
projects of units, not for a natural person's 房屋登记. A unit names the scenarios and subject
kinds its clause applies to; none named means all (how every clause worked before).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

from app.domain.commitments import Scenario
from app.domain.errors import FieldError
from app.domain.subjects import SubjectKind

E = TypeVar("E", bound=Enum)


def clause_applies(scenarios: str | None, kinds: str | None, scenario: Scenario,
                   kind: SubjectKind) -> bool:
    """True when a clause scoped to ``scenarios`` and ``kinds`` (stored text, see ``scope_text``;
    None: all) belongs on a letter of ``scenario`` by a subject of ``kind``."""
    return _within(scenarios, scenario.value) and _within(kinds, kind.value)


def _within(scope: str | None, value: str) -> bool:
    return scope is None or value in scope.split(",")


def scope_text(values: Iterable[str], enum: type[E], *, field: str) -> str | None:
    """The stored form of a scope: the enum values, comma-separated in the enum's order; None for
    an empty selection (all).

    :raises FieldError: a value that is not one of ``enum``'s, naming the allowed ones.
    """
    chosen = {v.strip() for v in values if v.strip()}
    allowed = [member.value for member in enum]
    unknown = sorted(chosen - set(allowed))
    if unknown:
        raise FieldError(field, f"“{'、'.join(unknown)}”不是有效的取值，可选：{'、'.join(allowed)}")
    return ",".join(v for v in allowed if v in chosen) or None


def scope_labels(scope: str | None, enum: type[Enum]) -> str:
    """The scope in Chinese, for listings: "全部" or the members' labels."""
    if scope is None:
        return "全部"
    return "、".join(member.label for member in enum if member.value in scope.split(","))  # type: ignore[attr-defined]
