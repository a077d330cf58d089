"""Issue 14 §3: a report upload is read and compared with its scaffold and the form; a 信用报告 is
used once (policy 四(二)); the review shows the live check; cancelled agencies; the procurement
clause's warnings and scope (三(二))."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.db import get_session
from app.models import AgencyReport
from tests.web.test_agencies import AGENCY, SUBJECT, people, report_pdf, scaffold, upload  # noqa: F401


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
    pdf = html_to_pdf("<p>出具日期：2026年11月29日</p><p>评价等级：AA</p><p>有效期至：2027年11月29日</p>")
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
    assert "有效期至2027年11月29日" in row
