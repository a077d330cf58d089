"""The SELECT builder, the capped paging and the name-gram upkeep that both adapters share."""

from __future__ import annotations

from typing import Any

from app.archive.search.terms import DbSession, SearchFilters, SearchPage, check_paging, name_grams


class Query:
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


def page_params(query: Query, page: int, per_page: int, *, cap: int) -> dict[str, Any]:
    """``query``'s parameters and the paging ones: page_limit, page_offset, count_limit (cap + 1)."""
    return {**query.params, "page_limit": per_page, "page_offset": (page - 1) * per_page,
            "count_limit": cap + 1}


def page_result(ids: list[int], counted: int, page: int, per_page: int, *, cap: int) -> SearchPage:
    """A page of ``ids`` out of ``counted`` matches (counted up to ``cap`` + 1)."""
    return SearchPage(ids=ids, total=min(counted, cap), total_capped=counted > cap,
                      page=page, per_page=per_page)


def run_page(session: DbSession, query: Query, order_by: str, page: int, per_page: int, *, cap: int,
             page_sql: str | None = None, page_sql_params: dict[str, Any] | None = None) -> SearchPage:
    """Run ``query`` for one page, plus a count that reads at most ``cap`` + 1 rows (COUNT_CAP).

    ``page_sql`` (with ``page_sql_params``) replaces the page query: another shape returning the same
    ids in the same order (the count still runs ``query``).
    """
    check_paging(page, per_page)
    session.flush()  # driver-level SQL does not autoflush
    conn = session.connection()
    offset = (page - 1) * per_page
    params = page_params(query, page, per_page, cap=cap)
    limit, off, cap_p = (query.placeholder(n) for n in ("page_limit", "page_offset", "count_limit"))
    base = query.sql()
    if page_sql is None:
        page_sql, page_sql_params = f"{base} ORDER BY {order_by} LIMIT {limit} OFFSET {off}", params
    ids = [row[0] for row in conn.exec_driver_sql(page_sql, page_sql_params)]
    if len(ids) < per_page and (ids or page == 1):
        counted = offset + len(ids)  # this page is the last one: no count query needed
    else:
        # The LIMIT inside the subquery stops the scan after cap + 1 rows.
        counted = conn.exec_driver_sql(
            f"SELECT count(*) FROM ({base} LIMIT {cap_p}) capped", params).scalar() or 0
    return page_result(ids, counted, page, per_page, cap=cap)


def replace_name_grams(session: DbSession, names: dict[int, str], *, named: bool) -> None:
    """Make ``filings_name_grams`` hold exactly the keys of each filing's public name
    (filing id -> name; ``name_grams``, migration 0018). ``named``: sqlite3's :name parameters,
    else psycopg's %(name)s."""
    def param(name: str) -> str:
        return f":{name}" if named else f"%({name})s"

    conn = session.connection()
    conn.exec_driver_sql(f"DELETE FROM filings_name_grams WHERE filing_id = {param('id')}",
                         [{"id": filing_id} for filing_id in names])
    grams = [{"id": filing_id, "gram": g} for filing_id, name in names.items() for g in name_grams(name)]
    if grams:
        conn.exec_driver_sql("INSERT INTO filings_name_grams (gram, filing_id) "
                             f"VALUES ({param('gram')}, {param('id')})", grams)
