"""Public projections (app.domain.publicity) without an app: what the public may and may not see."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from app.domain.numbers import DocumentType, format_document_number
from app.domain.publicity import (
    LetterPublication,
    public_check,
    public_filing,
    public_letter,
    public_report,
)

BASE = "https://credit.example.gov.cn/"
ID = "211382199003071237"


def filing(**kw: object) -> SimpleNamespace:
    values = dict(id=7, subject_kind="enterprise", subject_name="凌源市示例建筑工程有限公司",
                  subject_code_public="91211382MA0Y8K7Q3B", legal_representative="王五", matter="投标",
                  scenario="procurement_bidding", commitment_date=date(2026, 11, 2),
                  published_at=datetime(2026, 11, 3, 8, tzinfo=UTC), superseded_by_id=None,
                  public_copy_sha256="ab" * 32)
    return SimpleNamespace(**{**values, **kw})


def test_filing_of_a_person_shows_no_code_representative_or_copy() -> None:
    view = public_filing(filing(subject_kind="natural_person", subject_name="张三丰",
                                subject_code_public="2*************1237"), "凌源市财政局")
    assert view["subject_name"] == "张**"
    assert view["subject_code"] is None
    assert view["legal_representative"] is None
    assert view["public_copy"] is False


def test_filing_of_a_unit_in_full_and_superseded() -> None:
    view = public_filing(filing(superseded_by_id=9), "凌源市财政局")
    assert view["subject_code"] == "91211382MA0Y8K7Q3B"
    assert (view["status"], view["status_label"]) == ("superseded", "已更新")
    assert view["public_copy"] is True


@pytest.mark.parametrize(("published_at", "shown"), [
    (datetime(2026, 11, 3, 8, tzinfo=UTC), "2026-11-03"),
    (datetime(2026, 11, 3, 16, 30, tzinfo=UTC), "2026-11-04"),  # 00:30 on the 4th in Beijing
    (datetime(2026, 11, 3, 16, 30), "2026-11-04"),  # naive, as SQLite returns it: UTC
])
def test_publication_date_is_the_beijing_date(published_at: datetime, shown: str) -> None:
    assert public_filing(filing(published_at=published_at), "凌源市财政局")["published_at"] == shown


def test_letter_of_a_person_is_masked_and_links_to_verify() -> None:
    letter = SimpleNamespace(number="LYXY-CN-2026-000001X", subject_kind="natural_person",
                             subject_name="张三丰", subject_code_public="2*************1237",
                             scenario="procurement_bidding", receiving_unit="凌源市财政局",
                             issued_on=date(2026, 11, 29), status="valid", sha256="0" * 64,
                             template_version="v2")
    view = public_letter(letter, base_url=BASE, publication=LetterPublication("not_published"))
    assert view["subject_name"] == "张**"
    assert ID not in str(view)
    assert view["verify_url"] == "https://credit.example.gov.cn/verify/LYXY-CN-2026-000001X"


def letter(**kw: object) -> SimpleNamespace:
    values = dict(number="LYXY-CN-2026-000001X", subject_kind="enterprise", subject_name="凌源市示例公司",
                  subject_code_public="91211382MA0Y8K7Q3B", scenario="procurement_bidding",
                  receiving_unit="凌源市财政局", issued_on=date(2026, 11, 29), status="valid",
                  sha256="0" * 64, template_version="v2")
    return SimpleNamespace(**{**values, **kw})


@pytest.mark.parametrize(("status", "publication", "shown"), [
    ("valid", LetterPublication("published", 3), "有效（已公示）"),
    ("valid", LetterPublication("superseded", 9), "已更新"),  # issue 12 §3: a newer commitment
    ("valid", LetterPublication("not_published"), "已出具，未公示（尚未备案）"),
    ("valid", LetterPublication("publication_revoked", reason="承诺主体申请撤回"), "已撤销公示"),
    ("revoked", LetterPublication("superseded", 9), "已撤销"),  # revocation wins
])
def test_letter_status_follows_what_is_published(status: str, publication: LetterPublication,
                                                 shown: str) -> None:
    view = public_letter(letter(status=status), base_url=BASE, publication=publication)
    assert view["status_label"] == shown
    assert ("superseded_by_filing" in view) == (view["status"] == "superseded")


HC12 = format_document_number(DocumentType.HC, 2026, 12)


def person_check() -> SimpleNamespace:
    return SimpleNamespace(number=HC12, subject_kind="natural_person",
                           subject_name="张三丰", subject_code_public="2*************1237",
                           purpose="bidding", category="punishment", as_of=date(2026, 11, 29),
                           issued_on=date(2026, 11, 29), sha256="0" * 64, template_version="v1")


def test_check_of_a_person_is_masked() -> None:
    """With its code (or for its 主送): the content, the name masked, no ID number."""
    view = public_check(person_check(), issuer="凌源市住房和城乡建设局", base_url=BASE,
                        addressee="凌源市公共资源交易中心", code_ok=True)
    assert view["subject_name"] == "张**"
    assert view["subject_code"] is None
    assert view["issuer"] == "凌源市住房和城乡建设局"
    assert view["addressee"] == "凌源市公共资源交易中心"
    assert view["file_number"] == "凌信核〔2026〕12号"
    assert view["category"] == "punishment"
    assert ID not in repr(view) and "1237" not in repr(view)


def test_check_without_its_code_says_only_that_the_number_exists_and_is_valid() -> None:
    """Issue 14 §2: with a number only, nothing of the certificate's content."""
    view = public_check(person_check(), issuer="凌源市住房和城乡建设局", base_url=BASE,
                        addressee="凌源市公共资源交易中心")
    assert set(view) == {"number", "document_type", "status", "status_label", "verify_url"}
    assert (view["status"], view["document_type"]) == ("valid", "信用核查结果告知书")
    for hidden in ("张", "1237", "bidding", "punishment", "住房", "交易中心", "2026-11-29"):
        assert hidden not in repr(view), hidden


def report(**kw: object) -> SimpleNamespace:
    values = dict(number="LYXY-PJ-2026-000001X", kind="rating", subject_name="凌源市示例建筑工程有限公司",
                  subject_code="91211382MA0Y8K7Q3B", grade="AA", issue_date=date(2026, 11, 29),
                  valid_until=date(2027, 11, 28), status="approved", sha256="0" * 64,
                  template_version="v1")
    return SimpleNamespace(**{**values, **kw})


@pytest.mark.parametrize(("today", "status"), [
    (date(2027, 11, 28), "approved"),   # the last valid day
    (date(2027, 11, 29), "expired"),
])
def test_rating_expires_after_its_last_day(today: date, status: str) -> None:
    assert public_report(report(), issuer="机构", base_url=BASE, today=today)["status"] == status


def test_decision_report_names_neither_subject_nor_result() -> None:
    view = public_report(report(kind="decision", valid_until=None, grade=None), issuer="机构",
                         base_url=BASE, today=date(2026, 11, 29))
    assert view["subject_name"] is None
    assert view["subject_code"] == ""
    assert view["document_type"] == "信用报告"


def test_check_shows_the_template_version_it_was_issued_with() -> None:
    check = SimpleNamespace(number=HC12, subject_kind="organisation",
                            subject_name="凌源市示例建筑工程有限公司",
                            subject_code_public="91211382MA0Y8K7Q3B", purpose="bidding",
                            category="punishment", as_of=date(2026, 11, 29),
                            issued_on=date(2026, 11, 29), sha256="0" * 64, template_version="v7")
    assert public_check(check, issuer="单位", base_url=BASE, code_ok=True)["template_version"] == "v7"


def test_report_shows_the_template_version_it_was_issued_with() -> None:
    view = public_report(report(template_version="v7"), issuer="机构", base_url=BASE,
                         today=date(2026, 12, 1))
    assert view["template_version"] == "v7"
