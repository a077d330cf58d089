"""Intake gate for uploaded PDFs: size, format, active content and bombs, parsed in a limited child process.

Every upload path calls :func:`inspect_pdf` before anything is stored. The cheap checks (empty, size,
``%PDF-`` magic) run in the caller; the parse runs in a pre-started worker process with ``RLIMIT_AS``
and ``RLIMIT_CPU`` set, under a wall-clock timeout enforced by the caller, so that a hostile file
can at worst cost one worker process, never the web process.

The package, in reading order:

* ``types.py``: IntakeLimits, PdfFacts, IntakeRejected (with the Chinese message of every code);
* ``gate.py``: :func:`inspect_pdf`, the cheap checks and the hand-over to the sandbox;
* ``sandbox.py``: the worker pool (forkserver processes under resource limits, JSON replies);
* ``checks.py``: what a worker checks (structure, page tree, page boxes, inline images, text);
* ``walk.py``: the walk over every object (active content, decompression bombs);
* ``names.py``: :func:`display_file_name`, the stored and shown name of an upload.
"""

from app.archive.intake.gate import DEFAULT_LIMITS, inspect_pdf
from app.archive.intake.names import display_file_name
from app.archive.intake.sandbox import POOL_SIZE, shutdown, warm_up
from app.archive.intake.types import (
    MB,
    REJECTION_CODES,
    TEXT_SAMPLE_CHARS,
    TEXT_SAMPLE_PAGES,
    IntakeLimits,
    IntakeRejected,
    IntakeUnavailable,
    PdfFacts,
)

__all__ = [
    "DEFAULT_LIMITS", "MB", "POOL_SIZE", "REJECTION_CODES", "TEXT_SAMPLE_CHARS", "TEXT_SAMPLE_PAGES",
    "IntakeLimits", "IntakeRejected", "IntakeUnavailable", "PdfFacts", "display_file_name",
    "inspect_pdf", "shutdown", "warm_up",
]
