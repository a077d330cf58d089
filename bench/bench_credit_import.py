"""Credit import benchmark (issue 14 §4): a 40k- and a 100k-row export imported in batches while
another connection keeps writing.

Run with ``.venv/bin/python bench/bench_credit_import.py [rows ...]`` (default 40000 100000).
``BENCH_DATABASE_URL`` selects the database (default: a fresh SQLite file in a temporary
directory); ``BENCH_BATCH`` the batch size (default the service's, 1000); ``BENCH_ONE_TX=1`` also
runs each file as one transaction, as before batching (slow).

For each file it prints the time to parse and to store, the write lock's peak hold (from the
first write statement of a transaction to its commit, measured on the importing connection),
and the latency of a unit recording a 违诺 on another connection every 0.2 s meanwhile (max and
how many failed). The goal: the writer is never refused and waits well under a second.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, event  # noqa: E402

from app import create_app  # noqa: E402
from app.db import get_session, upgrade_database  # noqa: E402
from app.demo import load_demo  # noqa: E402
from app.domain.credit_import import parse_credit_records  # noqa: E402
from app.extensions import services  # noqa: E402
from app.models import CreditImport, CreditRecordRow, ReceivingUnit  # noqa: E402
from app.services import credit as svc  # noqa: E402
from bench.benchlib import pct  # noqa: E402
from bench.credit_rows import synthetic_code, synthetic_csv  # noqa: E402

TODAY = date(2026, 11, 29)
WRITES = ("insert", "update", "delete")


class LockMeter:
    """Per transaction of the importing thread: first write statement -> commit."""

    def __init__(self, engine, thread: threading.Thread | None = None) -> None:
        self.holds: list[float] = []
        self._start: float | None = None
        self.thread_id: int | None = None
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._commit)

    def _mine(self) -> bool:
        return threading.get_ident() == self.thread_id

    def _statement(self, conn, cursor, statement, *args) -> None:
        if self._mine() and self._start is None and statement.lstrip()[:6].lower() in WRITES:
            self._start = time.perf_counter()

    def _commit(self, conn) -> None:
        if self._mine() and self._start is not None:
            self.holds.append(time.perf_counter() - self._start)
            self._start = None


def make_app(url: str, tmp: Path):
    upgrade_database(url)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp / "instance"),
                      "DATABASE_URL": url, "ARCHIVE_DIR": str(tmp / "archive"),
                      "SECRET_KEY": "bench", "TODAY": TODAY.isoformat(),
                      "PKI_DIR": str(tmp / "pki"), "TRUSTED_HOSTS": ["localhost"]})
    with app.app_context():
        load_demo(get_session())
        get_session().commit()
    return app


def writer(app, stop: threading.Event, latencies: list[float], failures: list[str]) -> None:
    """A unit records a breach every 0.2 s (its own connection, its own transaction)."""
    i = 0
    with app.app_context():
        ctx = services(app)
        unit = get_session().query(ReceivingUnit).first()
        while not stop.is_set():
            i += 1
            t = time.perf_counter()
            try:
                svc.record_breach(get_session(), ctx.pii_cipher, unit=unit,
                                  code=synthetic_code(10_000_000 + i), name="凌源市示例违诺有限公司",
                                  decision_number=f"凌住建违诺〔2026〕B{i}号", decided_on=TODAY,
                                  summary="", severity="一般", today=TODAY,
                                  trail=ctx.trail("bench"))
                get_session().commit()
                latencies.append(time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                get_session().rollback()
                failures.append(f"{type(exc).__name__}: {str(exc)[:80]}")
            stop.wait(0.2)


def run(app, rows: int, batch: int, tag: str) -> None:
    data = synthetic_csv(rows, tag=tag)
    t = time.perf_counter()
    report = parse_credit_records(data, filename="export.csv", today=TODAY)
    parse_s = time.perf_counter() - t
    engine = app.extensions["lyxy_engine"]
    meter = LockMeter(engine)
    stop, latencies, failures = threading.Event(), [], []
    w = threading.Thread(target=writer, args=(app, stop, latencies, failures))
    w.start()
    time.sleep(0.5)
    t = time.perf_counter()
    with app.app_context():
        meter.thread_id = threading.get_ident()
        outcome = svc.import_records(get_session(), services(app).pii_cipher, report,
                                     source=f"export-{tag}.csv", trail=services(app).trail("bench"),
                                     batch_size=batch)
    store_s = time.perf_counter() - t
    meter.thread_id = None
    stop.set()
    w.join()
    holds = meter.holds or [0.0]
    print(f"{rows:>7} rows, batch {batch:>6}: parse {parse_s:6.1f} s, store {store_s:6.1f} s "
          f"({rows / store_s:,.0f} rows/s, {outcome.batches} commits), lock hold peak "
          f"{max(holds) * 1000:,.0f} ms, p50 {pct(holds, 0.5) * 1000:,.0f} ms; other writer: "
          f"{len(latencies)} ok, max {max(latencies, default=0) * 1000:,.0f} ms, "
          f"p95 {pct(latencies or [0.0], 0.95) * 1000:,.0f} ms, {len(failures)} failed"
          + (f" ({failures[0]})" if failures else ""))
    with app.app_context():  # the next file starts on an empty table
        get_session().execute(delete(CreditRecordRow))
        get_session().execute(delete(CreditImport))
        get_session().commit()


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [40_000, 100_000]
    batch = int(os.environ.get("BENCH_BATCH", svc.IMPORT_BATCH_SIZE))
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        app = make_app(url, Path(tmp))
        print(f"database: {url.split('://')[0]}")
        for n in sizes:
            run(app, n, batch, f"N{n}")
            if os.environ.get("BENCH_ONE_TX") == "1":
                run(app, n, n, f"T{n}")


if __name__ == "__main__":
    main()
