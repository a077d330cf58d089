"""Staff account roles (账户角色): the stored values, their Chinese names and the groups views allow."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """账户角色; a StrEnum, so the stored ``users.role`` and templates' string comparisons keep working."""

    OFFICE_ADMIN = "office_admin"
    """发改局管理员: the credit office, may also manage agencies."""
    OFFICE_REVIEWER = "office_reviewer"
    """发改局审核员: the credit office, reviews and publishes."""
    UNIT_CLERK = "unit_clerk"
    """接受承诺单位经办人: acts for one receiving unit."""
    AGENCY_USER = "agency_user"
    """信用服务机构用户: acts for one credit agency."""

    @property
    def label(self) -> str:
        """Chinese name of the role."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICE_ADMIN: "发改局管理员",
    Role.OFFICE_REVIEWER: "发改局审核员",
    Role.UNIT_CLERK: "接受承诺单位经办人",
    Role.AGENCY_USER: "信用服务机构用户",
}

OFFICE_ROLES: frozenset[Role] = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER})
"""The credit office's staff roles (发改局管理员, 发改局审核员)."""
OFFICE: tuple[Role, ...] = (Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER)
"""``OFFICE_ROLES`` in a fixed order, for ``login_required(*OFFICE)``."""
STAFF_ROLES: tuple[Role, ...] = (*OFFICE, Role.UNIT_CLERK)
"""Everyone who uses the staff pages (not agencies)."""
