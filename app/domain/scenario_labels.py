"""Chinese labels of scenario and subject-kind values, for templates that only hold the value."""

from app.domain.commitments import Scenario
from app.domain.subjects import SubjectKind

SCENARIO_LABELS = {s.value: s.label for s in Scenario}
KIND_LABELS = {k.value: k.label for k in SubjectKind}
