"""Dates users read on pages follow the app's clock, not a date written into a template (issue 12 §5)."""

from __future__ import annotations


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
