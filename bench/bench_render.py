"""Rendering benchmarks: prints median and p95 (ms) for the figures the foundation issue asks.

Run with ``make bench`` (or ``.venv/bin/python bench/bench_render.py``). Pinned to one core,
warm, in-process, except the cold first render which runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import pct, pin_to_one_core, report  # noqa: E402,F401 - shared by the benches
from benchlib import timed as _timed  # noqa: E402

N = int(os.environ.get("BENCH_N", "50"))


def timed(fn, n: int = N) -> list[float]:
    return _timed(fn, n, warm=1)


COLD = """
import time, sys
t = time.perf_counter()
sys.path.insert(0, {root!r})
from datetime import date
from app.documents import commitment as doc
from app.domain.commitments import parse_commitment_request
from tests.conftest import UNIT_LETTER
req = parse_commitment_request(UNIT_LETTER)
issue = doc.IssueInfo("LYXY-CN-2026-000001X", "ABCDEFGH", "http://x/verify", date(2026, 11, 29))
doc.letters_pdf(doc.filled_letters(req, issue, None)[:1])
print(time.perf_counter() - t)
"""


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    cold = [float(subprocess.run([sys.executable, "-c", COLD.format(root=str(ROOT))],
                                 check=True, capture_output=True, text=True).stdout)
            for _ in range(3)]
    report("first render after start (cold)", cold, 1500, "(imports + fonts + render)")

    from dataclasses import replace

    from app.documents import commitment as doc
    from app.documents.registry import RELEASED, Family, current
    from app.domain.commitments import parse_commitment_request
    from tests.conftest import UNIT_LETTER

    req = parse_commitment_request(UNIT_LETTER)
    serial = iter(range(1, 1_000_000))

    def letter(copies: int) -> list:
        """A new letter each call: its own number, code and QR code, as in production."""
        n = next(serial)
        number = f"LYXY-CN-2026-{n:06d}X"
        issue = doc.IssueInfo(number, f"C{n:07d}", f"http://127.0.0.1:8000/verify/{number}?c=C{n:07d}",
                              date(2026, 11, 29))
        return doc.filled_letters(req, issue, "本单位承诺按时足额支付农民工工资。")[:copies]

    doc.letters_pdf(letter(1))
    pdf = doc.letters_pdf(letter(1))
    if os.environ.get("BENCH_GC_FREEZE", "1") == "1":
        import gc

        gc.collect()
        gc.freeze()  # as gunicorn workers do after warm-up (app/gunicorn_conf.py)
        print("(objects from start-up frozen out of GC scans, as in the gunicorn workers;"
              " BENCH_GC_FREEZE=0 to measure without)")
    print("(each render is a new letter: its own number, verification code and QR code)")
    report("filled letter PDF, one copy", timed(lambda: doc.letters_pdf(letter(1))), 40,
           f"size {len(pdf) / 1024:.1f} KB (goal ≤ 100 KB)")
    t = current(Family.COMMITMENT)
    if t.archival:  # what PDF/A-2b, XMP and tagging cost (issue 13 §3), on the same letter
        RELEASED[Family.COMMITMENT][t.version] = replace(t, archival=False)
        try:
            plain = doc.letters_pdf(letter(1))
            report(f"  same, {t.version} without PDF/A and tags", timed(lambda: doc.letters_pdf(letter(1))),
                   None, f"size {len(plain) / 1024:.1f} KB")
        finally:
            RELEASED[Family.COMMITMENT][t.version] = t
    pdf2 = doc.letters_pdf(letter(2))
    report("filled letter PDF, both copies", timed(lambda: doc.letters_pdf(letter(2))), 80,
           f"size {len(pdf2) / 1024:.1f} KB")
    report("filled letter DOCX, one copy", timed(lambda: doc.letters_docx(letter(1))), 30)

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"INSTANCE_PATH": tmp, "DATABASE_URL": f"sqlite:///{tmp}/b.db",
                          "ARCHIVE_DIR": f"{tmp}/archive", "SECRET_KEY": "bench"})
        client = app.test_client()
        for fmt in ("pdf", "docx"):
            client.get(f"/blank/procurement_bidding/unit.{fmt}")  # fills the cache
            report(f"blank {fmt} download (server time)",
                   timed(lambda f=fmt: client.get(f"/blank/procurement_bidding/unit.{f}"),
                         200), 5)


if __name__ == "__main__":
    main()
