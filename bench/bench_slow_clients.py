"""Slow uploads against a running server: does ``/healthz`` still answer in under a second?

Opens ``--clients`` connections (default 20) that each start a ``POST /api/v1/verify`` with a
large ``Content-Length`` and then send the body at 1 byte/s, holds them for ``--seconds``
(default 10), and meanwhile asks ``/healthz`` every ``--interval`` seconds (default 0.5).
Prints min/median/max of the probe latencies; exits 1 if any probe took ``--limit`` seconds
(default 1) or more, failed, or timed out. Bounded in count and time; loopback only.

    LYXY_INSTANCE_PATH=/tmp/x PORT=8000 make run        # in another terminal
    .venv/bin/python bench/bench_slow_clients.py --port 8000
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import sys
import threading
import time

BOUNDARY = "lyxybenchboundary"


def open_slow_upload(host: str, port: int, body_bytes: int) -> socket.socket:
    """A connection that has sent the request head and the first body byte, no more."""
    sock = socket.create_connection((host, port), timeout=5)
    head = (f"POST /api/v1/verify HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {body_bytes}\r\n\r\n")
    sock.sendall(head.encode() + b"-")
    return sock


def trickle(socks: list[socket.socket], stop: threading.Event, dropped: list[int]) -> None:
    """Send one more byte on every open connection each second until ``stop``."""
    while not stop.wait(1.0):
        for index, sock in enumerate(socks):
            if index in dropped:
                continue
            try:
                sock.send(b"-")
            except OSError:
                dropped.append(index)  # the server closed it (a read timeout): fine


def probe(host: str, port: int, timeout: float) -> float | None:
    """Seconds for one ``GET /healthz`` with a 200, or None when it failed or timed out."""
    start = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        resp.read()
        conn.close()
    except OSError:
        return None
    return time.perf_counter() - start if resp.status == 200 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback address of the server")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--limit", type=float, default=1.0, help="max seconds for one /healthz")
    parser.add_argument("--probe-timeout", type=float, default=5.0)
    args = parser.parse_args()
    if not args.host.startswith("127.") and args.host not in ("localhost", "::1"):
        parser.error("only loopback addresses")
    if probe(args.host, args.port, args.probe_timeout) is None:
        print(f"no /healthz answer on {args.host}:{args.port} before the test", file=sys.stderr)
        return 2

    socks = [open_slow_upload(args.host, args.port, 1_000_000) for _ in range(args.clients)]
    stop, dropped = threading.Event(), []
    sender = threading.Thread(target=trickle, args=(socks, stop, dropped), daemon=True)
    sender.start()
    latencies: list[float] = []
    failures = 0
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline:
            started = time.monotonic()
            seconds = probe(args.host, args.port, args.probe_timeout)
            if seconds is None:
                failures += 1
            else:
                latencies.append(seconds)
            time.sleep(max(0.0, args.interval - (time.monotonic() - started)))
    finally:
        stop.set()
        sender.join()
        for sock in socks:
            sock.close()

    slow = sum(1 for s in latencies if s >= args.limit)
    print(f"{args.clients} slow uploads at 1 byte/s for {args.seconds:g} s; "
          f"/healthz every {args.interval:g} s: {len(latencies)} answered, "
          f"{failures} failed or timed out (> {args.probe_timeout:g} s), "
          f"{len(dropped)} slow connections closed by the server")
    if latencies:
        print(f"/healthz latency: min {min(latencies) * 1000:.1f} ms, "
              f"median {statistics.median(latencies) * 1000:.1f} ms, "
              f"max {max(latencies) * 1000:.1f} ms; {slow} at or over {args.limit:g} s")
    ok = failures == 0 and slow == 0
    print("ok" if ok else f"FAIL: /healthz must answer within {args.limit:g} s under slow clients")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
