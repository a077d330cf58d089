"""Which letters a unit's clause 6 belongs on (app.domain.unit_clauses, issue 12 §2)."""

from __future__ import annotations

import pytest

from app.domain.commitments import Scenario
from app.domain.errors import FieldError
from app.domain.subjects import SubjectKind
from app.domain.unit_clauses import clause_applies, scope_labels, scope_text

UNITS = "enterprise,institution,social_organization,individual_business"


@pytest.mark.parametrize(("scenarios", "kinds", "scenario", "kind", "applies"), [
    (None, None, Scenario.ADMINISTRATIVE_SERVICE, SubjectKind.NATURAL_PERSON, True),  # unscoped: all
    ("project_approval", UNITS, Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE, True),
    ("project_approval", UNITS, Scenario.ADMINISTRATIVE_SERVICE, SubjectKind.NATURAL_PERSON, False),
    ("project_approval", UNITS, Scenario.PROJECT_APPROVAL, SubjectKind.NATURAL_PERSON, False),
    ("project_approval", UNITS, Scenario.PROCUREMENT_BIDDING, SubjectKind.ENTERPRISE, False),
    (None, "natural_person", Scenario.PROCUREMENT_BIDDING, SubjectKind.NATURAL_PERSON, True),
])
def test_clause_applies(scenarios, kinds, scenario, kind, applies) -> None:
    assert clause_applies(scenarios, kinds, scenario, kind) is applies


def test_scope_text_keeps_the_enum_order() -> None:
    assert scope_text(["natural_person", "enterprise"], SubjectKind, field="kind") == \
        "enterprise,natural_person"


def test_an_empty_scope_is_all() -> None:
    assert scope_text([], Scenario, field="scenario") is None


def test_an_unknown_value_is_refused_with_the_allowed_ones() -> None:
    with pytest.raises(FieldError) as caught:
        scope_text(["housing"], Scenario, field="scenario")
    assert "可选：project_approval" in caught.value.message


def test_scope_labels_in_chinese() -> None:
    assert scope_labels("enterprise,natural_person", SubjectKind) == "企业/法人、自然人"
