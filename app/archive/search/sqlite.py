"""SQLite adapter: FTS5 trigram table ``filings_fts`` and the public-name prefix table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict

from app.archive.search.sql import Query, run_page
from app.archive.search.terms import (
    BROWSE_ORDER,
    COUNT_CAP,
    DbSession,
    FilingEntry,
    ParsedQuery,
    SearchFilters,
    SearchPage,
    fts5_phrase,
    indexed_text_for,
    parse_query,
)


class SqliteFtsIndex:
    """SQLite: FTS5 virtual table ``filings_fts`` (tokenize='trigram', rowid = filings.id).

    ``filings_public_name`` holds the public name again, in a plain table whose name prefixes can
    be indexed (FTS5 columns cannot): 1-2 character queries read it (``_name_prefix_page``).
    """

    def __init__(self, count_cap: int = COUNT_CAP) -> None:
        """``count_cap``: totals are counted up to this many matches (COUNT_CAP in service)."""
        self.count_cap = count_cap

    def add_to_index(self, session: DbSession, filing: FilingEntry, unit_name: str) -> None:
        """Insert or replace the filing's row (FTS5 has no ON CONFLICT: delete, then insert)."""
        self.add_many_to_index(session, [(filing, unit_name)])

    def add_many_to_index(self, session: DbSession, rows: Iterable[tuple[FilingEntry, str]]) -> None:
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
        query = Query(named=True)
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
        return run_page(session, query, order_by, page, per_page, cap=self.count_cap)

    def _name_prefix_page(self, session: DbSession, parsed: ParsedQuery, filters: SearchFilters,
                          page: int, per_page: int) -> SearchPage:
        """Only 1-2 character terms: the public name starts with the first one.

        FTS5 columns cannot be indexed, so ``filings_public_name`` (migration 0008) holds the public
        name with an index on ``(substr(name, 1, n), filing_id)``: walked backwards it gives the
        matches newest first (filing_id order is the rowid order of text queries), and page 50
        reads ~1,000 entries plus their filings' filters. CROSS JOIN keeps that table outermost:
        the planner could otherwise start from a filings index and read every filing of a status.
        """
        first = parsed.short[0]
        query = Query(named=True, source="filings_public_name p CROSS JOIN filings f",
                       id_column="p.filing_id")
        query.where.append("f.id = p.filing_id")
        # n written out: SQLite matches an index expression only if the query spells it the same.
        query.where.append(f"substr(p.name, 1, {len(first)}) = {query.bind(first)}")
        query.filters(filters)
        if len(parsed.short) > 1:
            query.joins.append("JOIN filings_fts ON filings_fts.rowid = p.filing_id")
            query.where += self._contains_all(query, parsed.short[1:])
        return run_page(session, query, "p.filing_id DESC", page, per_page, cap=self.count_cap)

    @staticmethod
    def _contains_all(query: Query, terms: Sequence[str]) -> list[str]:
        doc = ("lower(filings_fts.subject_name || char(10) || filings_fts.subject_code || char(10) || "
               "filings_fts.matter || char(10) || filings_fts.unit_name)")
        return [f"instr({doc}, {query.bind(t.lower())}) > 0" for t in terms]
