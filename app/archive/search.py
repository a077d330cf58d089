"""Full-text search of filings (公示检索): one adapter, SQLite FTS5 trigram or PostgreSQL pg_trgm.

Three verbs behind the adapter, called explicitly after a commit (never from ORM hooks):
``add_to_index`` (upsert one filing's searchable text), ``remove_from_index`` and
``query_index``. Results are filing ids only; callers load the rows they show.

What is indexed is only what the public pages show (domain-rules §7.2): the unit's name in
full, a natural person's name masked (张**), the public code (the USCC in full, a resident ID
masked as 2*************1237), the matter and the receiving unit's name. A full resident ID or
a person's full name therefore never finds anything.

Query semantics (``q`` is free text typed by the public):

- Text is NFKC-normalised (全角 "ＭＡ０Ｙ" = "MA0Y"), control characters are dropped and the
  text is split on whitespace into at most ``MAX_TERMS`` distinct terms of at most
  ``MAX_TERM_CHARS`` characters; all terms must match (AND).
- No terms: browse, every filing matching the filters.
- One term shaped like a full 统一社会信用代码 (18 characters of the GB 32100 alphabet, any case):
  exact match on the public code.
- Terms of 3+ characters: case-insensitive substring match anywhere in the indexed text
  ("示例建筑" finds "凌源市示例建筑工程有限公司"; "MA0Y8K" finds a USCC containing it). A trigram
  index needs 3 characters, so 1-2 character terms next to a longer term only narrow the rows
  the longer terms found (substring match on those rows).
- Only 1-2 character terms: the public name must start with the first term ("张" finds 张**,
  "凌源" finds 凌源市…) and contain the others. A 1-2 character substring search over every
  filing would read the whole table; a name prefix is what such a query usually means. Both
  backends index the public name's first 1 and 2 characters with the filing id (migration 0008),
  so any page is a short backward walk of one index.

Order: newest filing first, so pages are stable: browsing by created_at desc, id desc; text
queries by id desc, the order the indexes keep (ids grow with created_at). The total is counted
over at most ``COUNT_CAP + 1`` rows; ``SearchPage.total_capped`` says the true number may be
larger (show "10,000+"). Deeper pages are exact all the same (how PostgreSQL finds page 50 of a
term in 0.7% of the filings without reading every newer filing: ``PostgresTrgmIndex``).

FTS5 query syntax and LIKE wildcards in user input are always quoted/escaped: no input can
raise a syntax error.

Like the rest of ``app.archive`` this module imports neither Flask nor SQLAlchemy: it takes a
session (anything with ``connection()``, ``get_bind()`` and ``flush()``: a SQLAlchemy Session)
and runs its own dialect-specific SQL through ``connection().exec_driver_sql``; every value
travels as a bound parameter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Protocol

from app.domain.identifiers import USCC_ALPHABET
from app.domain.masking import public_subject_name
from app.domain.subjects import SubjectKind
from app.models import Filing

COUNT_CAP = 2_000
"""Totals are counted up to this many rows; beyond it the page says "10,000+"."""
MAX_TERMS = 8
"""Further terms are ignored: they rarely narrow a result and each one costs an index probe."""
MAX_TERM_CHARS = 64
"""Longer terms are cut: no indexed field (name 100, code 18, matter 200) needs a longer probe."""
MIN_TRIGRAM_CHARS = 3
USCC_RE = re.compile(f"[{USCC_ALPHABET}]{{18}}")
"""A full 统一社会信用代码 (GB 32100 alphabet: no I, O, Z, S, V): searched by exact match."""
FIELD_SEPARATOR = "\n"
"""Joins the indexed fields into one document; terms never contain whitespace, so no term can
match across two fields."""
BROWSE_ORDER = "f.created_at DESC, f.id DESC"
"""Browsing: newest filing first, id breaking ties."""
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


class DbSession(Protocol):
    """What the adapter needs of a session (sqlalchemy.orm.Session has all three)."""

    def connection(self) -> Any: ...

    def get_bind(self) -> Any: ...

    def flush(self) -> None: ...


@dataclass(frozen=True)
class SearchFilters:
    """Filters applied on the filings table (the source of truth), not on the index."""

    status: tuple[str, ...] | None = ("published",)
    """Allowed statuses (pending | published | rejected | revoked); None = any status."""
    unit_id: int | None = None
    """receiving_units.id (接受承诺单位)."""
    scenario: str | None = None
    """承诺适用情形, a Scenario value."""
    subject_kind: str | None = None
    """承诺主体类型, a SubjectKind value."""
    date_from: date | None = None
    """First commitment_date included (承诺日期 >=)."""
    date_to: date | None = None
    """Last commitment_date included (承诺日期 <=)."""


@dataclass(frozen=True)
class SearchPage:
    """One page of results: filing ids, newest first."""

    ids: list[int]
    total: int
    """Number of matching filings, counted up to COUNT_CAP."""
    total_capped: bool
    """True when more than COUNT_CAP filings match: show the total as "10,000+"."""
    page: int
    per_page: int


@dataclass(frozen=True)
class IndexedText:
    """The searchable text of one filing: public values only, NFKC-normalised."""

    subject_name: str
    subject_code: str
    matter: str
    unit_name: str

    @property
    def document(self) -> str:
        """All fields in one string (the PostgreSQL index column)."""
        return FIELD_SEPARATOR.join((self.subject_name, self.subject_code, self.matter,
                                     self.unit_name))


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into terms: ``long`` (trigram searchable) and ``short`` (1-2 characters)."""

    terms: tuple[str, ...]
    uscc: str | None = None
    """Set when the query is one full USCC (upper-cased): exact code match."""

    @property
    def long(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if len(t) >= MIN_TRIGRAM_CHARS)

    @property
    def short(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if len(t) < MIN_TRIGRAM_CHARS)


class SearchIndex(Protocol):
    """The adapter: call the write verbs after the filing's transaction committed."""

    def add_to_index(self, session: DbSession, filing: Filing, unit_name: str) -> None:
        """Insert or replace the searchable text of ``filing`` (one index row per filing)."""

    def remove_from_index(self, session: DbSession, filing_id: int) -> None:
        """Drop the filing's index row: text queries no longer find it (browsing still lists it)."""

    def query_index(self, session: DbSession, q: str, filters: SearchFilters, page: int = 1,
                    per_page: int = 20) -> SearchPage:
        """Ids of the filings matching ``q`` and ``filters``, newest first, with a capped total."""


def _normalise(value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    # Cc: NUL and friends (PostgreSQL refuses NUL); Cs: lone surrogates cannot be encoded.
    return "".join(c for c in value if unicodedata.category(c) not in ("Cc", "Cs"))


def indexed_text(subject_kind: str, subject_name: str, subject_code_public: str, matter: str,
                 unit_name: str) -> IndexedText:
    """What the index holds: public name (自然人 masked), public code, matter and unit name."""
    try:
        kind = SubjectKind(subject_kind)
    except ValueError:  # unknown kind: index no name rather than risk a person's full name
        name = ""
    else:
        name = public_subject_name(kind, subject_name)
    return IndexedText(_normalise(name), _normalise(subject_code_public), _normalise(matter),
                       _normalise(unit_name))


def indexed_text_for(filing: Filing, unit_name: str) -> IndexedText:
    """``indexed_text`` of a Filing row."""
    return indexed_text(filing.subject_kind, filing.subject_name, filing.subject_code_public,
                        filing.matter, unit_name)


def parse_query(q: str) -> ParsedQuery:
    """Split user input into distinct terms (see the module docstring for the rules)."""
    terms: list[str] = []
    for raw in _normalise(q or "").split():
        term = raw[:MAX_TERM_CHARS]
        if term.casefold() not in (t.casefold() for t in terms):
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    if len(terms) == 1 and USCC_RE.fullmatch(terms[0].upper()):
        return ParsedQuery(tuple(terms), uscc=terms[0].upper())
    return ParsedQuery(tuple(terms))


def fts5_phrase(term: str) -> str:
    """``term`` as an FTS5 string: double quotes around it, inner quotes doubled.

    Inside a string FTS5 treats AND, OR, NOT, NEAR, *, ^, :, -, parentheses as plain text.
    """
    return '"' + term.replace('"', '""') + '"'


def like_escape(term: str) -> str:
    """``term`` with the LIKE wildcards (% and _) and the escape character (\\) escaped."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _check_paging(page: int, per_page: int) -> None:
    if page < 1:
        raise ValueError(f"page must be >= 1, not {page}")
    if not 1 <= per_page <= 200:
        raise ValueError(f"per_page must be within 1..200, not {per_page}")


class _Query:
    """Builds one SELECT of filing ids: joins, conditions and their bound parameters."""

    def __init__(self, named: bool, source: str = "filings f", id_column: str = "f.id",
                 alias: str = "f") -> None:
        self.named = named
        """sqlite3 takes :name parameters, psycopg %(name)s."""
        self.source = source
        self.id_column = id_column
        self.alias = alias
        """Alias of the table whose filter columns the filters read."""
        self.params: dict[str, Any] = {}
        self.joins: list[str] = []
        self.where: list[str] = []

    def bind(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}" if self.named else f"%({name})s"

    def filters(self, filters: SearchFilters, dates: bool = True, status_index: bool = True) -> None:
        """Conditions for ``filters``; ``status_index=False``: no index serves the status one."""
        a = self.alias
        if filters.status is not None:
            if filters.status:
                status = f"{a}.status IN ({', '.join(self.bind(s) for s in filters.status)})"
                # IS TRUE: the same rows and the same estimate, but no index condition.
                self.where.append(status if status_index else f"({status}) IS TRUE")
            else:
                self.where.append("1 = 0")
        for column, value in (("unit_id", filters.unit_id), ("scenario", filters.scenario),
                              ("subject_kind", filters.subject_kind)):
            if value is not None:
                self.where.append(f"{a}.{column} = {self.bind(value)}")
        if not dates:
            return
        # SQLite stores dates as ISO text; psycopg adapts date objects itself.
        for op, value in ((">=", filters.date_from), ("<=", filters.date_to)):
            if value is not None:
                bound = self.bind(value.isoformat() if self.named else value)
                self.where.append(f"{a}.commitment_date {op} {bound}")

    def sql(self) -> str:
        where = " AND ".join(self.where) or "1 = 1"
        return f"SELECT {self.id_column} FROM {self.source} {' '.join(self.joins)} WHERE {where}"

    def placeholder(self, name: str) -> str:
        return f":{name}" if self.named else f"%({name})s"


def _page_params(query: _Query, page: int, per_page: int) -> dict[str, Any]:
    return {**query.params, "page_limit": per_page, "page_offset": (page - 1) * per_page,
            "count_limit": COUNT_CAP + 1}


def _result(ids: list[int], counted: int, page: int, per_page: int) -> SearchPage:
    return SearchPage(ids=ids, total=min(counted, COUNT_CAP), total_capped=counted > COUNT_CAP,
                      page=page, per_page=per_page)


def _run_page(session: DbSession, query: _Query, order_by: str, page: int, per_page: int,
              page_sql: str | None = None, page_params: dict[str, Any] | None = None) -> SearchPage:
    """Run ``query`` for one page, plus a count that reads at most COUNT_CAP + 1 rows.

    ``page_sql`` (with ``page_params``) replaces the page query: another shape returning the same
    ids in the same order (the count still runs ``query``).
    """
    _check_paging(page, per_page)
    session.flush()  # driver-level SQL does not autoflush
    conn = session.connection()
    offset = (page - 1) * per_page
    params = _page_params(query, page, per_page)
    limit, off, cap = (query.placeholder(n) for n in ("page_limit", "page_offset", "count_limit"))
    base = query.sql()
    if page_sql is None:
        page_sql, page_params = f"{base} ORDER BY {order_by} LIMIT {limit} OFFSET {off}", params
    ids = [row[0] for row in conn.exec_driver_sql(page_sql, page_params)]
    if len(ids) < per_page and (ids or page == 1):
        counted = offset + len(ids)  # this page is the last one: no count query needed
    else:
        # The LIMIT inside the subquery stops the scan after COUNT_CAP + 1 rows.
        counted = conn.exec_driver_sql(
            f"SELECT count(*) FROM ({base} LIMIT {cap}) capped", params).scalar() or 0
    return _result(ids, counted, page, per_page)


class SqliteFtsIndex:
    """SQLite: FTS5 virtual table ``filings_fts`` (tokenize='trigram', rowid = filings.id).

    ``filings_public_name`` holds the public name again, in a plain table whose name prefixes can
    be indexed (FTS5 columns cannot): 1-2 character queries read it (``_name_prefix_page``).
    """

    def add_to_index(self, session: DbSession, filing: Filing, unit_name: str) -> None:
        """Insert or replace the filing's row (FTS5 has no ON CONFLICT: delete, then insert)."""
        self.add_many_to_index(session, [(filing, unit_name)])

    def add_many_to_index(self, session: DbSession, rows: Iterable[tuple[Filing, str]]) -> None:
        """``add_to_index`` for many filings (bulk rebuilds)."""
        values = [{"id": f.id, **asdict(indexed_text_for(f, unit))} for f, unit in rows]
        if not values:
            return
        session.flush()
        conn = session.connection()
        conn.exec_driver_sql("DELETE FROM filings_fts WHERE rowid = :id", [{"id": v["id"]} for v in values])
        conn.exec_driver_sql(
            "INSERT INTO filings_fts (rowid, subject_name, subject_code, matter, unit_name) "
            "VALUES (:id, :subject_name, :subject_code, :matter, :unit_name)", values)
        conn.exec_driver_sql(
            "INSERT INTO filings_public_name (filing_id, name) VALUES (:id, :subject_name) "
            "ON CONFLICT (filing_id) DO UPDATE SET name = excluded.name", values)

    def remove_from_index(self, session: DbSession, filing_id: int) -> None:
        conn = session.connection()
        for table, column in (("filings_fts", "rowid"), ("filings_public_name", "filing_id")):
            conn.exec_driver_sql(f"DELETE FROM {table} WHERE {column} = :id", {"id": filing_id})

    def query_index(self, session: DbSession, q: str, filters: SearchFilters, page: int = 1,
                    per_page: int = 20) -> SearchPage:
        parsed = parse_query(q)
        if parsed.short and not parsed.long and not parsed.uscc:
            return self._name_prefix_page(session, parsed, filters, page, per_page)
        query = _Query(named=True)
        query.filters(filters)
        order_by = BROWSE_ORDER
        if parsed.terms:
            query.joins.append("JOIN filings_fts ON filings_fts.rowid = f.id")
            # FTS5 yields rowids in order: "ORDER BY rowid DESC LIMIT" reads only the first matches.
            order_by = "filings_fts.rowid DESC"
        if parsed.uscc:
            query.where += [f"f.subject_code_public = {query.bind(parsed.uscc)}",
                            f"filings_fts.subject_code = {query.bind(parsed.uscc)}"]
        elif parsed.long:
            match = " ".join(fts5_phrase(t) for t in parsed.long)  # space = AND in FTS5
            query.where.append(f"filings_fts MATCH {query.bind(match)}")
            query.where += self._contains_all(query, parsed.short)
        return _run_page(session, query, order_by, page, per_page)

    @classmethod
    def _name_prefix_page(cls, session: DbSession, parsed: ParsedQuery, filters: SearchFilters,
                          page: int, per_page: int) -> SearchPage:
        """Only 1-2 character terms: the public name starts with the first one.

        FTS5 columns cannot be indexed, so ``filings_public_name`` (migration 0008) holds the public
        name with an index on ``(substr(name, 1, n), filing_id)``: walked backwards it gives the
        matches newest first (filing_id order is the rowid order of text queries), and page 50
        reads ~1,000 entries plus their filings' filters. CROSS JOIN keeps that table outermost:
        the planner could otherwise start from a filings index and read every filing of a status.
        """
        first = parsed.short[0]
        query = _Query(named=True, source="filings_public_name p CROSS JOIN filings f",
                       id_column="p.filing_id")
        query.where.append("f.id = p.filing_id")
        # n written out: SQLite matches an index expression only if the query spells it the same.
        query.where.append(f"substr(p.name, 1, {len(first)}) = {query.bind(first)}")
        query.filters(filters)
        if len(parsed.short) > 1:
            query.joins.append("JOIN filings_fts ON filings_fts.rowid = p.filing_id")
            query.where += cls._contains_all(query, parsed.short[1:])
        return _run_page(session, query, "p.filing_id DESC", page, per_page)

    @staticmethod
    def _contains_all(query: _Query, terms: Sequence[str]) -> list[str]:
        doc = ("lower(filings_fts.subject_name || char(10) || filings_fts.subject_code || char(10) || "
               "filings_fts.matter || char(10) || filings_fts.unit_name)")
        return [f"instr({doc}, {query.bind(t.lower())}) > 0" for t in terms]


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
    1-2 character terms: the name prefix index collects, and a walk of the (name prefix, filing_id)
    index finds the page past the cap.
    """

    def __init__(self, estimate: Callable[[DbSession, _Query], tuple[float, bool]] | None = None
                 ) -> None:
        """``estimate``: (matches expected, common) in place of the planner's (``_estimate``), so
        that each of the three ways can be made to run on a few rows (tests); None in service."""
        self.estimate = estimate if estimate is not None else self._estimate

    def add_to_index(self, session: DbSession, filing: Filing, unit_name: str) -> None:
        """Insert or update the filing's row (INSERT ... ON CONFLICT DO UPDATE)."""
        self.add_many_to_index(session, [(filing, unit_name)])

    def add_many_to_index(self, session: DbSession, rows: Iterable[tuple[Filing, str]]) -> None:
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

    def remove_from_index(self, session: DbSession, filing_id: int) -> None:
        session.connection().exec_driver_sql(
            "DELETE FROM filings_search WHERE filing_id = %(id)s", {"id": filing_id})

    def query_index(self, session: DbSession, q: str, filters: SearchFilters, page: int = 1,
                    per_page: int = 20) -> SearchPage:
        _check_paging(page, per_page)
        parsed = parse_query(q)
        if not parsed.terms:
            return self._browse(session, filters, page, per_page)
        if parsed.uscc:
            query = self._search_query(filters)
            query.joins.append("JOIN filings f ON f.id = s.filing_id")
            query.where.append(f"f.subject_code_public = {query.bind(parsed.uscc)}")
            return _run_page(session, query, "s.filing_id DESC", page, per_page)
        if parsed.long:
            return self._text_page(session, parsed, filters, page, per_page)
        return self._name_prefix_page(session, parsed, filters, page, per_page)

    @staticmethod
    def _search_query(filters: SearchFilters, status_index: bool = True) -> _Query:
        query = _Query(named=False, source="filings_search s", id_column="s.filing_id AS id", alias="s")
        query.filters(filters, status_index=status_index)
        return query

    @classmethod
    def _name_prefix_page(cls, session: DbSession, parsed: ParsedQuery, filters: SearchFilters,
                          page: int, per_page: int) -> SearchPage:
        """Only 1-2 character terms: the public name starts with the first one.

        ``query`` (LIKE 'x%', the text_pattern_ops index) collects up to COUNT_CAP + 1 matches;
        past the cap ``walk`` spells the condition as ``left(subject_name, n)``, the expression of
        the (left(subject_name, n), filing_id) INCLUDE (status) indexes (migration 0008), which
        it reads backwards: page 50 of "张" reads ~1,000 entries, not every newer filing.
        """
        query, walk = cls._search_query(filters), cls._search_query(filters)
        first = parsed.short[0]
        query.where.append(f"s.subject_name LIKE {query.bind(like_escape(first) + '%')} ESCAPE '\\'")
        walk.where.append(f"left(s.subject_name, {len(first)}) = {walk.bind(first)}")
        for built in (query, walk):
            built.where += cls._contains_all(built, parsed.short[1:])
        counted, ids = cls._collect(session, query, page, per_page)
        if ids is None:
            ids = cls._walk(session, walk, page, per_page)
        return _result(ids, counted, page, per_page)

    @staticmethod
    def _contains_all(query: _Query, terms: Sequence[str]) -> list[str]:
        """strpos is not indexable: short terms only filter what the other conditions found."""
        return [f"strpos(s.document_lower, {query.bind(t.lower())}) > 0" for t in terms]

    @staticmethod
    def _collect(session: DbSession, query: _Query, page: int,
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
            {**_page_params(query, page, per_page), "count_cap": COUNT_CAP})[0]
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
        if expected > COUNT_CAP and not common:
            counted, ids = self._newest(session, by_era, page, per_page, max(needed, COUNT_CAP + 1))
            return _result(ids, counted, page, per_page)
        counted, page_ids = self._collect(session, query, page, per_page)
        if page_ids is None:  # more than COUNT_CAP matches after all
            page_ids = (self._walk(session, walk, page, per_page) if common
                        else self._newest(session, by_era, page, per_page, needed)[1])
        return _result(page_ids, counted, page, per_page)

    @staticmethod
    def _estimate(session: DbSession, query: _Query) -> tuple[float, bool]:
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

    @staticmethod
    def _walk(session: DbSession, walk: _Query, page: int, per_page: int) -> list[int]:
        """The page read off the filing_id order, newest first: cheap when matches are common."""
        return [row[0] for row in _unprepared(
            session, f"{walk.sql()} ORDER BY s.filing_id DESC LIMIT %(page_limit)s OFFSET %(page_offset)s",
            _page_params(walk, page, per_page))]

    @staticmethod
    def _newest(session: DbSession, query: _Query, page: int, per_page: int,
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
            {**_page_params(query, page, per_page), "want": want})[0]
        return found, list(ids)

    def _browse(self, session: DbSession, filters: SearchFilters, page: int,
                per_page: int) -> SearchPage:
        query = _Query(named=False)
        query.filters(filters)
        page_sql = page_params = None
        if (filters.date_from or filters.date_to) and filters.status != ():
            page_sql, page_params = self._by_day_page(session, filters, page, per_page)
        return _run_page(session, query, BROWSE_ORDER, page, per_page, page_sql, page_params)

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
        others = _Query(named=False)
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


def _dialect_name(session_or_engine: Any) -> str:
    dialect = getattr(session_or_engine, "dialect", None)  # Engine or Connection
    if dialect is None:
        dialect = session_or_engine.get_bind().dialect  # Session
    return dialect.name


def search_index_for(session_or_engine: Any) -> SqliteFtsIndex | PostgresTrgmIndex:
    """The index implementation for the database behind a Session, Engine or Connection.

    :raises ValueError: a database other than SQLite or PostgreSQL.
    """
    dialect = _dialect_name(session_or_engine)
    if dialect == "sqlite":
        return SqliteFtsIndex()
    if dialect == "postgresql":
        return PostgresTrgmIndex()
    raise ValueError(f"no search index for the {dialect} dialect")


def rebuild_index(session: Any, batch_size: int = 1000) -> int:
    """Index every filing (after a restore, or when the indexed fields changed); returns the count."""
    from app.models import ReceivingUnit

    index = search_index_for(session)
    units = {unit.id: unit.name for unit in session.query(ReceivingUnit)}
    count, last_id = 0, 0
    while True:
        batch = (session.query(Filing).filter(Filing.id > last_id).order_by(Filing.id)
                 .limit(batch_size).all())
        if not batch:
            return count
        index.add_many_to_index(session, [(f, units.get(f.unit_id, "")) for f in batch])
        count, last_id = count + len(batch), batch[-1].id


__all__ = [
    "COUNT_CAP", "DbSession", "IndexedText", "PostgresTrgmIndex", "SearchFilters", "SearchIndex",
    "SearchPage", "SqliteFtsIndex", "fts5_phrase", "indexed_text", "indexed_text_for", "like_escape",
    "parse_query", "rebuild_index", "search_index_for",
]
