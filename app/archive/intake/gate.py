"""The gate itself: cheap checks in the caller, then the parse in a sandboxed worker."""

from __future__ import annotations

import hashlib

from app.archive.intake.sandbox import run_in_worker
from app.archive.intake.types import (
    MB,
    MESSAGES,
    REJECTION_CODES,
    IntakeLimits,
    IntakeRejected,
    PdfFacts,
)

DEFAULT_LIMITS = IntakeLimits()
"""The upload policy."""
_MAGIC = b"%PDF-"
_MAGIC_WINDOW = 1024


def inspect_pdf(data: bytes, limits: IntakeLimits = DEFAULT_LIMITS) -> PdfFacts:
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
    reply = run_in_worker(data, limits)
    if "rejected" in reply:
        code = reply["rejected"]
        if code not in REJECTION_CODES:  # a confused worker: refuse rather than trust it
            raise IntakeRejected("broken_pdf", detail=f"worker replied unknown code {code!r}")
        raise IntakeRejected(code, str(reply.get("message", MESSAGES[code])),
                             detail=str(reply.get("detail", "")))
    facts = reply["facts"]
    return PdfFacts(
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        page_count=int(facts["page_count"]),
        text_sample=str(facts["text_sample"])[:limits.text_chars],
        document_numbers=tuple(str(n) for n in facts["document_numbers"]),
        verify_urls=tuple(str(u) for u in facts["verify_urls"]),
        has_signatures=bool(facts["has_signatures"]),
    )


def _format_size(n: int) -> str:
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KB"
    return f"{n}字节"
