"""Agencies: registry, scaffolds, report intake checked against the scaffold, review, public."""

from __future__ import annotations

import io
import re

import pikepdf
import pytest
from docx import Document
from sqlalchemy import func, select

from app.db import get_session
from app.documents.render import html_to_pdf
from app.domain.roles import Role
from app.models import Agency, AgencyReport, CreditRecordRow
from app.services import accounts
from tests.conftest import CZJ, PASSWORD, ZJJ, login_as

AGENCY = "辽宁示例信用评价有限公司（演示）"
SUBJECT = {"subject_name": "凌源市示例建筑工程有限公司", "subject_code": "91211382MA0Y8K7Q3B"}


@pytest.fixture
def people(app, make_user):
    """An agency user ("agent"), an office admin ("admin") and the clerks of ZJJ and CZJ ("zjj",
    "czj"); ``people(username)`` is a new client logged in."""
    make_user(Role.AGENCY_USER, owner=AGENCY)
    make_user(Role.OFFICE_ADMIN)
    make_user(Role.UNIT_CLERK, "zjj", display_name="住建", owner=ZJJ)
    make_user(Role.UNIT_CLERK, "czj", display_name="财政", owner=CZJ)
    return lambda name: login_as(app, name)


def scaffold(agent, **extra) -> str:
    resp = agent.post("/agency/scaffolds", data={"kind": "rating", **SUBJECT, **extra})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = agent.get("/agency/").get_data(as_text=True)
    return re.findall(r"LYXY-(?:PJ|BG)-2026-\d{6}[0-9A-Z]", page)[0]


def report_pdf(number: str, *, grade: str = "AA", issued: str = "2026年11月29日",
               valid: str = "2027年11月28日", extra: str = "") -> bytes:
    """A finished report as the text layer the upload check reads: number, dates, the grade (a
    信用报告: the 决策建议) and ``extra`` paragraphs."""
    facts = (f"<p>决策建议：{grade}</p>" if "信用" in grade else
             f"<p>有效期至：{valid}</p><p>评价等级：{grade}</p><p>企业综合信用等级为{grade}级</p>")
    return html_to_pdf(f"<p>报告编号：{number}</p><p>评价对象：凌源市示例建筑工程有限公司</p>"
                       f"<p>出具日期：{issued}</p>{facts}{extra}")


def upload(agent, number, **fields):
    data = {"number": number, "subject_code": SUBJECT["subject_code"], "issue_date": "2026-11-29",
            "grade": "AA", "valid_until": "2027-11-28", **fields}
    pdf = fields.pop("pdf", None) or report_pdf(
        number, grade=data.get("recommendation") or data["grade"])
    data.pop("pdf", None)
    return agent.post("/agency/reports", content_type="multipart/form-data",
                      data={**data, "file": (io.BytesIO(pdf), "report.pdf")})


def test_scaffold_downloads_are_prefilled(app, people):
    agent = people("agent")
    number = scaffold(agent)
    docx = agent.get(f"/agency/scaffolds/{number}.docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert number in text
    assert SUBJECT["subject_name"] in text
    # 三(五): issued 2026-11-29 (the app's TODAY), valid through the day before the same date
    assert "2027年11月28日" in text
    pdf = agent.get(f"/agency/scaffolds/{number}.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")


def test_scaffold_stores_the_template_version_it_renders_with(app, people):
    from app.documents.registry import CURRENT, Family

    number = scaffold(people("agent"))
    with app.app_context():
        report = get_session().scalar(select(AgencyReport).where(AgencyReport.number == number))
        assert (report.template_name, report.template_version) == ("reports", CURRENT[Family.REPORT])


def test_rating_upload_review_and_effect_on_checks(app, people, client):
    agent, admin = people("agent"), people("admin")
    number = scaffold(agent)
    assert upload(agent, number).status_code == 303
    queue = admin.get("/staff/agencies").get_data(as_text=True)
    assert number in queue
    assert admin.post(f"/staff/agency-reports/{number}/approve").status_code == 303
    with app.app_context():
        rating = get_session().scalar(select(CreditRecordRow).where(
            CreditRecordRow.record_type == "rating"))
        assert rating.grade == "AA"
        assert rating.decision_number == number
    ratings = client.get("/public/ratings").get_data(as_text=True)
    assert SUBJECT["subject_name"] in ratings
    assert "AA" in ratings
    assert "有效" in ratings
    verify = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "企业综合信用等级评价报告" in verify
    assert "AA" in verify
    clerk = people("zjj")
    page = clerk.post("/staff/credit/check", data={"subject_code": SUBJECT["subject_code"],
                                                   "purpose": "bidding"}).get_data(as_text=True)
    assert "激励" in page
    assert "符合" in page


@pytest.mark.parametrize("fields, field, message", [
    ({"number": "LYXY-PJ-2026-000099" + "X"}, "number", "不存在"),
    ({"subject_code": "91350200776049653A"}, "subject_code", "与模板不符"),
    ({"grade": "A+"}, "grade", ""),
    ({"grade": "D"}, "grade", ""),
    ({"valid_until": "2026-11-01"}, "valid_until", "应晚于"),
    # 三(五) 有效期为一年: issued 2026-11-29, usable through 2027-11-28 (the 5-year case)
    ({"valid_until": "2031-11-28"}, "valid_until", "有效期为一年（政策三(五)）"),
    ({"valid_until": "2027-11-29"}, "valid_until", "最晚有效至2027年11月28日"),
    ({"issue_date": "2030-01-01"}, "issue_date", "晚于今天"),
])
def test_bad_uploads_are_refused_and_nothing_stored(app, people, fields, field, message):
    agent = people("agent")
    number = scaffold(agent)
    resp = upload(agent, fields.pop("number", number), **fields)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert f'id="{field}-error"' in page
    assert message in page
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(AgencyReport).where(
            AgencyReport.status != "scaffold")) == 0


def test_number_issued_to_another_agency_is_refused(app, people):
    agent, admin = people("agent"), people("admin")
    other = admin.post("/staff/agencies", data={"name": "辽宁另一信用服务有限公司",
                                               "uscc": "91440101MA5CJQ4N59",
                                               "filing_number": "辽发改信用备〔2026〕002号"})
    assert other.status_code == 303
    number = scaffold(agent)
    with app.app_context():
        db = get_session()
        report = db.scalar(select(AgencyReport).where(AgencyReport.number == number))
        report.agency_id = db.scalar(select(Agency.id).where(Agency.uscc == "91440101MA5CJQ4N59"))
        db.commit()
    resp = upload(agent, number)
    assert resp.status_code == 400
    assert "不是出具给本机构" in resp.get_data(as_text=True)


def test_pdf_carrying_another_number_is_refused(app, people):
    agent = people("agent")
    number = scaffold(agent)
    other = scaffold(agent)
    resp = upload(agent, number, pdf=report_pdf(other))
    assert resp.status_code == 400
    assert "不一致" in resp.get_data(as_text=True)


def test_suspended_agency_cannot_work(app, people):
    agent, admin = people("agent"), people("admin")
    with app.app_context():
        agency_id = get_session().scalar(select(Agency.id).where(Agency.name == AGENCY))
    admin.post(f"/staff/agencies/{agency_id}/status", data={"status": "suspended"})
    resp = agent.post("/agency/scaffolds", data={"kind": "rating", **SUBJECT})
    assert resp.status_code == 400
    assert "暂停" in resp.get_data(as_text=True)
    assert "暂停" in app.test_client().get("/public/agencies").get_data(as_text=True)


def test_decision_report_is_only_for_the_commissioning_department(app, people, client):
    agent, admin = people("agent"), people("admin")
    resp = agent.post("/agency/scaffolds", data={
        "kind": "decision", **SUBJECT, "project_name": "凌源市城南片区道路改造工程",
        "requesting_unit": "凌源市住房和城乡建设局"})
    assert resp.status_code == 303
    page = agent.get("/agency/").get_data(as_text=True)
    number = re.findall(r"LYXY-BG-2026-\d{6}[0-9A-Z]", page)[0]
    assert upload(agent, number, grade="", valid_until="",
                  recommendation="不是三选一").status_code == 400
    assert upload(agent, number, grade="", valid_until="",
                  recommendation="具备信用能力").status_code == 303
    admin.post(f"/staff/agency-reports/{number}/approve")
    zjj, czj = people("zjj"), people("czj")
    assert number in zjj.get("/staff/reports").get_data(as_text=True)
    assert zjj.get(f"/agency/reports/{number}.pdf").status_code == 200
    assert czj.get(f"/agency/reports/{number}.pdf").status_code == 404
    assert number not in czj.get("/staff/reports").get_data(as_text=True)
    public = client.get(f"/api/v1/documents/{number}").get_json()
    assert public["subject_name"] is None  # 四(二): for the commissioning department only
    assert public["subject_code"] == ""


def test_agency_api_scaffold_and_upload(app, people, runner, client):
    key = runner.invoke(args=["create-api-key", AGENCY]).output.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {key}"}
    resp = client.post("/api/v1/agency/scaffolds", headers=headers, json={"kind": "rating", **SUBJECT})
    assert resp.status_code == 201, resp.get_json()
    number = resp.get_json()["number"]
    assert client.get(f"/api/v1/agency/scaffolds/{number}.docx", headers=headers).status_code == 200
    resp = client.post("/api/v1/agency/reports", headers=headers, content_type="multipart/form-data",
                       data={"number": number, "subject_code": SUBJECT["subject_code"],
                             "issue_date": "2026-11-29", "grade": "ZZ", "valid_until": "2027-11-29",
                             "file": (io.BytesIO(report_pdf(number)), "r.pdf")})
    assert resp.status_code == 400
    assert "grade" in resp.get_json()["fields"]


def test_procurement_clause_respects_the_floors(people):
    clerk = people("zjj")
    ok = clerk.post("/staff/procurement-clause", data={"minimum_grade": "A",
                                                       "incentive_percent": "10",
                                                       "scope": "public_tender_procurement",
                                                       "project_name": "办公设备采购"})
    text = ok.get_data(as_text=True)
    assert ok.status_code == 200
    assert "不得低于A级" in text
    assert "10%" in text
    for data, message in (({"minimum_grade": "BB", "incentive_percent": "8"}, "不得低于BBB"),
                          ({"minimum_grade": "BBB", "incentive_percent": "5"}, "8%")):
        bad = clerk.post("/staff/procurement-clause",
                         data={**data, "scope": "key_project_bidding"})
        assert bad.status_code == 400
        assert message in bad.get_data(as_text=True)


def test_report_pdf_with_javascript_is_refused(app, people):
    agent = people("agent")
    number = scaffold(agent)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)")
    out = io.BytesIO()
    pdf.save(out)
    resp = upload(agent, number, pdf=out.getvalue())
    assert resp.status_code == 400
    assert "JavaScript" in resp.get_data(as_text=True)


def test_only_published_agencies_get_accounts_and_keys(app, runner):
    with app.app_context():
        db = get_session()
        db.add(Agency(name="未公示信用服务有限公司", uscc="91440101MA5CJQ4N59",
                      filing_number="辽发改信用备〔2026〕009号", status="suspended"))
        db.commit()
        with pytest.raises(Exception, match="不是公示中"):
            accounts.create_user(db, username="x-agent", password=PASSWORD, role="agency_user",
                                 display_name="x", owner="未公示信用服务有限公司")
    result = runner.invoke(args=["create-api-key", "未公示信用服务有限公司"])
    assert result.exit_code != 0
    assert "不是公示中" in result.output


def test_the_legal_representative_given_is_printed_in_pdf_and_docx(app, people):
    """Issue 13 item 10: the 法定代表人 asked for with the scaffold reaches both files."""
    import subprocess

    agent = people("agent")
    number = scaffold(agent, legal_representative="欧阳明")
    docx = agent.get(f"/agency/scaffolds/{number}.docx").data
    document = Document(io.BytesIO(docx))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert cells[cells.index("法定代表人") + 1] == "欧阳明"
    pdf = agent.get(f"/agency/scaffolds/{number}.pdf").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "欧阳明" in text
    assert "姓名（不填写身份证号码）" not in text


def test_verify_page_of_a_bare_scaffold_says_it_is_not_yet_submitted(app, people, client):
    """Issue 13 item 9: a report's labels (评价对象, 统一社会信用代码), no empty fields, no
    "SHA-256 None", no validity, and a plain word that the report has not been submitted."""
    number = scaffold(people("agent"))
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "评价机构尚未提交该报告" in page
    assert "<th>评价对象</th>" in page and "核查对象" not in page
    assert f"<th>统一社会信用代码</th><td>{SUBJECT['subject_code']}</td>" in page
    assert "<th>代码</th>" not in page
    assert "None" not in page and "SHA-256" not in page
    assert "有效期至" not in page
    assert "模板出具日期" in page


def test_verify_page_of_a_decision_report_hides_its_subject_code(app, people, client):
    agent = people("agent")
    resp = agent.post("/agency/scaffolds", data={
        "kind": "decision", **SUBJECT, "project_name": "凌源市城南片区道路改造工程",
        "requesting_unit": ZJJ})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    page = agent.get("/agency/").get_data(as_text=True)
    number = re.findall(r"LYXY-BG-2026-\d{6}[0-9A-Z]", page)[0]
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "<th>报告对象</th>" in page
    assert "<th>代码</th><td></td>" not in page and "<th>统一社会信用代码</th>" not in page
