"""Issuing a 信用核查结果告知书 end to end (check, render, seal, sign, store): median and p95.

Also times the check alone over a subject with 200 records. Warm, in-process, one core.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import report  # noqa: E402

N = int(os.environ.get("BENCH_N", "50"))




def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from app import create_app
    from app.db import get_session, upgrade_database
    from app.demo import load_demo, load_demo_seals
    from app.domain.credit_check import Purpose
    from app.domain.credit_import import parse_credit_records
    from app.extensions import services
    from app.models import ReceivingUnit
    from app.services import credit
    from app.web.common import archive, pii_cipher

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        app = create_app({"INSTANCE_PATH": tmp, "DATABASE_URL": url, "ARCHIVE_DIR": f"{tmp}/a",
                          "SECRET_KEY": "bench"})
        with app.test_request_context():
            db = get_session()
            load_demo(db)
            trail = services(app).trail("bench")
            load_demo_seals(db, archive(), trail)
            sample = ROOT / "samples" / "credit-records.csv"
            credit.import_records(db, pii_cipher(), parse_credit_records(
                sample.read_bytes(), filename=sample.name, today=date(2026, 11, 29)),
                source=sample.name, trail=trail)
            db.commit()
            unit = db.scalar(db.query(ReceivingUnit).filter_by(name="凌源市住房和城乡建设局")
                             .statement)
            sign = services(app).signer

            def issue_one() -> None:
                check = credit.run_check(db, pii_cipher(), code="91211382MA0AY4CL0L",
                                         purpose=Purpose.BIDDING, as_of=date(2026, 11, 29))
                credit.issue_certificate(db, archive(), pii_cipher(), sign, check=check, unit=unit,
                                         secret=b"bench", base_url="http://127.0.0.1:8000",
                                         today=date(2026, 11, 29), trail=trail)
                db.commit()

            for _ in range(3):
                issue_one()
            samples = []
            for _ in range(N):
                t = time.perf_counter()
                issue_one()
                samples.append(time.perf_counter() - t)
            report("certificate: check+render+seal+sign+store", samples, 250)


if __name__ == "__main__":
    main()
