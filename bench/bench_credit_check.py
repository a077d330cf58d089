"""信用核查 benchmark: prints median and p95 (ms) of ``check_credit`` over a subject with 200 records.

Run with ``.venv/bin/python bench/bench_credit_check.py``. The process is pinned to one core first.
``BENCH_N`` sets the number of timed runs (default 1000, minimum 200). The record mix spans every
record type and all three repair regimes, so publicity windows, repairs, expiries and superseded
ratings are all exercised. Goal: median ≤ 5 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.credit_check import Purpose, check_credit  # noqa: E402
from app.domain.credit_records import GRADES, SEVERITIES, CreditRecord, RecordType  # noqa: E402

N = max(200, int(os.environ.get("BENCH_N", "1000")))
RECORDS = 200
GOAL_MS = 5.0
AS_OF = date(2026, 11, 20)
CODE = "91211382MA0Y8K7Q3B"
TYPES = list(RecordType)


def pin_to_one_core() -> int | None:
    """Pin this process to the first CPU it may use; returns that CPU (None where unsupported)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def make_records(count: int) -> list[CreditRecord]:
    """``count`` records of one subject, spread over 2018–2026 and every record type."""
    out = []
    for i in range(count):
        kind = TYPES[i % len(TYPES)]
        decided = date(2018, 1, 1) + timedelta(days=(i * 97) % 3250)
        out.append(
            CreditRecord(
                record_type=kind,
                subject_code=CODE,
                subject_name="凌源市示例建筑工程有限公司",
                source_department="凌源市市场监督管理局",
                decision_number=f"凌市监〔{decided.year}〕{i}号",
                decided_on=decided,
                valid_until=decided + timedelta(days=365) if kind is RecordType.RATING else None,
                grade=GRADES[i % len(GRADES)] if kind is RecordType.RATING else None,
                ground=(i % 14) + 1 if kind is RecordType.BLACK_LIST else None,
                severity=SEVERITIES[i % 3] if kind in (RecordType.PENALTY, RecordType.MINOR) else None,
                repaired_on=decided + timedelta(days=200) if i % 11 == 0 else None,
                summary="未按规定公示年度报告" if kind is RecordType.PENALTY else "",
            )
        )
    return out


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> None:
    cpu = pin_to_one_core()
    records = make_records(RECORDS)
    purposes = list(Purpose)
    result = check_credit(records, Purpose.BIDDING, AS_OF)  # warm
    samples = []
    for i in range(N):
        purpose = purposes[i % len(purposes)]
        t = time.perf_counter()
        check_credit(records, purpose, AS_OF)
        samples.append(time.perf_counter() - t)
    med, p95 = statistics.median(samples) * 1000, pct(samples, 0.95) * 1000
    verdict = "ok" if med <= GOAL_MS else "OVER GOAL"
    print(f"pinned to cpu {cpu}; {RECORDS} records ({len(result.counted)} counted, "
          f"{len(result.ignored)} ignored, category {result.category.label})")
    print(f"{'check_credit, 200 records':<40} median {med:7.3f} ms  p95 {p95:7.3f} ms  n={N} "
          f"(goal ≤ {GOAL_MS:g} ms) {verdict}")


if __name__ == "__main__":
    main()
