"""What users read on pages: dates from the app's clock (issue 12 §5), page numbers within range (§4)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select


def test_search_date_placeholders_follow_the_app_date(client):
    page = client.get("/public/commitments").get_data(as_text=True)  # the app's date is 2026-11-29
    assert 'placeholder="2026-01-01"' in page


def test_search_date_placeholders_end_today(client):
    page = client.get("/public/commitments").get_data(as_text=True)
    assert 'placeholder="2026-11-29"' in page


def test_placeholders_move_with_the_app_date(app, client):
    app.config["TODAY"] = "2027-03-05"
    page = client.get("/public/commitments").get_data(as_text=True)
    assert 'placeholder="2027-03-05"' in page


def test_a_page_past_the_end_shows_the_last_page(client):
    body = client.get("/api/v1/public/commitments?page=3").get_json()  # no results: one page
    assert body["page"] == 1


def test_a_page_past_the_end_never_reads_page_n_of_fewer(client):
    page = client.get("/public/commitments?page=3").get_data(as_text=True)
    assert "第 3/" not in page


def published_filings(app, count: int) -> None:
    """``count`` published filings in the database and the search index, as the services leave them."""
    from app.archive.search import search_index_for
    from app.db import get_session
    from app.models import Filing, ReceivingUnit
    from app.services.filings import search_entry

    with app.app_context():
        db = get_session()
        unit = db.scalars(select(ReceivingUnit).limit(1)).one()
        for n in range(count):
            filing = Filing(
                sha256=f"{n:064d}", original_name="承诺书.pdf", size_bytes=1000, page_count=1,
                unit_id=unit.id, subject_kind="enterprise", subject_name=f"凌源市分页测试{n}有限公司",
                subject_code_public="91211382MA0Y8K7Q3B", subject_code_hash=f"h{n:063d}",
                subject_code_enc="-", matter="施工许可", scenario="project_approval",
                commitment_date=date(2026, 3, 1), status="published")
            db.add(filing)
            db.flush()
            search_index_for(db).add_to_index(db, search_entry(filing), unit.name)
        db.commit()


def test_page_three_of_two_shows_page_two(app, client):
    published_filings(app, 21)  # 20 a page: two pages
    body = client.get("/api/v1/public/commitments?page=3").get_json()
    assert body["page"] == 2


def test_page_three_of_two_lists_the_last_filing(app, client):
    published_filings(app, 21)
    body = client.get("/api/v1/public/commitments?page=3").get_json()
    assert len(body["items"]) == 1


def test_page_three_of_two_reads_two_of_two(app, client):
    published_filings(app, 21)
    page = client.get("/public/commitments?page=3").get_data(as_text=True)
    assert "第 2/2 页" in page


def test_a_huge_page_number_in_the_staff_list_is_the_last_page(clerk):
    """User trial: ?page=99999999999999999999 was a 500 (OverflowError binding the offset)."""
    assert clerk.get("/staff/filings?page=99999999999999999999").status_code == 200
