"""One Role enum (issue 11 §3): stored values unchanged, and no role spelled out in Python elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from app.domain.roles import OFFICE_ROLES, ROLE_LABELS, STAFF_ROLES, Role

APP = Path(__file__).resolve().parents[2] / "app"
LITERAL = re.compile(r"""["'](office_admin|office_reviewer|unit_clerk|agency_user)["']""")


def test_stored_values_and_groups() -> None:
    assert [r.value for r in Role] == ["office_admin", "office_reviewer", "unit_clerk", "agency_user"]
    assert set(ROLE_LABELS) == set(Role)
    assert "office_reviewer" in OFFICE_ROLES  # a role read back from the database is a plain str
    assert "agency_user" not in STAFF_ROLES


def test_no_role_literals_in_python_outside_roles_module() -> None:
    found = [f"{path.relative_to(APP)}:{n}: {line.strip()}"
             for path in sorted(APP.rglob("*.py")) if path.name != "roles.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if LITERAL.search(line)]
    assert found == [], "use app.domain.roles.Role:\n" + "\n".join(found)
