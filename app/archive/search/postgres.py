"""PostgreSQL adapter: table ``filings_search`` with a GIN index of trigrams (pg_trgm) and eras."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from app.archive.search.sql import Query, page_params, page_result, replace_name_grams, run_page
from app.archive.search.terms import (
    BROWSE_ORDER,
    COUNT_CAP,
    DbSession,
    FilingEntry,
    ParsedQuery,
    SearchFilters,
    SearchPage,
    check_paging,
    gram_of,
    indexed_text_for,
    like_escape,
    parse_query,
)

DAY_WALK_BUDGET = 50_000
"""PostgreSQL, browsing a date range: most index entries read day by day before falling back to
one walk of the created_at order (a wide range with a deep page)."""
COMMON_SHARE = 0.25
"""PostgreSQL: text terms expected in this share of the filings or more are found by walking the
filing_id order (~0.3 µs a filing read) rather than era by era through the trigram index (~0.8 µs
a filing the terms match, whatever the filters): about where the walk starts to cost less."""
ERA_IDS = 32_768
"""PostgreSQL: filing ids per era, the second column ``filing_id / 32768`` of the trigram index
(migration 0007); a query uses that column only if it spells the expression the same way."""


class PostgresTrgmIndex:
    """PostgreSQL: table ``filings_search`` with a GIN index of trigrams (pg_trgm) and eras.

    The table holds the document lower-cased and a trigger-maintained copy of the filings' filter
    columns, so text queries never join ``filings``. The GIN index covers ``document_lower``
    (gin_trgm_ops) and the era ``filing_id / ERA_IDS`` (btree_gin, migration 0007), so that one
    GIN scan can be limited to the filings of one era.

    A query with 3+ character terms takes one of three ways, picked from the planner's estimates
    (``_text_page``): few matches, one bitmap collects them all and the page is sorted out of them;
    terms in a large share of the filings, a scan collects COUNT_CAP + 1 of them for the count and
    a walk of the filing_id index finds the page (cheap precisely because matches are common); in
    between, the newest matches come era by era, enough for the capped count and the page. Only
    1-2 character terms: a backward walk of the (gram, filing_id) key of ``filings_name_grams``.
    """

    def __init__(self, estimate: Callable[[DbSession, Query], tuple[float, bool]] | None = None,
                 count_cap: int = COUNT_CAP) -> None:
        """``estimate``: (matches expected, common) in place of the planner's (``_estimate``), so
        that each of the three ways can be made to run on a few rows (tests); None in service.
        ``count_cap``: totals are counted up to this many matches (COUNT_CAP in service)."""
        self.estimate = estimate if estimate is not None else self._estimate
        self.count_cap = count_cap

    def add_to_index(self, session: DbSession, filing: FilingEntry, unit_name: str) -> None:
        """Insert or update the filing's row (INSERT ... ON CONFLICT DO UPDATE)."""
        self.add_many_to_index(session, [(filing, unit_name)])

    def add_many_to_index(self, session: DbSession, rows: Iterable[tuple[FilingEntry, str]]) -> None:
        """``add_to_index`` for many filings (bulk rebuilds)."""
        values = []
        for filing, unit in rows:
            indexed = indexed_text_for(filing, unit)
            values.append({"id": filing.id, "status": filing.status, "unit_id": filing.unit_id,
                           "scenario": filing.scenario, "subject_kind": filing.subject_kind,
                           "commitment_date": filing.commitment_date, "name": indexed.subject_name,
                           "doc": indexed.document})
        if not values:
            return
        session.flush()
        session.connection().exec_driver_sql(
            "INSERT INTO filings_search (filing_id, status, unit_id, scenario, subject_kind, "
            "commitment_date, subject_name, document_lower) VALUES (%(id)s, %(status)s, "
            "%(unit_id)s, %(scenario)s, %(subject_kind)s, %(commitment_date)s, %(name)s, "
            "lower(%(doc)s)) ON CONFLICT (filing_id) DO UPDATE SET status = EXCLUDED.status, "
            "unit_id = EXCLUDED.unit_id, scenario = EXCLUDED.scenario, "
            "subject_kind = EXCLUDED.subject_kind, commitment_date = EXCLUDED.commitment_date, "
            "subject_name = EXCLUDED.subject_name, document_lower = EXCLUDED.document_lower", values)
        replace_name_grams(session, {v["id"]: v["name"] for v in values}, named=False)

    def remove_from_index(self, session: DbSession, filing_id: int) -> None:
        for table in ("filings_name_grams", "filings_search"):
            session.connection().exec_driver_sql(
                f"DELETE FROM {table} WHERE filing_id = %(id)s", {"id": filing_id})

    def query_index(self, session: DbSession, q: str, filters: SearchFilters, page: int = 1,
                    per_page: int = 20) -> SearchPage:
        check_paging(page, per_page)
        parsed = parse_query(q)
        if not parsed.terms:
            return self._browse(session, filters, page, per_page)
        if parsed.uscc:
            query = self._search_query(filters)
            query.joins.append("JOIN filings f ON f.id = s.filing_id")
            query.where.append(f"f.subject_code_public = {query.bind(parsed.uscc)}")
            return run_page(session, query, "s.filing_id DESC", page, per_page, cap=self.count_cap)
        if parsed.long:
            return self._text_page(session, parsed, filters, page, per_page)
        return self._name_prefix_page(session, parsed, filters, page, per_page)

    @staticmethod
    def _search_query(filters: SearchFilters, status_index: bool = True) -> Query:
        query = Query(named=False, source="filings_search s", id_column="s.filing_id AS id", alias="s")
        query.filters(filters, status_index=status_index)
        return query

    def _name_prefix_page(self, session: DbSession, parsed: ParsedQuery, filters: SearchFilters,
                          page: int, per_page: int) -> SearchPage:
        """Only 1-2 character terms: the public name holds the first one (2 characters: anywhere;
        1 character: as its first, a surname) and the public document the others.

        A trigram index cannot serve 2 characters: ``filings_name_grams`` (migration 0018) keys
        each public name's 2-character pieces and first character to the filing id. Its primary
        key (gram, filing_id), read backwards, gives the matches newest first; the filters are
        checked on ``filings_search`` row by row, so the capped count reads at most COUNT_CAP + 1
        matches and page 50 ~1,000 entries.
        """
        query = Query(named=False, source="filings_name_grams g JOIN filings_search s "
                      "ON s.filing_id = g.filing_id", id_column="g.filing_id AS id", alias="s")
        query.where.append(f"g.gram = {query.bind(gram_of(parsed.short[0]))}")
        query.filters(filters)
        query.where += self._contains_all(query, parsed.short[1:])
        return run_page(session, query, "g.filing_id DESC", page, per_page, cap=self.count_cap)

    @staticmethod
    def _contains_all(query: Query, terms: Sequence[str]) -> list[str]:
        """strpos is not indexable: short terms only filter what the other conditions found."""
        return [f"strpos(s.document_lower, {query.bind(t.lower())}) > 0" for t in terms]

    def _collect(self, session: DbSession, query: Query, page: int,
                 per_page: int) -> tuple[int, list[int] | None]:
        """(count, page) out of at most COUNT_CAP + 1 matches, in whatever order they come.

        The planner picks the GIN bitmap for rare terms, a scan that stops early for common ones.
        Up to COUNT_CAP matches that set is complete and the page is sorted out of it; beyond, the
        page is None: the set is not the newest matches.
        """
        session.flush()
        counted, ids = _unprepared(session, (
            f"WITH m AS MATERIALIZED ({query.sql()} LIMIT %(count_limit)s), "
            "n AS (SELECT count(*) AS n FROM m) "
            # Sorted only when m holds every match (the CASE skips the subquery otherwise).
            "SELECT n.n, CASE WHEN n.n <= %(count_cap)s THEN ARRAY(SELECT id FROM m "
            "ORDER BY id DESC LIMIT %(page_limit)s OFFSET %(page_offset)s) END FROM n"),
            {**page_params(query, page, per_page, cap=self.count_cap), "count_cap": self.count_cap})[0]
        return counted, None if ids is None else list(ids)

    def _text_page(self, session: DbSession, parsed: ParsedQuery, filters: SearchFilters, page: int,
                   per_page: int) -> SearchPage:
        """Terms of 3+ characters; the planner's estimates pick the statements.

        - At most COUNT_CAP matches expected: ``_collect``, one bitmap over the trigram index.
        - The terms alone in COMMON_SHARE of the filings or more: ``_collect`` stops after a short
          scan, and a walk of the filing_id order finds the page.
        - Otherwise ``_newest``: the capped count and the page at once.

        Each way gives the exact page: a wrong estimate costs time, never results.
        """
        # ``walk``: the same condition in a form no index serves, for walking the filing_id order.
        # ``by_era``: the status off the (status, filing_id) index, see _newest.
        query, walk = self._search_query(filters), self._search_query(filters)
        by_era = self._search_query(filters, status_index=False)
        for t in parsed.long:
            # lower(text) LIKE lower(pattern) is how PostgreSQL evaluates ILIKE: same result.
            pattern = "%" + like_escape(t) + "%"
            for built in (query, by_era):
                built.where.append(f"s.document_lower LIKE lower({built.bind(pattern)}) ESCAPE '\\'")
            walk.where.append(f"strpos(s.document_lower, lower({walk.bind(t)})) > 0")
        for built in (query, walk, by_era):
            built.where += self._contains_all(built, parsed.short)
        expected, common = self.estimate(session, by_era)
        needed = page * per_page
        if expected > self.count_cap and not common:
            counted, ids = self._newest(session, by_era, page, per_page, max(needed, self.count_cap + 1))
            return page_result(ids, counted, page, per_page, cap=self.count_cap)
        counted, page_ids = self._collect(session, query, page, per_page)
        if page_ids is None:  # more than COUNT_CAP matches after all
            page_ids = (self._walk(session, walk, page, per_page) if common
                        else self._newest(session, by_era, page, per_page, needed)[1])
        return page_result(page_ids, counted, page, per_page, cap=self.count_cap)

    @staticmethod
    def _estimate(session: DbSession, query: Query) -> tuple[float, bool]:
        """(matches expected, whether the terms alone are in COMMON_SHARE of the filings or more).

        ``query`` must keep the status off its index: the trigram index scan's estimate then counts
        the rows the terms alone match (every filter is checked on those rows). A plan without
        that scan reads the whole table: the planner finds the terms in most filings.
        """
        session.flush()
        plan = _unprepared(session, f"EXPLAIN (FORMAT JSON) {query.sql()}", query.params)[0][0][0]
        filings = _unprepared(
            session, "SELECT reltuples FROM pg_class WHERE oid = 'filings_search'::regclass", {})[0][0]
        candidates = next((node["Plan Rows"] for node in _plan_nodes(plan["Plan"])
                           if node["Node Type"] == "Bitmap Index Scan"), filings)
        # reltuples is -1 before the first ANALYZE: then every query counts as common.
        return plan["Plan"]["Plan Rows"], candidates >= COMMON_SHARE * filings

    def _walk(self, session: DbSession, walk: Query, page: int, per_page: int) -> list[int]:
        """The page read off the filing_id order, newest first: cheap when matches are common."""
        return [row[0] for row in _unprepared(
            session, f"{walk.sql()} ORDER BY s.filing_id DESC LIMIT %(page_limit)s OFFSET %(page_offset)s",
            page_params(walk, page, per_page, cap=self.count_cap))]

    def _newest(self, session: DbSession, query: Query, page: int, per_page: int,
                want: int) -> tuple[int, list[int]]:
        """(count, page) out of the newest ``want`` matches (all of them when fewer match).

        The trigram index has a second column, the era ``filing_id / ERA_IDS``: a GIN scan for one
        era reads only that era's part of the index and yields exact row pointers. The eras are
        scanned newest first, each era's matches sorted, until the LIMIT has ``want`` rows: a term
        in 0.7% of 1M filings needs 10 eras for its newest 2001 matches, the capped count and any
        page up to 100 (~8 ms; collecting 2001 matches in heap order, then walking ~150,000
        filings for page 50 took ~60 ms).

        The LIMIT needs no ORDER BY: a nested loop returns the inner rows of each outer row in
        turn, and generate_series returns the eras in order. The newest era is read in the same
        statement, so a filing added meanwhile is not left out.

        ``query`` must keep the status off the (status, filing_id) index, or the planner may
        intersect each era's bitmap with a bitmap of every filing of that status (150,000 rows for
        "pending": 13 ms per era) instead of checking the status of the few rows found.

        Why not a BRIN range on filing_id next to the plain trigram index: a BitmapAnd starts
        with the cheaper bitmap, the lossy BRIN one, and the pages it keeps stay lossy, so every
        row of them is rechecked (25-30 ms for page 50); the trigram index would also be read in
        full every time.
        """
        found, ids = _unprepared(session, (
            "WITH n AS MATERIALIZED (SELECT x.id FROM generate_series("
            f"(SELECT max(filing_id) FROM filings_search) / {ERA_IDS}, 0, -1) AS e(era) "
            f"CROSS JOIN LATERAL ({query.sql()} AND s.filing_id / {ERA_IDS} = e.era "
            "ORDER BY s.filing_id DESC) AS x LIMIT %(want)s) "
            "SELECT count(*), ARRAY(SELECT id FROM n ORDER BY id DESC "
            "LIMIT %(page_limit)s OFFSET %(page_offset)s) FROM n"),
            {**page_params(query, page, per_page, cap=self.count_cap), "want": want})[0]
        return found, list(ids)

    def _browse(self, session: DbSession, filters: SearchFilters, page: int,
                per_page: int) -> SearchPage:
        query = Query(named=False)
        query.filters(filters)
        page_sql = page_sql_params = None
        if (filters.date_from or filters.date_to) and filters.status != ():
            page_sql, page_sql_params = self._by_day_page(session, filters, page, per_page)
        return run_page(session, query, BROWSE_ORDER, page, per_page, cap=self.count_cap,
                        page_sql=page_sql, page_sql_params=page_sql_params)

    @staticmethod
    def _by_day_page(session: DbSession, filters: SearchFilters, page: int,
                     per_page: int) -> tuple[str | None, dict[str, Any] | None]:
        """The browse page of a commitment-date range, one index probe per (status, day).

        Walking created_at newest first with a date filter reads every newer filing before the
        range starts; instead each day of the range gives its newest ``offset + per_page`` rows
        from (status, commitment_date, created_at, id), and those few are sorted. Returns
        (None, None) when that would read more than DAY_WALK_BUDGET index entries.
        """
        lo, hi = filters.date_from, filters.date_to
        session.flush()
        conn = session.connection()
        if filters.status is None:  # any status: the distinct ones, one index probe each
            statuses = [row[0] for row in conn.exec_driver_sql(
                "WITH RECURSIVE st(status) AS (SELECT min(status) FROM filings UNION ALL "
                "SELECT (SELECT min(f.status) FROM filings f WHERE f.status > st.status) "
                "FROM st WHERE st.status IS NOT NULL) SELECT status FROM st WHERE status IS NOT NULL")]
        else:
            statuses = list(dict.fromkeys(filters.status))
        if lo is None or hi is None:
            first, last = conn.exec_driver_sql(
                "SELECT min(b.lo), max(b.hi) FROM unnest(CAST(%(st)s AS varchar[])) st(status) "
                "CROSS JOIN LATERAL (SELECT min(f.commitment_date) AS lo, "
                "max(f.commitment_date) AS hi FROM filings f WHERE f.status = st.status) b",
                {"st": statuses}).one()
            if first is None:
                return None, None
            lo, hi = lo or first, hi or last
        days = (hi - lo).days + 1
        keep = page * per_page
        if days < 1 or days * keep * len(statuses) > DAY_WALK_BUDGET:
            return None, None
        others = Query(named=False)
        others.filters(replace(filters, status=None), dates=False)
        sql = (
            "SELECT x.id FROM unnest(CAST(%(d_st)s AS varchar[])) st(status) "
            "CROSS JOIN generate_series(CAST(%(d_lo)s AS date), CAST(%(d_hi)s AS date), "
            "interval '1 day') d(day) "
            "CROSS JOIN LATERAL (SELECT f.id, f.created_at FROM filings f "
            "WHERE f.status = st.status AND f.commitment_date = CAST(d.day AS date)"
            + "".join(f" AND {w}" for w in others.where)
            + f" ORDER BY {BROWSE_ORDER} LIMIT %(d_keep)s) x "
            "ORDER BY x.created_at DESC, x.id DESC LIMIT %(page_limit)s OFFSET %(page_offset)s")
        params = {**others.params, "d_st": statuses, "d_lo": lo, "d_hi": hi, "d_keep": keep,
                  "page_limit": per_page, "page_offset": (page - 1) * per_page}
        return sql, params


def _plan_nodes(node: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """``node`` of an EXPLAIN (FORMAT JSON) plan and all the nodes below it."""
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def _unprepared(session: DbSession, sql: str, params: dict[str, Any]) -> list[tuple]:
    """Rows of ``sql`` run by psycopg without a server-side prepared statement.

    psycopg prepares a statement after its fifth execution, and PostgreSQL may then reuse one
    generic plan for every pattern: the plan for "礼远信" (a GIN bitmap) is not the plan for
    "有限公司" (a scan that stops early). Text queries are therefore planned with their values.
    """
    with session.connection().connection.driver_connection.cursor() as cur:
        cur.execute(sql, params, prepare=False)
        return cur.fetchall()
