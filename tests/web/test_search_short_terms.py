"""Issue 12 §4: two characters anywhere in a name, or a surname, find it through every search page;
a masked person's given name never does (public and staff pages read the public index)."""

from __future__ import annotations

import pytest

from tests.conftest import PERSON_LETTER
from tests.web.test_filings import filing_id, issued_pdf, upload

HONGDA = "凌源市宏达建筑工程有限公司"


@pytest.fixture()
def published(client, clerk, reviewer) -> dict[str, int]:
    """A firm and a natural person (张三丰, public as 张**), both published."""
    ids = {}
    for key, overrides in (("firm", {"subject_name": HONGDA}), ("person", PERSON_LETTER)):
        _, pdf = issued_pdf(client, **overrides)
        ids[key] = filing_id(upload(clerk, pdf))
        assert reviewer.post(f"/staff/review/{ids[key]}/approve").status_code == 303
    return ids


def api_ids(client, q: str) -> list[int]:
    resp = client.get("/api/v1/public/commitments", query_string={"q": q})
    assert resp.status_code == 200
    return [item["id"] for item in resp.get_json()["items"]]


@pytest.mark.parametrize("q", ["宏达", "达建", "公司", "凌源", "凌"])
def test_two_characters_inside_a_name_find_it_on_the_public_pages(client, published, q):
    assert api_ids(client, q) == [published["firm"]]
    page = client.get("/public/commitments", query_string={"q": q}).get_data(as_text=True)
    assert f'/public/commitments/{published["firm"]}"' in page


def test_a_surname_finds_a_person_but_the_masked_given_name_does_not(client, published):
    assert api_ids(client, "张") == [published["person"]]
    for q in ("三丰", "三", "丰", "张三"):
        assert api_ids(client, q) == []
        page = client.get("/public/commitments", query_string={"q": q}).get_data(as_text=True)
        assert f'/public/commitments/{published["person"]}"' not in page


def test_a_single_character_inside_a_name_finds_nothing(client, published):
    """One character means a surname: the first character of the public name only."""
    assert api_ids(client, "达") == []


def test_staff_search_finds_two_characters_inside_a_name(clerk, published):
    page = clerk.get("/staff/filings", query_string={"q": "宏达"}).get_data(as_text=True)
    assert f'href="/staff/filings/{published["firm"]}"' in page
    assert f'href="/staff/filings/{published["person"]}"' not in page
    page = clerk.get("/staff/filings", query_string={"q": "张"}).get_data(as_text=True)
    assert f'href="/staff/filings/{published["person"]}"' in page


def test_the_search_box_says_what_finds(client):
    page = client.get("/public/commitments").get_data(as_text=True)
    assert "至少输入3个字" not in page
    assert 'placeholder="名称中任意2个字以上、姓氏，或完整的18位代码"' in page
