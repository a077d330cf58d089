"""Search index adapter: SQLite FTS5 trigram always, PostgreSQL pg_trgm when LYXY_TEST_DATABASE_URL is set.

Each test works inside a transaction that is rolled back, so the filings, units and index rows
it writes never reach the shared database.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.archive import search
from app.archive.search import (
    PostgresTrgmIndex,
    SearchFilters,
    SearchPage,
    SqliteFtsIndex,
    fts5_phrase,
    indexed_text_for,
    like_escape,
    parse_query,
    search_index_for,
)
from app.db import make_engine, upgrade_database
from app.models import Filing, ReceivingUnit
from app.services.filings import search_entry

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PUBLISHED = SearchFilters()
_serial = itertools.count(1)


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database of our own: SQLite runs even when the suite targets PostgreSQL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'search.sqlite3'}"
    upgrade_database(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request: pytest.FixtureRequest) -> Iterator[Session]:
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        if not os.environ.get("LYXY_TEST_DATABASE_URL"):
            pytest.skip("LYXY_TEST_DATABASE_URL is not set")
        url = request.getfixturevalue("database_url")
    engine = make_engine(url)
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


class Archive:
    """Writes units and filings (flushed, never committed) and indexes them like the services do."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.index = search_index_for(session)
        self.clock = itertools.count()
        self.tag = f"{next(_serial):04d}"

    def unit(self, name: str = "凌源市检索测试局") -> ReceivingUnit:
        unit = ReceivingUnit(name=f"{name}{self.tag}-{next(self.clock)}")
        self.session.add(unit)
        self.session.flush()
        return unit

    def filing(self, unit: ReceivingUnit, *, name: str = "凌源市示例建筑工程有限公司",
               code: str = "91211382MA0Y8K7Q3B", kind: str = "enterprise",
               matter: str = "凌源市城南片区道路改造工程施工许可", scenario: str = "project_approval",
               status: str = "published", commitment_date: date = date(2026, 3, 1),
               created_at: datetime | None = None, index: bool = True) -> Filing:
        n = next(self.clock)
        filing = Filing(
            sha256=f"{self.tag}{n:060d}", original_name="承诺书.pdf", size_bytes=1000, page_count=1,
            unit_id=unit.id, subject_kind=kind, subject_name=name, subject_code_public=code,
            subject_code_hash=f"h{self.tag}{n:059d}", subject_code_enc="-", matter=matter,
            scenario=scenario, commitment_date=commitment_date, status=status,
            created_at=created_at or T0 + timedelta(minutes=n))
        self.session.add(filing)
        self.session.flush()
        if index:
            self.index.add_to_index(self.session, search_entry(filing), unit.name)
        return filing

    def query(self, q: str, filters: SearchFilters = PUBLISHED, page: int = 1,
              per_page: int = 20) -> SearchPage:
        return self.index.query_index(self.session, q, filters, page, per_page)

    def ids(self, q: str, **filters) -> list[int]:
        return self.query(q, SearchFilters(**filters)).ids

    def index_rows(self, filing_id: int) -> int:
        if isinstance(self.index, SqliteFtsIndex):
            sql = "SELECT count(*) FROM filings_fts WHERE rowid = :id"
        else:
            sql = "SELECT count(*) FROM filings_search WHERE filing_id = :id"
        return self.session.scalar(text(sql), {"id": filing_id})


@pytest.fixture
def archive(session: Session) -> Archive:
    return Archive(session)


def test_picks_the_implementation_by_dialect(session: Session) -> None:
    expected = SqliteFtsIndex if session.get_bind().dialect.name == "sqlite" else PostgresTrgmIndex
    assert isinstance(search_index_for(session), expected)
    assert isinstance(search_index_for(session.get_bind()), expected)


@pytest.mark.parametrize("q", ["示例建筑", "示例建", "建筑工程有限", "凌源市示例建筑工程有限公司",
                               "有限公司"])
def test_partial_chinese_name_finds_the_filing(archive: Archive, q: str) -> None:
    unit = archive.unit()
    wanted = archive.filing(unit)
    archive.filing(unit, name="凌源市德顺五金商行", code="92211382MA0Y9P2X4C", kind="individual_business",
                   matter="个体工商户设立登记")
    assert archive.ids(q, unit_id=unit.id) == [wanted.id]


def test_matter_unit_name_and_partial_code_are_searchable(archive: Archive) -> None:
    unit = archive.unit("凌源市住房和城乡建设局检索")
    f = archive.filing(unit)
    assert archive.ids("道路改造", unit_id=unit.id) == [f.id]
    assert archive.ids("城乡建设局检索") == [f.id]
    assert archive.ids("MA0Y8K", unit_id=unit.id) == [f.id]
    assert archive.ids("ma0y8k", unit_id=unit.id) == [f.id]  # case-insensitive


@pytest.mark.parametrize("q", ["91211382MA0Y8K7Q3B", "91211382ma0y8k7q3b", "  91211382MA0Y8K7Q3B  ",
                               "９１２１１３８２ＭＡ０Ｙ８Ｋ７Ｑ３Ｂ"])
def test_full_uscc_finds_exactly_its_filings(archive: Archive, q: str) -> None:
    unit = archive.unit()
    first = archive.filing(unit)
    second = archive.filing(unit, matter="凌源市政务服务中心办公设备采购项目投标")
    archive.filing(unit, code="91211382MA0Y8K7Q4J")  # one character differs
    assert archive.ids(q, unit_id=unit.id) == [second.id, first.id]


def test_natural_person_is_found_only_by_public_values(archive: Archive) -> None:
    unit = archive.unit()
    person = archive.filing(unit, name="张三丰", code="2*************1237", kind="natural_person",
                            matter="申请公共租赁住房保障", scenario="administrative_service")
    # The full resident ID and the full name are not in the index (domain-rules §7.2).
    assert archive.ids("211382199003071237", unit_id=unit.id) == []
    assert archive.ids("199003071237", unit_id=unit.id) == []
    assert archive.ids("张三丰", unit_id=unit.id) == []
    assert archive.ids("三丰", unit_id=unit.id) == []
    # Nor any part of the masked one (trial 19: "1237" found the person).
    assert archive.ids("2*************1237", unit_id=unit.id) == []
    assert archive.ids("1237", unit_id=unit.id) == []
    assert archive.ids("*1237", unit_id=unit.id) == []
    # What the public pages show does find the filing.
    assert archive.ids("张", unit_id=unit.id) == [person.id]
    assert archive.ids("公共租赁住房", unit_id=unit.id) == [person.id]


def test_all_words_must_match(archive: Archive) -> None:
    unit = archive.unit()
    road = archive.filing(unit)
    office = archive.filing(unit, matter="凌源市政务服务中心办公设备采购项目投标")
    assert archive.ids("示例建筑 道路改造", unit_id=unit.id) == [road.id]
    assert archive.ids("示例建筑 采购项目", unit_id=unit.id) == [office.id]
    assert archive.ids("示例建筑 热源厂", unit_id=unit.id) == []
    assert archive.ids("示例建筑   示例建筑", unit_id=unit.id) == [office.id, road.id]
    # A 1-2 character word next to a longer one narrows what the longer one found.
    assert archive.ids("示例建筑 投标", unit_id=unit.id) == [office.id]
    assert archive.ids("示例建筑 许可", unit_id=unit.id) == [road.id]


def test_short_queries_match_pieces_and_surnames_of_the_public_name(archive: Archive) -> None:
    """Issue 12 §4: 2 characters anywhere in the public name, 1 character as its first."""
    unit = archive.unit()
    zhang = archive.filing(unit, name="张三", code="2*************0001", kind="natural_person")
    shop = archive.filing(unit, name="凌源市德顺五金商行", code="92211382MA0Y9P2X4C",
                          kind="individual_business")
    firm = archive.filing(unit, name="ABC建材有限公司")
    assert archive.ids("张", unit_id=unit.id) == [zhang.id]
    assert archive.ids("凌源", unit_id=unit.id) == [shop.id]
    assert archive.ids("五金", unit_id=unit.id) == [shop.id]
    assert archive.ids("商行", unit_id=unit.id) == [shop.id]
    assert archive.ids("bc", unit_id=unit.id) == [firm.id]  # any case, any width
    assert archive.ids("ＢＣ", unit_id=unit.id) == [firm.id]
    assert archive.ids("金", unit_id=unit.id) == []  # 1 character: the first one only (a surname)
    assert archive.ids("三", unit_id=unit.id) == []  # a masked given name finds nothing
    assert archive.ids("张三", unit_id=unit.id) == []
    assert archive.ids("凌源 五金", unit_id=unit.id) == [shop.id]
    assert archive.ids("五金 凌源", unit_id=unit.id) == [shop.id]
    assert archive.ids("凌源 李", unit_id=unit.id) == []


def test_filters(archive: Archive) -> None:
    unit, other_unit = archive.unit(), archive.unit()
    base = archive.filing(unit)
    pending = archive.filing(unit, status="pending")
    revoked = archive.filing(unit, status="revoked")
    elsewhere = archive.filing(other_unit)
    procurement = archive.filing(unit, scenario="procurement_bidding")
    shop = archive.filing(unit, kind="individual_business", code="92211382MA0Y9P2X4C",
                          name="凌源市示例建筑材料商行")
    early = archive.filing(unit, commitment_date=date(2025, 12, 31))
    late = archive.filing(unit, commitment_date=date(2026, 6, 1))

    def found(**filters) -> set[int]:
        return set(archive.ids("示例建筑", **filters)) & {
            base.id, pending.id, revoked.id, elsewhere.id, procurement.id, shop.id, early.id, late.id}

    published = {base.id, elsewhere.id, procurement.id, shop.id, early.id, late.id}
    assert found() == published  # default: published only
    assert found(status=None) == published | {pending.id, revoked.id}
    assert found(status=("pending", "revoked")) == {pending.id, revoked.id}
    assert found(status=()) == set()
    assert found(unit_id=other_unit.id) == {elsewhere.id}
    assert found(unit_id=unit.id, scenario="procurement_bidding") == {procurement.id}
    assert found(unit_id=unit.id, subject_kind="individual_business") == {shop.id}
    assert found(unit_id=unit.id, date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)) == \
        {base.id, procurement.id, shop.id}  # both ends included
    assert found(unit_id=unit.id, date_to=date(2026, 1, 1)) == {early.id}
    assert found(unit_id=unit.id, date_from=date(2026, 3, 2)) == {late.id}
    # The same filters apply when browsing.
    assert archive.query("", SearchFilters(unit_id=unit.id, date_to=date(2026, 1, 1))).ids == [early.id]


@pytest.mark.parametrize("q", ["", "示例建筑", "91211382MA0Y8K7Q3B", "凌源"])
def test_pagination_is_stable_and_complete(archive: Archive, q: str) -> None:
    unit = archive.unit()
    same_time = T0 + timedelta(days=1)
    filings = [archive.filing(unit, created_at=same_time if i % 3 == 0 else None) for i in range(45)]
    if q:  # text queries: newest filing (highest id) first, the index's own order
        expected = sorted((f.id for f in filings), reverse=True)
    else:  # browsing: created_at desc, then id desc among equal times
        expected = [f.id for f in sorted(filings, key=lambda f: (f.created_at, f.id), reverse=True)]
    assert expected != sorted(expected, reverse=True) or q  # the data does tell the orders apart
    pages = [archive.query(q, SearchFilters(unit_id=unit.id), page=p) for p in (1, 2, 3, 4)]
    assert [len(p.ids) for p in pages] == [20, 20, 5, 0]
    assert [p.total for p in pages] == [45, 45, 45, 45]
    assert not any(p.total_capped for p in pages)
    assert [i for p in pages for i in p.ids] == expected
    assert archive.query(q, SearchFilters(unit_id=unit.id), page=2) == pages[1]  # same again


def test_bad_paging_is_refused(archive: Archive) -> None:
    with pytest.raises(ValueError):
        archive.query("", page=0)
    with pytest.raises(ValueError):
        archive.query("", per_page=0)


@pytest.mark.parametrize("q", ["", "示例建筑"])
def test_count_is_capped(archive: Archive, q: str) -> None:
    archive.index = search_index_for(archive.session, count_cap=5)
    unit = archive.unit()
    filings = [archive.filing(unit) for _ in range(5)]
    exact = archive.query(q, SearchFilters(unit_id=unit.id), per_page=2)
    assert (exact.total, exact.total_capped) == (5, False)
    filings += [archive.filing(unit) for _ in range(7)]
    for per_page in (2, 20):
        capped = archive.query(q, SearchFilters(unit_id=unit.id), per_page=per_page)
        assert (capped.total, capped.total_capped) == (5, True)
        assert capped.ids == [f.id for f in reversed(filings)][:per_page]  # pages are not capped
    last = archive.query(q, SearchFilters(unit_id=unit.id), page=6, per_page=2)
    assert last.ids == [filings[1].id, filings[0].id]


HOSTILE = ['"', '""', '"""', "'", "*", "**", "***", "NEAR(", "NEAR(示例 建筑)", "AND OR", "AND", "OR NOT",
           "-", "--", "-示例建筑", "%_", "%", "_", "___", "\\", "\\%", "^示例", "subject_name:示例建筑",
           "{subject_name}: 示例", "(((", ")))", "示例\"建筑", '"示例建筑" OR "x"', "示例建筑*", "😀",
           "😀😀😀",
           "示例😀建筑", "a", "ab", "示", "示例", "\x00", "\x00示例建筑", "\ud800示例建筑", "\u3000", "\t\n",
           "'; DROP TABLE filings; --", "示" * 5000, "a " * 500, "%" * 300]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_raises(archive: Archive, q: str) -> None:
    unit = archive.unit()
    archive.filing(unit)
    result = archive.query(q, SearchFilters(unit_id=unit.id))
    assert isinstance(result, SearchPage)
    assert result.total == len(result.ids)


def test_wildcards_and_quotes_are_literal(archive: Archive) -> None:
    unit = archive.unit()
    plain = archive.filing(unit)
    percent = archive.filing(unit, matter="达标率100%_验收")
    quoted = archive.filing(unit, name='凌源市"引号"商行', code="92211382MA0Y9P2X4C",
                            kind="individual_business")
    assert archive.ids("100%_", unit_id=unit.id) == [percent.id]
    assert archive.ids("1_0%", unit_id=unit.id) == []
    assert archive.ids("%%%", unit_id=unit.id) == []
    assert archive.ids("___", unit_id=unit.id) == []
    assert archive.ids('"引号"', unit_id=unit.id) == [quoted.id]
    assert archive.ids('示例建筑 OR 引号', unit_id=unit.id) == []  # OR is a word, not an operator
    assert archive.ids("NEAR(示例建筑", unit_id=unit.id) == []
    assert set(archive.ids("示例建筑", unit_id=unit.id)) == {plain.id, percent.id}


def test_remove_from_index(archive: Archive) -> None:
    unit = archive.unit()
    kept, removed = archive.filing(unit), archive.filing(unit)
    archive.index.remove_from_index(archive.session, removed.id)
    archive.index.remove_from_index(archive.session, removed.id)  # twice is fine
    assert archive.index_rows(removed.id) == 0
    assert archive.ids("示例建筑", unit_id=unit.id) == [kept.id]
    assert archive.ids("91211382MA0Y8K7Q3B", unit_id=unit.id) == [kept.id]
    assert archive.ids("凌源", unit_id=unit.id) == [kept.id]
    # Browsing reads the filings table: status, not the index, decides what the public sees.
    assert archive.ids("", unit_id=unit.id) == [removed.id, kept.id]


def test_add_to_index_twice_keeps_one_row_with_the_newest_text(archive: Archive) -> None:
    unit = archive.unit()
    filing = archive.filing(unit)
    archive.index.add_to_index(archive.session, search_entry(filing), unit.name)
    assert archive.index_rows(filing.id) == 1
    filing.subject_name = "凌源市更名后科技有限公司"
    archive.session.flush()
    archive.index.add_to_index(archive.session, search_entry(filing), unit.name)
    assert archive.index_rows(filing.id) == 1
    assert archive.ids("示例建筑", unit_id=unit.id) == []
    assert archive.ids("更名后科技", unit_id=unit.id) == [filing.id]


def test_filings_not_yet_indexed_are_not_found_by_text(archive: Archive) -> None:
    unit = archive.unit()
    filing = archive.filing(unit, index=False)
    assert archive.ids("示例建筑", unit_id=unit.id) == []
    archive.index.add_to_index(archive.session, search_entry(filing), unit.name)
    assert archive.ids("示例建筑", unit_id=unit.id) == [filing.id]


def test_deleting_a_filing_drops_its_index_row(archive: Archive) -> None:
    unit = archive.unit()
    filing = archive.filing(unit)
    archive.session.delete(filing)
    archive.session.flush()
    assert archive.index_rows(filing.id) == 0


def test_rebuild_index_indexes_every_filing(archive: Archive) -> None:
    unit = archive.unit()
    filings = [archive.filing(unit, index=False) for _ in range(3)]
    assert search.rebuild_index(archive.session, batch_size=2) >= 3
    assert archive.ids("示例建筑", unit_id=unit.id) == [f.id for f in reversed(filings)]
    total_rows = archive.session.scalar(select(func.count()).select_from(Filing))
    assert archive.index_rows(filings[0].id) == 1
    assert total_rows >= 3


@pytest.mark.parametrize(("q", "terms", "uscc"), [
    ("", (), None),
    ("  示例  建筑工程 示例 ", ("示例", "建筑工程"), None),
    ("ＡＢＣ\u3000ｄｅｆ", ("ABC", "def"), None),
    ("91211382ma0y8k7q3b", ("91211382ma0y8k7q3b",), "91211382MA0Y8K7Q3B"),
    ("211382199003071237", ("211382199003071237",), "211382199003071237"),  # shaped like one
    ("91211382MA0Y8K7Q3I", ("91211382MA0Y8K7Q3I",), None),  # I is not in the alphabet
    ("a\x00b", ("ab",), None),
    (" ".join(f"w{i}" for i in range(20)), tuple(f"w{i}" for i in range(search.MAX_TERMS)), None),
])
def test_parse_query(q: str, terms: tuple[str, ...], uscc: str | None) -> None:
    parsed = parse_query(q)
    assert parsed.terms == terms
    assert parsed.uscc == uscc


def test_escaping_helpers() -> None:
    assert fts5_phrase('a"b') == '"a""b"'
    assert fts5_phrase("NEAR(x") == '"NEAR(x"'
    assert like_escape("100%_\\") == "100\\%\\_\\\\"


@pytest.mark.parametrize("q", ["凌源", "示例建筑 许可", "凌源 工程"])
def test_capped_pages_follow_the_index_order(archive: Archive, q: str) -> None:
    """Past the cap the page comes from another query shape: same ids, same order."""
    archive.index = search_index_for(archive.session, count_cap=4)
    unit = archive.unit()
    filings = [archive.filing(unit) for _ in range(11)]
    expected = [f.id for f in reversed(filings)]
    pages = [archive.query(q, SearchFilters(unit_id=unit.id), page=p, per_page=3) for p in (1, 2, 3, 4, 5)]
    assert [(p.total, p.total_capped) for p in pages] == [(4, True)] * 5
    assert [i for p in pages for i in p.ids] == expected


def test_status_and_filter_changes_apply_without_reindexing(archive: Archive) -> None:
    """Text queries filter on the filings' current values, even when nobody re-indexed."""
    unit, other_unit = archive.unit(), archive.unit()
    filing = archive.filing(unit)
    assert archive.ids("示例建筑", unit_id=unit.id) == [filing.id]
    filing.status = "rejected"  # services.filings.reject does not re-index
    archive.session.flush()
    assert archive.ids("示例建筑", unit_id=unit.id) == []
    assert archive.ids("凌源", unit_id=unit.id) == []
    assert archive.ids("示例建筑", unit_id=unit.id, status=("rejected",)) == [filing.id]
    filing.status, filing.unit_id = "published", other_unit.id
    filing.scenario, filing.subject_kind = "procurement_bidding", "institution"
    filing.commitment_date = date(2026, 7, 1)
    archive.session.flush()
    assert archive.ids("示例建筑", unit_id=unit.id) == []
    assert archive.ids("示例建筑", unit_id=other_unit.id, scenario="procurement_bidding",
                       subject_kind="institution", date_from=date(2026, 7, 1),
                       date_to=date(2026, 7, 1)) == [filing.id]


@pytest.mark.parametrize("status", [("published",), ("published", "pending", "published"), None])
def test_date_range_browsing_orders_by_creation(archive: Archive, status) -> None:
    """Browsing a commitment-date range: created_at desc, id desc, whatever the dates' order."""
    unit = archive.unit()
    day = date(2026, 4, 1)
    filings = []
    for i in range(36):
        created = T0 + timedelta(hours=(i * 7) % 36)  # creation order unrelated to dates and ids
        filings.append(archive.filing(unit, commitment_date=day + timedelta(days=(i * 5) % 9),
                                      status=("published", "pending", "revoked")[i % 3],
                                      created_at=created))
    allowed = set(status) if status is not None else {"published", "pending", "revoked"}

    def expected(lo: date | None, hi: date | None) -> list[int]:
        chosen = [f for f in filings if f.status in allowed and (lo is None or f.commitment_date >= lo)
                  and (hi is None or f.commitment_date <= hi)]
        return [f.id for f in sorted(chosen, key=lambda f: (f.created_at, f.id), reverse=True)]

    for lo, hi in [(day + timedelta(days=2), day + timedelta(days=6)), (day + timedelta(days=3), None),
                   (None, day + timedelta(days=4)), (day, day), (day + timedelta(days=20), None)]:
        want = expected(lo, hi)
        filters = SearchFilters(status=status, unit_id=unit.id, date_from=lo, date_to=hi)
        pages = [archive.query("", filters, page=p, per_page=4) for p in range(1, 10)]
        assert [i for p in pages for i in p.ids] == want
        assert {p.total for p in pages} == {len(want)}


def _short_query_archive(archive: Archive) -> tuple[ReceivingUnit, ReceivingUnit, dict[str, Filing]]:
    """Two units; natural persons (public names masked: 张三丰 is 张**), firms, several statuses."""
    unit, other_unit = archive.unit(), archive.unit()
    people = dict(kind="natural_person", code="2*************1237")
    made = {
        "zhang_sanfeng": archive.filing(unit, name="张三丰", **people),
        "firm_zhang": archive.filing(unit, name="张家口示例建材有限公司"),
        "zhang_wei": archive.filing(unit, name="张伟", **people),
        "li_si": archive.filing(unit, name="李四", **people),
        "zhang_pending": archive.filing(unit, name="张小凡", status="pending", **people),
        "zhang_elsewhere": archive.filing(other_unit, name="张无忌", **people),
        "shop": archive.filing(unit, name="凌源市张记五金商行", code="92211382MA0Y9P2X4C",
                               kind="individual_business"),
        "zhang_revoked": archive.filing(unit, name="张翠山", status="revoked", **people),
    }
    return unit, other_unit, made


def test_short_queries_read_the_public_name(archive: Archive) -> None:
    """Both backends give the same ids in the same order; "张*" finds the masked persons."""
    unit, other_unit, f = _short_query_archive(archive)

    def ids(q: str, **filters) -> list[int]:
        return archive.ids(q, **{"unit_id": unit.id, **filters})

    persons = [f["zhang_wei"].id, f["zhang_sanfeng"].id]
    assert ids("张") == [f["zhang_wei"].id, f["firm_zhang"].id, f["zhang_sanfeng"].id]
    assert ids("张*") == persons  # the public name, never the full one (张三丰)
    assert ids("张三") == []
    assert ids("张 建材") == [f["firm_zhang"].id]
    assert ids("张* 道路") == persons  # other short terms: anywhere in the public document
    assert ids("张* 1237") == []  # which holds nothing of an ID number (trial 19)
    assert ids("李") == [f["li_si"].id]
    assert ids("凌源") == [f["shop"].id]
    assert ids("张", status=None) == [f["zhang_revoked"].id, f["zhang_pending"].id,
                                      f["zhang_wei"].id, f["firm_zhang"].id, f["zhang_sanfeng"].id]
    assert ids("张*", status=("pending", "revoked")) == [f["zhang_revoked"].id, f["zhang_pending"].id]
    assert ids("张", status=()) == []
    assert ids("张*", subject_kind="enterprise") == []
    assert archive.ids("张*", unit_id=other_unit.id) == [f["zhang_elsewhere"].id]


def test_short_queries_deep_pages(archive: Archive) -> None:
    """Past the count cap every page is exact: newest first, nothing skipped or repeated."""
    archive.index = search_index_for(archive.session, count_cap=5)
    unit = archive.unit()
    people = dict(kind="natural_person", code="2*************1237")
    wanted = []
    for i in range(23):
        wanted.append(archive.filing(unit, name=("张伟", "张三丰")[i % 2], **people))
        archive.filing(unit, name="李四", **people)
        archive.filing(unit, name="张无忌", status="pending", **people)
    expected = [f.id for f in reversed(wanted)]
    for q in ("张", "张*", "张 道路"):
        pages = [archive.query(q, SearchFilters(unit_id=unit.id), page=p, per_page=4) for p in range(1, 8)]
        assert [(p.total, p.total_capped) for p in pages] == [(5, True)] * 7
        assert [i for p in pages for i in p.ids] == expected
    last = archive.query("张*", SearchFilters(unit_id=unit.id), page=12, per_page=2)
    assert last.ids == [wanted[0].id]


def test_removing_a_filing_removes_it_from_short_queries(archive: Archive) -> None:
    unit = archive.unit()
    people = dict(kind="natural_person", code="2*************1237")
    kept, removed = archive.filing(unit, name="张伟", **people), archive.filing(unit, name="张三丰", **people)
    archive.index.remove_from_index(archive.session, removed.id)
    assert archive.ids("张", unit_id=unit.id) == [kept.id]
    assert archive.ids("张*", unit_id=unit.id) == [kept.id]
    assert archive.session.scalar(text(
        "SELECT count(*) FROM filings_name_grams WHERE filing_id = :id"), {"id": removed.id}) == 0
    archive.index.add_to_index(archive.session, search_entry(removed), unit.name)
    assert archive.ids("张*", unit_id=unit.id) == [removed.id, kept.id]


def test_renamed_filing_is_found_by_its_new_name_start(archive: Archive) -> None:
    unit = archive.unit()
    filing = archive.filing(unit)
    filing.subject_name = "鑫源建筑工程有限公司"
    archive.session.flush()
    archive.index.add_to_index(archive.session, search_entry(filing), unit.name)
    assert archive.ids("凌源", unit_id=unit.id) == []
    assert archive.ids("鑫", unit_id=unit.id) == [filing.id]
    assert archive.ids("建筑", unit_id=unit.id) == [filing.id]


def test_sqlite_short_queries_walk_the_gram_key(archive: Archive) -> None:
    """The page comes off the (gram, filing_id) key of filings_name_grams, in its order: no sort."""
    if not isinstance(archive.index, SqliteFtsIndex):
        pytest.skip("SQLite query plan")
    raw = archive.session.connection().connection.driver_connection
    for q, index in (("张", "PRIMARY KEY (gram=?)"), ("张*", "PRIMARY KEY (gram=?)")):
        statements: list[str] = []  # as run, values written in
        raw.set_trace_callback(statements.append)
        try:
            archive.query(q)
        finally:
            raw.set_trace_callback(None)
        page = next(s for s in statements if "filings_name_grams" in s and "ORDER BY" in s)
        plan = " | ".join(row[-1] for row in archive.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {page}"))
        assert f"SEARCH g USING {index}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def _filing_at_0007(db: Session, unit_id: int, n: int, *, name: str, kind: str,
                    code: str) -> SimpleNamespace:
    values = dict(sha256=f"{n:064d}", original_name="承诺书.pdf", size_bytes=1000, page_count=1,
                  unit_id=unit_id, subject_kind=kind, subject_name=name, subject_code_public=code,
                  subject_code_hash=f"h{n:063d}", subject_code_enc="-", legal_representative="",
                  matter="凌源市城南片区道路改造工程施工许可", scenario="project_approval",
                  commitment_date=date(2026, 3, 1), status="published", created_at=T0)
    filing_id = db.execute(text(
        f"INSERT INTO filings ({', '.join(values)}) VALUES ({', '.join(':' + k for k in values)}) "
        "RETURNING id"), values).scalar_one()
    return SimpleNamespace(id=filing_id, **values)


def test_migrations_0008_and_0018_fill_the_short_query_keys_of_indexed_filings(tmp_path) -> None:
    """SQLite: filings indexed before 0008 are found by short queries after it, and after 0018."""
    from alembic import command

    from app.db import alembic_config

    url = f"sqlite:///{tmp_path / 'before_0008.sqlite3'}"
    command.upgrade(alembic_config(url), "0007")
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            # rows as the 0007 schema holds them (SQL, not today's models, which have more columns)
            unit_id = db.execute(text("INSERT INTO receiving_units (name, created_at) VALUES "
                                      "('凌源市检索测试局', :t) RETURNING id"), {"t": T0}).scalar_one()
            unit = SimpleNamespace(id=unit_id, name="凌源市检索测试局")
            person = _filing_at_0007(db, unit_id, 1, name="张三丰", kind="natural_person",
                                     code="2*************1237")
            firm = _filing_at_0007(db, unit_id, 2, name="凌源市示例建筑工程有限公司", kind="enterprise",
                                   code="91211382MA0Y8K7Q3B")
            for f in (person, firm):  # what SqliteFtsIndex wrote before 0008
                db.execute(text(
                    "INSERT INTO filings_fts (rowid, subject_name, subject_code, matter, unit_name) "
                    "VALUES (:id, :subject_name, :subject_code, :matter, :unit_name)"),
                    {"id": f.id, **asdict(indexed_text_for(search_entry(f), unit.name)),
                     "subject_code": f.subject_code_public})  # the masked ID too, until 0019
            person_id, firm_id = person.id, firm.id
            db.commit()
        command.upgrade(alembic_config(url), "0008")
        with Session(engine) as db:
            assert db.execute(text("SELECT filing_id, name FROM filings_public_name ORDER BY filing_id")
                              ).all() == [(person_id, "张**"), (firm_id, "凌源市示例建筑工程有限公司")]
        command.upgrade(alembic_config(url), "0018")
        with Session(engine) as db:
            assert Archive(db).ids("1237") == [person_id]
        command.upgrade(alembic_config(url), "head")  # 0018: the grams, from the same names
        with Session(engine) as db:
            archive = Archive(db)
            assert archive.ids("1237") == []  # 0019: no part of a person's ID number
            assert archive.ids("91211382MA0Y8K7Q3B") == [firm_id]
            assert archive.ids("张*") == [person_id]
            assert archive.ids("凌源") == [firm_id]
            assert archive.ids("建筑") == [firm_id]
        command.downgrade(alembic_config(url), "0015")
        with Session(engine) as db:
            assert db.execute(text("SELECT filing_id, name FROM filings_public_name ORDER BY filing_id")
                              ).all() == [(person_id, "张**"), (firm_id, "凌源市示例建筑工程有限公司")]
        command.downgrade(alembic_config(url), "0007")
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'filings_public_name%' "
                "OR name LIKE 'ix_filings_public_name%'")).scalar() == 0
    finally:
        engine.dispose()
