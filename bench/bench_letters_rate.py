"""Letters per second through a running server: ``POST /api/v1/commitments`` for a fixed time.

``--concurrency`` clients (default 4) each post letters over keep-alive connections for
``--seconds`` (default 10) and count the 201 answers. Raise the anonymous letter limit on the
server for the measurement (``LYXY_COMMITMENT_RATE_LIMIT="100000 per hour"``). Loopback only.

    LYXY_COMMITMENT_RATE_LIMIT="100000 per hour" PORT=8000 make run   # another terminal
    .venv/bin/python bench/bench_letters_rate.py --port 8000
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from benchlib import pct

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "commitment-administrative_service-unit.json"


def client(host: str, port: int, body: bytes, until: float, times: list[float],
           statuses: Counter[int], lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=30)
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/commitments", body=body,
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except OSError:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            status = 0
        with lock:
            statuses[status] += 1
            if status == 201:
                times.append(time.perf_counter() - start)
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("only loopback addresses")
    body = json.dumps(json.loads(SAMPLE.read_text(encoding="utf-8")), ensure_ascii=False).encode()
    times: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = time.monotonic()
    until = start + args.seconds
    threads = [threading.Thread(target=client, args=(args.host, args.port, body, until, times,
                                                     statuses, lock))
               for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    print(f"{len(times)} letters in {elapsed:.1f} s with {args.concurrency} clients: "
          f"{len(times) / elapsed:.1f} letters/s; statuses {dict(sorted(statuses.items()))}")
    if times:
        print(f"latency median {statistics.median(times) * 1000:.0f} ms, "
              f"p95 {pct(times, 0.95) * 1000:.0f} ms")
    return 0 if times and set(statuses) == {201} else 1


if __name__ == "__main__":
    sys.exit(main())
