"""Issue 14 §3: a report upload is read and compared with its scaffold and the form; a 信用报告 is
used once (policy 四(二)); the review shows the live check; cancelled agencies; the procurement
clause's warnings and scope (三(二))."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.db import get_session
from app.domain.roles import Role
from app.models import Agency, AgencyReport, AuditEntry
from tests.conftest import CZJ, ZJJ, login_as
from tests.web.test_agencies import AGENCY, SUBJECT, report_pdf, scaffold, upload

OTHER_AGENCY = "辽宁另一信用服务有限公司"
PROJECT = "凌源市城南片区道路改造工程"


@pytest.fixture
def people(app, make_user):
    """agent (AGENCY), agent2 (OTHER_AGENCY), reviewer, admin, zjj and czj clerks;
    ``people(username)`` is a new client logged in."""
    make_user(Role.AGENCY_USER, owner=AGENCY)
    make_user(Role.OFFICE_ADMIN)
    make_user(Role.OFFICE_REVIEWER)
    make_user(Role.UNIT_CLERK, "zjj", display_name="住建", owner=ZJJ)
    make_user(Role.UNIT_CLERK, "czj", display_name="财政", owner=CZJ)
    admin = login_as(app, "admin")
    assert admin.post("/staff/agencies", data={"name": OTHER_AGENCY, "uscc": "91440101MA5CJQ4N59",
                                               "filing_number": "辽发改信用备〔2026〕002号"}
                      ).status_code == 303
    make_user(Role.AGENCY_USER, "agent2", owner=OTHER_AGENCY)
    return lambda name: login_as(app, name)


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEntry).where(AuditEntry.action == action)))


def approved_decision(people, app) -> str:
    """A 信用报告 for ZJJ, uploaded by agent and approved by the reviewer."""
    agent = people("agent")
    assert agent.post("/agency/scaffolds", data={
        "kind": "decision", **SUBJECT, "project_name": PROJECT,
        "requesting_unit": ZJJ}).status_code == 303
    number = re.findall(r"LYXY-BG-2026-\d{6}[0-9A-Z]", agent.get("/agency/").get_data(as_text=True))[0]
    assert upload(agent, number, grade="", valid_until="",
                  recommendation="具备信用能力").status_code == 303
    assert people("reviewer").post(f"/staff/agency-reports/{number}/approve").status_code == 303
    return number


def _stored_uploads(app) -> int:
    with app.app_context():
        return get_session().scalar(select(func.count()).select_from(AgencyReport).where(
            AgencyReport.status != "scaffold"))


def _error(page: str, field: str) -> str:
    match = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
    assert match, page
    return match.group(1)


# --- 1. the upload is checked against the scaffold and the form --------------------------------


def test_pdf_without_the_report_number_is_refused(app, people):
    from app.documents.render import html_to_pdf

    agent = people("agent")
    number = scaffold(agent)
    pdf = html_to_pdf("<p>出具日期：2026年11月29日</p><p>评价等级：AA</p><p>有效期至：2027年11月28日</p>")
    resp = upload(agent, number, pdf=pdf)
    assert resp.status_code == 400
    assert f"文件中未找到报告编号{number}" in _error(resp.get_data(as_text=True), "file")
    assert _stored_uploads(app) == 0


def test_unfilled_scaffold_with_a_typed_grade_is_refused(app, people):
    agent = people("agent")
    number = scaffold(agent)
    blank = agent.get(f"/agency/scaffolds/{number}.pdf").data
    resp = upload(agent, number, grade="AAA", pdf=blank)
    assert resp.status_code == 400
    message = _error(resp.get_data(as_text=True), "file")
    count = int(re.search(r"仍有(\d+)处未填写", message).group(1))
    assert count >= 50  # the rating scaffold asks for ~80 fields
    assert "例如“【请填写：" in message
    assert _stored_uploads(app) == 0


def test_typed_grade_must_be_the_files(app, people):
    agent = people("agent")
    number = scaffold(agent)
    resp = upload(agent, number, grade="AAA", pdf=report_pdf(number, grade="BB"))
    assert resp.status_code == 400
    assert _error(resp.get_data(as_text=True), "grade") == "评价等级与文件不符：文件为BB，表单填写为AAA"
    assert _stored_uploads(app) == 0


def test_typed_validity_and_issue_date_must_be_the_files(app, people):
    agent = people("agent")
    number = scaffold(agent)
    resp = upload(agent, number, pdf=report_pdf(number, valid="2028年11月29日"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "有效期至与文件不符：文件为2028年11月29日" in _error(page, "valid_until")
    resp = upload(agent, number, pdf=report_pdf(number, issued="2026年11月30日"))
    assert "出具日期与文件不符" in _error(resp.get_data(as_text=True), "issue_date")
    assert _stored_uploads(app) == 0


def test_file_stating_two_grades_is_refused(app, people):
    agent = people("agent")
    number = scaffold(agent)
    resp = upload(agent, number, pdf=report_pdf(number, extra="<p>评价等级：A</p>"))
    assert resp.status_code == 400
    assert "前后不一致" in _error(resp.get_data(as_text=True), "grade")


def test_issue_date_before_the_scaffold_is_refused(app, people):
    agent = people("agent")
    number = scaffold(agent)  # issued on the app's today, 2026-11-29
    resp = upload(agent, number, issue_date="2026-11-20",
                  pdf=report_pdf(number, issued="2026年11月20日"))
    assert resp.status_code == 400
    assert "早于本平台出具报告模板的日期2026年11月29日" in _error(resp.get_data(as_text=True),
                                                                  "issue_date")
    assert _stored_uploads(app) == 0


def test_decision_recommendation_must_be_the_files(app, people):
    agent = people("agent")
    resp = agent.post("/agency/scaffolds", data={
        "kind": "decision", **SUBJECT, "project_name": "凌源市城南片区道路改造工程",
        "requesting_unit": "凌源市住房和城乡建设局"})
    assert resp.status_code == 303
    number = re.findall(r"LYXY-BG-2026-\d{6}[0-9A-Z]", agent.get("/agency/").get_data(as_text=True))[0]
    resp = upload(agent, number, grade="", valid_until="", recommendation="具备信用能力",
                  pdf=report_pdf(number, grade="不具备信用能力"))
    assert resp.status_code == 400
    assert (_error(resp.get_data(as_text=True), "recommendation")
            == "决策建议与文件不符：文件为不具备信用能力，表单填写为具备信用能力")


def test_review_queue_shows_issue_date_and_validity(app, people):
    agent, admin = people("agent"), people("admin")
    number = scaffold(agent)
    assert upload(agent, number).status_code == 303
    queue = admin.get("/staff/agencies").get_data(as_text=True)
    row = queue[queue.index(number):]
    assert "出具日期2026年11月29日" in row
    assert "有效期至2027年11月28日" in row


# --- 2. a 信用报告 serves one decision (policy 四(二)) ---------------------------------------------


def test_commissioning_department_records_the_use_once(app, people):
    number = approved_decision(people, app)
    zjj = people("zjj")
    page = zjj.get(f"/staff/agency-reports/{number}").get_data(as_text=True)
    assert "尚未使用" in page
    first = zjj.post(f"/staff/reports/{number}/use",
                     data={"decision": "凌住建〔2026〕12号 确定施工单位", "decided_on": "2026-11-29"})
    assert first.status_code == 303
    [entry] = _audit(app, "use_report")
    assert (entry.object_id, entry.actor) == (number, "user:zjj")
    page = zjj.get(f"/staff/agency-reports/{number}").get_data(as_text=True)
    assert "已于2026年11月29日用于“凌住建〔2026〕12号 确定施工单位”" in page
    assert 'action="/staff/reports/' not in page  # no second use offered
    again = zjj.post(f"/staff/reports/{number}/use",
                     data={"decision": "另一项决策", "decided_on": "2026-11-29"})
    assert again.status_code == 409
    assert "仅限一次性使用（政策四(二)），不能再次使用" in again.get_data(as_text=True)
    with app.app_context():
        report = get_session().scalar(select(AgencyReport).where(AgencyReport.number == number))
        assert report.used_for == "凌住建〔2026〕12号 确定施工单位"
    assert len(_audit(app, "use_report")) == 1
    # the check of the subject cites the report as used (a record makes the subject known today)
    zjj.post("/staff/credit/breach", data={**SUBJECT, "decision_number": "凌住建违诺〔2026〕1号",
                                           "decided_on": "2026-11-20", "summary": "未按承诺补齐材料"})
    check = zjj.post("/staff/credit/check", data={"subject_code": SUBJECT["subject_code"],
                                                  "purpose": "other"}).get_data(as_text=True)
    assert number in check
    assert "已于2026年11月29日用于" in check
    assert "不得再次使用" in check


@pytest.mark.parametrize("who, status", [("czj", 404), ("agent", 403), ("agent2", 403),
                                         ("reviewer", 403), (None, 302)])
def test_only_the_commissioning_department_records_a_use(app, people, who, status):
    number = approved_decision(people, app)
    client = people(who) if who else app.test_client()
    resp = client.post(f"/staff/reports/{number}/use",
                       data={"decision": "凌住建〔2026〕12号", "decided_on": "2026-11-28"})
    assert resp.status_code == status
    assert _audit(app, "use_report") == []


def test_use_needs_a_decision_and_a_sensible_date(app, people):
    number = approved_decision(people, app)
    zjj = people("zjj")
    early = zjj.post(f"/staff/reports/{number}/use", data={"decision": "凌住建〔2026〕12号",
                                                           "decided_on": "2026-11-28"})
    assert "早于信用报告的出具日期2026年11月29日" in _error(early.get_data(as_text=True), "decided_on")
    resp = zjj.post(f"/staff/reports/{number}/use", data={"decision": " ", "decided_on": "2026-12-30"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "所作决策" in _error(page, "decision")
    assert "决策日期不能晚于今天" in _error(page, "decided_on")
    assert _audit(app, "use_report") == []


def test_use_through_the_api(app, people, runner, client):
    number = approved_decision(people, app)
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    other = runner.invoke(args=["create-api-key", CZJ]).output.strip().splitlines()[-1]
    body = {"decision": "凌住建〔2026〕12号", "decided_on": "2026-11-29"}
    path = f"/api/v1/reports/{number}/use"
    assert client.post(path, json=body).status_code == 401
    assert client.post(path, json=body, headers={"Authorization": f"Bearer {other}"}).status_code == 404
    ok = client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["used_on"] == "2026-11-29"
    again = client.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_used"


def test_a_rating_is_not_used_up(app, people):
    agent = people("agent")
    number = scaffold(agent)
    assert upload(agent, number).status_code == 303
    people("reviewer").post(f"/staff/agency-reports/{number}/approve")
    with app.app_context():  # even if a clerk tried: ratings are 无限次查询使用 (三(五))
        from app.services import agencies as svc
        report = get_session().scalar(select(AgencyReport).where(AgencyReport.number == number))
        with pytest.raises(Exception, match="三\\(五\\)"):
            svc.record_use(get_session(), report, unit_id=report.requesting_unit_id, user_id=None,
                           decision="x", decided_on="2026-11-29", today=report.issue_date,
                           trail=None)


# --- 3. the review shows the subject's credit status today ----------------------------------


def test_review_page_shows_the_live_check_beside_the_report(app, people):
    zjj = people("zjj")
    assert zjj.post("/staff/credit/breach", data={
        **SUBJECT, "decision_number": "凌住建违诺〔2026〕1号", "decided_on": "2026-11-20",
        "summary": "未按承诺补齐材料"}).status_code in (200, 303)
    agent = people("agent")
    assert agent.post("/agency/scaffolds", data={
        "kind": "decision", **SUBJECT, "project_name": PROJECT, "requesting_unit": ZJJ}
                      ).status_code == 303
    number = re.findall(r"LYXY-BG-2026-\d{6}[0-9A-Z]", agent.get("/agency/").get_data(as_text=True))[0]
    assert upload(agent, number, grade="", valid_until="",
                  recommendation="具备信用能力").status_code == 303
    page = people("reviewer").get(f"/staff/agency-reports/{number}").get_data(as_text=True)
    live = page[page.index('id="live-check"'):]
    assert "惩戒" in live
    assert "违反信用承诺" in live
    assert "报告建议“具备信用能力”，而评价对象当前列入失信黑名单" in live
    assert "通过</button>" in page
    # the agency sees its report, not the subject's check; another agency and the public nothing
    assert 'id="live-check"' not in agent.get(f"/staff/agency-reports/{number}").get_data(as_text=True)
    assert people("agent2").get(f"/staff/agency-reports/{number}").status_code == 404
    assert app.test_client().get(f"/staff/agency-reports/{number}").status_code == 302


# --- 4. cancelled agencies -------------------------------------------------------------------


def _agency_id(app, name: str = AGENCY) -> int:
    with app.app_context():
        return get_session().scalar(select(Agency.id).where(Agency.name == name))


def test_ratings_of_a_cancelled_agency_are_marked_and_still_count(app, people, client):
    agent, admin = people("agent"), people("admin")
    number = scaffold(agent)
    assert upload(agent, number).status_code == 303
    admin.post(f"/staff/agency-reports/{number}/approve")
    assert admin.post(f"/staff/agencies/{_agency_id(app)}/status",
                      data={"status": "cancelled"}).status_code == 303
    ratings = client.get("/public/ratings").get_data(as_text=True)
    assert "（已于2026年11月29日注销）" in ratings
    check = people("zjj").post("/staff/credit/check", data={
        "subject_code": SUBJECT["subject_code"], "purpose": "bidding"}).get_data(as_text=True)
    assert f"评价机构：{AGENCY}（已于2026年11月29日注销）" in check
    assert "激励" in check  # 三(五): approved before the cancellation, valid for its year


def test_a_cancelled_agencys_pending_report_cannot_be_approved(app, people):
    agent, admin = people("agent"), people("admin")
    number = scaffold(agent)
    assert upload(agent, number).status_code == 303
    admin.post(f"/staff/agencies/{_agency_id(app)}/status", data={"status": "cancelled"})
    admin.post(f"/staff/agency-reports/{number}/approve")
    with app.app_context():
        report = get_session().scalar(select(AgencyReport).where(AgencyReport.number == number))
        assert report.status == "pending"


def test_reactivating_a_cancelled_agency_needs_a_reason(app, people):
    admin = people("admin")
    agency_id = _agency_id(app)
    admin.post(f"/staff/agencies/{agency_id}/status", data={"status": "cancelled"})
    refused = admin.post(f"/staff/agencies/{agency_id}/status", data={"status": "published"},
                         follow_redirects=True)
    assert "须填写理由" in refused.get_data(as_text=True)
    with app.app_context():
        assert get_session().get(Agency, agency_id).status == "cancelled"
    ok = admin.post(f"/staff/agencies/{agency_id}/status",
                    data={"status": "published", "reason": "省发改委恢复备案（辽发改〔2026〕3号）"})
    assert ok.status_code == 303
    with app.app_context():
        agency = get_session().get(Agency, agency_id)
        assert (agency.status, agency.cancelled_on) == ("published", None)
    last = _audit(app, "agency_status")[-1]
    assert last.details["reason"] == "省发改委恢复备案（辽发改〔2026〕3号）"
    assert last.details["previous"] == "cancelled"


@pytest.mark.parametrize("who, status", [("reviewer", 403), ("agent", 403), ("zjj", 403),
                                         (None, 302)])
def test_only_the_office_admin_changes_an_agencys_status(app, people, who, status):
    client = people(who) if who else app.test_client()
    resp = client.post(f"/staff/agencies/{_agency_id(app)}/status",
                       data={"status": "published", "reason": "x"})
    assert resp.status_code == status


# --- 5. the procurement clause warns and asks the scope of 三(二) ----------------------------


def test_procurement_clause_asks_the_scope(people):
    clerk = people("zjj")
    resp = clerk.post("/staff/procurement-clause", data={"minimum_grade": "BBB",
                                                         "incentive_percent": "8"})
    assert resp.status_code == 400
    assert "三(二)第二款" in _error(resp.get_data(as_text=True), "scope")
    other = clerk.post("/staff/procurement-clause", data={"minimum_grade": "BBB",
                                                          "incentive_percent": "8", "scope": "other"})
    assert other.status_code == 200
    assert "不是必须设置的" in other.get_data(as_text=True)


def test_procurement_clause_warns_on_full_credit_weight_and_aaa_only(people):
    clerk = people("zjj")
    resp = clerk.post("/staff/procurement-clause", data={
        "minimum_grade": "AAA", "incentive_percent": "100", "scope": "public_tender_procurement"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    grade = re.search(r'id="minimum_grade-warning">([^<]*)<', page).group(1)
    assert grade.startswith("最低准入等级：只接受AAA级，AA、A、BBB级企业将被排除")
    weight = re.search(r'id="incentive_percent-warning">([^<]*)<', page).group(1)
    assert weight.startswith("信用激励分值占比：100%明显偏高，评分将完全由信用决定")
    calm = clerk.post("/staff/procurement-clause", data={
        "minimum_grade": "BBB", "incentive_percent": "10", "scope": "key_project_bidding"})
    assert "-warning" not in calm.get_data(as_text=True)
