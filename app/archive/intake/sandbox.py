"""The sandbox: a pool of forkserver worker processes that parse one PDF at a time under
``RLIMIT_AS`` and ``RLIMIT_CPU``, killed after a wall-clock timeout.

Why not ``ProcessPoolExecutor``: the pool must kill a worker that overruns its wall time, and an
executor cannot cancel a running task or kill one worker. Each worker here is one
``multiprocessing`` process from the **forkserver** context (workers are forked from a small,
single-threaded server that has already imported pikepdf/pypdf: a new worker costs a few
milliseconds, and never inherits the web process's threads, sockets or database connections, as
``fork`` would). A worker serves one job at a time over a pipe; it is killed and replaced after a
timeout, a crash (segfault, SIGXCPU, MemoryError) or ``_JOBS_PER_WORKER`` jobs. Replies are JSON,
never pickle, so a worker subverted by a hostile file cannot run code in the web process by what it
sends back.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any

from app.archive.intake.checks import inspect_in_worker
from app.archive.intake.types import MB, IntakeLimits, IntakeRejected, IntakeUnavailable


def warm_up(workers: int = 1) -> None:
    """Start the forkserver and ``workers`` workers now (e.g. in gunicorn's ``post_worker_init``)."""
    _pool().warm_up(workers)


def shutdown() -> None:
    """Stop every worker of this process's pool (registered with ``atexit``; safe to call twice)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None and pool.pid == os.getpid():
        pool.close()


# ---------------------------------------------------------------------------------------------------
# The worker pool (parent side)

POOL_SIZE = 2
"""Workers per web process; more concurrent uploads wait for a free worker."""
_JOBS_PER_WORKER = 200  # recycle: bounds fragmentation and leaks that would eat into RLIMIT_AS
_KILL_WAIT_SECONDS = 2.0


_MAX_REPLY_BYTES = MB  # replies are small (text sample and capped lists); more is a confused worker
_ACK = b"ack"  # "I have the file": a worker that dies before saying so never saw it


class _WorkerLost(Exception):
    """The worker was already dead when the job was sent (killed while idle)."""


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx: Any) -> None:
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child_end,), name="pdf-intake", daemon=True)
        self.process.start()
        child_end.close()
        self.conn: Connection = parent_end
        self.jobs = 0
        self.stopped = False

    def exchange(self, header: bytes, data: bytes, wall_seconds: float) -> dict[str, Any]:
        """Send one job and wait for the reply; raises ``IntakeRejected`` if the worker fails on it.

        :raises _WorkerLost: the worker was dead before it took the job (nothing to do with the file).
        """
        deadline = time.monotonic() + wall_seconds
        try:
            self.conn.send_bytes(header)
            self.conn.send_bytes(data)
            if not self.conn.poll(wall_seconds):
                raise IntakeRejected("parse_timeout", detail=f"no answer within {wall_seconds} s")
            ack = self.conn.recv_bytes()
        except (EOFError, OSError):
            raise _WorkerLost from None
        if ack != _ACK:
            raise IntakeRejected("broken_pdf", detail="worker protocol error")
        if not self.conn.poll(max(0.0, deadline - time.monotonic())):
            raise IntakeRejected("parse_timeout", detail=f"no answer within {wall_seconds} s")
        try:
            raw = self.conn.recv_bytes(_MAX_REPLY_BYTES)
        except (EOFError, OSError):
            code, detail = self._death()
            raise IntakeRejected(code, detail=detail) from None
        self.jobs += 1
        return json.loads(raw)

    def _death(self) -> tuple[str, str]:
        """(code, detail) for a worker that died mid-job."""
        self.process.join(_KILL_WAIT_SECONDS)
        status = self.process.exitcode
        if status is not None and status < 0:
            sig = signal.Signals(-status)
            if sig == signal.SIGXCPU:
                return "parse_timeout", "worker exceeded its CPU limit (SIGXCPU)"
            return "parse_resources", f"worker killed by {sig.name}"
        return "parse_resources", f"worker exited with status {status} (out of memory?)"

    def stop(self) -> None:
        """Kill the process (if still running) and reap it; idempotent."""
        if self.stopped:
            return
        self.stopped = True
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(_KILL_WAIT_SECONDS)
        if self.process.exitcode is not None:
            self.process.close()


class _Pool:
    """Up to ``size`` workers, started on demand; each job borrows one, a failed one is replaced."""

    def __init__(self, size: int) -> None:
        self.pid = os.getpid()
        self.ctx = multiprocessing.get_context("forkserver")
        # Workers fork from a server that already imported us (and so pikepdf and pypdf). Only takes
        # effect if nobody started the forkserver before; otherwise each new worker imports us itself.
        self.ctx.set_forkserver_preload([__name__])
        self.slots = threading.BoundedSemaphore(size)
        self.idle: list[_Worker] = []
        self.lock = threading.Lock()
        self.closed = False

    def warm_up(self, workers: int) -> None:
        started = [self._borrow() for _ in range(workers)]
        for worker in started:
            self._give_back(worker, healthy=True)

    def _borrow(self) -> _Worker:
        self.slots.acquire()
        try:
            with self.lock:
                if self.closed:
                    raise RuntimeError("PDF intake pool is shut down")
                worker = self.idle.pop() if self.idle else None
            if worker is not None and worker.process.is_alive():
                return worker
            if worker is not None:
                worker.stop()
            return _Worker(self.ctx)
        except BaseException:
            self.slots.release()
            raise

    def _give_back(self, worker: _Worker, *, healthy: bool) -> None:
        with self.lock:
            keep = healthy and not self.closed and not worker.stopped
            if keep:
                self.idle.append(worker)
        if not keep:
            worker.stop()
        self.slots.release()

    def run(self, data: bytes, limits: IntakeLimits) -> dict[str, Any]:
        """Inspect ``data`` in a worker: the worker's JSON reply, or ``IntakeRejected`` if it failed."""
        header = json.dumps(asdict(limits)).encode()
        worker = self._borrow()
        healthy = False
        try:
            try:
                reply = worker.exchange(header, data, limits.wall_seconds)
            except _WorkerLost:
                # It died while idle (OOM killer, an operator): give the file one fresh worker.
                worker.stop()
                worker = _Worker(self.ctx)
                try:
                    reply = worker.exchange(header, data, limits.wall_seconds)
                except _WorkerLost:  # workers cannot start at all: not the file's fault
                    raise IntakeUnavailable() from None
            healthy = not reply.get("retire") and worker.jobs < _JOBS_PER_WORKER
            return reply
        finally:  # a timed-out, crashed or retiring worker is killed here and replaced on demand
            self._give_back(worker, healthy=healthy)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            idle, self.idle = self.idle, []
        for worker in idle:
            worker.stop()


_POOL: _Pool | None = None
_POOL_LOCK = threading.Lock()
_ATEXIT_REGISTERED = False


def run_in_worker(data: bytes, limits: IntakeLimits) -> dict[str, Any]:
    """Inspect ``data`` in a worker of this process's pool: the worker's JSON reply.

    :raises IntakeRejected: the worker timed out or died on the file.
    :raises IntakeUnavailable: no worker can be started.
    """
    return _pool().run(data, limits)


def _pool() -> _Pool:
    global _POOL, _ATEXIT_REGISTERED
    with _POOL_LOCK:
        # A pool inherited through fork (gunicorn --preload) belongs to the parent: start our own.
        if _POOL is None or _POOL.pid != os.getpid():
            _POOL = _Pool(POOL_SIZE)
            if not _ATEXIT_REGISTERED:
                atexit.register(shutdown)
                _ATEXIT_REGISTERED = True
        return _POOL


# ---------------------------------------------------------------------------------------------------
# The worker (child side)


def _worker_main(conn: Connection) -> None:
    """Serve jobs until the pipe closes: header (JSON limits), then the PDF bytes; reply JSON."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU and crashes must not write core files
    for name in ("pypdf", "pikepdf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # their warnings would go to our stderr
    while True:
        try:
            header = conn.recv_bytes()
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        limits = IntakeLimits(**json.loads(header))
        try:
            conn.send_bytes(_ACK)
        except OSError:
            return
        _set_job_limits(limits)
        retire = False
        try:
            reply: dict[str, Any] = {"facts": inspect_in_worker(data, limits)}
        except IntakeRejected as exc:
            reply = {"rejected": exc.code, "message": exc.message, "detail": exc.detail}
            retire = exc.code == "parse_resources"  # after a failed allocation, start afresh
        except MemoryError:
            _lift_memory_limit()
            reply = {"rejected": "parse_resources", "detail": "MemoryError in worker"}
            retire = True  # the heap may be in any state
        except RecursionError:
            reply = {"rejected": "parse_resources", "detail": "nesting too deep"}
        except Exception as exc:  # any other parser failure: the file is unusable to us
            reply = {"rejected": "broken_pdf", "detail": f"{type(exc).__name__}: {exc}"[:500]}
        del data
        _lift_memory_limit()
        reply["retire"] = retire
        try:
            conn.send_bytes(json.dumps(reply).encode())
        except OSError:
            return
        if retire:
            return


def _set_job_limits(limits: IntakeLimits) -> None:
    # Soft limits only: RLIMIT_CPU counts the worker's whole life, so each job gets "used so far +
    # cpu_seconds"; hard limits stay where they were so the next job can be given its own budget.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = math.ceil(usage.ru_utime + usage.ru_stime)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (_capped(used + max(1, limits.cpu_seconds), cpu_hard), cpu_hard))
    _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (_capped(limits.memory_bytes, as_hard), as_hard))


def _lift_memory_limit() -> None:
    _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (as_hard, as_hard))


def _capped(value: int, hard: int) -> int:
    return value if hard == resource.RLIM_INFINITY else min(value, hard)
