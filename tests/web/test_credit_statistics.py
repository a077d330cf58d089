"""The monthly report of the credit work (policy 八(三)): certificates, filings and breaches per
unit, months cut in China time, a totals row, the period in the CSV, and a chart on the page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from app.archive.intake import IntakeLimits
from app.db import get_session
from app.domain.statistics import month_bounds_utc
from app.extensions import services
from app.models import CreditRecordRow, Filing, ReceivingUnit
from app.services import commitments as commitment_svc
from app.services import credit as svc
from app.services import filings
from tests.conftest import CZJ, UNIT_LETTER, ZJJ

TODAY = date(2026, 11, 29)


def at(app, model, row_id: int, moment: datetime) -> None:
    with app.app_context():
        get_session().execute(update(model).where(model.id == row_id).values(created_at=moment))
        get_session().commit()


def unit(name: str) -> ReceivingUnit:
    return get_session().scalar(select(ReceivingUnit).where(ReceivingUnit.name == name))


def file_letter(app, matter: str, unit_name: str = ZJJ) -> int:
    ctx = services(app)
    with app.app_context():
        db = get_session()
        issued = commitment_svc.issue_commitment(
            db, {**UNIT_LETTER, "matter": matter, "receiving_unit": unit_name}, secret=ctx.secret,
            base_url=ctx.base_url, archive=ctx.archive, cipher=ctx.pii_cipher, today=TODAY,
            trail=ctx.trail("setup"))
        filing = filings.file_upload(db, ctx.archive, ctx.pii_cipher, data=issued.pdf,
                                     name="承诺书.pdf", fields={}, unit=unit(unit_name), today=TODAY,
                                     limits=IntakeLimits(), trail=ctx.trail("setup")).filing
        db.commit()
        return filing.id


def record_breach(app, n: int, unit_name: str = ZJJ) -> int:
    ctx = services(app)
    with app.app_context():
        db = get_session()
        row = svc.record_breach(db, ctx.pii_cipher, unit=unit(unit_name), code=UNIT_LETTER["subject_code"],
                                name=UNIT_LETTER["subject_name"], decision_number=f"违诺〔2026〕{n}号",
                                decided_on=TODAY, summary="", severity="一般", today=TODAY,
                                trail=ctx.trail("setup"))
        db.commit()
        return row.id


def test_month_bounds_are_beijing_midnights():
    assert month_bounds_utc(2026, 12) == (datetime(2026, 11, 30, 16, tzinfo=UTC),
                                          datetime(2026, 12, 31, 16, tzinfo=UTC))


def test_filings_and_breaches_count_in_the_beijing_month_they_arrived(app):
    late_nov = datetime(2026, 11, 30, 15, 59, tzinfo=UTC)   # 23:59 on 30 Nov in Beijing
    early_dec = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)   # 00:00 on 1 Dec in Beijing
    at(app, Filing, file_letter(app, "城南道路改造工程施工许可"), late_nov)
    at(app, Filing, file_letter(app, "城北供热管网改造工程施工许可"), early_dec)
    at(app, CreditRecordRow, record_breach(app, 1), late_nov)
    at(app, CreditRecordRow, record_breach(app, 2), early_dec)
    at(app, CreditRecordRow, record_breach(app, 3), datetime(2026, 12, 31, 16, tzinfo=UTC))  # 1 Jan
    with app.app_context():
        nov = svc.monthly_statistics(get_session(), 2026, 11)
        dec = svc.monthly_statistics(get_session(), 2026, 12)
    [nov_row], [dec_row] = nov.units, dec.units
    assert (nov_row.unit, nov_row.filings, nov_row.breaches) == (ZJJ, 1, 1)
    assert (dec_row.unit, dec_row.filings, dec_row.breaches) == (ZJJ, 1, 1)


@pytest.fixture
def office(app, make_user):
    from app.domain.roles import Role
    from tests.conftest import login_as

    return login_as(app, make_user(Role.OFFICE_ADMIN))


NOV = datetime(2026, 11, 20, 2, tzinfo=UTC)
"""When the rows below arrived (the rows' own clock would be the machine's)."""


def test_the_report_has_totals_the_period_and_a_chart(app, office):
    at(app, Filing, file_letter(app, "城南道路改造工程施工许可"), NOV)
    at(app, Filing, file_letter(app, "城北供热管网改造工程施工许可"), NOV)
    at(app, Filing, file_letter(app, "政府采购项目投标", CZJ), NOV)
    at(app, CreditRecordRow, record_breach(app, 1, CZJ), NOV)
    csv = office.get("/staff/credit/statistics.csv?year=2026&month=11")
    assert csv.mimetype == "text/csv"
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0] == ("统计期间,单位,核查告知书合计,其中激励,其中审慎,其中惩戒,其中无不良记录,"
                        "承诺书备案,违诺记录")
    assert lines[1:] == [f"2026年11月,{ZJJ},0,0,0,0,0,2,0",  # most work first, then by name
                         f"2026年11月,{CZJ},0,0,0,0,0,1,1",
                         "2026年11月,合计,0,0,0,0,0,3,1"]
    page = office.get("/staff/credit/statistics?year=2026&month=11").get_data(as_text=True)
    assert "2026年11月信用工作月报" in page
    assert re.search(r'<tr class="total"><th>合计</th>\s*<td>0</td>(<td>0</td>){4}\s*<td>3</td><td>1</td>',
                     page)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert "2026年11月各单位信用工作量：核查告知书0份，承诺书备案3份，违诺记录1条" in svg
    assert svg.index(ZJJ) < svg.index(CZJ)
    bars = re.findall(r'<rect class="bar" x="230" y="\d+" width="(\d+)"', svg)
    assert bars == ["0", "430", "0", "0", "215", "215"]  # to scale: 2 (the longest) | 1, 1
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="https?://', svg)  # no external assets


def test_a_clerk_sees_only_the_own_unit(app, clerk):
    at(app, Filing, file_letter(app, "城南道路改造工程施工许可"), NOV)
    at(app, CreditRecordRow, record_breach(app, 1, CZJ), NOV)
    text = clerk.get("/staff/credit/statistics.csv?year=2026&month=11").data.decode("utf-8-sig")
    assert CZJ not in text
    assert f"2026年11月,{ZJJ},0,0,0,0,0,1,0" in text
    assert "2026年11月,合计,0,0,0,0,0,1,0" in text
