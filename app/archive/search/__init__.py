"""Full-text search of filings (公示检索): one adapter, SQLite FTS5 trigram or PostgreSQL pg_trgm.

Three verbs behind the adapter, called explicitly after a commit (never from ORM hooks):
``add_to_index`` (upsert one filing's searchable text), ``remove_from_index`` and
``query_index``. Results are filing ids only; callers load the rows they show.

What is indexed is only what the public pages show (domain-rules §7.2): the unit's name in
full, a natural person's name masked (张**), the USCC in full (nothing of a resident ID, not
even its masked form: trial 19), the matter and the receiving unit's name. No part of a resident
ID and no person's full name therefore ever finds anything.

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
- Only 1-2 character terms: the public name must hold the first term, a 2-character one
  anywhere ("宏达" finds 凌源市宏达建筑工程有限公司), a 1-character one as its first character (a
  surname: "张" finds 张**; any single character anywhere would be most of the table), and the
  public text must contain the others. Both backends key each public name's 2-character pieces
  and first character to the filing id (``name_grams``, table ``filings_name_grams``, migration
  0018), so any page is a short backward walk of one index. A person's public name is masked
  (张**): neither a given name nor a piece of one is ever a key, so none finds a person.

Order: newest filing first, so pages are stable: browsing by created_at desc, id desc; text
queries by id desc, the order the indexes keep (ids grow with created_at). The total is counted
over at most ``COUNT_CAP + 1`` rows; ``SearchPage.total_capped`` says the true number may be
larger (show "10,000+"). Deeper pages are exact all the same (how PostgreSQL finds page 50 of a
term in 0.7% of the filings without reading every newer filing: ``PostgresTrgmIndex``).

FTS5 query syntax and LIKE wildcards in user input are always quoted/escaped: no input can
raise a syntax error.

Like the rest of ``app.archive`` this package imports neither Flask nor SQLAlchemy (nor
``app.models``): it takes a session (anything with ``connection()``, ``get_bind()`` and
``flush()``: a SQLAlchemy Session) and plain values (a ``FilingEntry`` per filing, which the
services map from their rows), and runs its own dialect-specific SQL through
``connection().exec_driver_sql``; every value travels as a bound parameter.

The package: ``terms.py`` (the values, the query parser, the adapter Protocol), ``sql.py`` (the
SELECT builder and the paging both adapters share), ``sqlite.py`` (``SqliteFtsIndex``),
``postgres.py`` (``PostgresTrgmIndex``) and ``backends.py`` (the adapter for a database, and
``rebuild_index``).
"""

from app.archive.search.backends import rebuild_index, search_index_for
from app.archive.search.postgres import ERA_IDS, PostgresTrgmIndex
from app.archive.search.sqlite import SqliteFtsIndex
from app.archive.search.terms import (
    COUNT_CAP,
    MAX_TERM_CHARS,
    MAX_TERMS,
    DbSession,
    FilingEntry,
    IndexedText,
    ParsedQuery,
    SearchFilters,
    SearchIndex,
    SearchPage,
    fts5_phrase,
    gram_of,
    indexed_text,
    indexed_text_for,
    like_escape,
    name_grams,
    parse_query,
)

__all__ = [
    "COUNT_CAP", "ERA_IDS", "MAX_TERMS", "MAX_TERM_CHARS", "DbSession", "FilingEntry", "IndexedText",
    "ParsedQuery", "PostgresTrgmIndex", "SearchFilters", "SearchIndex", "SearchPage", "SqliteFtsIndex",
    "fts5_phrase", "gram_of", "indexed_text", "indexed_text_for", "like_escape", "name_grams",
    "parse_query", "rebuild_index",
    "search_index_for",
]
