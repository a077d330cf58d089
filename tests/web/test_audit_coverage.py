"""Every state-changing route and command leaves an audit entry (issue 11 §2).

The tables below name, for every non-GET URL rule of the app and every CLI command, how to
exercise it and which audit action it must leave; a route or command missing from its table
fails the test, so a new one cannot ship unaudited unnoticed. A POST that changes nothing (a
verification upload, a clause preview) is listed with ``action=None``: the test then checks
that no row of any table changed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import click
import pytest
from sqlalchemy import func, select

from app.archive.intake import IntakeLimits
from app.db import get_session
from app.documents.render import html_to_pdf
from app.domain.credit_import import parse_credit_records
from app.extensions import services
from app.models import Agency, ApiKey, AuditEntry, Base, ReceivingUnit, User
from app.services import accounts, agencies, credit, filings, seals, stamping
from app.services import commitments as commitment_svc
from app.stamping.seal_images import generate_seal
from tests.conftest import PASSWORD, PERSON_LETTER, UNIT_LETTER, login_as, pdf_pages

ZJJ = "凌源市住房和城乡建设局"
AGENCY = "辽宁示例信用评价有限公司（演示）"
SUBJECT = {"subject_name": "凌源市示例建筑工程有限公司", "subject_code": "91211382MA0Y8K7Q3B"}
RECORDS = Path(__file__).resolve().parents[2] / "samples" / "credit-records.csv"
TODAY = date(2026, 11, 29)  # the test app's TODAY
STATE_CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
UNCOUNTED_TABLES = {"audit_log", "auth_failure_counts"}
"""Tables a read may still write: the log itself, and failed sign-ins (none happen here)."""


class World:
    """What the cases need, made through the services (not audited by the case under test):
    accounts, API keys, a seal, imported records, letters, filings, reports."""

    def __init__(self, app) -> None:
        self.app = app
        self.ctx = services(app)
        self.setup = self.ctx.trail("setup")
        self.public = app.test_client()

    def _in_app(self, work: Callable[[], object]) -> object:
        with self.app.app_context():
            result = work()
            get_session().commit()
            return result

    @cached_property
    def people(self) -> list[str]:
        """The staff and agency accounts (made once)."""
        def make() -> None:
            db = get_session()
            for username, role, owner in (("clerk", "unit_clerk", ZJJ),
                                          ("reviewer", "office_reviewer", None),
                                          ("admin", "office_admin", None),
                                          ("agent", "agency_user", AGENCY)):
                accounts.create_user(db, username=username, password=PASSWORD, role=role,
                                     display_name=username, owner=owner, trail=self.setup)
        self._in_app(make)
        return ["clerk", "reviewer", "admin", "agent"]

    def login(self, username: str):
        assert username in self.people
        return login_as(self.app, username)

    @cached_property
    def clerk(self):
        return self.login("clerk")

    @cached_property
    def admin(self):
        return self.login("admin")

    @cached_property
    def agent(self):
        return self.login("agent")

    def _key(self, owner: str) -> dict[str, str]:
        new = self._in_app(lambda: accounts.create_api_key(
            get_session(), owner, self.ctx.secret, trail=self.setup))
        return {"Authorization": f"Bearer {new.plaintext}"}

    @cached_property
    def unit_key(self) -> dict[str, str]:
        return self._key(ZJJ)

    @cached_property
    def agency_key(self) -> dict[str, str]:
        return self._key(AGENCY)

    @cached_property
    def unit_id(self) -> int:
        return self._in_app(lambda: get_session().scalar(
            select(ReceivingUnit.id).where(ReceivingUnit.name == ZJJ)))

    @cached_property
    def agency_id(self) -> int:
        return self._in_app(lambda: get_session().scalar(
            select(Agency.id).where(Agency.name == AGENCY)))

    @cached_property
    def seal_id(self) -> int:
        return self._in_app(lambda: seals.add_generated_seal(
            get_session(), self.ctx.archive, unit=get_session().get(ReceivingUnit, self.unit_id),
            trail=self.setup).id)

    def import_records(self) -> None:
        self._in_app(lambda: credit.import_records(
            get_session(), self.ctx.pii_cipher,
            parse_credit_records(RECORDS.read_bytes(), filename=RECORDS.name, today=TODAY),
            source=RECORDS.name, trail=self.setup))

    def letter(self, data: dict[str, str] = UNIT_LETTER) -> tuple[str, bytes]:
        issued = self._in_app(lambda: commitment_svc.issue_commitment(
            get_session(), data, secret=self.ctx.secret, base_url=self.ctx.base_url,
            archive=self.ctx.archive, cipher=self.ctx.pii_cipher, today=TODAY, trail=self.setup))
        return issued.record.number, issued.pdf

    def filing(self, data: dict[str, str] = UNIT_LETTER, *, published: bool = False) -> int:
        _, pdf = self.letter(data)
        assert "reviewer" in self.people

        def make() -> int:
            db = get_session()
            result = filings.file_upload(
                db, self.ctx.archive, self.ctx.pii_cipher, data=pdf, name="承诺书.pdf", fields={},
                unit=db.get(ReceivingUnit, self.unit_id), today=TODAY, limits=IntakeLimits(),
                trail=self.setup)
            if published:
                reviewer = db.scalar(select(User.id).where(User.username == "reviewer"))
                filings.approve(db, self.ctx.archive, result.filing, reviewer_id=reviewer,
                                trail=self.setup, signer=self.ctx.signer)
            return result.filing.id
        return self._in_app(make)

    def scaffold(self) -> str:
        def make() -> str:
            db = get_session()
            request = agencies.parse_scaffold_request(db, {"kind": "rating", **SUBJECT})
            return agencies.issue_scaffold(db, agency=db.get(Agency, self.agency_id),
                                           request=request, today=TODAY,
                                           secret=self.ctx.secret, trail=self.setup).number
        return self._in_app(make)

    @staticmethod
    def report_fields(number: str) -> dict[str, str]:
        return {"number": number, "subject_code": SUBJECT["subject_code"],
                "issue_date": "2026-11-29", "grade": "AA", "valid_until": "2027-11-28"}

    @staticmethod
    def report_pdf(number: str, recommendation: str = "") -> bytes:
        """A finished report's text: number, dates and grade (or 决策建议) as the form says."""
        facts = (f"<p>决策建议：{recommendation}</p>" if recommendation else
                 "<p>有效期至：2027年11月28日</p><p>评价等级：AA</p>")
        return html_to_pdf(f"<p>报告编号：{number}</p><p>评价对象：{SUBJECT['subject_name']}</p>"
                           f"<p>出具日期：2026年11月29日</p>{facts}")

    def approved_decision_report(self) -> str:
        """A 信用报告 commissioned by ZJJ, uploaded and approved, not used yet."""
        assert "reviewer" in self.people

        def make() -> str:
            db = get_session()
            request = agencies.parse_scaffold_request(db, {
                "kind": "decision", **SUBJECT, "project_name": "示例工程", "requesting_unit": ZJJ})
            agency = db.get(Agency, self.agency_id)
            report = agencies.issue_scaffold(db, agency=agency, request=request, today=TODAY,
                                             secret=self.ctx.secret, trail=self.setup)
            agencies.upload_report(
                db, self.ctx.archive, agency=agency,
                data=self.report_pdf(report.number, "具备信用能力"), name="report.pdf",
                fields={"number": report.number, "subject_code": SUBJECT["subject_code"],
                        "issue_date": "2026-11-29", "recommendation": "具备信用能力"},
                today=TODAY, limits=IntakeLimits(), trail=self.setup)
            reviewer = db.scalar(select(User.id).where(User.username == "reviewer"))
            agencies.approve_report(db, self.ctx.pii_cipher, report, reviewer_id=reviewer,
                                    trail=self.setup)
            return report.number
        return self._in_app(make)

    def pending_report(self) -> str:
        number = self.scaffold()

        def make() -> str:
            db = get_session()
            return agencies.upload_report(
                db, self.ctx.archive, agency=db.get(Agency, self.agency_id),
                data=self.report_pdf(number), name="report.pdf", fields=self.report_fields(number),
                today=TODAY, limits=IntakeLimits(), trail=self.setup).number
        return self._in_app(make)

    def stamp_job(self) -> int:
        return self._in_app(lambda: stamping.create_job(
            get_session(), self.ctx.archive, pdf=pdf_pages(1), name="合同.pdf",
            unit_id=self.unit_id, limits=IntakeLimits(), trail=self.setup).id)


Request = Callable[[], object]


@dataclass(frozen=True)
class Case:
    """How to exercise one route: ``prepare`` makes what it needs and returns the request."""

    prepare: Callable[[World], Request]
    action: str | None
    """The audit action the request must leave; None: the request changes nothing."""


def multipart(client, url: str, data: dict, **kwargs):
    return client.post(url, content_type="multipart/form-data", data=data, **kwargs)


def login(w: World) -> Request:
    assert "clerk" in w.people
    return lambda: w.public.post("/login", data={"username": "clerk", "password": PASSWORD})


def logout(w: World) -> Request:
    clerk = w.clerk
    return lambda: clerk.post("/logout")


def commitment_form(w: World) -> Request:
    return lambda: w.public.post("/commitments/new", data=UNIT_LETTER)


def verify_page_upload(w: World) -> Request:
    number, pdf = w.letter()
    return lambda: multipart(w.public, f"/verify/{number}", {"file": (io.BytesIO(pdf), "a.pdf")})


def verify_api_upload(w: World) -> Request:
    _, pdf = w.letter()
    return lambda: multipart(w.public, "/api/v1/verify", {"file": (io.BytesIO(pdf), "a.pdf")})


def commitment_api(w: World) -> Request:
    return lambda: w.public.post("/api/v1/commitments", json=UNIT_LETTER)


def stamp_api(w: World) -> Request:
    ops = json.dumps([{"op": "seal", "seal_id": w.seal_id, "page": 1, "x_mm": 150, "y_mm": 240}])
    key = w.unit_key
    return lambda: multipart(w.public, "/api/v1/stamp-jobs", {
        "file": (io.BytesIO(pdf_pages(1)), "合同.pdf"), "operations": ops}, headers=key)


def filing_api(w: World) -> Request:
    _, pdf = w.letter()
    key = w.unit_key
    return lambda: multipart(w.public, "/api/v1/filings", {"file": (io.BytesIO(pdf), "a.pdf")},
                             headers=key)


def check_api(w: World) -> Request:
    w.import_records()
    w.seal_id  # noqa: B018 - the certificate carries the unit's seal
    key = w.unit_key
    return lambda: w.public.post("/api/v1/checks", headers=key, json={
        "subject_code": SUBJECT["subject_code"], "purpose": "bidding"})


def scaffold_api(w: World) -> Request:
    key = w.agency_key
    return lambda: w.public.post("/api/v1/agency/scaffolds", headers=key,
                                 json={"kind": "rating", **SUBJECT})


def report_api(w: World) -> Request:
    number, key = w.scaffold(), w.agency_key
    return lambda: multipart(w.public, "/api/v1/agency/reports", {
        **w.report_fields(number), "file": (io.BytesIO(w.report_pdf(number)), "r.pdf")},
        headers=key)


def scaffold_web(w: World) -> Request:
    agent = w.agent
    return lambda: agent.post("/agency/scaffolds", data={"kind": "rating", **SUBJECT})


def report_web(w: World) -> Request:
    number, agent = w.scaffold(), w.agent
    return lambda: multipart(agent, "/agency/reports", {
        **w.report_fields(number), "file": (io.BytesIO(w.report_pdf(number)), "r.pdf")})


def register_agency(w: World) -> Request:
    admin = w.admin
    return lambda: admin.post("/staff/agencies", data={
        "name": "凌源市示例信用管理有限公司", "uscc": "91350200776049653A",
        "filing_number": "辽发改信备〔2026〕9号", "published_on": "2026-11-29"})


def agency_status(w: World) -> Request:
    admin = w.admin
    return lambda: admin.post(f"/staff/agencies/{w.agency_id}/status",
                              data={"status": "suspended"})


def approve_report(w: World) -> Request:
    number, admin = w.pending_report(), w.admin
    return lambda: admin.post(f"/staff/agency-reports/{number}/approve")


def use_report_web(w: World) -> Request:
    number, clerk = w.approved_decision_report(), w.clerk
    return lambda: clerk.post(f"/staff/reports/{number}/use", data={
        "decision": "凌住建〔2026〕12号", "decided_on": "2026-11-29"})


def use_report_api(w: World) -> Request:
    number, key = w.approved_decision_report(), w.unit_key
    return lambda: w.public.post(f"/api/v1/reports/{number}/use", headers=key, json={
        "decision": "凌住建〔2026〕12号", "decided_on": "2026-11-29"})


def record_breach(w: World) -> Request:
    clerk = w.clerk
    return lambda: clerk.post("/staff/credit/breach", data={
        **SUBJECT, "decision_number": "凌住建违诺〔2026〕1号", "decided_on": "2026-11-20",
        "severity": "一般", "summary": "未按承诺补齐材料"})


def certificate_web(w: World) -> Request:
    w.import_records()
    w.seal_id  # noqa: B018 - the certificate carries the unit's seal
    clerk = w.clerk
    return lambda: clerk.post("/staff/credit/certificate", data={
        "subject_code": SUBJECT["subject_code"], "purpose": "bidding"})


def check_web(w: World) -> Request:
    w.import_records()
    clerk = w.clerk
    return lambda: clerk.post("/staff/credit/check", data={
        "subject_code": SUBJECT["subject_code"], "purpose": "bidding"})


def import_web(w: World) -> Request:
    admin = w.admin
    return lambda: multipart(admin, "/staff/credit/import", {
        "file": (io.BytesIO(RECORDS.read_bytes()), RECORDS.name)})


def reveal_id_number(w: World) -> Request:
    filing_id, reviewer = w.filing(PERSON_LETTER), w.login("reviewer")
    return lambda: reviewer.post(f"/staff/filings/{filing_id}/id-number")


def filing_web(w: World) -> Request:
    (_, pdf), clerk = w.letter(), w.clerk
    return lambda: multipart(clerk, "/staff/filings/new", {"file": (io.BytesIO(pdf), "承诺书.pdf")})


def procurement_clause(w: World) -> Request:
    admin = w.admin
    return lambda: admin.post("/staff/procurement-clause", data={
        "minimum_grade": "BBB", "incentive_percent": "8", "project_name": "示例项目",
        "scope": "public_tender_procurement"})


def review(action: str, **form: str) -> Callable[[World], Request]:
    def prepare(w: World) -> Request:
        filing_id = w.filing(published=action == "revoke")
        reviewer = w.login("reviewer")
        return lambda: reviewer.post(f"/staff/review/{filing_id}/{action}", data=form)
    return prepare


def upload_seal(w: World) -> Request:
    png, clerk = generate_seal(ZJJ).png, w.clerk
    return lambda: multipart(clerk, "/staff/seals", {
        "unit_id": w.unit_id, "kind": "公章", "diameter_mm": "42",
        "image": (io.BytesIO(png), "seal.png")})


def generate_seal_web(w: World) -> Request:
    clerk = w.clerk
    return lambda: clerk.post("/staff/seals/generate", data={
        "unit_id": w.unit_id, "kind": "公章", "diameter_mm": "42"})


def stamp_job_for_letter(w: World) -> Request:
    (number, _), clerk = w.letter(), w.clerk
    return lambda: clerk.post("/staff/stamp", data={"document_number": number})


def stamp_web(w: World) -> Request:
    job_id, seal_id, clerk = w.stamp_job(), w.seal_id, w.clerk
    return lambda: clerk.post(f"/staff/stamp/{job_id}", data={
        "seal_id": seal_id, "click_p1.x": "200", "click_p1.y": "300"})  # a 300 px wide A4 preview


ROUTES: dict[tuple[str, str], Case] = {
    ("/login", "POST"): Case(login, "login"),
    ("/logout", "POST"): Case(logout, "logout"),
    ("/commitments/new", "POST"): Case(commitment_form, "issue_commitment"),
    ("/verify/<number>", "POST"): Case(verify_page_upload, None),
    ("/api/v1/verify", "POST"): Case(verify_api_upload, None),
    ("/api/v1/commitments", "POST"): Case(commitment_api, "issue_commitment"),
    ("/api/v1/stamp-jobs", "POST"): Case(stamp_api, "stamp"),
    ("/api/v1/filings", "POST"): Case(filing_api, "upload"),
    ("/api/v1/checks", "POST"): Case(check_api, "issue_certificate"),
    ("/api/v1/agency/scaffolds", "POST"): Case(scaffold_api, "issue_scaffold"),
    ("/api/v1/agency/reports", "POST"): Case(report_api, "upload"),
    ("/agency/scaffolds", "POST"): Case(scaffold_web, "issue_scaffold"),
    ("/agency/reports", "POST"): Case(report_web, "upload"),
    ("/staff/agencies", "POST"): Case(register_agency, "register_agency"),
    ("/staff/agencies/<int:agency_id>/status", "POST"): Case(agency_status, "agency_status"),
    ("/staff/agency-reports/<number>/<action>", "POST"): Case(approve_report, "approve"),
    ("/staff/reports/<number>/use", "POST"): Case(use_report_web, "use_report"),
    ("/api/v1/reports/<number>/use", "POST"): Case(use_report_api, "use_report"),
    ("/staff/credit/breach", "POST"): Case(record_breach, "record_breach"),
    ("/staff/credit/certificate", "POST"): Case(certificate_web, "issue_certificate"),
    ("/staff/credit/check", "POST"): Case(check_web, "credit_check"),
    ("/staff/credit/import", "POST"): Case(import_web, "import_credit_records"),
    ("/staff/filings/<int:filing_id>/id-number", "POST"): Case(reveal_id_number, "view_id_number"),
    ("/staff/filings/new", "POST"): Case(filing_web, "upload"),
    ("/staff/procurement-clause", "POST"): Case(procurement_clause, None),
    ("/staff/review/<int:filing_id>/approve", "POST"): Case(review("approve"), "approve"),
    ("/staff/review/<int:filing_id>/reject", "POST"): Case(review("reject", reason="签字页缺失"),
                                                           "reject"),
    ("/staff/review/<int:filing_id>/revoke", "POST"): Case(
        review("revoke", reason="承诺主体申请撤回"), "revoke"),
    ("/staff/seals", "POST"): Case(upload_seal, "add_seal"),
    ("/staff/seals/generate", "POST"): Case(generate_seal_web, "generate_seal"),
    ("/staff/stamp", "POST"): Case(stamp_job_for_letter, "create_stamp_job"),
    ("/staff/stamp/<int:job_id>", "POST"): Case(stamp_web, "stamp"),
}


def state_changing_rules(app) -> set[tuple[str, str]]:
    return {(rule.rule, method) for rule in app.url_map.iter_rules()
            for method in rule.methods & STATE_CHANGING_METHODS}


def test_every_state_changing_route_is_in_the_table(app):
    missing = state_changing_rules(app) - ROUTES.keys()
    assert not missing, f"routes without an audit case (add them to ROUTES): {sorted(missing)}"


def test_the_table_names_only_existing_routes(app):
    assert not ROUTES.keys() - state_changing_rules(app)


def audit_actions_after(app, last_id: int) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEntry.action).where(AuditEntry.id > last_id)
                                          .order_by(AuditEntry.id)))


def last_audit_id(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.max(AuditEntry.id))) or 0


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        db = get_session()
        return {table.name: db.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables if table.name not in UNCOUNTED_TABLES}


@pytest.mark.parametrize(("rule", "method"), sorted(ROUTES), ids=lambda v: v)
def test_route_leaves_its_audit_entry(app, rule, method):
    case = ROUTES[(rule, method)]
    world = World(app)
    send = case.prepare(world)
    before, counts = last_audit_id(app), row_counts(app)
    resp = send()
    assert resp.status_code in (200, 201, 303), resp.get_data(as_text=True)[:500]
    actions = audit_actions_after(app, before)
    if case.action is None:
        assert actions == []
        assert row_counts(app) == counts
    else:
        assert case.action in actions


# --- commands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """How to run one command (None: not run here, with the reason) and the action it leaves."""

    args: Callable[[World], list[str]] | None
    action: str | None
    reason: str = ""


def _published_filing_args(w: World) -> list[str]:
    w.filing(published=True)
    return ["archive", "rebuild-public-copies", "--all"]


def _revoke_args(w: World) -> list[str]:
    w.unit_key  # noqa: B018
    with w.app.app_context():
        prefix = get_session().scalar(select(ApiKey.prefix))
    return ["revoke-api-key", prefix]


COMMANDS: dict[str, Command] = {
    "init-db": Command(None, None, "migrates the schema; the log may not exist yet"),
    "backup create": Command(lambda w: ["backup", "create",
                                        str(Path(w.app.instance_path).parent / "b.tar.gz")], None),
    "backup restore": Command(None, None, "replaces database, archive and keys with a backup's "
                              "wholesale (tests/test_backup.py)"),
    "make-samples": Command(None, None, "writes samples/, not the database (slow)"),
    "check-fonts": Command(lambda w: ["check-fonts"], None),
    "init-pki": Command(lambda w: ["init-pki"], None),
    "archive verify": Command(lambda w: ["archive", "verify"], None),
    "audit verify": Command(lambda w: ["audit", "verify"], None),
    "load-demo": Command(lambda w: ["load-demo"], "generate_seal"),
    "load-samples": Command(lambda w: ["load-samples"], "load_sample"),
    "create-user": Command(lambda w: ["create-user", "office2", "--role", "office_admin",
                                      "--name", "管理员", "--password", PASSWORD],
                           "create_user"),
    "create-api-key": Command(lambda w: ["create-api-key", ZJJ], "create_api_key"),
    "revoke-api-key": Command(_revoke_args, "revoke_api_key"),
    "archive rebuild-public-copies": Command(_published_filing_args, "rebuild_public_copy"),
    "credit import": Command(lambda w: ["credit", "import", str(RECORDS)],
                             "import_credit_records"),
    "units add": Command(lambda w: ["units", "add", "凌源市审计局"], "add_receiving_unit"),
    "units set-clause": Command(lambda w: ["units", "set-clause", ZJJ, "--clause", "承诺按期竣工",
                                           "--scenario", "project_approval"], "set_unit_clause"),
    "units list": Command(lambda w: ["units", "list"], None),
}


def command_names(group: click.Group, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names |= command_names(command, f"{prefix}{name} ")
        else:
            names.add(f"{prefix}{name}")
    return names


def test_every_command_is_in_the_table(app):
    assert command_names(app.cli) == COMMANDS.keys()


@pytest.mark.parametrize("name", sorted(n for n, c in COMMANDS.items() if c.args is not None))
def test_command_leaves_its_audit_entry(app, runner, name):
    command = COMMANDS[name]
    args = command.args(World(app))
    before, counts = last_audit_id(app), row_counts(app)
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    actions = audit_actions_after(app, before)
    if command.action is None:
        assert actions == []
        assert row_counts(app) == counts
    else:
        assert command.action in actions


def test_load_demo_audits_each_kind_of_change(app, runner):
    before = last_audit_id(app)
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    assert {"generate_seal", "create_user", "import_credit_records"} <= set(
        audit_actions_after(app, before))


def test_a_refused_route_leaves_no_entry(app):
    """The entry belongs to the unit of work: a refused request rolls it back with the rest."""
    world = World(app)
    before = last_audit_id(app)
    resp = world.clerk.post("/staff/seals/generate", data={"unit_id": world.unit_id,
                                                           "kind": "公章", "diameter_mm": "90"})
    assert resp.status_code == 400
    assert "generate_seal" not in audit_actions_after(app, before)
