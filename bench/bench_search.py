"""Search benchmark: median and p95 (ms) of ``query_index`` (a page of 20 ids + its capped total).

    .venv/bin/python bench/make_search_dataset.py            # once: 1,000,000 filings
    .venv/bin/python bench/bench_search.py                   # SQLite file in bench/out/
    .venv/bin/python bench/bench_search.py --url postgresql://postgres@127.0.0.1:5432/lyxy_search_dev

Query material is sampled from the data set itself: 3-6 character pieces of real unit names
(anywhere in the name, so common pieces such as "有限公司" occur as often as the public would
type them), full USCCs, a unit filter, a 30-day commitment-date range, browsing with no query,
page 50 of a name query and of browsing, and the first 1 or 2 characters of a public name
(persons included, masked: a surname such as "张" or "张*" is what the public types most), half
on page 1, half on page 50, and any 2-character piece of a public name ("宏达" of
凌源市宏达建筑工程有限公司, issue 12 §4), half on page 1, half on page 50. Each query runs once,
after a warm-up pass over the first 50 (the first run after other work on the database reads more
pages from disk).

Page 50 of a name piece is the hard case on PostgreSQL: the newest 1,000 matches of a piece in 0.7%
of the filings ("传媒有限公司") are spread over ~150,000 filings; ``PostgresTrgmIndex`` says how it
gets them. A 1-2 character query walks the (gram, filing_id) key of filings_name_grams (migration 0018). The
data set must have the newest search index: after a migration that changes it, rebuild with
``make_search_dataset.py --url ... --reset``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.archive.search import SearchFilters, search_index_for  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.domain.masking import public_subject_name  # noqa: E402
from app.domain.subjects import SubjectKind  # noqa: E402
from app.models import Filing  # noqa: E402

DEFAULT_URL = f"sqlite:///{ROOT / 'bench' / 'out' / 'search.sqlite3'}"
GOAL_P95_MS = 20.0


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def sample_filings(session: Session, rng: random.Random, k: int,
                   persons: bool = False) -> list[Filing]:
    """Published filings at random ids; natural persons only with ``persons`` (their full names
    are no query material, their masked public names are)."""
    top = session.scalar(select(func.max(Filing.id))) or 0
    ids = [rng.randrange(1, top + 1) for _ in range(k)]
    where = [Filing.id.in_(ids), Filing.status == "published"]
    if not persons:
        where.append(Filing.subject_kind != "natural_person")
    return list(session.scalars(select(Filing).where(*where)).all())


def make_queries(session: Session, rng: random.Random, per_kind: int):
    """(kind, q, filters, page) tuples."""
    rows = sample_filings(session, rng, per_kind * 8)
    published = SearchFilters()
    queries = []
    for _ in range(per_kind):
        f = rng.choice(rows)
        size = rng.randint(3, min(6, len(f.subject_name)))
        start = rng.randrange(len(f.subject_name) - size + 1)
        queries.append(("name_3_6", f.subject_name[start:start + size], published, 1))
        queries.append(("uscc_exact", rng.choice(rows).subject_code_public, published, 1))
        queries.append(("unit_filter", "", SearchFilters(unit_id=rng.randint(1, 6)), 1))
        d = rng.choice(rows).commitment_date
        queries.append(("date_range_30d", "", SearchFilters(date_from=d, date_to=d + timedelta(days=29)), 1))
        queries.append(("browse", "", published, 1))
        queries.append(("browse_page50", "", published, 50))
        g = rng.choice(rows)
        queries.append(("name_3_6_page50", g.subject_name[-rng.randint(3, 6):], published, 50))
    # Sampled after the other kinds, so their queries stay what they were before this kind.
    for f in sample_filings(session, rng, per_kind * 2, persons=True)[:per_kind]:
        name = public_subject_name(SubjectKind(f.subject_kind), f.subject_name)
        queries.append(("name_1_2", name[:rng.randint(1, 2)], published, rng.choice((1, 50))))
    # Issue 12 §4, sampled last for the same reason: a 2-character piece anywhere in a public name.
    for f in sample_filings(session, rng, per_kind * 2, persons=True)[:per_kind]:
        name = public_subject_name(SubjectKind(f.subject_kind), f.subject_name)
        start = rng.randrange(max(1, len(name) - 1))
        queries.append(("name_2_inner", name[start:start + 2], published, rng.choice((1, 50))))
    rng.shuffle(queries)
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--per-kind", type=int, default=40, help="queries per kind (9 kinds)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=3, help="example queries printed per kind")
    args = parser.parse_args()
    engine = make_engine(args.url)
    rng = random.Random(args.seed)
    with Session(engine) as session:
        n = session.scalar(select(func.count()).select_from(Filing))
        index = search_index_for(session)
        queries = make_queries(session, rng, args.per_kind)
        for _kind, q, filters, page in queries[:50]:  # warm-up: caches, prepared statements
            index.query_index(session, q, filters, page)
        times: dict[str, list[float]] = defaultdict(list)
        slowest: list[tuple[float, str]] = []
        examples: dict[str, list[str]] = defaultdict(list)
        for kind, q, filters, page in queries:
            t = time.perf_counter()
            result = index.query_index(session, q, filters, page, 20)
            elapsed = time.perf_counter() - t
            times[kind].append(elapsed)
            total = f"{result.total:,}" + ("+" if result.total_capped else "")
            slowest.append((elapsed, f"{kind} {q or '-'!r} p{page} total {total}"))
            if len(examples[kind]) < args.show:
                examples[kind].append(f"{q or '-'!r} p{page} -> {len(result.ids)} ids, total {total}, "
                                      f"{elapsed * 1000:.1f} ms")
    print(f"{engine.dialect.name}: {n:,} filings, {len(queries)} queries, page of 20 ids + capped total")
    every = [t for ts in times.values() for t in ts]
    for kind in sorted(times) + ["ALL"]:
        samples = every if kind == "ALL" else times[kind]
        med, p95, worst = statistics.median(samples) * 1000, pct(samples, 0.95) * 1000, max(samples) * 1000
        verdict = "ok" if p95 <= GOAL_P95_MS else "OVER GOAL"
        print(f"{kind:<18} n={len(samples):<4} median {med:7.2f} ms  p95 {p95:7.2f} ms  max {worst:7.2f} ms"
              f"  (goal p95 ≤ {GOAL_P95_MS:g} ms) {verdict}")
        for line in examples.get(kind, []):
            print(f"    {line}")
    print("slowest:")
    for elapsed, what in sorted(slowest, reverse=True)[:args.show * 2]:
        print(f"    {elapsed * 1000:7.1f} ms  {what}")
    engine.dispose()


if __name__ == "__main__":
    main()
