"""Shared helpers of the benchmarks: pin to one core, time a callable, print median and p95."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def pin_to_one_core() -> int | None:
    """Run this process (and children started later) on one CPU; returns it, or None."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = sorted(os.sched_getaffinity(0))[0]
    os.sched_setaffinity(0, {cpu})
    return cpu


def pct(samples: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``samples``."""
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def timed(fn: Callable[[], object], n: int, warm: int = 1) -> list[float]:
    """Seconds taken by each of ``n`` calls of ``fn`` after ``warm`` untimed calls."""
    for _ in range(warm):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def report(name: str, samples: list[float], goal_ms: float | None = None, extra: str = "",
           width: int = 44) -> None:
    """One line: median and p95 in ms, n, and the goal verdict when there is a goal."""
    med, p95 = statistics.median(samples) * 1000, pct(samples, 0.95) * 1000
    goal = "" if goal_ms is None else f"(goal ≤ {goal_ms:g} ms) {'ok' if med <= goal_ms else 'OVER GOAL'} "
    print(f"{name:<{width}} median {med:8.2f} ms  p95 {p95:8.2f} ms  n={len(samples)} {goal}{extra}")
