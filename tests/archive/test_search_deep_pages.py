"""PostgreSQL text queries past the count cap: every way to a page gives the exact page.

``PostgresTrgmIndex`` picks its statements from the planner's estimates. The page tests run each
way, forced, and the planner's own pick, over filings whose matches sit where an estimate is
worst: bunched in the oldest era, none in the newer ones, a few in the newest, eras with nothing
between. The expected page is a plain sort of the matches. Filings get explicit ids, so that a
few dozen of them span several eras (``search.ERA_IDS``). PostgreSQL only
(LYXY_TEST_DATABASE_URL); each test's rows are rolled back.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.archive import search
from app.archive.search import PostgresTrgmIndex, SearchFilters
from app.db import make_engine
from app.models import Filing, ReceivingUnit
from app.services.filings import search_entry

CAP = 6
"""The count cap of these tests' indexes: a few dozen filings are then "more than the cap"."""
ERA = search.ERA_IDS
MARK = "深页检索"
"""In every matching filing's name and in no other filing's."""
ROAD, TENDER = "凌源市城南片区道路改造工程施工许可", "凌源市政务服务中心办公设备采购项目投标"
_serial = itertools.count(1)

WAYS: dict[str, tuple[float, bool] | None] = {
    "planner": None,  # whatever the estimates on these few rows say
    "collect": (0.0, False),  # few matches expected: collect, then the newest eras past the cap
    "walk": (1e9, True),  # common terms: collect, then walk the filing_id order
    "eras": (1e9, False),  # in between: the newest eras straight away
}
"""(matches expected, common) that ``PostgresTrgmIndex`` is given as its estimate, per way."""

SPREADS: dict[str, list[tuple[int, int]]] = {
    # (era, matching filings in it); the newest era has filings that do not match.
    "bunched_in_the_oldest_era": [(0, 17), (3, 0), (5, 0), (6, 0)],
    "gaps_between_eras": [(0, 4), (2, 5), (5, 3), (6, 2)],
    "few_in_the_newest_era": [(0, 12), (1, 1), (6, 3)],
    "fewer_than_the_cap": [(1, 2), (4, 2), (6, 1)],
}


@pytest.fixture
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    if not os.environ.get("LYXY_TEST_DATABASE_URL"):
        pytest.skip("LYXY_TEST_DATABASE_URL is not set")
    engine = make_engine(request.getfixturevalue("database_url"))
    conn = engine.connect()
    trans = conn.begin()
    db = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        yield db
    finally:
        db.close()
        trans.rollback()
        conn.close()
        engine.dispose()


@pytest.fixture(params=list(WAYS))
def way(request: pytest.FixtureRequest) -> str:
    return request.param


def index_for(way: str) -> PostgresTrgmIndex:
    """The index that takes ``way`` whatever the planner estimates."""
    estimate = WAYS[way]
    if estimate is None:
        return PostgresTrgmIndex(count_cap=CAP)
    return PostgresTrgmIndex(lambda _s, _q: estimate, count_cap=CAP)


class Filings:
    """Writes filings with chosen ids (flushed, never committed) and indexes them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.tag = f"{next(_serial):03d}"
        self.unit = ReceivingUnit(name=f"凌源市翻页测试局{self.tag}")
        session.add(self.unit)
        session.flush()

    def add(self, filing_id: int, *, matches: bool = True, status: str = "published",
            matter: str = ROAD) -> Filing:
        name = f"凌源市{MARK}建筑工程有限公司" if matches else "凌源市德顺五金商行"
        filing = Filing(
            id=filing_id, sha256=f"{self.tag}{filing_id:061d}", original_name="承诺书.pdf",
            size_bytes=1000, page_count=1, unit_id=self.unit.id, subject_kind="enterprise",
            subject_name=name, subject_code_public="91211382MA0Y8K7Q3B",
            subject_code_hash=f"h{self.tag}{filing_id:060d}", subject_code_enc="-", matter=matter,
            scenario="project_approval", commitment_date=date(2026, 3, 1), status=status,
            created_at=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=filing_id))
        self.session.add(filing)
        self.session.flush()
        PostgresTrgmIndex().add_to_index(self.session, search_entry(filing), self.unit.name)
        return filing

    def spread(self, eras: list[tuple[int, int]]) -> list[Filing]:
        """Matching filings among others, era by era; every fifth match is pending and every
        third one names the TENDER matter. Returns all of them."""
        made = []
        for era, count in eras:
            base = era * ERA + 20_000  # clear of the small ids that other tests' filings take
            for i in range(count):
                made.append(self.add(base + 3 * i, status="pending" if i % 5 == 4 else "published",
                                     matter=TENDER if i % 3 == 0 else ROAD))
                made.append(self.add(base + 3 * i + 1, matches=False))
            made.append(self.add(base + 3 * count, matches=False))
        return made


def assert_pages_are_exact(index: PostgresTrgmIndex, session: Session, q: str,
                           filters: SearchFilters, wanted: Callable[[Filing], bool],
                           filings: list[Filing]) -> None:
    expected = sorted((f.id for f in filings if wanted(f)), reverse=True)
    for per_page in (1, 2, 5):
        pages = [index.query_index(session, q, filters, page, per_page)
                 for page in range(1, len(expected) // per_page + 3)]
        assert [i for p in pages for i in p.ids] == expected, per_page
        assert {(p.total, p.total_capped) for p in pages} == {(min(len(expected), CAP),
                                                               len(expected) > CAP)}


@pytest.mark.parametrize("spread", list(SPREADS))
def test_every_page_is_exact(session: Session, way: str, spread: str) -> None:
    made = Filings(session)
    filings = made.spread(SPREADS[spread])
    index = index_for(way)
    published = SearchFilters(unit_id=made.unit.id)
    assert_pages_are_exact(index, session, MARK, published,
                           lambda f: MARK in f.subject_name and f.status == "published", filings)
    # A status other than "published" (kept off its index by the era way), any status.
    assert_pages_are_exact(index, session, f"{MARK}建筑", SearchFilters(status=("pending",),
                                                                       unit_id=made.unit.id),
                           lambda f: MARK in f.subject_name and f.status == "pending", filings)
    assert_pages_are_exact(index, session, f"工程有限 {MARK}", SearchFilters(status=None,
                                                                         unit_id=made.unit.id),
                           lambda f: MARK in f.subject_name, filings)


def test_short_terms_narrow_every_way(session: Session, way: str) -> None:
    made = Filings(session)
    filings = made.spread(SPREADS["gaps_between_eras"])
    index = index_for(way)
    for short in ("投标", "施工"):
        assert_pages_are_exact(index, session, f"{MARK} {short}", SearchFilters(unit_id=made.unit.id),
                               lambda f, s=short: MARK in f.subject_name and s in f.matter
                               and f.status == "published", filings)


def test_a_filing_in_a_new_era_is_on_the_first_page(session: Session, way: str) -> None:
    made = Filings(session)
    filings = made.spread(SPREADS["bunched_in_the_oldest_era"])
    newest = made.add(9 * ERA + 5)  # three eras above the last one with any filing
    page = index_for(way).query_index(session, MARK, SearchFilters(unit_id=made.unit.id), 1, 3)
    older = sorted((f.id for f in filings if MARK in f.subject_name and f.status == "published"),
                   reverse=True)
    assert page.ids == [newest.id, *older[:2]]
    assert (page.total, page.total_capped) == (CAP, True)


def test_the_trigram_index_has_the_eras_of_the_queries(session: Session) -> None:
    """Migration 0007 and ``search.ERA_IDS`` must spell the same expression, or no index serves."""
    definition = session.scalar(text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_filings_search_document_era_trgm'"))
    assert "gin_trgm_ops" in definition
    assert f"(filing_id / {search.ERA_IDS})" in definition
