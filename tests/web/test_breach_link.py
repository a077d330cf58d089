"""违诺 linked to the 承诺书 it breaches (issue 14 §4; policy 五(四): a breach of a commitment is
recorded and published; domain-rules §7–§8: what the public may see, and for how long)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.archive.intake import IntakeLimits
from app.db import get_session
from app.domain.numbers import DocumentType, format_document_number
from app.domain.publicity import public_breaches
from app.domain.roles import Role
from app.extensions import services
from app.models import CreditRecordRow, ReceivingUnit
from app.services import commitments as commitment_svc
from app.services import filings
from tests.conftest import PERSON_LETTER, UNIT_LETTER, ZJJ

TODAY = date(2026, 11, 29)  # conftest's TODAY
CODE = UNIT_LETTER["subject_code"]


def issue(app, data=UNIT_LETTER):
    ctx = services(app)
    with app.app_context():
        issued = commitment_svc.issue_commitment(
            get_session(), data, secret=ctx.secret, base_url=ctx.base_url, archive=ctx.archive,
            cipher=ctx.pii_cipher, today=TODAY, trail=ctx.trail("setup"))
        get_session().commit()
        return issued.record.number, issued.pdf


def breach(clerk, number: str, *, code: str = CODE, name: str = UNIT_LETTER["subject_name"],
           severity: str = "严重", decided_on: str = "2026-11-29", decision: str = "凌住建违诺〔2026〕3号"):
    return clerk.post("/staff/credit/breach", data={
        "subject_code": code, "subject_name": name, "commitment_number": number,
        "decision_number": decision, "decided_on": decided_on, "severity": severity,
        "summary": "承诺按期支付农民工工资，经查拖欠张某某工资"})


def breaches(app) -> list[CreditRecordRow]:
    with app.app_context():
        return list(get_session().scalars(select(CreditRecordRow).where(
            CreditRecordRow.record_type == "breach")))


def test_a_breach_of_our_letter_is_linked_and_shown_on_its_verify_page(app, clerk, client):
    number, _ = issue(app)
    typed = number.lower().replace("-", "－")  # as a clerk may type it: lower case, full-width dashes
    resp = breach(clerk, typed)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:400]
    [row] = breaches(app)
    assert row.commitment_number == number
    assert row.commitment_document_id is not None
    assert (row.severity, row.ground) == ("严重", 14)
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "违诺记录" in page
    assert f"{ZJJ}于2026-11-29认定违反本承诺" in page
    assert "严重失信" in page and "凌住建违诺〔2026〕3号" in page
    assert "公示至2029-11-28" in page  # 严重: at most 3 years from 认定之日 (domain-rules §8.1)
    assert "张某某" not in page  # the description is not published (third-party names)
    doc = client.get(f"/api/v1/documents/{number}").get_json()
    assert doc["breaches"] == [{"decided_on": "2026-11-29", "unit": ZJJ,
                                "decision_number": "凌住建违诺〔2026〕3号", "severity": "严重",
                                "publicity_until": "2029-11-28"}]


def test_a_person_s_breach_shows_no_id_number_and_a_masked_name(app, clerk, client):
    number, _ = issue(app, PERSON_LETTER)
    resp = breach(clerk, number, code=PERSON_LETTER["subject_code"], name="张三丰", severity="一般")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:400]
    page = client.get(f"/verify/{number}").get_data(as_text=True)
    assert "一般失信" in page and "公示至2027-11-28" in page
    assert "张三丰" not in page and "张**" in page
    assert PERSON_LETTER["subject_code"] not in page and "1237" not in page


def test_a_breach_of_a_filed_letter_is_linked_to_the_filing(app, clerk, client):
    number, pdf = issue(app)
    ctx = services(app)
    with app.app_context():
        db = get_session()
        unit = db.scalar(select(ReceivingUnit).where(ReceivingUnit.name == ZJJ))
        filing = filings.file_upload(db, ctx.archive, ctx.pii_cipher, data=pdf, name="承诺书.pdf",
                                     fields={}, unit=unit, today=TODAY, limits=IntakeLimits(),
                                     trail=ctx.trail("setup")).filing
        db.commit()
        filing_id = filing.id
    assert breach(clerk, number).status_code == 303
    [row] = breaches(app)
    assert row.commitment_filing_id == filing_id
    assert "违诺记录" in client.get(f"/verify/{number}").get_data(as_text=True)


@pytest.mark.parametrize(("typed", "message"), [
    ("LYXY-CN-2026-999999", "格式不正确"),
    ("LYXY-CN-2026-000001X", "编号校验位错误"),
    (format_document_number(DocumentType.HC, 2026, 1), "不是信用承诺书"),
])
def test_a_number_of_ours_that_is_wrong_is_refused(app, clerk, typed, message):
    issue(app)
    resp = breach(clerk, typed)
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert breaches(app) == []


def test_a_number_of_ours_that_was_never_issued_is_refused(app, clerk):
    unknown = format_document_number(DocumentType.CN, 2026, 4242)
    resp = breach(clerk, unknown)
    assert resp.status_code == 400
    assert f"本单位没有编号为“{unknown}”的信用承诺书" in resp.get_data(as_text=True)
    assert breaches(app) == []


def test_another_subject_s_letter_is_refused(app, clerk):
    number, _ = issue(app, PERSON_LETTER)
    resp = breach(clerk, number)  # the enterprise's code, the person's letter
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "的承诺主体与所填主体代码不符" in text and "张" not in text.split("承诺主体")[1][:20]
    assert breaches(app) == []


def test_another_issuer_s_number_is_kept_as_written_without_a_link(app, clerk):
    resp = breach(clerk, "凌住建承〔2026〕15号")
    assert resp.status_code == 303
    [row] = breaches(app)
    assert row.commitment_number == "凌住建承〔2026〕15号"
    assert row.commitment_document_id is None and row.commitment_filing_id is None


def test_a_breach_needs_a_severity(app, clerk):
    resp = breach(clerk, "", severity="")
    assert resp.status_code == 400
    assert "请选择失信程度（轻微、一般、严重）" in resp.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(CreditRecordRow)) == 0


class Row:
    def __init__(self, decided_on: date, severity: str | None, repaired_on: date | None = None):
        self.source_department, self.decision_number = ZJJ, "凌住建违诺〔2026〕1号"
        self.decided_on, self.severity, self.repaired_on = decided_on, severity, repaired_on
        self.valid_until = None


@pytest.mark.parametrize(("row", "today", "shown"), [
    (Row(date(2026, 5, 1), "严重"), TODAY, True),
    (Row(date(2026, 5, 1), "轻微"), TODAY, False),                    # 轻微: not published
    (Row(date(2026, 5, 1), "一般"), date(2027, 4, 30), True),         # 一般: 1 year at most
    (Row(date(2026, 5, 1), "一般"), date(2027, 5, 1), False),
    (Row(date(2026, 5, 1), "严重"), date(2029, 4, 30), True),         # 严重: 3 years at most
    (Row(date(2026, 5, 1), "严重"), date(2029, 5, 1), False),
    (Row(date(2026, 5, 1), "严重", date(2026, 11, 1)), TODAY, False),  # repaired: 终止公示
    (Row(date(2026, 5, 1), None), date(2027, 5, 1), False),           # no severity: 一般's window
])
def test_only_breaches_inside_their_publicity_window_are_public(row, today, shown):
    assert bool(public_breaches([row], today=today)) is shown


def test_another_unit_s_letter_is_answered_like_an_unknown_number(app, make_user, client):
    """The unit that accepted the commitment records its breach; another unit learns nothing of
    the letter (not even that it exists) and cannot attach a public breach to it."""
    from tests.conftest import login_as

    number, _ = issue(app)  # addressed to 住建局
    other = login_as(app, make_user(Role.UNIT_CLERK, "czj-clerk", owner="凌源市财政局"))
    resp = breach(other, number)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert f"本单位没有编号为“{number}”的信用承诺书" in text
    assert breaches(app) == []
    assert "违诺记录" not in client.get(f"/verify/{number}").get_data(as_text=True)


def test_a_breach_decided_before_the_letter_was_made_is_refused(app, clerk):
    number, _ = issue(app)  # issued on TODAY, 2026-11-29
    resp = breach(clerk, number, decided_on="2026-11-01")
    assert resp.status_code == 400
    assert "认定日期早于承诺书" in resp.get_data(as_text=True)
    assert breaches(app) == []
