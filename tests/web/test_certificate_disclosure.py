"""Who reads a 信用核查结果告知书 (issue 14 §2): its content (subject, purpose, conclusion) is for
the requesting department (主送), the issuing unit, the credit office and whoever holds its 验证码.
With a number only, the verify page and the API say that the number exists and is valid, and no
more. Tested as an anonymous visitor, a second unit's clerk and the requesting department."""

from __future__ import annotations

import io

import pypdf
import pytest
from sqlalchemy import select

from app.db import get_session
from app.domain.roles import Role
from app.models import AuditEntry, CreditCheck
from tests.conftest import CZJ, ZJJ, login_as

PERSON = "211382199003071237"     # natural person on the black list (samples/credit-records.csv)
BLACK = "91211382MA0AY4CL0L"
ZRZY = "凌源市自然资源局"          # a unit that neither issued nor asked for the certificate
CONTENT = ("惩戒", "招标投标", "张**", "凌信核")


@pytest.fixture
def issued(app, runner, clerk, make_user):
    """住建局's clerk issues a certificate on a person, addressed to 财政局 (the department that
    asked); clerks of 财政局 and 自然资源局 exist beside."""
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "samples" / "credit-records.csv"
    assert runner.invoke(args=["credit", "import", str(samples)]).exit_code == 0
    make_user(Role.UNIT_CLERK, "clerk-czj", owner=CZJ)
    make_user(Role.UNIT_CLERK, "clerk-zrzy", owner=ZRZY)
    with app.app_context():
        from app.demo import load_demo_seals
        from app.extensions import services

        load_demo_seals(get_session(), services(app).archive, services(app).trail("cli"))
        get_session().commit()
    resp = clerk.post("/staff/credit/certificate", data={
        "subject_code": PERSON, "purpose": "bidding", "addressee": CZJ})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    with app.app_context():
        cert = get_session().scalar(select(CreditCheck))
        return cert.number, cert.verification_code


def _key(runner, unit: str) -> dict[str, str]:
    key = runner.invoke(args=["create-api-key", unit]).output.strip().splitlines()[-1]
    return {"Authorization": f"Bearer {key}"}


def _shows_content(text: str) -> bool:
    return all(part in text for part in CONTENT)


def _shows_nothing(text: str) -> bool:
    return not any(part in text for part in ("惩戒", "招标投标", "张", "凌信核", CZJ, ZJJ, "1237"))


def test_anonymous_visitor_with_a_number_learns_only_that_it_exists_and_is_valid(client, issued):
    number, _ = issued
    page = client.get(f"/verify/{number}")
    assert page.status_code == 200
    text = page.get_data(as_text=True).split("<main")[1]
    assert "有效" in text and number in text
    assert _shows_nothing(text), text
    body = client.get(f"/api/v1/documents/{number}").get_json()
    assert body == {"number": number, "document_type": "信用核查结果告知书", "status": "valid",
                    "status_label": "有效", "verify_url": body["verify_url"]}
    wrong = client.get(f"/verify/{number}?c=WRONG234").get_data(as_text=True).split("<main")[1]
    assert "验证码不符" in wrong and _shows_nothing(wrong)
    assert client.get(f"/api/v1/documents/{number}?c=WRONG234").get_json() == body


def test_holder_of_the_code_reads_the_content_masked(client, issued):
    number, code = issued
    text = client.get(f"/verify/{number}?c={code}").get_data(as_text=True)
    assert _shows_content(text) and CZJ in text  # 主送单位
    assert PERSON not in text and "张三丰" not in text
    body = client.get(f"/api/v1/documents/{number}?c={code}").get_json()
    assert (body["category"], body["subject_name"], body["subject_code"]) == ("punishment", "张**", None)
    assert body["file_number"].startswith("凌信核〔2026〕") and body["addressee"] == CZJ


def test_second_units_clerk_is_the_public(app, runner, issued):
    number, _ = issued
    other = login_as(app, "clerk-zrzy")
    text = other.get(f"/verify/{number}").get_data(as_text=True).split("<main")[1]
    assert _shows_nothing(text)
    assert other.get(f"/staff/credit/certificates/{number}").status_code == 404
    assert other.get(f"/staff/credit/certificates/{number}.pdf").status_code == 404
    key = _key(runner, ZRZY)
    client = app.test_client()
    body = client.get(f"/api/v1/documents/{number}", headers=key).get_json()
    assert set(body) == {"number", "document_type", "status", "status_label", "verify_url"}
    assert client.get(f"/api/v1/checks/{number}/certificate.pdf", headers=key).status_code == 404


def test_requesting_department_reads_it_without_the_code(app, runner, issued):
    number, _ = issued
    czj = login_as(app, "clerk-czj")
    assert _shows_content(czj.get(f"/verify/{number}").get_data(as_text=True))
    assert czj.get(f"/staff/credit/certificates/{number}").status_code == 200
    pdf = czj.get(f"/staff/credit/certificates/{number}.pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    compact = text.replace("\n", "").replace(" ", "")
    assert f"{CZJ}：" in compact            # 主送
    assert "核查对象：张三丰" in compact     # the full name on the certificate to the department
    assert PERSON not in compact
    key = _key(runner, CZJ)
    client = app.test_client()
    assert client.get(f"/api/v1/documents/{number}", headers=key).get_json()["category"] == "punishment"
    assert client.get(f"/api/v1/checks/{number}/certificate.pdf", headers=key).status_code == 200
    assert client.get(f"/api/v1/documents/{number}",
                      headers={"Authorization": "Bearer lyxy_000000000000_x"}).status_code == 401


def test_issuing_unit_and_office_read_it(app, clerk, make_user, issued):
    number, _ = issued
    assert _shows_content(clerk.get(f"/verify/{number}").get_data(as_text=True))
    make_user(Role.OFFICE_REVIEWER)
    assert _shows_content(login_as(app, "reviewer").get(f"/verify/{number}").get_data(as_text=True))


def test_addressee_defaults_to_the_clerks_department_and_must_be_registered(app, clerk, issued):
    resp = clerk.post("/staff/credit/certificate", data={"subject_code": BLACK, "purpose": "other"})
    assert resp.status_code == 303
    bad = clerk.post("/staff/credit/certificate", data={"subject_code": BLACK, "purpose": "other",
                                                        "addressee": "凌源市不存在局"})
    assert bad.status_code == 400
    assert "主送单位“凌源市不存在局”不是已登记的单位" in bad.get_data(as_text=True)
    page = clerk.post("/staff/credit/check", data={"subject_code": BLACK, "purpose": "other",
                                                   "addressee": "凌源市不存在局"})
    assert page.status_code == 400
    with app.app_context():
        db = get_session()
        certs = db.scalars(select(CreditCheck).order_by(CreditCheck.id)).all()
        assert len(certs) == 2  # the refused one stored nothing
        latest = certs[-1]
        assert latest.addressee_unit_id == latest.unit_id
        assert latest.snapshot["certificate"]["addressee"] == ZJJ
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "issue_certificate")
                           .order_by(AuditEntry.id)).all()[0]
        assert "addressee" in str(entry.details)


def test_api_request_carries_its_addressee(app, client, runner, issued):
    key = _key(runner, ZJJ)
    resp = client.post("/api/v1/checks", headers=key,
                       json={"subject_code": BLACK, "purpose": "bidding", "addressee": CZJ})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["addressee"] == CZJ and body["file_number"].startswith("凌信核〔2026〕")
    bad = client.post("/api/v1/checks", headers=key,
                      json={"subject_code": BLACK, "purpose": "bidding", "addressee": 7})
    assert bad.status_code == 400 and "addressee" in bad.get_json()["fields"]
    default = client.post("/api/v1/checks", headers=key,
                          json={"subject_code": BLACK, "purpose": "other"}).get_json()
    assert default["addressee"] == ZJJ
