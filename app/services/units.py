"""The registry of receiving units (接受承诺单位) and each unit's clause 6: add, scope, list."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.commitments import Scenario
from app.domain.errors import FieldError
from app.domain.names import normalise_free_text, normalise_org_name
from app.domain.subjects import SubjectKind
from app.domain.unit_clauses import scope_text
from app.models import ReceivingUnit
from app.services.audit import AuditTrail

CLAUSE_MAX_LEN = 300


def add_unit(session: Session, name: str, *, trail: AuditTrail) -> ReceivingUnit:
    """Register a receiving unit; letters may then be addressed to it. The caller commits.

    :raises FieldError: an invalid name, or a unit of that name exists.
    """
    name = normalise_org_name(name, "name", "单位名称")
    if session.scalar(select(ReceivingUnit.id).where(ReceivingUnit.name == name)) is not None:
        raise FieldError("name", f"接受承诺单位“{name}”已登记")
    unit = ReceivingUnit(name=name)
    session.add(unit)
    session.flush()
    trail.record(session, "add_receiving_unit", "receiving_unit", unit.id, name=name)
    return unit


def set_clause(session: Session, unit_name: str, clause: str | None, *, scenarios: Iterable[str] = (),
               kinds: Iterable[str] = (), trail: AuditTrail) -> ReceivingUnit:
    """Set (or with an empty ``clause`` clear) a unit's clause 6 and the scenarios and subject
    kinds it applies to (none named: all). Letters already issued keep what they printed.

    :raises FieldError: unknown unit, invalid clause text, unknown scenario or kind.
    """
    unit = session.scalar(select(ReceivingUnit).where(ReceivingUnit.name == unit_name))
    if unit is None:
        raise FieldError("unit", f"“{unit_name}”不是已登记的接受承诺单位")
    text = (clause or "").strip()
    unit.matter_clause = normalise_free_text(text, "clause", "其他承诺", CLAUSE_MAX_LEN) if text else None
    unit.clause_scenarios = scope_text(scenarios, Scenario, field="scenario")
    unit.clause_subject_kinds = scope_text(kinds, SubjectKind, field="kind")
    session.flush()
    trail.record(session, "set_unit_clause", "receiving_unit", unit.id, clause=unit.matter_clause,
                 scenarios=unit.clause_scenarios, kinds=unit.clause_subject_kinds)
    return unit


def list_units(session: Session) -> list[ReceivingUnit]:
    return list(session.scalars(select(ReceivingUnit).order_by(ReceivingUnit.id)))
