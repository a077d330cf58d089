"""SQLite adapter: FTS5 trigram table ``filings_fts`` and the public-name gram table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict

from app.archive.search.sql import Query, replace_name_grams, run_page
from app.archive.search.terms import (
    BROWSE_ORDER,
    COUNT_CAP,
    DbSession,
    FilingEntry,
    ParsedQuery,
    SearchFilters,
    SearchPage,
    fts5_phrase,
    gram_of,
    indexed_text_for,
    parse_query,
)


class SqliteFtsIndex:
    """SQLite: FTS5 virtual table ``filings_fts`` (tokenize='trigram', rowid = filings.id).

    ``filings_name_grams`` holds the public name's 2-character pieces and first character, in a
    plain table (FTS5 trigrams cannot serve them): 1-2 character queries read it
    (``_name_prefix_page``).
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
        replace_name_grams(session, {v["id"]: v["subject_name"] for v in values}, named=True)

    def remove_from_index(self, session: DbSession, filing_id: int) -> None:
        conn = session.connection()
        for table, column in (("filings_fts", "rowid"), ("filings_name_grams", "filing_id")):
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
        """Only 1-2 character terms: the public name holds the first one (2 characters: anywhere;
        1 character: as its first, a surname) and the public document the others.

        FTS5 trigrams cannot serve 2 characters, so ``filings_name_grams`` (migration 0018) keys
        each public name's 2-character pieces and first character to the filing id; walked
        backwards for one key it gives the matches newest first (filing_id order is the rowid order
        of text queries), and page 50 reads ~1,000 entries plus their filings' filters. CROSS JOIN
        keeps that table outermost: the planner could otherwise start from a filings index and read
        every filing of a status.
        """
        query = Query(named=True, source="filings_name_grams g CROSS JOIN filings f",
                      id_column="g.filing_id")
        query.where.append("f.id = g.filing_id")
        query.where.append(f"g.gram = {query.bind(gram_of(parsed.short[0]))}")
        query.filters(filters)
        if len(parsed.short) > 1:
            query.joins.append("JOIN filings_fts ON filings_fts.rowid = g.filing_id")
            query.where += self._contains_all(query, parsed.short[1:])
        return run_page(session, query, "g.filing_id DESC", page, per_page, cap=self.count_cap)

    @staticmethod
    def _contains_all(query: Query, terms: Sequence[str]) -> list[str]:
        doc = ("lower(filings_fts.subject_name || char(10) || filings_fts.subject_code || char(10) || "
               "filings_fts.matter || char(10) || filings_fts.unit_name)")
        return [f"instr({doc}, {query.bind(t.lower())}) > 0" for t in terms]
