"""Demo data: units of 凌源市 with demo seals, a demo agency, accounts for each role, samples."""

from __future__ import annotations

import json
import os
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.domain.commitments import Scenario
from app.domain.roles import Role
from app.domain.subjects import SubjectKind
from app.domain.unit_clauses import clause_applies
from app.models import Agency, ReceivingUnit, Seal, User
from app.services.audit import AuditTrail

UNITS: dict[str, str | None] = {
    "凌源市发展和改革局": None,
    "凌源市住房和城乡建设局": "承诺在施工许可办理后严格落实工程质量安全责任，按时足额支付农民工工资，"
                        "不转包、不违法分包，不发生围标串标、弄虚作假行为。",
    "凌源市市场监督管理局": None,
    "凌源市财政局": "承诺参加政府采购活动前三年内在经营活动中没有重大违法记录，"
                  "具有良好的商业信誉和健全的财务会计制度。",
    "凌源市自然资源局": None,
    "凌源市行政审批局": None,
}

SAMPLES: dict[str, dict[str, str]] = {
    "project_approval-unit": {
        "scenario": "project_approval", "subject_kind": "enterprise",
        "subject_name": "凌源市示例建筑工程有限公司", "subject_code": "91211382MA0Y8K7Q3B",
        "legal_representative": "欧阳明", "matter": "凌源市城南片区道路改造工程施工许可",
        "receiving_unit": "凌源市住房和城乡建设局"},
    "procurement_bidding-unit": {
        "scenario": "procurement_bidding", "subject_kind": "enterprise",
        "subject_name": "凌源市示例办公设备有限公司", "subject_code": "91211382MA0Y8K7Q3B",
        "legal_representative": "李晓梅", "matter": "凌源市政务服务中心办公设备采购项目投标",
        "receiving_unit": "凌源市财政局"},
    "administrative_service-unit": {
        "scenario": "administrative_service", "subject_kind": "institution",
        "subject_name": "凌源市示例职业技术学校", "subject_code": "123502001549897397",
        "legal_representative": "王建国", "matter": "民办学校办学许可证延续",
        "receiving_unit": "凌源市行政审批局"},
    "project_approval-person": {
        "scenario": "project_approval", "subject_kind": "natural_person",
        "subject_name": "买买提·艾力", "subject_code": "211382199003071237",
        "legal_representative": "", "matter": "农村村民住宅建设规划许可",
        "receiving_unit": "凌源市自然资源局"},
    "procurement_bidding-person": {
        "scenario": "procurement_bidding", "subject_kind": "natural_person",
        "subject_name": "张三", "subject_code": "11010519491231002X",
        "legal_representative": "", "matter": "政府购买服务项目（法律顾问）投标",
        "receiving_unit": "凌源市财政局"},
    "administrative_service-person": {
        "scenario": "administrative_service", "subject_kind": "natural_person",
        "subject_name": "𠀾𪚥明", "subject_code": "211382199003071237",
        "legal_representative": "", "matter": "申请公共租赁住房保障",
        "receiving_unit": "凌源市住房和城乡建设局"},
}


DEMO_AGENCY = {"name": "辽宁示例信用评价有限公司（演示）", "uscc": "91210100MA0XK4P2TD",
               "filing_number": "辽发改信用备〔2026〕001号（演示）",
               "published_on": date(2026, 3, 1)}
# username -> (role, display name, unit or agency)
DEMO_ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    "admin": (Role.OFFICE_ADMIN, "发改局管理员（演示）", None),
    "reviewer": (Role.OFFICE_REVIEWER, "发改局审核员（演示）", None),
    "clerk-fgj": (Role.UNIT_CLERK, "发改局经办人（演示）", "凌源市发展和改革局"),
    "clerk-zjj": (Role.UNIT_CLERK, "住建局经办人（演示）", "凌源市住房和城乡建设局"),
    "agency": (Role.AGENCY_USER, "信用机构用户（演示）", DEMO_AGENCY["name"]),
}


UNIT_KINDS = "enterprise,institution,social_organization,individual_business"
CLAUSE_SCOPES: dict[str, tuple[str, str]] = {
    "凌源市住房和城乡建设局": ("project_approval", UNIT_KINDS),  # building projects of units
    "凌源市财政局": ("procurement_bidding", UNIT_KINDS),  # government procurement suppliers
}
"""(scenarios, subject kinds) each demo clause applies to (issue 12 §2)."""


def demo_clause(unit: str, scenario: Scenario, kind: SubjectKind) -> str | None:
    """The demo unit's clause 6 when its scope takes in this scenario and subject kind, as the
    service chooses it (``app.services.commitments.matter_clause``), for the samples."""
    clause = UNITS.get(unit)
    scenarios, kinds = CLAUSE_SCOPES.get(unit, (None, None))
    return clause if clause and clause_applies(scenarios, kinds, scenario, kind) else None


def load_demo(session: Session) -> int:
    """Insert the demo receiving units that are missing; returns how many were added. Demo units
    from before clause scopes existed get their scope."""
    existing = {unit.name: unit for unit in session.scalars(select(ReceivingUnit))}
    added = 0
    for name, clause in UNITS.items():
        scenarios, kinds = CLAUSE_SCOPES.get(name, (None, None))
        unit = existing.get(name)
        if unit is None:
            session.add(ReceivingUnit(name=name, matter_clause=clause, clause_scenarios=scenarios,
                                      clause_subject_kinds=kinds))
            added += 1
        elif (unit.matter_clause, unit.clause_scenarios, unit.clause_subject_kinds) == (clause, None, None):
            unit.clause_scenarios, unit.clause_subject_kinds = scenarios, kinds
    if session.scalar(select(Agency.id).where(Agency.name == DEMO_AGENCY["name"])) is None:
        session.add(Agency(**DEMO_AGENCY))
    session.commit()
    return added


def load_demo_seals(session: Session, archive: BlobStore, trail: AuditTrail) -> int:
    """A generated 公章 (marked 演示) for every demo unit that has no seal yet (audited)."""
    from app.services.seals import add_generated_seal

    added = 0
    for unit in session.scalars(select(ReceivingUnit).order_by(ReceivingUnit.id)):
        if session.scalar(select(Seal.id).where(Seal.unit_id == unit.id)) is None:
            add_generated_seal(session, archive, unit=unit, trail=trail)
            added += 1
    session.commit()
    return added


def load_demo_accounts(session: Session, accounts_file: Path,
                       trail: AuditTrail) -> dict[str, str]:
    """Demo accounts for each role; random passwords kept in ``accounts_file`` (reused);
    each new account is audited."""
    from app.services.accounts import create_user

    passwords: dict[str, str] = {}
    if accounts_file.exists():
        passwords = json.loads(accounts_file.read_text(encoding="utf-8"))
    for username, (role, display, owner) in DEMO_ACCOUNTS.items():
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        passwords[username] = passwords.get(username) or secrets.token_urlsafe(9)
        create_user(session, username=username, password=passwords[username], role=role,
                    display_name=display, owner=owner, trail=trail)
    session.commit()
    accounts_file.write_text(json.dumps(passwords, ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(accounts_file, 0o600)
    return passwords
