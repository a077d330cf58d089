"""信用核查 end to end: import, check, certificate (sealed, signed, verifiable), breach, API,
statistics."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select

from app.db import get_session
from app.domain.roles import Role
from app.models import CreditCheck, CreditRecordRow, ReceivingUnit
from app.stamping.validation import validate_signatures
from tests.conftest import ZJJ, login_as

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
RED = "91211382MA0Y8K7Q3B"        # red list (+ a rating in the sample)
BLACK = "91211382MA0AY4CL0L"      # black list, ground 6
PERSON = "211382199003071237"     # natural person on the black list


@pytest.fixture
def imported(app, runner):
    result = runner.invoke(args=["credit", "import", str(SAMPLES / "credit-records.csv")])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def clerk(app, clerk, make_user):
    """conftest's clerk, with an office admin ("admin") and the demo seals certificates carry."""
    make_user(Role.OFFICE_ADMIN)
    with app.app_context():
        db = get_session()
        from app.demo import load_demo_seals
        from app.extensions import services

        load_demo_seals(db, services(app).archive, services(app).trail("cli"))
        db.commit()
    return clerk


def test_import_is_idempotent(app, runner, imported):
    assert "新增 15" in imported
    again = runner.invoke(args=["credit", "import", str(SAMPLES / "credit-records.csv")])
    assert "新增 0" in again.output
    assert "未变 15" in again.output
    with app.app_context():
        rows = get_session().scalars(select(CreditRecordRow)).all()
        assert len(rows) == 15
        person = [r for r in rows if r.subject_name == "张三丰"][0]
        assert person.subject_code_public == "2*************1237"
        assert PERSON not in person.subject_code_enc


def test_bad_import_file_reports_each_line(app, runner):
    result = runner.invoke(args=["credit", "import", str(SAMPLES / "credit-records-bad.csv")])
    assert result.exit_code == 1  # issue 14 §4: rejected rows are a failure for scripts
    assert "第3行" in result.output
    assert "拒绝" in result.output


def test_office_import_page(app, clerk, imported):
    admin = login_as(app, "admin")
    data = (SAMPLES / "credit-records.json").read_bytes()
    resp = admin.post("/staff/credit/import", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(data), "records.json")})
    assert resp.status_code == 200
    assert "导入结果" in resp.get_data(as_text=True)
    bad = admin.post("/staff/credit/import", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(b"\x00\x01garbage"), "x.csv")})
    assert bad.status_code == 400


@pytest.mark.parametrize("code, purpose, category", [
    (RED, "administrative_approval", "激励"),
    (BLACK, "bidding", "惩戒"),
    (PERSON, "financial_loan", "惩戒"),
])
def test_check_page_shows_category_and_measures(clerk, imported, code, purpose, category):
    page = clerk.post("/staff/credit/check", data={"subject_code": code, "purpose": purpose})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert category in text
    # book form (issue 14 §2): full-width parentheses inside Chinese text
    assert "（二（四）" in text or "（七（二）" in text or "（六（" in text


UNKNOWN = "91350200776049653A"    # a valid code the platform has no record of


def _import_date(app) -> str:
    from app.services.credit import last_import_date

    with app.app_context():
        day = last_import_date(get_session())
    assert day is not None
    return f"{day.year}年{day.month}月{day.day}日"


def test_unknown_subject_is_checked_clean_with_the_data_date(app, clerk, imported):
    """Policy 二(一): 都必须对行政相对人进行信用核查 — a valid code without records is 无不良记录."""
    resp = clerk.post("/staff/credit/check", data={"subject_code": UNKNOWN, "purpose": "bidding"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "无不良记录" in page
    assert f"数据截至{_import_date(app)}最近一次导入" in page
    assert 'name="subject_name"' in page  # the certificate form asks for the name


def test_certificate_for_an_unknown_subject(app, clerk, imported):
    refused = clerk.post("/staff/credit/certificate", data={"subject_code": UNKNOWN,
                                                            "purpose": "other"})
    assert refused.status_code == 400
    assert "请填写主体名称" in refused.get_data(as_text=True)
    resp = clerk.post("/staff/credit/certificate", data={
        "subject_code": UNKNOWN, "purpose": "other", "subject_name": "厦门示例贸易有限公司"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        assert (cert.category, cert.subject_name) == ("clean", "厦门示例贸易有限公司")
        reasons = cert.snapshot["certificate"]["reasons"]
    assert reasons == [
        f"平台未收录该主体的信用记录，未发现不良信用记录（数据截至{_import_date(app)}最近一次导入）"]
    pdf = clerk.get(resp.headers["Location"] + ".pdf").data
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "厦门示例贸易有限公司" in text.replace("\n", "")


def test_unknown_and_malformed_subjects(clerk, imported):
    resp = clerk.post("/staff/credit/check", data={"subject_code": "123", "purpose": "bidding"})
    assert resp.status_code == 400
    resp = clerk.post("/staff/credit/check", data={"subject_code": RED, "purpose": "x"})
    assert resp.status_code == 400
    assert "核查用途" in resp.get_data(as_text=True)
    resp = clerk.post("/staff/credit/check", data={"subject_code": RED, "purpose": "bidding",
                                                   "as_of": "2026-02-30"})
    assert resp.status_code == 400


def test_certificate_is_sealed_signed_verifiable_and_frozen(app, clerk, imported, client):
    resp = clerk.post("/staff/credit/certificate", data={"subject_code": BLACK,
                                                         "purpose": "bidding"})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        number, code = cert.number, cert.verification_code
    pdf = clerk.get(f"/staff/credit/certificates/{number}.pdf").data
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    compact = text.replace("\n", "").replace(" ", "")
    # certificate v2 (issue 13) prints full-width parentheses in Chinese text
    for part in ("信用核查结果告知书", number, "惩戒", "七（二）3", "未发现", "失信黑名单", "截至"):
        assert part in compact, part
    roots = [Path(app.config["PKI_DIR"], "demo-ca.pem").read_bytes()]
    assert [r.status for r in validate_signatures(pdf, roots)] == ["intact"]
    page = client.get(f"/verify/{number}?c={code}").get_data(as_text=True)
    assert "信用核查结果告知书" in page
    assert "验证码正确" in page
    assert "惩戒" in page
    check = client.post(f"/verify/{number}", data={"file": (io.BytesIO(pdf), "c.pdf")},
                        content_type="multipart/form-data").get_data(as_text=True)
    assert "完全一致" in check
    # the records change later (repair), the stored certificate still verifies as issued
    with app.app_context():
        db = get_session()
        for row in db.scalars(select(CreditRecordRow).where(CreditRecordRow.record_type == "black_list")):
            row.repaired_on = date(2026, 11, 1)
        db.commit()
        snapshot = db.scalar(select(CreditCheck)).snapshot
    assert snapshot["certificate"]["category"] == "punishment"
    assert client.get(f"/api/v1/documents/{number}?c={code}").get_json()["category"] == "punishment"


def test_certificate_stores_the_template_version_it_was_rendered_with(app, clerk, imported,
                                                                    client):
    from app.documents.registry import CURRENT, Family

    clerk.post("/staff/credit/certificate", data={"subject_code": BLACK, "purpose": "bidding"})
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        number, code = cert.number, cert.verification_code
        stored = (cert.template_name, cert.template_version)
    assert stored == ("credit_check", CURRENT[Family.CERTIFICATE])
    shown = client.get(f"/api/v1/documents/{number}?c={code}").get_json()["template_version"]
    assert shown == CURRENT[Family.CERTIFICATE]


def test_a_certificates_conclusion_needs_its_code(app, clerk, imported, client):
    """Numbers can be counted through: without the code (QR code, paper) a certificate shows
    only that it exists and is valid, not whom it punishes, who asked and why (issue 14 §2)."""
    clerk.post("/staff/credit/certificate", data={"subject_code": PERSON, "purpose": "bidding"})
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        number, code = cert.number, cert.verification_code
    bare = client.get(f"/api/v1/documents/{number}").get_json()
    assert bare["status"] == "valid"
    for hidden in ("category", "category_label", "purpose", "purpose_label", "as_of", "issuer",
                   "subject_name", "subject_code", "addressee"):
        assert hidden not in bare
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "惩戒" not in page
    assert "凭告知书上的二维码或验证码查看" in page
    wrong = client.get(f"/api/v1/documents/{number}?c=WRONG123").get_json()
    assert "category" not in wrong
    assert client.get(f"/api/v1/documents/{number}?c={code}").get_json()["category"] == "punishment"
    assert "惩戒" in client.get(f"/verify/{number}?c={code}").get_data(as_text=True)


def test_looking_up_numbers_is_rate_limited(app_factory):
    from app.domain.numbers import DocumentType, format_document_number

    unknown = format_document_number(DocumentType.HC, 2026, 999_999)
    client = app_factory(LOOKUP_RATE_LIMIT="3 per minute").test_client()
    statuses = [client.get(f"/api/v1/documents/{unknown}").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert client.get(f"/verify/{unknown}").status_code == 429  # one quota for both


def test_natural_person_certificate_hides_the_id(app, clerk, imported, client):
    clerk.post("/staff/credit/certificate", data={"subject_code": PERSON, "purpose": "other"})
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        number, code = cert.number, cert.verification_code
    body = client.get(f"/api/v1/documents/{number}?c={code}").get_data(as_text=True)
    assert PERSON not in body and "1237" not in body
    assert "张**" in body and "张三丰" not in body


def test_breach_puts_the_subject_on_the_black_list(app, clerk, imported):
    data = {"subject_code": RED, "subject_name": "凌源市示例建筑工程有限公司",
            "decision_number": "凌住建违诺〔2026〕1号", "decided_on": "2026-11-20",
            "severity": "严重", "summary": "未按承诺支付农民工工资"}
    assert clerk.post("/staff/credit/breach", data=data).status_code == 303
    assert clerk.post("/staff/credit/breach", data=data).status_code == 400  # same number twice
    page = clerk.post("/staff/credit/check", data={"subject_code": RED,
                                                   "purpose": "bidding"}).get_data(as_text=True)
    assert "惩戒" in page
    assert "第14项" in page or "十四" in page


def test_breach_refuses_future_dates(clerk, imported):
    resp = clerk.post("/staff/credit/breach", data={
        "subject_code": RED, "subject_name": "x公司", "decision_number": "N-1",
        "decided_on": "2030-01-01"})
    assert resp.status_code == 400
    assert "晚于今天" in resp.get_data(as_text=True)


@pytest.fixture
def api(app, runner, clerk):
    key = runner.invoke(args=["create-api-key", ZJJ]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def test_api_check_contract(app, client, api, imported):
    resp = client.post("/api/v1/checks", headers=api,
                       json={"subject_code": BLACK, "purpose": "government_procurement"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["category"] == "punishment"
    assert all(m["clause"] for m in body["measures"])
    assert body["entry_rule"]["passed"] is False
    pdf = client.get(body["certificate_url"].removeprefix("http://127.0.0.1:8000"), headers=api)
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize("payload, status, field", [
    ({"subject_code": "bad", "purpose": "bidding"}, 400, "subject_code"),
    ({"subject_code": RED, "purpose": "lottery"}, 400, "purpose"),
    ({"subject_code": RED, "purpose": "bidding", "as_of": "2026-13-01"}, 400, "as_of"),
    # 二(一): an unknown subject is checked, but its certificate needs a name
    ({"subject_code": "91350200776049653A", "purpose": "bidding"}, 400, "subject_name"),
    ({"subject_code": "91350200776049653A", "purpose": "bidding", "subject_name": 7}, 400,
     "subject_name"),
])
def test_api_check_refusals_store_nothing(app, client, api, imported, payload, status, field):
    resp = client.post("/api/v1/checks", headers=api, json=payload)
    assert resp.status_code == status
    assert field in resp.get_json()["fields"]
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(CreditCheck)) == 0


def test_api_checks_an_unknown_subject(app, client, api, imported):
    """Policy 二(一): no more 404 unknown_subject for a valid code; 无不良记录 as of the last import."""
    resp = client.post("/api/v1/checks", headers=api, json={
        "subject_code": UNKNOWN, "purpose": "market_access", "subject_name": "厦门示例贸易有限公司"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["category"] == "clean"
    from app.services.credit import last_import_date

    with app.app_context():
        assert body["data_as_of"] == last_import_date(get_session()).isoformat()
    assert "最近一次导入" in body["reasons"][0]
    # 三(二): an enterprise (91) without a rating: the department is to ask for the report
    assert [m["clause"] for m in body["measures"]] == ["三(二)"]


@pytest.mark.parametrize("code, enterprise", [
    ("93211382MA053JJL2X", False),   # 农民专业合作社 (in the sample): no 企业 under 三(二)
    ("92211382MA071HU49P", False),   # 个体工商户
    ("91211382MA0612DD20", True),    # 企业 without a rating
])
def test_entry_rule_by_subject_kind(client, api, imported, code, enterprise):
    """三(二): 行政相对人为企业的 … (本文件所称企业，暂不包含个体工商户) — by the subject's kind."""
    resp = client.post("/api/v1/checks", headers=api, json={"subject_code": code, "purpose": "bidding"})
    assert resp.status_code == 201, resp.get_json()
    entry = resp.get_json()["entry_rule"]
    assert ("未提供有效期内的信用等级评价报告" in entry["reason"]) is enterprise


def test_monthly_statistics_page_and_csv(app, clerk, imported):
    # The app's date is 2026-11-29 (conftest), whatever the machine's clock says: certificates
    # count in the month printed on them.
    clerk.post("/staff/credit/certificate", data={"subject_code": RED, "purpose": "other"})
    page = clerk.get("/staff/credit/statistics?year=2026&month=11").get_data(as_text=True)
    assert ZJJ in page
    assert "激励" in page
    csv = clerk.get("/staff/credit/statistics.csv?year=2026&month=11")
    text = csv.data.decode("utf-8-sig")
    assert csv.mimetype == "text/csv"
    assert f"2026年11月,{ZJJ},1,1,0,0,0,0,0" in text  # period, unit, total, 激励…, filings, breaches
    other = clerk.get("/staff/credit/statistics.csv?year=2026&month=12").data.decode("utf-8-sig")
    assert ZJJ not in other


def test_statistics_count_the_certificate_date_not_the_clock(app, clerk, imported):
    """A certificate dated on the last day of a month counts in that month (not by UTC instant)."""
    app.config["TODAY"] = "2027-01-31"
    clerk.post("/staff/credit/certificate", data={"subject_code": RED, "purpose": "other"})
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        assert cert.issued_on == date(2027, 1, 31)
    jan = clerk.get("/staff/credit/statistics.csv?year=2027&month=1").data.decode("utf-8-sig")
    assert f"2027年1月,{ZJJ},1,1,0,0,0,0,0" in jan
    feb = clerk.get("/staff/credit/statistics.csv?year=2027&month=2").data.decode("utf-8-sig")
    assert ZJJ not in feb
    with app.app_context():
        assert get_session().scalar(select(ReceivingUnit.id).where(ReceivingUnit.name == ZJJ))


def test_migration_0009_dates_existing_certificates_by_their_snapshot(tmp_path) -> None:
    """Certificates issued before 0009 get the date printed on them as ``issued_on``."""
    from alembic import command
    from sqlalchemy import text

    from app.db import alembic_config, make_engine

    url = f"sqlite:///{tmp_path / 'before_0009.sqlite3'}"
    command.upgrade(alembic_config(url), "0008")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO receiving_units (id, name, created_at) "
                              "VALUES (1, :n, '2026-01-01 00:00:00')"), {"n": ZJJ})
            conn.execute(text(
                "INSERT INTO credit_checks (id, number, serial, year, verification_code, unit_id, "
                "subject_name, subject_kind, subject_code_public, subject_code_hash, purpose, as_of, "
                "category, snapshot, created_at) VALUES (1, 'LYXY-HC-2026-0000011', 1, 2026, 'x', 1, "
                "'n', 'organisation', 'c', 'h', 'other', '2026-11-30', 'incentive', :snap, "
                "'2026-11-30 17:00:00+00:00')"),  # 2026-12-01 01:00 in Lingyuan
                {"snap": '{"certificate": {"issued_on": "2026-12-01"}}'})
        command.upgrade(alembic_config(url), "head")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT issued_on FROM credit_checks")).scalar() == "2026-12-01"
    finally:
        engine.dispose()


RATED = {"91211382MA0Y8K7Q3B": "2025-11-30",   # valid through 2026-11-29 (三(五), the day before)
         "91211382MA01JJC18T": "2025-11-29"}   # valid through 2026-11-28


@pytest.fixture
def ratings_without_end(app, runner, tmp_path):
    """Two ratings imported without 有效期至, so the one-year rule decides their last day."""
    header = ("record_type,subject_code,subject_name,source_department,decision_number,decided_on,"
              "valid_until,grade,ground,severity,repaired_on,summary")
    rows = [f"rating,{code},凌源市示例{i}有限公司,辽宁示例信用评价有限公司,R-{i},{issued},,AA,,,,评价"
            for i, (code, issued) in enumerate(RATED.items())]
    path = tmp_path / "ratings.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["credit", "import", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("code, as_of, valid", [
    ("91211382MA0Y8K7Q3B", "2026-11-29", True),    # the last valid day counts
    ("91211382MA01JJC18T", "2026-11-28", True),
    ("91211382MA01JJC18T", "2026-11-29", False),   # the day after: expired
])
def test_api_check_rating_valid_through_last_day(client, api, ratings_without_end, code, as_of, valid):
    resp = client.post("/api/v1/checks", headers=api,
                       json={"subject_code": code, "purpose": "bidding", "as_of": as_of})
    assert resp.status_code == 201, resp.get_json()
    entry = resp.get_json()["entry_rule"]
    assert entry["passed"] is valid
    assert ("未提供有效期内的信用等级评价报告" in entry["reason"]) is (not valid)


def test_a_certificate_is_not_issued_for_a_long_past_check_time(client, api, imported):
    """Trial 14 item 3: a 核查时点 of 2026-01-01 made a clean certificate, dated today, for a
    subject black-listed since; a certificate serves the matter at hand (二(一), 二(四))."""
    resp = client.post("/api/v1/checks", headers=api, json={
        "subject_code": "91211382MA0AY4CL0L", "purpose": "bidding", "as_of": "2026-01-01"})
    assert resp.status_code == 400
    assert "核查时点最早为30天前" in resp.get_json()["fields"]["as_of"]
    far = client.post("/api/v1/checks", headers=api, json={
        "subject_code": "91211382MA0AY4CL0L", "purpose": "bidding", "as_of": "1900-01-01"})
    assert far.status_code == 400 and "不能早于2020-01-01" in far.get_json()["fields"]["as_of"]


def test_a_typed_name_does_not_replace_the_platform_s_name(client, api, imported):
    """Trial 14 item 1: the name typed for a code the platform knows is not printed."""
    resp = client.post("/api/v1/checks", headers=api, json={
        "subject_code": "91211382MA0AY4CL0L", "purpose": "bidding", "subject_name": "X名称"})
    assert resp.status_code == 201
    assert "X名称" not in json.dumps(resp.get_json(), ensure_ascii=False)
