"""What search works on: the filters, a page of results, a filing's indexed values and text, the
parsed query, and the three verbs every adapter offers (``SearchIndex``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from app.domain.identifiers import USCC_ALPHABET
from app.domain.masking import public_subject_name, shown_subject_code
from app.domain.subjects import SubjectKind

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


@dataclass(frozen=True)
class FilingEntry:
    """The values of one filing (公示承诺书) that the index keeps or filters on: plain values, which
    the services layer maps from its Filing row (the archive knows no ORM)."""

    id: int
    """filings.id."""
    status: str
    """pending | published | rejected | revoked."""
    unit_id: int
    """receiving_units.id (接受承诺单位)."""
    scenario: str
    """承诺适用情形, a Scenario value."""
    subject_kind: str
    """承诺主体类型, a SubjectKind value."""
    commitment_date: date
    """承诺日期."""
    subject_name: str
    """The name in full; the index keeps only its public form (自然人 masked)."""
    subject_code_public: str
    """The public code (USCC in full, a resident ID masked)."""
    matter: str
    """承诺事项."""


class SearchIndex(Protocol):
    """The adapter: call the write verbs after the filing's transaction committed."""

    def add_to_index(self, session: DbSession, filing: FilingEntry, unit_name: str) -> None:
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
    """What the index holds: public name (自然人 masked), the code the public pages show (a
    USCC; nothing of a 自然人's ID number, not even masked: trial 19), matter and unit name."""
    try:
        kind = SubjectKind(subject_kind)
    except ValueError:  # unknown kind: index no name or code rather than risk a person's
        name, code = "", ""
    else:
        name = public_subject_name(kind, subject_name)
        code = shown_subject_code(kind.value, subject_code_public) or ""
    return IndexedText(_normalise(name), _normalise(code), _normalise(matter),
                       _normalise(unit_name))


def indexed_text_for(filing: FilingEntry, unit_name: str) -> IndexedText:
    """``indexed_text`` of a filing's values."""
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


def name_grams(public_name: str) -> list[str]:
    """The keys of ``filings_name_grams`` for a public name: its first character alone (a
    surname: "张" finds 张**) and every distinct 2-character piece ("宏达" finds 凌源市宏达建筑…),
    lower-cased; pieces with whitespace are left out (terms never contain any).

    The name is the public one (a person's masked: 张**), so no key holds a given name.
    """
    name = public_name.lower()
    grams = dict.fromkeys(name[:1].split())
    pieces = (name[i:i + 2] for i in range(len(name) - 1))
    grams.update(dict.fromkeys(p for p in pieces if not any(c.isspace() for c in p)))
    return list(grams)


def gram_of(term: str) -> str:
    """The ``filings_name_grams`` key a 1-2 character term looks up (see ``name_grams``)."""
    return term.lower()


def fts5_phrase(term: str) -> str:
    """``term`` as an FTS5 string: double quotes around it, inner quotes doubled.

    Inside a string FTS5 treats AND, OR, NOT, NEAR, *, ^, :, -, parentheses as plain text.
    """
    return '"' + term.replace('"', '""') + '"'


def like_escape(term: str) -> str:
    """``term`` with the LIKE wildcards (% and _) and the escape character (\\) escaped."""
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def check_paging(page: int, per_page: int) -> None:
    if page < 1:
        raise ValueError(f"page must be >= 1, not {page}")
    if not 1 <= per_page <= 200:
        raise ValueError(f"per_page must be within 1..200, not {per_page}")
