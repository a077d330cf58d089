"""Stamping jobs: take a PDF (uploaded or issued), apply seals and marks, sign, archive the result."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.intake import IntakeLimits, display_file_name, inspect_pdf
from app.archive.intake.marks import QR_DPI, PageRenderError, qr_numbers, render_pages
from app.archive.pii import PiiCipher
from app.domain.access import AccessGround, Reader
from app.domain.dates import to_beijing
from app.domain.errors import FieldError
from app.domain.filings import canonical_letter_number, receipt_number
from app.domain.urls import short_verify_url
from app.models import Filing, ReceivingUnit, Seal, StampJob
from app.services import commitments as commitment_svc
from app.services.audit import AuditTrail
from app.services.commitments import DocumentNotFound
from app.services.seals import get_seal_for, seal_image
from app.stamping import overlay
from app.stamping.overlay.clearance import LETTER_MAX_PAGES
from app.stamping.signing import DocumentSigner
from app.stamping.types import SealImage, SealPlacement, StampingError
from app.stamping.validation import SignatureReport, validate_signatures

__all__ = ["DocumentNotFound"]
PREVIEW_DPI = 45
PREVIEW_MAX_WIDTH_PX = 300
"""Widest a clickable page preview is drawn, in CSS pixels: it fits a 390 px phone screen beside
the page's margins (trial 17); narrower pages keep ``PREVIEW_DPI``."""


def preview_px_per_mm(width_mm: float) -> float:
    """Scale of the clickable preview of a page ``width_mm`` wide: CSS pixels per millimetre.
    The page draws it at this scale and :func:`operations_from_form` reads clicks by it."""
    return min(PREVIEW_DPI / 25.4, PREVIEW_MAX_WIDTH_PX / width_mm)
MAX_WATERMARK_LEN = 20
MAX_PAGE_MM = 5080.0
"""The largest page side a PDF can have (14,400 units of 1/72 inch, ISO 32000 Annex C): a
coordinate beyond it is off every page, refused before any PDF is read (trial 13)."""
MAX_OPERATIONS = 50
"""Most operations in one stamp job: a letter needs a few (anchor seal, 骑缝章, a watermark); each
operation re-reads and re-writes the whole PDF, so 500 of them cost 35 s and 43 MB in one request."""


@dataclass(frozen=True)
class Operation:
    """One stamping step, as stored with the job."""

    op: str
    """anchor_seal | seal | cross_page_seal | watermark | margin_line."""
    params: dict[str, Any]


def create_job(session: Session, archive: BlobStore, *, pdf: bytes, name: str,
               unit_id: int | None, limits: IntakeLimits, trail: AuditTrail,
               user_id: int | None = None, api_key_id: int | None = None,
               document_number: str | None = None) -> StampJob:
    """Check the PDF through the intake gate (``IntakeRejected``) before anything is stored, archive
    it and open a job (audited)."""
    facts = inspect_pdf(pdf, limits)
    job = StampJob(unit_id=unit_id, created_by=user_id, api_key_id=api_key_id,
                   document_number=document_number, original_name=display_file_name(name),
                   original_sha256=archive.put(pdf), page_count=facts.page_count, operations=[])
    session.add(job)
    session.flush()
    trail.record(session, "create_stamp_job", "stamp_job", job.id, sha256=job.original_sha256,
                 document_number=document_number)
    return job


def issued_document_pdf(session: Session, archive: BlobStore, number: str, cipher: PiiCipher,
                        reader: Reader, *, trail: AuditTrail) -> tuple[str, bytes, AccessGround]:
    """The canonical number and exact PDF of a document the service issued, if ``reader`` may
    read it (issue 10 §1: the addressed unit or the credit office; a stamp job is no way around
    the rule); raises ``DocumentNotFound`` otherwise, as for an unknown number. The read is
    audited (``read_letter``)."""
    record, ground = commitment_svc.find_readable_document(session, number, reader)
    pdf = commitment_svc.issued_pdf(record, archive)
    trail.record(session, "read_letter", "issued_document", record.number, ground=ground.value,
                 via="stamp_job")
    return record.number, pdf, ground


def create_job_for_document(session: Session, archive: BlobStore, *, number: str,
                            unit_id: int | None, cipher: PiiCipher, reader: Reader,
                            trail: AuditTrail, user_id: int | None = None,
                            limits: IntakeLimits | None = None) -> tuple[StampJob, AccessGround]:
    """A job on the exact PDF the service issued under ``number`` (see ``issued_document_pdf``);
    it passes the intake gate like any other (``limits``, default: the upload policy), which costs
    little and trusts nothing."""
    canonical, pdf, ground = issued_document_pdf(session, archive, number, cipher, reader,
                                                 trail=trail)
    job = create_job(session, archive, pdf=pdf, name=f"{canonical}.pdf", unit_id=unit_id,
                     user_id=user_id, document_number=canonical, limits=limits or IntakeLimits(),
                     trail=trail)
    return job, ground


def job_readable(session: Session, job: StampJob, *, unit_id: int | None, reader: Reader) -> bool:
    """A job is its unit's (``unit_id`` None: the credit office, which sees every job); a job
    on an issued letter also needs the letter to be readable by ``reader`` now."""
    if unit_id is not None and job.unit_id != unit_id:
        return False
    return job.document_number is None or commitment_svc.may_read_number(
        session, job.document_number, reader)


def _float(form: Mapping[str, str], key: str, field: str, label: str) -> float:
    try:
        value = float(form[key])
    except (KeyError, ValueError):
        raise FieldError(field, f"{label}应为数字") from None
    if not math.isfinite(value) or value < 0:  # float() reads "nan" and "inf"
        raise FieldError(field, f"{label}应为页面上的位置（有限的非负数）")
    return value


def _coordinate_mm(value: object, field: str, label: str) -> float:
    """A seal coordinate in mm: a finite number within ``MAX_PAGE_MM`` (the exact page is checked
    when the seal is placed); refused naming ``label``, never echoed back when absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(field, f"{label} 应为数字")
    if not math.isfinite(value):
        raise FieldError(field, f"{label} 应为有限的数字（不接受 NaN、Infinity）")
    if not 0 <= value <= MAX_PAGE_MM:
        raise FieldError(field, f"{label} 超出页面范围：应为0–{MAX_PAGE_MM:.0f}毫米之间的数"
                                "（原点在页面左上角），并使印章完整落在页面上")
    return float(value)


def operations_from_form(form: Mapping[str, str], *, page_count: int,
                         page_sizes_mm: Sequence[tuple[float, float]] = ()) -> list[Operation]:
    """Read the staff form: a clicked page position (image input, drawn at
    :func:`preview_px_per_mm` of the page's width in ``page_sizes_mm``; ``PREVIEW_DPI`` for a page
    not given), checkboxes, watermark text."""
    ops: list[Operation] = []
    seal_id = form.get("seal_id")
    for page in range(1, page_count + 1):
        if f"click_p{page}.x" in form:
            x_px = _float(form, f"click_p{page}.x", "position", "点击位置")
            y_px = _float(form, f"click_p{page}.y", "position", "点击位置")
            scale = (preview_px_per_mm(page_sizes_mm[page - 1][0]) if page <= len(page_sizes_mm)
                     else PREVIEW_DPI / 25.4)
            x_mm = _coordinate_mm(round(x_px / scale, 1), "position", "点击位置")
            y_mm = _coordinate_mm(round(y_px / scale, 1), "position", "点击位置")
            ops.append(Operation("seal", {"page": page, "x_mm": x_mm, "y_mm": y_mm}))
            break
    if form.get("anchor_seal"):
        ops.append(Operation("anchor_seal", {}))
    if form.get("cross_page_seal"):
        ops.append(Operation("cross_page_seal", {}))
    if form.get("margin_line"):
        ops.append(Operation("margin_line", {}))
    if form.get("watermark", "").strip():
        ops.append(Operation("watermark", {"text": form["watermark"].strip()}))
    if not ops:
        raise FieldError("operations", "请至少选择一项操作，或点击页面指定盖章位置")
    _check_operation_count(len(ops))
    if any(op.op in ("seal", "anchor_seal", "cross_page_seal") for op in ops):
        if not seal_id:
            raise FieldError("seal_id", "请选择印章")
        for op in ops:
            if op.op in ("seal", "anchor_seal", "cross_page_seal"):
                op.params["seal_id"] = _seal_id(seal_id)
    return ops


def operations_from_json(items: object, *, page_count: int) -> list[Operation]:
    """API form: ``[{"op": "seal", "seal_id": 1, "page": 1, "x_mm": 150, "y_mm": 240}, ...]``."""
    if not isinstance(items, list) or not items:
        raise FieldError("operations", "operations 应为非空数组")
    _check_operation_count(len(items))
    ops = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("op") not in OPERATION_PARAMS:
            raise FieldError("operations", f"第{i}项操作无效，op 应为：{'、'.join(OPERATION_PARAMS)}")
        unknown = sorted(set(item) - {"op", *OPERATION_PARAMS[item["op"]]})
        if unknown:
            raise FieldError("operations", f"第{i}项操作（{item['op']}）不认识这些字段："
                             f"{'、'.join(str(k)[:40] for k in unknown[:5])}")
        params = {}
        for key in OPERATION_PARAMS[item["op"]]:
            if key not in item:
                raise FieldError("operations", f"第{i}项操作缺少 {key}")
            params[key] = item[key]
        if "seal_id" in params:
            params["seal_id"] = _seal_id(params["seal_id"])
        if "page" in params and (isinstance(params["page"], bool)
                                 or not isinstance(params["page"], int)):
            raise FieldError("operations", f"第{i}项操作的 page 应为数字（整数页码）")
        for key in ("x_mm", "y_mm"):
            if key in params:
                params[key] = _coordinate_mm(params[key], "operations", f"第{i}项操作的 {key}")
        ops.append(Operation(item["op"], params))
    return ops


OPERATION_PARAMS: dict[str, tuple[str, ...]] = {
    "seal": ("seal_id", "page", "x_mm", "y_mm"),
    "anchor_seal": ("seal_id",),
    "cross_page_seal": ("seal_id",),
    "watermark": ("text",),
    "margin_line": (),
}


def _check_operation_count(count: int) -> None:
    if count > MAX_OPERATIONS:
        raise FieldError("operations", f"一次盖章最多{MAX_OPERATIONS}项操作（本次{count}项），请分批提交")


def _seal_id(value: object) -> int:
    # JSON true is not seal 1, nor 1.9 seal 1: only whole numbers (or their digits, from a form)
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise FieldError("seal_id", "印章编号应为整数")
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        raise FieldError("seal_id", "印章编号应为整数") from None


def apply_operations(session: Session, archive: BlobStore, job: StampJob,
                     ops: list[Operation], *, unit_id: int | None, signer: DocumentSigner,
                     base_url: str, trail: AuditTrail) -> StampJob:
    """Apply ``ops`` in order to the job's original, sign, archive and audit (``stamp``: which
    seals went on the document); raises on bad input."""
    if job.result_sha256 is not None:
        raise FieldError("operations", "该文件已盖章签名，如需重新盖章请重新上传")
    now = datetime.now(UTC)
    result = run_operations(session, archive, archive.get(job.original_sha256), ops,
                            unit_id=unit_id, document_number=job.document_number,
                            signer=signer, base_url=base_url, received_on=to_beijing(now).date(),
                            receiving_unit_id=job.unit_id)
    _finish(job, archive.put(result), ops, now)
    session.flush()
    _audit_stamp(session, trail, job)
    return job


def _audit_stamp(session: Session, trail: AuditTrail, job: StampJob) -> None:
    seal_ids = sorted({op["seal_id"] for op in job.operations if "seal_id" in op})
    trail.record(session, "stamp", "stamp_job", job.id, seal_ids=seal_ids,
                 operations=[op["op"] for op in job.operations],
                 document_number=job.document_number, result_sha256=job.result_sha256)


def stamp_now(session: Session, archive: BlobStore, *, pdf: bytes, name: str,
              operations: object, unit_id: int, api_key_id: int | None, limits: IntakeLimits,
              signer: DocumentSigner, base_url: str, trail: AuditTrail,
              document_number: str | None = None) -> StampJob:
    """One-request stamping for API clients: everything is checked and done in memory first,
    so a refused request stores nothing, neither a record nor a file. The operations are counted
    before the file is parsed, the file passes the intake gate (``IntakeRejected``) before any
    operation runs. The job is audited as created and stamped."""
    if isinstance(operations, list):
        _check_operation_count(len(operations))
    pages = inspect_pdf(pdf, limits).page_count
    ops = operations_from_json(operations, page_count=pages)
    now = datetime.now(UTC)
    result = run_operations(session, archive, pdf, ops, unit_id=unit_id,
                            document_number=document_number, signer=signer, base_url=base_url,
                            received_on=to_beijing(now).date(), receiving_unit_id=unit_id)
    job = StampJob(unit_id=unit_id, api_key_id=api_key_id, document_number=document_number,
                   original_name=display_file_name(name), original_sha256=archive.put(pdf),
                   page_count=pages, operations=[])
    _finish(job, archive.put(result), ops, now)
    session.add(job)
    session.flush()
    trail.record(session, "create_stamp_job", "stamp_job", job.id, sha256=job.original_sha256,
                 document_number=document_number)
    _audit_stamp(session, trail, job)
    return job


def run_operations(session: Session, archive: BlobStore, pdf: bytes, ops: list[Operation], *,
                   unit_id: int | None, document_number: str | None, signer: DocumentSigner,
                   base_url: str, received_on: date, receiving_unit_id: int | None = None) -> bytes:
    """The stamped and platform-signed PDF (the seal goes on before the signature); a margin
    line points to the verify page under ``base_url``; a 收件章 is dated ``received_on``, unless
    ``pdf`` is a letter ``receiving_unit_id`` filed: then it carries the filing's 收件编号 and
    upload date (trial, issue 12 §1: unit, date, number)."""
    _check_operation_count(len(ops))
    receipt = _receipt(session, pdf, receiving_unit_id, received_on)
    # the copies of the file as received (the operations add no pages)
    unit_copy = _UnitCopy(session, archive, pdf, document_number, receiving_unit_id)
    for op in ops:
        pdf = _apply(session, archive, op, pdf, unit_id, document_number, base_url, receipt,
                     unit_copy)
    return signer.sign(pdf, reason="凌源市信用文书服务盖章确认", location="辽宁省凌源市")


def _finish(job: StampJob, result_sha256: str, ops: list[Operation], now: datetime) -> None:
    job.result_sha256 = result_sha256
    job.operations = [{"op": op.op, **op.params} for op in ops]
    job.stamped_at = now


@dataclass(frozen=True)
class _Receipt:
    received_on: date
    reference: str = ""


class _UnitCopy:
    """The pages of the receiving unit's copy of the file, if it is a commitment letter: found
    once per stamping run, on the first operation that needs them (a scan's QR codes cost a
    rendering)."""

    def __init__(self, session: Session, archive: BlobStore, pdf: bytes,
                 document_number: str | None, unit_id: int | None) -> None:
        self._args = (session, archive, pdf, document_number, unit_id)
        self._found: tuple[tuple[int, int] | None, bool] | None = None

    def pages(self) -> tuple[tuple[int, int] | None, bool]:
        """``((first, last) or None, from_text)``: None for a file that is no letter."""
        if self._found is None:
            self._found = letter_unit_pages(*self._args)
        return self._found


def letter_unit_pages(session: Session, archive: BlobStore, pdf: bytes, document_number: str | None,
                      unit_id: int | None) -> tuple[tuple[int, int] | None, bool]:
    """The first and last page of the receiving unit's copy (接受承诺单位留存) of a commitment
    letter, and whether its text showed them; ``(None, …)`` for any other PDF.

    A letter with text is read by its copy labels. A scan (no text) is a letter when its number
    is known (the job's, the unit's filing of the file, else a QR code of ours on a page); its
    unit copy is then the issued letter's (same page count), else what follows the first
    copy's QR code (each copy prints its QR code in its 落款, on its last page: trial 12 item 4).
    Raises FieldError when a scan is a letter but its copies cannot be told apart."""
    copy, has_text = overlay.letter_text_layout(pdf)
    if copy is not None:
        return (copy.first_page, copy.last_page), True
    if has_text:
        return None, True
    filing = filing_of(session, unit_id, pdf)
    number = document_number or (filing.document_number if filing else None)
    qr_pages: list[int] | None = None
    if number is None:
        qr_pages, numbers = _qr_pages(pdf)
        number = numbers[0] if numbers else None
    if not canonical_letter_number(number):
        return None, False
    total = overlay.page_count(pdf)
    try:
        issued = commitment_svc.issued_pdf(commitment_svc.find_document(session, number), archive)
        issued_copy = overlay.unit_copy_of(issued)
    except (FieldError, DocumentNotFound, commitment_svc.OriginalMissing, StampingError):
        issued_copy = None
    if issued_copy is not None and overlay.page_count(issued) == total:
        return (issued_copy.first_page, issued_copy.last_page), False
    if qr_pages is None:
        qr_pages, _numbers = _qr_pages(pdf)
    if len(qr_pages) >= 2 and qr_pages[-1] == total:
        return (qr_pages[-2] + 1, total), False
    raise FieldError("operations", f"这是信用承诺书（编号{number}）的扫描件，但无法确定“接受承诺单位留存”联"
                     "是哪几页（页数与出具的承诺书不同，每份末页的二维码也未能全部识别），骑缝章和印章"
                     "未加盖；请上传完整、清晰的扫描件，或只上传接受承诺单位留存联")


def _qr_pages(pdf: bytes) -> tuple[list[int], list[str]]:
    """The pages of a scan (at most a letter's length) with a QR code of our letters, and the
    numbers read, in page order; nothing when the pages cannot be rendered."""
    total = overlay.page_count(pdf)
    if total > LETTER_MAX_PAGES:
        return [], []
    try:
        pictures = render_pages(pdf, total, QR_DPI)
    except PageRenderError:
        return [], []
    pages: list[int] = []
    numbers: list[str] = []
    for page, picture in enumerate(pictures, start=1):
        found = [n for n in qr_numbers(picture) if canonical_letter_number(n)]
        if found:
            pages.append(page)
            numbers += found
    return pages, numbers


def filing_of(session: Session, unit_id: int | None, pdf: bytes) -> Filing | None:
    """The unit's filing of exactly these bytes (a unit files a file once: uq_filings_unit_id_sha256)."""
    if unit_id is None:
        return None
    return session.scalar(select(Filing).where(Filing.unit_id == unit_id,
                                               Filing.sha256 == hashlib.sha256(pdf).hexdigest()))


def _receipt(session: Session, pdf: bytes, unit_id: int | None, received_on: date) -> _Receipt:
    filing = filing_of(session, unit_id, pdf)
    if filing is None:
        return _Receipt(received_on)
    return _Receipt(to_beijing(filing.created_at).date(), receipt_number(filing.id))


ANCHOR_LABELS = {
    "receipt": "加盖收件章（接受承诺单位留存联首页右上角，正文之外；落款处由承诺人自行盖章）",
    "anchors": "在文件标记的盖章位置盖章",
}
"""What ``anchor_seal`` does to a file, by :func:`anchor_kind` (the staff page's label)."""


def anchor_kind(job: StampJob, archive: BlobStore) -> str | None:
    """What ``anchor_seal`` (the API's and the page's) would do to the job's file: "receipt" on a
    commitment letter (its unit copy found by its label, uploaded or issued alike), "anchors"
    when the file names seal positions, None when it can do nothing (trial 14)."""
    pdf = archive.get(job.original_sha256)
    try:
        if overlay.unit_copy_of(pdf) is not None:
            return "receipt"
        return "anchors" if overlay.find_seal_anchors(pdf) else None
    except StampingError:
        return None


def _apply(session: Session, archive: BlobStore, op: Operation, pdf: bytes,
           unit_id: int | None, document_number: str | None, base_url: str,
           receipt: _Receipt, unit_copy: _UnitCopy) -> bytes:
    p = op.params
    if op.op == "watermark":
        text = str(p["text"]).strip()
        if not text or len(text) > MAX_WATERMARK_LEN:
            raise FieldError("watermark", f"水印文字应为1–{MAX_WATERMARK_LEN}个字符")
        return overlay.add_watermark(pdf, text)
    if op.op == "margin_line":
        if not document_number:
            raise FieldError("operations", "页边编号仅适用于本平台出具的文书")
        return overlay.add_margin_line(pdf, number=document_number,
                                       verify_url=short_verify_url(base_url, document_number))
    record = get_seal_for(session, p["seal_id"], unit_id)
    seal = seal_image(record, archive)
    if op.op in ("anchor_seal", "cross_page_seal"):
        return _unit_seal(session, op.op, pdf, record, seal, receipt, unit_copy)
    pages, from_text = unit_copy.pages()
    if pages is not None and not from_text and not pages[0] <= int(p["page"]) <= pages[1]:
        # a scan's copies: the overlay finds a text letter's itself (trial 12 item 5)
        span = f"{pages[0]}–{pages[1]}"
        raise FieldError("page", f"第{int(p['page'])}页属于“承诺人留存”联，由承诺人留存：接受承诺单位的"
                         f"印章只盖在本单位的“接受承诺单位留存”联（第{span}页）上；请在第{span}页选择位置")
    return overlay.stamp_seal(pdf, seal, SealPlacement(page=int(p["page"]), x_mm=float(p["x_mm"]),
                                                      y_mm=float(p["y_mm"])))


def _unit_seal(session: Session, kind: str, pdf: bytes, record: Seal, seal: SealImage,
               receipt: _Receipt, unit_copy: _UnitCopy) -> bytes:
    """The anchor seal and the 骑缝章 of a receiving unit (issue 12 §1). On a commitment letter
    the sign-off is the applicant's: the unit's mark is a 收件章 at the top right of its own copy
    (接受承诺单位留存), and its 骑缝章 binds that copy's pages only. Other PDFs: the seal at the
    document's anchors, the 骑缝章 over every page."""
    if kind == "cross_page_seal":  # a scan's copies too (trial 12 item 4)
        return overlay.stamp_cross_page_seal(pdf, seal, pages=unit_copy.pages()[0])
    copy = overlay.unit_copy_of(pdf)
    if copy is None:
        return overlay.stamp_at_anchors(pdf, seal)
    unit = session.get(ReceivingUnit, record.unit_id)
    name = unit.name if unit is not None else record.name
    return overlay.add_receipt_stamp(pdf, overlay.ReceiptStamp(
        unit=name, received_on=receipt.received_on, reference=receipt.reference))


def page_sizes(job: StampJob, archive: BlobStore) -> list[tuple[float, float]]:
    return overlay.page_sizes_mm(archive.get(job.original_sha256))


def signature_reports(job: StampJob, archive: BlobStore,
                      trust_roots: Sequence[bytes]) -> list[SignatureReport]:
    """The stamped result's signatures, checked against ``trust_roots``."""
    if job.result_sha256 is None:
        return []
    return validate_signatures(archive.get(job.result_sha256), trust_roots)
