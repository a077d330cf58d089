"""Who may see staff records (app.domain.access): filings, certificates, agency reports."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.domain.access import Account, may_see_agency_report, may_see_unit_record, unit_scope
from app.domain.report_kinds import ReportKind
from app.domain.roles import Role

ADMIN = Account(Role.OFFICE_ADMIN)
REVIEWER = Account(Role.OFFICE_REVIEWER)
CLERK_1 = Account(Role.UNIT_CLERK, unit_id=1)
AGENCY_5 = Account(Role.AGENCY_USER, agency_id=5)


@pytest.mark.parametrize(("account", "unit_id", "allowed"), [
    (ADMIN, 2, True),
    (REVIEWER, 2, True),
    (CLERK_1, 1, True),
    (CLERK_1, 2, False),
])
def test_unit_records(account: Account, unit_id: int, allowed: bool) -> None:
    assert may_see_unit_record(account, unit_id) is allowed


@pytest.mark.parametrize(("account", "kind", "agency_id", "requester", "allowed"), [
    (ADMIN, ReportKind.DECISION, 5, 1, True),
    (REVIEWER, ReportKind.RATING, 5, None, True),
    (AGENCY_5, ReportKind.RATING, 5, None, True),
    (AGENCY_5, ReportKind.DECISION, 6, 1, False),       # another agency's
    (CLERK_1, ReportKind.DECISION, 5, 1, True),         # the commissioning department
    (CLERK_1, ReportKind.DECISION, 5, 2, False),        # another department's (四(二))
    (CLERK_1, ReportKind.RATING, 5, 1, False),          # ratings are not shown through this route
    (Account(Role.UNIT_CLERK, unit_id=None), ReportKind.DECISION, 5, None, False),  # no unit, no match
])
def test_agency_reports(account: Account, kind: str, agency_id: int, requester: int | None,
                        allowed: bool) -> None:
    assert may_see_agency_report(account, kind=kind, agency_id=agency_id,
                                 requesting_unit_id=requester) is allowed


def test_unit_scope_and_account_from_a_row() -> None:
    row = SimpleNamespace(role="unit_clerk", unit_id=3, agency_id=None)  # role as stored
    assert unit_scope(Account.of(row)) == 3
    assert unit_scope(ADMIN) is None
    assert unit_scope(None) is None
