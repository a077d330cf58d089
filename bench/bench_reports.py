"""Report scaffold benchmark: median and p95 (ms) of one scaffold = DOCX + PDF preview, per kind.

Run with ``.venv/bin/python bench/bench_reports.py``. Pinned to one core, warm (fonts, templates and
stylesheets loaded by an untimed first render), in-process. ``BENCH_N`` sets the number of timed
runs per kind (default 40, minimum 30). Prints wall-clock figures (the goal, ≤ 300 ms median per
kind) and the process CPU time beside them, since wall time includes other processes on the core.
"""

from __future__ import annotations

import gc
import io
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.documents.reports import (  # noqa: E402
    DECISION,
    NUMBER_TYPE,
    RATING,
    ReportSubject,
    ScaffoldInfo,
    scaffold_docx,
    scaffold_pdf,
)
from app.domain.credit_check import Purpose, check_credit  # noqa: E402
from app.domain.credit_records import CreditRecord, RecordType  # noqa: E402
from app.domain.numbers import format_document_number  # noqa: E402

N = max(30, int(os.environ.get("BENCH_N", "40")))
GOAL_MS = 300.0
ISSUED = date(2026, 11, 29)
CODE = "91211382MA0Y8K7Q3B"
NAME = "凌源市示例建筑工程有限公司"


def pin_to_one_core() -> int | None:
    """Pin this process to the last CPU it may use; returns that CPU (None where unsupported)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def make_info(kind: str) -> ScaffoldInfo:
    """A realistic scaffold: full subject, a penalty and a licence in the public rows."""
    records = [
        CreditRecord(RecordType.PENALTY, CODE, NAME, "凌源市市场监督管理局", "凌市监罚〔2026〕15号",
                     date(2026, 6, 1), severity="一般", summary="未按规定公示年度报告"),
        CreditRecord(RecordType.LICENSE, CODE, NAME, "凌源市住房和城乡建设局", "凌住建许〔2026〕8号",
                     date(2026, 3, 2), summary="建筑工程施工许可"),
    ]
    subject = ReportSubject(
        NAME, CODE, legal_representative="欧阳明", address="辽宁省朝阳市凌源市城关街道示例路88号",
        registered_capital="5000万元人民币", established_on="2012年3月8日",
        registration_authority="凌源市市场监督管理局",
        business_scope="房屋建筑工程、市政公用工程施工总承包；建筑装饰装修工程施工。",
    )
    number = format_document_number(NUMBER_TYPE[kind], 2026, 1)
    return ScaffoldInfo(
        kind=kind, number=number, verification_code="7Q2M9KXD",
        verify_url=f"https://xy.lingyuan.gov.cn/verify?no={number}&c=7Q2M9KXD",
        agency_name="辽宁示例信用评价有限公司", agency_filing_number="辽发改信备〔2025〕012号",
        issue_date=ISSUED, valid_until=None, subject=subject,
        public_rows=check_credit(records, Purpose.BIDDING, ISSUED).rows,
        project_name="凌源市城南片区道路改造工程" if kind == DECISION else "",
        requesting_department="凌源市住房和城乡建设局" if kind == DECISION else "",
    )


def main() -> None:
    cpu = pin_to_one_core()
    print(f"report scaffolds: {N} runs per kind, pinned to CPU {cpu}, load average "
          f"{os.getloadavg()[0]:.2f}")
    for kind in (RATING, DECISION):
        info = make_info(kind)
        scaffold_docx(info)
        pages = len(PdfReader(io.BytesIO(scaffold_pdf(info))).pages)  # warm
        if os.environ.get("BENCH_GC_FREEZE", "1") == "1":
            gc.collect()
            gc.freeze()  # as gunicorn workers do after warm-up (app/gunicorn_conf.py)
        wall: list[float] = []
        cpu_time: list[float] = []
        docx_wall: list[float] = []
        for _ in range(N):
            t0, c0 = time.perf_counter(), time.process_time()
            scaffold_docx(info)
            t1 = time.perf_counter()
            scaffold_pdf(info)
            wall.append(time.perf_counter() - t0)
            cpu_time.append(time.process_time() - c0)
            docx_wall.append(t1 - t0)
        med, p95 = statistics.median(wall) * 1000, pct(wall, 0.95) * 1000
        verdict = "ok" if med <= GOAL_MS else "OVER GOAL"
        print(f"  {kind:8s} DOCX+PDF median {med:6.1f} ms  p95 {p95:6.1f} ms"
              f"  (goal ≤ {GOAL_MS:.0f}: {verdict});"
              f" CPU median {statistics.median(cpu_time) * 1000:6.1f} ms; DOCX alone median "
              f"{statistics.median(docx_wall) * 1000:5.1f} ms; {pages} PDF pages")


if __name__ == "__main__":
    main()
