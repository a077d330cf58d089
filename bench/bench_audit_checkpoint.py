"""Audit checkpoint cost: prints median and p95 (ms) of one checkpoint, and of an audited commit
(one entry + commit on SQLite) with and without the checkpoint written after it.

Run with ``.venv/bin/python bench/bench_audit_checkpoint.py [DIR]``; DIR (default: a temporary
folder under ./instance) should be on the disk the instance folder uses, since each checkpoint
is two fsync'd files plus directory fsyncs. ``BENCH_N`` sets the number of runs (default 300).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import pin_to_one_core, report, timed  # noqa: E402

N = max(30, int(os.environ.get("BENCH_N", "300")))


def main() -> None:
    pin_to_one_core()
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "instance"
    base.mkdir(parents=True, exist_ok=True)
    from app import create_app
    from app.archive.checkpoints import CheckpointStore, checkpoint_key
    from app.db import get_session, upgrade_database
    from app.services import audit

    with tempfile.TemporaryDirectory(dir=base, prefix="bench-audit-") as tmp:
        store = CheckpointStore(Path(tmp) / "alone", checkpoint_key(b"k" * 32))
        store.append(1, "0" * 64, "2026-11-29T08:00:00+00:00", may_start_chain=True)
        counter = iter(range(2, 10**9))
        report("CheckpointStore.append", timed(
            lambda: store.append(next(counter), "0" * 64, "2026-11-29T08:00:00+00:00"), N))

        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade_database(url)
        app = create_app({"INSTANCE_PATH": f"{tmp}/instance", "DATABASE_URL": url,
                          "SECRET_KEY": "bench"})
        key = audit.audit_key("bench")
        with app.app_context():
            session = get_session()

            def audited_commit() -> None:
                audit.record(session, key, actor="system", action="bench")
                session.commit()

            report("audited commit + checkpoint (SQLite)", timed(audited_commit, N))
            app.extensions["lyxy"].checkpoints.append = lambda *a, **k: None
            report("audited commit, no checkpoint (SQLite)", timed(audited_commit, N))


if __name__ == "__main__":
    main()
