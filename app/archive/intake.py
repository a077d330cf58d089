"""Intake gate for uploaded PDFs: size, format, active content and bombs, parsed in a limited child process.

Every upload path calls :func:`inspect_pdf` before anything is stored. The cheap checks (empty, size,
``%PDF-`` magic) run in the caller; the parse runs in a pre-started worker process with ``RLIMIT_AS``
and ``RLIMIT_CPU`` set, under a wall-clock timeout enforced by the caller, so that a hostile file
can at worst cost one worker process, never the web process.

Worker model (why not ``ProcessPoolExecutor``): the pool must kill a worker that overruns its wall time,
and an executor cannot cancel a running task or kill one worker. Each worker here is one
``multiprocessing`` process from the **forkserver** context (workers are forked from a small,
single-threaded server that has already imported pikepdf/pypdf: a new worker costs a few milliseconds,
and never inherits the web process's threads, sockets or database connections, as ``fork`` would).
A worker serves one job at a time over a pipe; it is killed and replaced after a timeout, a crash
(segfault, SIGXCPU, MemoryError) or ``_JOBS_PER_WORKER`` jobs. Replies are JSON, never pickle, so a
worker subverted by a hostile file cannot run code in the web process by what it sends back.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import logging
import math
import multiprocessing
import os
import re
import resource
import signal
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import Any

import pikepdf
import pypdf

from app.domain.errors import FieldError
from app.domain.numbers import format_document_number, parse_document_number

MB = 1024 * 1024


@dataclass(frozen=True)
class IntakeLimits:
    """Bounds for one uploaded PDF; the defaults are the service's policy for uploads."""

    max_bytes: int = 20 * MB
    """Largest accepted file, in bytes."""
    max_pages: int = 500
    """Most pages accepted."""
    cpu_seconds: int = 10
    """CPU seconds the worker may spend on this file (``RLIMIT_CPU``, whole seconds)."""
    memory_bytes: int = 512 * MB
    """Address space of the worker while it parses this file (``RLIMIT_AS``), in bytes."""
    wall_seconds: float = 20
    """Wall-clock time the caller waits for the worker before killing it, in seconds."""
    max_decompressed_bytes: int = 200 * MB
    """Total decoded size of all streams, in bytes (a decompression bomb is refused past it)."""
    max_objects: int = 200_000
    """Most indirect objects in the file."""
    max_stream_ratio: int = 100
    """A single stream may not expand more than this many times its encoded size ..."""
    stream_ratio_floor_bytes: int = 16 * MB
    """... once its decoded size is past this many bytes (small, very compressible streams are normal:
    a blank scan or an empty content stream easily deflates 1000:1)."""
    max_page_side_mm: float = 5000
    """Longest accepted page side (MediaBox, CropBox, after ``/UserUnit``), in millimetres; A0 is
    1189 mm and an engineering roll drawing rarely passes 3 m, so 5 m is absurd, not a large page."""


_MESSAGES = {
    "empty_file": "文件为空",
    "too_large": "文件超过{limit}上限",
    "not_pdf": "文件不是PDF格式",
    "polyglot": "文件开头不是PDF文件头（%PDF-），可能是伪装成PDF的其他文件，不予接收",
    "broken_pdf": "PDF文件已损坏，无法解析",
    "encrypted": "PDF文件已加密，请上传未加密的文件",
    "too_many_pages": "PDF页数超过{limit}页上限（本文件{pages}页）",
    "javascript": "PDF含有JavaScript脚本，出于安全原因不予接收",
    "launch_action": "PDF含有启动外部程序的动作（Launch）",
    "embedded_file": "PDF含有嵌入文件（附件）",
    "xfa": "PDF含有XFA表单",
    "jbig2": "PDF含有JBIG2编码的图像，出于安全原因不予接收，请以JPEG或PNG图像重新扫描或另存为PDF",
    "bad_page_box": "PDF第{page}页的页面尺寸无效（{problem}）",
    "page_count_mismatch": "PDF页面树记录的页数（/Count {stated}）与实际页数（共{pages}页）不符，"
                           "不同阅读器会显示不同的页面，请用PDF软件另存后重新上传",
    "decompression_bomb": "PDF解压后数据过大，疑似压缩炸弹",
    "parse_timeout": "PDF解析超时",
    "parse_resources": "PDF解析所需资源超出限制",
}


class IntakeUnavailable(RuntimeError):
    """The sandboxed parser cannot run (its worker processes die before reading the file)."""

    code = "intake_unavailable"
    message = "文件检查服务暂时不可用，请稍后重试；如持续出现请联系管理员"


class IntakeRejected(Exception):
    """An uploaded file refused by the intake gate (上传文件未通过检查).

    ``code`` is stable for API clients (one of ``REJECTION_CODES``); ``message`` is the Chinese text
    shown to the user and names the problem; ``detail`` is English, for logs (which object, which
    warning), and is never shown to the user.
    """

    def __init__(self, code: str, message: str | None = None, *, detail: str = "", **fields: Any) -> None:
        if code not in _MESSAGES:
            raise ValueError(f"unknown intake rejection code: {code!r}")
        message = message if message is not None else _MESSAGES[code].format(**fields)
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (task queues), despite the custom __init__
        return (type(self), (self.code, self.message), {"detail": self.detail})

    def __repr__(self) -> str:
        return f"IntakeRejected({self.code!r}, {self.message!r}, detail={self.detail!r})"


REJECTION_CODES = frozenset(_MESSAGES)
"""Every ``IntakeRejected.code``."""


@dataclass(frozen=True)
class PdfFacts:
    """What the gate learnt about an accepted PDF (used to pre-fill the upload form)."""

    sha256: str
    """SHA-256 of the file, lower-case hex."""
    size_bytes: int
    """File size in bytes."""
    page_count: int
    """Number of pages."""
    text_sample: str
    """Extracted text of the first pages (at most ``TEXT_SAMPLE_PAGES`` pages, ``TEXT_SAMPLE_CHARS``
    characters); empty when the text could not be extracted (scans, unusual fonts)."""
    document_numbers: tuple[str, ...]
    """Valid 文书编号 (check character verified) found in the text sample or in link URIs, canonical
    upper-case form, in order of first appearance, without repeats."""
    verify_urls: tuple[str, ...]
    """Every link ``/URI`` containing ``/verify/`` (our QR codes and links), in file order, unique."""
    has_signatures: bool
    """True when a signature field has a value (``/FT /Sig`` with ``/V``) or any ``/ByteRange`` exists."""


TEXT_SAMPLE_PAGES = 3
TEXT_SAMPLE_CHARS = 5000
_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024
_MAX_LISTED = 50  # numbers and verify URLs kept: enough to pre-fill a form, bounded for a hostile file
_MAX_URI_CHARS = 2048
# The check-character class is the GB 32100 alphabet (no I, O, S, V, Z); parse_document_number
# then verifies the check character itself. re.ASCII: \d is 0-9 only.
_NUMBER_IN_TEXT = re.compile(r"LYXY-(?:CN|HC|BG|PJ)-\d{4}-\d{6}[0-9A-HJ-NPQRTUWXY]", re.I | re.ASCII)


def inspect_pdf(data: bytes, limits: IntakeLimits = IntakeLimits()) -> PdfFacts:
    """Check an uploaded PDF and return its facts, or refuse it.

    Checks, in order: empty, size, ``%PDF-`` at offset 0; then, in a worker process under ``limits``:
    opens with qpdf (broken, damaged/repaired, encrypted), object count, page count (the real pages of
    the tree, never the ``/Count`` the file states), every page's MediaBox and CropBox, a walk over
    every indirect object (JavaScript, Launch, embedded files, XFA, JBIG2), the decoded size of every
    stream (decompression bomb), and finally text and document numbers.

    :param data: the uploaded file.
    :param limits: the bounds to apply; the defaults are the upload policy.
    :returns: the facts of an accepted file.
    :raises IntakeRejected: the file is refused; ``code`` says why.
    """
    if not data:
        raise IntakeRejected("empty_file")
    if len(data) > limits.max_bytes:
        raise IntakeRejected("too_large", limit=_format_size(limits.max_bytes),
                             detail=f"{len(data)} bytes > {limits.max_bytes}")
    if not data.startswith(_MAGIC):
        # ISO 32000-1 §7.5.2 lets readers find the header within the first 1024 bytes; we do not:
        # bytes before it make a polyglot (an HTML page, a ZIP or a script that is also "a PDF"),
        # which a browser or another tool opens as the other format. Real PDF writers start at 0.
        if _MAGIC in data[: _MAGIC_WINDOW + len(_MAGIC)]:
            raise IntakeRejected("polyglot", detail=f"%PDF- at offset {data.find(_MAGIC)}")
        raise IntakeRejected("not_pdf", detail="no %PDF- at offset 0")
    reply = _pool().run(data, limits)
    if "rejected" in reply:
        code = reply["rejected"]
        if code not in REJECTION_CODES:  # a confused worker: refuse rather than trust it
            raise IntakeRejected("broken_pdf", detail=f"worker replied unknown code {code!r}")
        raise IntakeRejected(code, str(reply.get("message", _MESSAGES[code])),
                             detail=str(reply.get("detail", "")))
    facts = reply["facts"]
    return PdfFacts(
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        page_count=int(facts["page_count"]),
        text_sample=str(facts["text_sample"])[:TEXT_SAMPLE_CHARS],
        document_numbers=tuple(str(n) for n in facts["document_numbers"]),
        verify_urls=tuple(str(u) for u in facts["verify_urls"]),
        has_signatures=bool(facts["has_signatures"]),
    )


def display_file_name(name: str) -> str:
    """The uploaded file's name as stored and shown (上传文件名): never used as a storage path.

    One function for every upload (filings, stamp jobs, agency reports), so that a name that is safe
    to show, to put in ``Content-Disposition`` and to save on a Windows desktop is made in one place:

    1. cut at the first NUL (``x.pdf\\0.php``: C code sees ``x.pdf``, other code ``x.pdf.php``);
    2. NFC; everything up to the last ``/`` or ``\\`` removed; control, format (bidi, zero-width),
       line/paragraph-separator and surrogate characters removed; ``<>:"|?*`` (reserved on Windows,
       ``:`` opens an NTFS stream) replaced by ``_``;
    3. leading dots, hyphens and spaces (hidden files, command-line options) and trailing dots and
       spaces (Windows drops them, so ``x.php.`` would become ``x.php``) removed;
    4. every executable or active type among the extensions dropped (``x.php.pdf``, ``x.pdf.exe``
       -> ``x.pdf``; see ``_EXECUTABLE_EXTENSIONS``), a Windows device name (``CON``, ``LPT1``) prefixed
       with ``_``;
    5. ends in ``.pdf``: a final ``.PDF`` is lower-cased, any other ending gets ``.pdf`` appended;
    6. at most ``200`` characters, keeping ``.pdf``. Nothing left gives ``"upload.pdf"``.
    """
    name = (name or "").split("\0", 1)[0]
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c) not in _INVISIBLE_CATEGORIES)
    name = unicodedata.normalize("NFC", name)  # removals may bring combining marks together
    name = _WINDOWS_RESERVED.sub("_", name)
    name = name.lstrip(" .-").rstrip(" .")
    stem, *extensions = name.split(".")
    extensions = [e for e in extensions if e.strip().lower() not in _EXECUTABLE_EXTENSIONS and e.strip()]
    stem = stem.rstrip(" ")
    if not stem and not extensions:
        return _DEFAULT_FILE_NAME
    if stem.upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    if extensions and extensions[-1].strip().lower() == "pdf":
        extensions.pop()
    base = ".".join([stem, *extensions]).strip(" .") or _DEFAULT_FILE_NAME[: -len(".pdf")]
    return base[: _MAX_FILE_NAME - len(".pdf")].rstrip(" .") + ".pdf"


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_MAX_FILE_NAME = 200
_DEFAULT_FILE_NAME = "upload.pdf"
_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                              *(f"LPT{i}" for i in range(10))})
# Types that a browser, a desktop or a web server would run or render as active content
# (OWASP File Upload Cheat Sheet; Windows "dangerous file types" list; web-server handler mappings).
_EXECUTABLE_EXTENSIONS = frozenset({
    "php", "php3", "php4", "php5", "php7", "pht", "phtml", "phar", "asp", "aspx", "ascx", "ashx",
    "asmx", "cer", "jsp", "jspx", "war", "cgi", "pl", "py", "pyc", "pyw", "rb", "sh", "bash", "zsh",
    "csh", "ksh", "exe", "dll", "com", "scr", "pif", "bat", "cmd", "msi", "msp", "mst", "cpl", "jar",
    "jnlp", "js", "mjs", "cjs", "jse", "vbs", "vbe", "wsf", "wsh", "ws", "ps1", "psm1", "psd1", "hta",
    "html", "htm", "xhtml", "shtml", "shtm", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt",
    "swf", "lnk", "url", "reg", "inf", "scf", "gadget", "msc", "application", "appref-ms",
    "desktop", "command", "app", "apk", "elf", "run", "bin", "deb", "rpm", "dmg", "pkg",
    "docm", "xlsm", "pptm", "dotm", "xltm",
})


def _format_size(n: int) -> str:
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n}字节"


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
            reply: dict[str, Any] = {"facts": _inspect_in_worker(data, limits)}
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


def _inspect_in_worker(data: bytes, limits: IntakeLimits) -> dict[str, Any]:
    """The checks that parse the file; raises ``IntakeRejected``. Runs in the worker only."""
    try:
        # attempt_recovery=False: a file whose cross-reference table has to be rebuilt is refused,
        # not silently reinterpreted (see _refuse_warnings).
        pdf = pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    except pikepdf.PasswordError:
        raise IntakeRejected("encrypted", detail="user password required") from None
    except pikepdf.PdfError as exc:
        raise IntakeRejected("broken_pdf", detail=_clean(str(exc))) from None
    with pdf:
        try:
            page_count, walk = _check_structure(pdf, limits)
        except pikepdf.PdfError as exc:
            raise _parse_failure(pdf, str(exc)) from None
    text = _text_sample(data)
    uris = [u for u in walk.uris if len(u) <= _MAX_URI_CHARS]
    numbers = _unique(_numbers_in(text) + [n for uri in uris for n in _numbers_in(uri)])
    return {
        "page_count": page_count,
        "text_sample": text,
        "document_numbers": numbers[:_MAX_LISTED],
        "verify_urls": _unique([u for u in uris if "/verify/" in u])[:_MAX_LISTED],
        "has_signatures": walk.has_signatures,
    }


def _check_structure(pdf: pikepdf.Pdf, limits: IntakeLimits) -> tuple[int, _ObjectWalk]:
    if pdf.is_encrypted:
        raise IntakeRejected("encrypted", detail="owner password (permissions) set")
    _refuse_warnings(pdf)
    objects = pdf.objects
    if len(objects) > limits.max_objects:
        raise IntakeRejected("parse_resources", detail=f"{len(objects)} objects > {limits.max_objects}")
    page_count = len(pdf.pages)  # qpdf walks /Kids: a lying /Count changes nothing here ...
    if page_count > limits.max_pages:
        raise IntakeRejected("too_many_pages", limit=limits.max_pages, pages=page_count)
    _check_stated_counts(pdf.Root.get("/Pages"), page_count)  # ... but poppler believes /Count
    for number, page in enumerate(pdf.pages, start=1):
        _check_page_boxes(page.obj, number, limits)
    walk = _ObjectWalk(limits)
    for obj in objects:
        walk.visit_indirect(obj)
    _check_inline_images(pdf, walk.may_hold_inline_images)
    _refuse_warnings(pdf)
    return page_count, walk


def _check_stated_counts(root: Any, page_count: int) -> None:
    """Refuse a page tree whose ``/Count`` entries (ISO 32000-1 §7.7.3.2) differ from the leaves under
    them: qpdf and pdf.js count the leaves, poppler (our previews) trusts ``/Count``, so such a file
    shows other pages in other readers (the gate, a preview and a printout would disagree)."""

    seen: set[tuple[int, int]] = set()

    def leaves(node: Any, depth: int) -> int:
        if not isinstance(node, pikepdf.Dictionary) or node.get("/Type") != pikepdf.Name.Pages:
            return 1  # a leaf (qpdf has already accepted the tree's shape)
        if depth > _MAX_TREE_DEPTH:
            raise IntakeRejected("parse_resources", detail=f"page tree deeper than {_MAX_TREE_DEPTH}")
        if node.is_indirect:
            if node.objgen in seen:  # a node under two parents: counted twice by some readers
                raise IntakeRejected("broken_pdf", detail=f"page tree node {node.objgen} repeated")
            seen.add(node.objgen)
        kids = node.get("/Kids")
        total = sum(leaves(kid, depth + 1) for kid in kids) if isinstance(kids, pikepdf.Array) else 0
        stated = node.get("/Count")
        if stated != total:
            raise IntakeRejected("page_count_mismatch", stated=_short(stated), pages=page_count,
                                 detail=f"/Count {stated!r} in {node.objgen}, {total} pages below")
        return total

    leaves(root, 0)


def _short(value: Any) -> str:
    return str(value)[:20] if isinstance(value, int) and not isinstance(value, bool) else "无效"


def _content_streams(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Stream]:
    """Every stream a reader runs as content: page contents, form XObjects (annotation appearances
    too), tiling patterns and Type 3 glyph procedures (ISO 32000-1 §7.8.1, §8.10, §8.7.3, §9.6.5)."""
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        yield from (c for c in (contents if isinstance(contents, pikepdf.Array) else [contents])
                    if isinstance(c, pikepdf.Stream))
        annotations = page.obj.get("/Annots")
        for annotation in annotations if isinstance(annotations, pikepdf.Array) else []:
            # appearance streams (§12.5.5) are forms, but /Subtype /Form is often left out
            appearances = annotation.get("/AP") if isinstance(annotation, pikepdf.Dictionary) else None
            for entry in appearances.values() if isinstance(appearances, pikepdf.Dictionary) else []:
                states = entry.values() if isinstance(entry, pikepdf.Dictionary) else [entry]
                yield from (s for s in states if isinstance(s, pikepdf.Stream))
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and (obj.stream_dict.get("/Subtype") == pikepdf.Name.Form
                                                or obj.stream_dict.get("/PatternType") == 1):
            yield obj
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == pikepdf.Name.Type3:
            procs = obj.get("/CharProcs")
            if isinstance(procs, pikepdf.Dictionary):
                yield from (p for p in procs.values() if isinstance(p, pikepdf.Stream))


def _check_inline_images(pdf: pikepdf.Pdf, candidates: set[tuple[int, int]]) -> None:
    """Refuse JBIG2 in inline images (``BI … ID … EI``), which are not objects the walk visits.

    ISO 32000-1 §8.9.7 does not allow JBIG2Decode there, but pdf.js decodes it anyway. Only content
    streams whose decoded bytes contain ``BI`` are parsed, so ordinary files pay nothing.
    """
    if not candidates:
        return
    for stream in _content_streams(pdf):
        if stream.objgen not in candidates:
            continue
        candidates.discard(stream.objgen)  # shared forms: parse once
        try:
            instructions = pikepdf.parse_content_stream(stream, "BI ID EI")
        except pikepdf.PdfError as exc:
            raise IntakeRejected("broken_pdf",
                                 detail=f"content {stream.objgen}: {_clean(str(exc))}") from None
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage) and \
                    _JBIG2 & set(map(str, instruction.iimage.filters)):
                raise IntakeRejected("jbig2", detail=f"inline image in content {stream.objgen}")


_MM_PER_POINT = 25.4 / 72
_MISSING_MEDIA_BOX = "PDF页面缺少有效的页面尺寸（MediaBox）"
_MAX_TREE_DEPTH = 64  # /Parent hops when looking up an inherited attribute


def _inherited(page: pikepdf.Dictionary, key: str) -> Any:
    """``key`` of the page or of the nearest ancestor that has it (ISO 32000-1 §7.7.3.4), else None."""
    node: Any = page
    for _ in range(_MAX_TREE_DEPTH):
        if not isinstance(node, pikepdf.Dictionary):
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _check_page_boxes(page: pikepdf.Dictionary, number: int, limits: IntakeLimits) -> None:
    """Refuse a page whose MediaBox (required, may be inherited) or CropBox is not a sane rectangle.

    A zero, negative or huge page is never a letter or a scan; it breaks previews (pdftoppm renders a
    5 m page at 45 dpi as 78 megapixels), seal placement and printing. Rule: four finite numbers, the
    upper-right corner above and right of the lower-left one (no swapped corners: no writer makes
    them), each side (times ``/UserUnit``, ISO 32000-1 §14.11.2.1) at most ``max_page_side_mm`` and
    every coordinate within that distance of the origin.
    """
    user_unit = page.get("/UserUnit", 1)
    numeric = isinstance(user_unit, int | float | Decimal) and not isinstance(user_unit, bool)
    scale = float(user_unit) if numeric else math.nan
    if not (math.isfinite(scale) and 0 < scale <= 75_000):  # §14.11.2.1: at most 75,000 units
        raise IntakeRejected("bad_page_box", page=number, problem="UserUnit无效",
                             detail=f"page {number}: /UserUnit {user_unit!r}")
    for key, label in (("/MediaBox", "MediaBox"), ("/CropBox", "CropBox")):
        box = _inherited(page, key)
        if box is None:
            if key == "/MediaBox":  # qpdf normally fills it in (see _check_structure); never trust that
                raise IntakeRejected("bad_page_box", _MISSING_MEDIA_BOX,
                                     detail=f"page {number}: no /MediaBox")
            continue
        problem = _box_problem(box, scale, limits.max_page_side_mm)
        if problem:
            raise IntakeRejected("bad_page_box", page=number, problem=f"{label}{problem}",
                                 detail=f"page {number}: {key} {box!r} (UserUnit {scale})")


def _box_problem(box: Any, scale: float, max_side_mm: float) -> str:
    """Chinese description of what is wrong with a page box, or "" when it is sane."""
    if not isinstance(box, pikepdf.Array) or len(box) != 4:
        return "不是四个数"
    values = []
    for item in box:
        if isinstance(item, bool) or not isinstance(item, int | float | Decimal):
            return "含有非数字"
        value = float(item) * scale * _MM_PER_POINT
        if not math.isfinite(value):
            return "含有非有限数"
        values.append(value)
    x0, y0, x1, y1 = values
    width, height = x1 - x0, y1 - y0
    if width <= 0 or height <= 0:
        return "宽或高为零或负数"
    if max(width, height) > max_side_mm or max(abs(v) for v in values) > max_side_mm:
        return f"超过{max_side_mm:g}毫米"
    return ""


def _parse_failure(pdf: pikepdf.Pdf, error: str = "") -> IntakeRejected:
    """The rejection for a qpdf error or warnings: out of memory (qpdf reports a failed allocation as
    damaged data, with ``std::bad_alloc`` in a warning) or a broken file."""
    messages = [str(w) for w in pdf.get_warnings()] + ([error] if error else [])
    detail = _clean("; ".join(messages[:3]))
    if any("bad_alloc" in m for m in messages):
        return IntakeRejected("parse_resources", detail=f"out of memory: {detail}")
    if any("MediaBox is undefined" in m for m in messages):  # qpdf put US Letter in its place
        return IntakeRejected("bad_page_box", _MISSING_MEDIA_BOX, detail=detail)
    return IntakeRejected("broken_pdf", detail=detail)


_STREAM_NAME = re.compile(r"stream <[^>]*> ?")


def _clean(qpdf_message: str) -> str:
    """qpdf's message without the in-memory stream's repr, cut to a log-friendly length."""
    return _STREAM_NAME.sub("", qpdf_message)[:500]


def _refuse_warnings(pdf: pikepdf.Pdf) -> None:
    # Any qpdf warning means qpdf had to guess (xref rebuilt, stream length searched, bad filter
    # data). A guessed file can read differently in another reader (viewer, pypdf, a signature
    # validator): a place to hide content from this gate. So damaged == broken, and the user is
    # told to re-save the file ("另存为PDF" in any tool fixes it).
    failure = _parse_failure(pdf)
    if failure.detail:
        raise failure


_FLATE = pikepdf.Name.FlateDecode
# Filters qpdf decodes at the default ("generalized") level; image codecs are left alone because
# nothing downstream of intake decodes images, and their output is bounded by /Width and /Height.
_GENERALIZED = frozenset(
    {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx",
     "/RunLengthDecode", "/RL"}
)
_INFLATE_CHUNK = MB
_JBIG2 = frozenset({"/JBIG2Decode"})
_INLINE_IMAGE = b"BI"


def _names(value: Any) -> set[str]:
    """The names in a filter entry (a name or an array of names), as strings; anything else: none."""
    items = value if isinstance(value, pikepdf.Array) else [value]
    return {str(item) for item in items if isinstance(item, pikepdf.Name)}
_CONTAINERS = (pikepdf.Dictionary, pikepdf.Array)
_MAX_DEPTH = 100


class _ObjectWalk:
    """Visits every indirect object once, and the direct objects inside it, refusing active content."""

    def __init__(self, limits: IntakeLimits) -> None:
        self.limits = limits
        self.decoded_total = 0
        self.uris: list[str] = []
        self.has_signatures = False
        self.may_hold_inline_images: set[tuple[int, int]] = set()
        """Streams whose decoded bytes contain ``BI`` (the inline-image operator), by object id."""

    def visit_indirect(self, obj: Any) -> None:
        # pdf.objects also holds scalars, which pikepdf hands over as Python values (None, int ...)
        if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array):
            self._visit(obj, obj.objgen, 0)

    def _visit(self, obj: pikepdf.Object, where: tuple[int, int], depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise IntakeRejected("parse_resources", detail=f"nesting deeper than {_MAX_DEPTH} in {where}")
        if isinstance(obj, pikepdf.Stream):
            self._check_dictionary(obj.stream_dict, where, depth)
            self._count_decoded(obj, where)
        elif isinstance(obj, pikepdf.Dictionary):
            self._check_dictionary(obj, where, depth)
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                if isinstance(item, _CONTAINERS) and not item.is_indirect:  # indirect: own visit
                    self._visit(item, where, depth + 1)

    def _check_dictionary(self, d: pikepdf.Dictionary, where: tuple[int, int], depth: int) -> None:
        keys = set(d.keys())
        if keys & {"/JS", "/JavaScript"} or d.get("/S") == pikepdf.Name.JavaScript:
            raise IntakeRejected("javascript", detail=f"object {where}")
        if d.get("/S") == pikepdf.Name.Launch:
            raise IntakeRejected("launch_action", detail=f"object {where}")
        if (keys & {"/EmbeddedFiles", "/EF"} or d.get("/Subtype") == pikepdf.Name.FileAttachment
                or d.get("/Type") == pikepdf.Name.EmbeddedFile):
            raise IntakeRejected("embedded_file", detail=f"object {where}")
        if "/XFA" in keys:
            raise IntakeRejected("xfa", detail=f"object {where}")
        if "/JBIG2Globals" in keys or _names(d.get("/Filter")) & _JBIG2 or _names(d.get("/F")) & _JBIG2:
            # JBIG2 decoders have a history of memory-corruption bugs exploited through PDFs
            # (CVE-2021-30860 FORCEDENTRY, CVE-2009-0658, poppler CVE-2022-38784); scans of letters
            # use JPEG, Flate or CCITT. Inline images in content streams: _check_inline_images.
            raise IntakeRejected("jbig2", detail=f"object {where}")
        if "/ByteRange" in keys or (d.get("/FT") == pikepdf.Name.Sig and "/V" in keys):
            self.has_signatures = True
        uri = d.get("/URI")
        if isinstance(uri, pikepdf.String):
            self.uris.append(str(uri))
        for key in keys:
            value = d[key]
            if isinstance(value, _CONTAINERS) and not value.is_indirect:
                self._visit(value, where, depth + 1)

    def _count_decoded(self, stream: pikepdf.Stream, where: tuple[int, int]) -> None:
        """Add the stream's decoded size to the total; refuse a bomb before it is fully inflated.

        Rule: the total over all streams may not pass ``max_decompressed_bytes``, and one stream may
        not pass both ``stream_ratio_floor_bytes`` and ``max_stream_ratio`` times its encoded size.
        Flate (nearly every stream) is inflated here in 1 MB chunks, so a bomb is refused after at most
        its allowance, without ever holding it in memory. Other generalised filters (rare) go through
        qpdf's ``read_bytes``; RLIMIT_AS bounds those.
        """
        filters = stream.stream_dict.get("/Filter")
        names = [str(f) for f in (filters if isinstance(filters, pikepdf.Array) else [filters])
                 if f is not None]
        raw = stream.read_raw_bytes()
        if not names or names[0] not in _GENERALIZED:
            decoded = len(raw)
            if not names and _INLINE_IMAGE in raw:
                self.may_hold_inline_images.add(where)
        elif names[0] in ("/FlateDecode", "/Fl") and all(n not in _GENERALIZED for n in names[1:]):
            decoded = self._inflate_bounded(raw, where)
        else:
            data = stream.read_bytes()
            decoded = len(data)
            if _INLINE_IMAGE in data:
                self.may_hold_inline_images.add(where)
        self._add(decoded, len(raw), where)

    def _allowance(self, encoded: int) -> int:
        per_stream = max(self.limits.stream_ratio_floor_bytes, self.limits.max_stream_ratio * encoded)
        return min(per_stream, self.limits.max_decompressed_bytes - self.decoded_total)

    def _add(self, decoded: int, encoded: int, where: tuple[int, int]) -> None:
        if decoded > self._allowance(encoded):
            self._refuse_bomb(decoded, encoded, where)
        self.decoded_total += decoded

    def _refuse_bomb(self, decoded: int, encoded: int, where: tuple[int, int]) -> None:
        raise IntakeRejected(
            "decompression_bomb",
            detail=f"stream {where}: >{decoded} bytes from {encoded}, "
            f"total so far {self.decoded_total} (limit {self.limits.max_decompressed_bytes})",
        )

    def _inflate_bounded(self, raw: bytes, where: tuple[int, int]) -> int:
        allowance = self._allowance(len(raw))
        inflater = zlib.decompressobj()
        decoded = 0
        last = b""
        for piece in _inflate_pieces(inflater, raw):
            decoded += len(piece)
            if decoded > allowance:
                self._refuse_bomb(decoded, len(raw), where)
            if _INLINE_IMAGE in last + piece[:1] or _INLINE_IMAGE in piece:
                self.may_hold_inline_images.add(where)
            last = piece[-1:]
        return decoded


def _inflate_pieces(inflater: Any, raw: bytes) -> Iterator[bytes]:
    """Successive ≤ 1 MB pieces of inflated output (the caller keeps none of them)."""
    pending = raw
    try:
        while not inflater.eof:
            before = len(pending)
            out = inflater.decompress(pending, _INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
            if not out and (not pending or len(pending) == before):
                break  # input used up (a truncated stream, which readers accept) or no progress
            yield out
    except zlib.error as exc:
        raise IntakeRejected("broken_pdf", detail=f"bad Flate data: {exc}") from None


def _text_sample(data: bytes) -> str:
    # pypdf, not qpdf, extracts text; the file has passed qpdf's checks by now. Text only pre-fills
    # a form, so a file pypdf cannot read (scan, odd fonts) is accepted with an empty sample.
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        parts: list[str] = []
        size = 0
        for page in reader.pages[:TEXT_SAMPLE_PAGES]:
            parts.append(page.extract_text() or "")
            size += len(parts[-1])
            if size >= TEXT_SAMPLE_CHARS:
                break
    except MemoryError:
        raise
    except Exception:  # pypdf raises many kinds; the sample is optional
        return ""
    return "\n".join(parts)[:TEXT_SAMPLE_CHARS]


_LINE_BREAK_AFTER_HYPHEN = re.compile(r"-[ \t]*\r?\n\s*")


def _numbers_in(text: str) -> list[str]:
    found = []
    # Layout breaks lines after a hyphen ("LYXY-\nCN-2026-..."): join those before searching.
    for match in _NUMBER_IN_TEXT.finditer(_LINE_BREAK_AFTER_HYPHEN.sub("-", text)):
        try:
            found.append(format_document_number(*parse_document_number(match.group())))
        except FieldError:  # wrong check character: a typo or a look-alike, not one of ours
            continue
    return found


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
