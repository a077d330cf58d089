"""Uploaded commitment letters: intake, archive, review, publication (公示), revocation."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.archive.blobs import BlobCorrupt, BlobNotFound, BlobStore
from app.archive.intake import (
    IntakeLimits,
    IntakeRejected,
    PdfFacts,
    display_file_name,
    inspect_pdf,
)
from app.archive.intake.marks import PageMarks, PageRenderError, images_are_grey, read_page_marks
from app.archive.pii import PiiCipher
from app.archive.search import FilingEntry, search_index_for
from app.domain.access import Reader
from app.domain.errors import FieldError, FieldErrors
from app.domain.filings import (
    FilingMetadata,
    canonical_letter_number,
    differences_from_filing,
    differences_from_letter,
    parse_filing_metadata,
)
from app.domain.masking import public_subject_code
from app.domain.names import name_key
from app.domain.publicity import LetterPublication
from app.domain.subjects import SubjectKind
from app.models import Filing, ReceivingUnit
from app.services.audit import AuditTrail
from app.services.commitments import DocumentNotFound, find_readable_document
from app.stamping.public_copy import is_current_public_copy, is_public_copy, make_public_copy
from app.stamping.signing import DocumentSigner
from app.stamping.types import StampingError
from app.stamping.validation import validate_signatures

PUBLIC_WATERMARK = "公示专用"
PUBLIC_COPY_TITLE = "信用承诺书（公示文本）"
PUBLIC_COPY_SIGNATURE_REASON = "凌源市信用文书服务公示副本"
STATUS_LABELS = {"pending": "待审核", "published": "公示中", "rejected": "已驳回",
                 "revoked": "已撤销"}
MAX_REASON_LEN = 500
FLAG_LABELS = {
    "unsigned": "未见签章：未发现承诺单位的印章（落款处的红色印章）或有效的电子签名，请核对原件",
    "greyscale": "黑白扫描，无法判断印章：文件是黑白（灰度）扫描件，看不出落款处是否有红色印章，"
                 "请核对原件或要求彩色扫描件",
    "not_checked": "未能检查签章：页面无法生成图像，请人工核对印章和签字",
    "number_filed_before": "同一编号的承诺书本单位此前已上传过",
    "number_not_in_file": "未在文件中识别到编号：编号是上传时填写的，文件中的二维码无法识别，"
                          "请核对文件确为该编号的承诺书",
}
"""What intake tells the reviewer (issue 12 §3), by ``Filing.review_flags`` code."""
PERSON_FLAG_LABELS = {
    "unsigned": "未见签章：未发现承诺人的签名和指印（落款处的红色指印）或有效的电子签名，请核对原件",
    "greyscale": "黑白扫描，无法判断指印：文件是黑白（灰度）扫描件，看不出落款处是否按了红色指印，"
                 "请核对原件或要求彩色扫描件",
}
"""A natural person signs and presses a fingerprint (按指印): no 承诺单位, no seal (trial 12 item 7)."""
FLAG_NAMES = {"unsigned": "未见签章", "greyscale": "黑白扫描", "not_checked": "未能检查签章",
              "number_filed_before": "编号曾上传",
              "number_not_in_file": "未见编号"}
"""Short names of the flags, for lists."""
OPEN_STATUSES = ("pending", "published")
"""A letter filed in one of these states may not be filed again (issue 12 §3)."""


@dataclass(frozen=True)
class UploadResult:
    filing: Filing
    created: bool
    """False when the same file had been uploaded before (the existing record is returned)."""
    differences: dict[str, str] = field(default_factory=dict)
    """For a file uploaded before: field -> Chinese message where this upload stated otherwise
    (nothing is changed; the existing record stands)."""


class AlreadyFiled(FieldError):
    """The letter's number is already filed by this unit, pending or published (重复上传)."""

    def __init__(self, number: str, earlier: Filing) -> None:
        super().__init__("document_number", f"编号为{number}的承诺书本单位已上传（上传 #{earlier.id}，"
                         f"{STATUS_LABELS[earlier.status]}），不能重复上传；如需更正，请等待审核驳回后"
                         "在原上传页面点击“上传更正后的文件”")
        self.filing_id = earlier.id


@dataclass(frozen=True)
class SignatureTrust:
    """Whose signatures count as the applicant's signing of an uploaded letter."""

    trust_roots: Sequence[bytes] = ()
    """Certificates signatures are validated against (a signature by another CA still counts when
    intact: an applicant's CA need not be ours)."""
    platform_signers: Sequence[str] = ()
    """The platform's own signer names: the platform's signature is not the applicant's."""


def review_flags(filing: Filing) -> list[dict[str, object]]:
    """``filing``'s flags for the reviewer and the API: code, Chinese message, linked filing."""
    flags = []
    person = filing.subject_kind == SubjectKind.NATURAL_PERSON.value
    for flag in filing.review_flags or []:
        code = str(flag.get("code", ""))
        if code in FLAG_LABELS:
            message = PERSON_FLAG_LABELS.get(code, FLAG_LABELS[code]) if person else FLAG_LABELS[code]
            flags.append({"code": code, "message": message,
                          "filing_id": flag.get("filing_id")})
    return flags


def issued_letter_fields(session: Session, number: object, cipher: PiiCipher,
                         unit: ReceivingUnit) -> dict[str, str]:
    """The metadata of a letter this service issued, to pre-fill an upload that carries its
    number (printed on the letter and in its QR code); empty when unknown.

    Only a letter addressed to the uploading ``unit`` pre-fills (issue 10 §1): any PDF or form
    can carry any number, and the pre-filled fields (the full name and ID number among them)
    would otherwise hand another unit's applicant data to whoever uploads. A letter addressed
    elsewhere is treated exactly as an unknown number.
    """
    if not isinstance(number, str) or not number.strip():
        return {}
    try:
        record, _ground = find_readable_document(session, number, Reader(unit_name=unit.name))
    except (FieldError, DocumentNotFound):
        return {}
    from app.services.commitments import request_data

    request = request_data(record.payload, cipher)
    request.pop("receiving_unit", None)
    return {**{k: str(v) for k, v in request.items()}, "document_number": record.number,
            "commitment_date": record.issued_on.isoformat()}


def _letter_number(typed: object, in_file: tuple[str, ...], has_text: bool) -> str | None:
    """The issued letter an upload is: the typed number (it must be one the file carries, when
    the file carries any, and a file with a text layer must carry it: a typed number does not
    make a blank form our letter, trial 12 item 2), else the first number found in the file;
    None when neither is a 信用承诺书 number (a letter made on paper from a blank form). A scan
    whose QR code cannot be read keeps the typed number and is flagged (``number_not_in_file``)."""
    canonical = canonical_letter_number(typed)
    if canonical and in_file and canonical not in in_file:
        raise FieldError("document_number", f"填写的编号{canonical}与文件中的承诺书编号（{in_file[0]}）"
                         "不一致：请上传该编号的承诺书，或改正编号")
    if canonical and not in_file and has_text:
        raise FieldError("document_number", f"文件中未识别到承诺书编号{canonical}：本平台出具的承诺书"
                         "每页都印有编号和二维码，这个文件不是该编号的承诺书（用空白表格手写的承诺书"
                         "没有编号，编号一栏请留空）")
    if canonical:
        return canonical
    return next((n for n in in_file if canonical_letter_number(n)), None)


def file_upload(session: Session, archive: BlobStore, cipher: PiiCipher, *, data: bytes,
                name: str, fields: Mapping[str, object], unit: ReceivingUnit,
                today: date, limits: IntakeLimits, trail: AuditTrail, user_id: int | None = None,
                api_key_id: int | None = None, replaces: Filing | None = None,
                signatures: SignatureTrust | None = None) -> UploadResult:
    """Check, archive and record an uploaded letter; the same file twice from the same unit
    gives one record. Duplicates are per receiving unit (issue 10 §1): bytes another unit filed
    make a record of this unit's own, never an answer about the other unit's filing.

    The letter's number comes from the text layer, else from the QR code in the page pictures (a
    scan). A letter addressed to another unit is refused, one this unit filed and has pending or
    published is refused (``AlreadyFiled``); one without a seal at its signature block or an
    applicant's signature (checked against ``signatures``) is flagged 未见签章 for the reviewer.

    Our own 公示 public copy is refused (``IntakeRejected`` ``public_copy``: it is no signed
    original). Raises ``IntakeRejected`` (the file) or ``FieldErrors`` (the metadata) before anything is
    stored. A new filing is audited and added to the search index; the caller commits.
    """
    facts = inspect_pdf(data, limits)
    if _is_public_copy(session, data, facts.sha256):
        raise IntakeRejected("public_copy")
    stated = {k: v for k, v in fields.items() if v not in (None, "")}
    existing = _own_filing(session, unit, facts.sha256)
    if existing is not None:
        return UploadResult(existing, created=False, differences=_restated(existing, stated, cipher))
    marks = _page_marks(data, facts, signatures)
    in_file = facts.document_numbers or (marks.qr_numbers if marks else ())
    meta = _letter_metadata(session, cipher, unit, stated, in_file, bool(facts.text_sample.strip()),
                            today)
    if replaces is not None:
        _check_correction(replaces, unit, meta, cipher)
    try:
        flags = _earlier_filings(session, unit, meta.document_number, replaces)
    except AlreadyFiled:
        existing = _own_filing(session, unit, facts.sha256)
        if existing is None:
            raise
        return UploadResult(existing, created=False)  # the same file, committed a moment earlier
    if meta.document_number and not in_file:  # a scan whose QR code could not be read
        flags.append({"code": "number_not_in_file"})
    flags += _stamp_flags(data, facts, marks, signatures)
    req = meta.request
    archive.put(data)  # before the row: a failed transaction leaves at most an orphaned blob
    filing = Filing(
        sha256=facts.sha256, original_name=display_file_name(name), size_bytes=facts.size_bytes,
        page_count=facts.page_count, unit_id=unit.id, uploaded_by=user_id, api_key_id=api_key_id,
        subject_kind=req.subject_kind.value, subject_name=req.subject_name,
        subject_code_public=public_subject_code(req.subject_kind, req.subject_code),
        subject_code_hash=cipher.lookup_hash(req.subject_code),
        subject_code_enc=cipher.encrypt(req.subject_code),
        legal_representative=req.legal_representative, matter=req.matter,
        scenario=req.scenario.value, commitment_date=meta.commitment_date,
        document_number=meta.document_number, status="pending",
        replaces_id=replaces.id if replaces else None, review_flags=flags)
    try:
        with session.begin_nested():
            session.add(filing)
    except IntegrityError:  # an identical upload of this unit committed a moment earlier
        existing = _own_filing(session, unit, facts.sha256)
        if existing is None:
            raise
        return UploadResult(existing, created=False)
    trail.record(session, "upload", "filing", filing.id, sha256=filing.sha256,
                 flags=[f["code"] for f in flags])
    _reindex(session, filing)
    return UploadResult(filing, created=True)


def _check_correction(replaces: Filing, unit: ReceivingUnit, meta: FilingMetadata,
                      cipher: PiiCipher) -> None:
    """A correction (更正) files the same letter again: this unit's rejected filing of the same
    承诺书编号 (a paper letter without one: the same subject); never an unrelated letter."""
    if replaces.status != "rejected" or replaces.unit_id != unit.id:
        raise FieldError("replaces", "只能为本单位被驳回的上传提交更正文件")
    if replaces.document_number:
        if meta.document_number != replaces.document_number:
            got = f"编号{meta.document_number}" if meta.document_number else "没有编号"
            raise FieldError("replaces", f"更正文件必须是同一份承诺书：被驳回的上传 #{replaces.id} 是编号"
                             f"{replaces.document_number}的承诺书，本次上传的文件{got}；"
                             "其他承诺书请作为新的上传提交")
    elif meta.document_number or cipher.lookup_hash(meta.request.subject_code) != replaces.subject_code_hash:
        raise FieldError("replaces", f"更正文件必须是同一份承诺书：本次上传的承诺主体或编号与被驳回的上传 "
                         f"#{replaces.id} 不同；其他承诺书请作为新的上传提交")


def corrections_of(session: Session, filing: Filing) -> list[Filing]:
    """The filings that correct ``filing`` (``replaces_id``), newest first."""
    return list(session.scalars(select(Filing).where(Filing.replaces_id == filing.id)
                                .order_by(Filing.id.desc())))


def _is_public_copy(session: Session, data: bytes, sha256: str) -> bool:
    """One of our 公示 public copies (trial 18): by its bytes, or by what it says it is."""
    return is_public_copy(data) or session.scalar(select(Filing.id).where(
        Filing.public_copy_sha256 == sha256).limit(1)) is not None


def _letter_metadata(session: Session, cipher: PiiCipher, unit: ReceivingUnit,
                     stated: Mapping[str, object], in_file: tuple[str, ...], has_text: bool,
                     today: date) -> FilingMetadata:
    """The filing's metadata: what the clerk typed over what the issued letter says (they must
    agree); a number that is not a letter of ours addressed to ``unit`` is refused."""
    number = _letter_number(stated.get("document_number"), in_file, has_text)
    issued = issued_letter_fields(session, number, cipher, unit) if number else {}
    if number and not issued:
        addressee = _addressee(session, number) if number in in_file else None
        if addressee:  # the file is the letter: its addressee is printed on it (trial 12 item 8)
            raise FieldError("document_number", f"该承诺书（编号{number}）的接受承诺单位是{addressee}，"
                             f"不是本单位（{unit.name}）；请退回申请人，由其交给{addressee}")
        # A number only typed: unknown and addressed-elsewhere read alike (issue 10 §1).
        raise FieldError("document_number", f"编号“{number}”不是本平台出具、接受承诺单位为{unit.name}"
                         "的信用承诺书，本单位不能上传；请核对编号，接受单位不是本单位的请退回申请人")
    meta = parse_filing_metadata({**issued, **stated}, receiving_unit=unit.name, today=today)
    if issued:
        letter = parse_filing_metadata(issued, receiving_unit=unit.name, today=today)
        differences = differences_from_letter(meta.request, letter.request, issued["document_number"])
        if differences:
            raise FieldErrors(differences)
    return meta


def _addressee(session: Session, number: str) -> str | None:
    """The 接受承诺单位 of our letter ``number`` (None when unknown)."""
    from app.services.commitments import find_document

    try:
        return find_document(session, number).receiving_unit
    except (FieldError, DocumentNotFound):
        return None


def _page_marks(data: bytes, facts: PdfFacts, signatures: SignatureTrust | None) -> PageMarks | None:
    """The page pictures' QR numbers (only when the text layer has no number: a scan) and seals;
    nothing to render for a letter with a number in its text and the applicant's signature.
    None when the pages cannot be rendered."""
    read_qr = not facts.document_numbers
    if not read_qr and _signed_by_applicant(data, facts, signatures):
        return PageMarks()
    try:
        return read_page_marks(data, facts.page_count, read_qr=read_qr)
    except PageRenderError:
        return None


def _signed_by_applicant(data: bytes, facts: PdfFacts, signatures: SignatureTrust | None) -> bool:
    """A cryptographically intact signature by someone other than the platform."""
    if signatures is None or not facts.has_signatures:
        return False
    try:
        reports = validate_signatures(data, signatures.trust_roots)
    except (StampingError, ValueError):
        return False
    return any(r.status in ("intact", "unknown_signer") and r.signer not in signatures.platform_signers
               for r in reports)


def _stamp_flags(data: bytes, facts: PdfFacts, marks: PageMarks | None,
                 signatures: SignatureTrust | None) -> list[dict[str, object]]:
    """未见签章 unless a seal mark shows at a signature block or the applicant signed."""
    if marks is None:
        return [] if _signed_by_applicant(data, facts, signatures) else [{"code": "not_checked"}]
    if marks.sealed_pages or _signed_by_applicant(data, facts, signatures):
        return []
    if not facts.text_sample.strip() and images_are_grey(data):  # a grey scan shows no red
        return [{"code": "greyscale"}]
    return [{"code": "unsigned"}]


def _earlier_filings(session: Session, unit: ReceivingUnit, number: str | None,
                     replaces: Filing | None) -> list[dict[str, object]]:
    """Refuse a letter this unit has filed and not closed (pending or published, with a link);
    flag one filed before and rejected or revoked, unless this filing corrects it."""
    if not number:
        return []
    earlier = session.scalars(select(Filing).where(
        Filing.unit_id == unit.id, Filing.document_number == number).order_by(Filing.id.desc())).all()
    for filing in earlier:
        if filing.status in OPEN_STATUSES:
            raise AlreadyFiled(number, filing)
    others = [f for f in earlier if replaces is None or f.id != replaces.id]
    return [{"code": "number_filed_before", "filing_id": others[0].id}] if others else []


def _restated(existing: Filing, stated: Mapping[str, object], cipher: PiiCipher) -> dict[str, str]:
    """What a re-upload of ``existing``'s file states otherwise (``differences_from_filing``)."""
    recorded = {"scenario": existing.scenario, "subject_kind": existing.subject_kind,
                "subject_name": existing.subject_name,
                "legal_representative": existing.legal_representative or "", "matter": existing.matter,
                "commitment_date": existing.commitment_date.isoformat(),
                "document_number": existing.document_number or ""}
    code = stated.get("subject_code")
    code_differs = isinstance(code, str) and cipher.lookup_hash(
        "".join(unicodedata.normalize("NFKC", code).split()).upper()) != existing.subject_code_hash
    return differences_from_filing(stated, recorded, code_differs=code_differs)


def _own_filing(session: Session, unit: ReceivingUnit, sha256: str) -> Filing | None:
    """This unit's filing of exactly these bytes (unique per unit: uq_filings_unit_id_sha256)."""
    return session.scalar(select(Filing).where(Filing.unit_id == unit.id,
                                               Filing.sha256 == sha256))


REJECT_REASON_AUDIENCE = "上传单位"
"""Who reads a rejection reason (the filing's page; never the public site)."""
REVOKE_REASON_AUDIENCE = "上传单位和公众"
"""Who reads a revocation reason (also the verify page and the revoked public record)."""


def _reason(reason: str, audience: str, field: str = "reason") -> str:
    text = " ".join(reason.split())
    if not text:
        raise FieldError(field, f"请填写原因，{audience}将看到这段说明")
    if len(text) > MAX_REASON_LEN:
        raise FieldError(field, f"原因不能超过{MAX_REASON_LEN}个字符")
    return text


def _now() -> datetime:
    return datetime.now(UTC)


def approve(session: Session, archive: BlobStore, filing: Filing, *, reviewer_id: int,
            trail: AuditTrail, signer: DocumentSigner | None = None) -> Filing:
    """待审核 -> 公示中: make the watermarked public copy (units only) and mark older
    commitments of the same subject with another name or legal representative 已更新."""
    if filing.status != "pending":
        raise FieldError("status", f"只有待审核的上传可以通过（当前：{STATUS_LABELS[filing.status]}）")
    if SubjectKind(filing.subject_kind) is not SubjectKind.NATURAL_PERSON:
        # policy 五(三)2 publication; natural persons get no PDF on the public site (§7.2)
        filing.public_copy_sha256 = archive.put(public_copy_of(archive.get(filing.sha256), signer))
    filing.status = "published"
    filing.reviewed_by, filing.reviewed_at = reviewer_id, _now()
    filing.published_at = filing.reviewed_at
    filing.review_reason = None
    session.flush()
    changed = _recompute_supersession(session, filing.subject_code_hash)
    session.flush()
    trail.record(session, "approve", "filing", filing.id, reason=None, supersession_changed=changed)
    _reindex(session, filing)
    return filing


def public_copy_of(original: bytes, signer: DocumentSigner | None = None) -> bytes:
    """The 公示 public copy of an upload: page pictures under our watermark, our metadata only
    (issue 10 §2: nothing of the upload's text layer, metadata, XMP or annotations), signed by the
    platform when ``signer`` is given, so that a copy altered later shows as modified on /verify."""
    copy = make_public_copy(original, watermark=PUBLIC_WATERMARK, title=PUBLIC_COPY_TITLE)
    if signer is None:
        return copy
    return signer.sign(copy, reason=PUBLIC_COPY_SIGNATURE_REASON, location="辽宁省凌源市")


@dataclass(frozen=True)
class RebuildReport:
    """What :func:`rebuild_public_copies` did, filing ids per outcome."""

    rebuilt: tuple[int, ...] = ()
    """Public copies made anew (the old ones were made by drawing over the upload)."""
    current: tuple[int, ...] = ()
    """Already made the current way: left alone."""
    withdrawn: tuple[int, ...] = ()
    """Natural persons that had a public copy: removed (they get none)."""
    failed: tuple[tuple[int, str], ...] = ()
    """(filing id, Chinese reason) of copies that could not be made; the old one stays."""


def rebuild_public_copies(session: Session, archive: BlobStore, *, trail: AuditTrail,
                          signer: DocumentSigner | None = None, force: bool = False) -> RebuildReport:
    """Remake every public copy not made by the current :func:`public_copy_of` (all with ``force``).

    Idempotent: a second run finds every copy current and changes nothing. Published and revoked
    filings alike (copies of revoked ones may still be in circulation and be checked on /verify).
    Each rebuilt or withdrawn copy is audited. The caller commits; failures are reported, not
    raised, so one bad file does not stop the rest.
    """
    rebuilt: list[int] = []
    current: list[int] = []
    withdrawn: list[int] = []
    failed: list[tuple[int, str]] = []
    ids = session.scalars(select(Filing.id).where(Filing.public_copy_sha256.is_not(None))
                          .order_by(Filing.id)).all()
    for filing_id in ids:
        filing = session.get(Filing, filing_id)
        if SubjectKind(filing.subject_kind) is SubjectKind.NATURAL_PERSON:
            filing.public_copy_sha256 = None  # §7.2: never a public PDF of a person
            withdrawn.append(filing.id)
            trail.record(session, "withdraw_public_copy", "filing", filing.id)
            continue
        if not force and _current_copy_in(archive, filing.public_copy_sha256):
            current.append(filing.id)
            continue
        try:
            copy = public_copy_of(archive.get(filing.sha256), signer)
        except StampingError as exc:
            failed.append((filing.id, exc.message))
            continue
        except (BlobNotFound, BlobCorrupt):
            failed.append((filing.id, "原件在档案库中缺失或已损坏"))
            continue
        filing.public_copy_sha256 = archive.put(copy)
        rebuilt.append(filing.id)
        trail.record(session, "rebuild_public_copy", "filing", filing.id)
    session.flush()
    return RebuildReport(tuple(rebuilt), tuple(current), tuple(withdrawn), tuple(failed))


def _current_copy_in(archive: BlobStore, sha256: str) -> bool:
    try:
        return is_current_public_copy(archive.get(sha256))
    except (BlobNotFound, BlobCorrupt):  # gone or damaged: make it again
        return False


def _commitment_order(filing: Filing) -> tuple[date, str, int]:
    """When a commitment was made, for supersession: its date, then (our letters) its number,
    which follows issue order, then its upload. Never the order of approval (issue 12 §3: filing
    an older letter late must not make it the newest)."""
    return filing.commitment_date, filing.document_number or "~", filing.id


def _identity(filing: Filing) -> tuple[str, str]:
    """Name and legal representative as compared (width-folded: ＡＢＣ有限公司 is ABC有限公司)."""
    return name_key(filing.subject_name), name_key(filing.legal_representative or "")


def _supersession_marks(published: Sequence[Filing]) -> dict[int, int | None]:
    """Policy 五(三)2: a change of name or legal representative requires a new commitment; each
    published commitment of a subject is 已更新 by the newest later one under another name or
    legal representative. ``published``: the subject's published filings; returns filing id ->
    the id that supersedes it (None: current). Decided from what is published, so it never forms
    a cycle and follows approvals and revocations alike."""
    ordered = sorted(published, key=_commitment_order)
    marks: dict[int, int | None] = {}
    for index, filing in enumerate(ordered):
        later = [f for f in ordered[index + 1:] if _identity(f) != _identity(filing)]
        marks[filing.id] = later[-1].id if later else None
    return marks


def _published_of(session: Session, subject_code_hash: str) -> list[Filing]:
    return list(session.scalars(select(Filing).where(
        Filing.subject_code_hash == subject_code_hash, Filing.status == "published")))


def _recompute_supersession(session: Session, subject_code_hash: str) -> list[int]:
    """Set each published commitment's 已更新 mark (:func:`_supersession_marks`) of the subject.
    Returns the ids whose mark changed."""
    published = _published_of(session, subject_code_hash)
    marks = _supersession_marks(published)
    changed: list[int] = []
    for filing in published:
        if filing.superseded_by_id != marks[filing.id]:
            filing.superseded_by_id = marks[filing.id]
            changed.append(filing.id)
    return changed


@dataclass(frozen=True)
class ApprovalEffect:
    """What approving a pending filing would do to the 已更新 marks (shown beside 通过)."""

    superseded: tuple[Filing, ...] = ()
    """Published commitments of the same subject that approval marks 已更新 (or points at this
    filing instead of another newer one)."""
    superseded_by: Filing | None = None
    """A published, later commitment under another name or representative that would mark this
    filing 已更新 as soon as it is published (an older letter filed late)."""


def approval_effect(session: Session, filing: Filing) -> ApprovalEffect:
    """The supersession :func:`approve` would decide for ``filing``, computed by the same rule
    (:func:`_supersession_marks`) without changing anything."""
    others = [f for f in _published_of(session, filing.subject_code_hash) if f.id != filing.id]
    marks = _supersession_marks([*others, filing])
    superseded = tuple(sorted((f for f in others if marks[f.id] is not None
                               and marks[f.id] != f.superseded_by_id), key=_commitment_order))
    newer = marks[filing.id]
    return ApprovalEffect(superseded, next((f for f in others if f.id == newer), None))


def reject(session: Session, filing: Filing, *, reviewer_id: int, reason: str,
           trail: AuditTrail) -> Filing:
    if filing.status != "pending":
        raise FieldError("status", f"只有待审核的上传可以驳回（当前：{STATUS_LABELS[filing.status]}）")
    reason = _reason(reason, REJECT_REASON_AUDIENCE)  # before any change: a refused reason leaves it
    filing.status = "rejected"
    filing.review_reason = reason
    filing.reviewed_by, filing.reviewed_at = reviewer_id, _now()
    session.flush()
    trail.record(session, "reject", "filing", filing.id, reason=reason)
    return filing


def revoke(session: Session, filing: Filing, *, reviewer_id: int, reason: str,
           trail: AuditTrail) -> Filing:
    """公示中 -> 已撤销: leaves the public site at once, stays in the archive. Commitments it had
    marked 已更新 are published again, unless another published one supersedes them (issue 12 §3:
    supersession follows what is published)."""
    if filing.status != "published":
        raise FieldError("status", "只有公示中的承诺书可以撤销")
    reason = _reason(reason, REVOKE_REASON_AUDIENCE)  # before any change: a refused reason leaves it
    filing.status = "revoked"
    filing.revoked_reason = reason
    filing.revoked_at = _now()
    filing.superseded_by_id = None
    session.flush()
    restored = _recompute_supersession(session, filing.subject_code_hash)
    session.flush()
    trail.record(session, "revoke", "filing", filing.id, reason=reason, supersession_changed=restored)
    _reindex(session, filing)
    return filing


def letter_publication(session: Session, document_number: str) -> LetterPublication:
    """Where letter ``document_number`` stands on the public site, from its filings (the one
    source for the verify page and ``GET /api/v1/documents/{number}``): published (or 已更新 by
    a newer commitment), pending review, publication revoked (with the office's public reason),
    else not published (never filed, or rejected: the rejection reason is the uploader's)."""
    filings = session.scalars(select(Filing).where(Filing.document_number == document_number)
                              .order_by(Filing.id.desc())).all()
    by_status: dict[str, Filing] = {}
    for filing in filings:
        by_status.setdefault(filing.status, filing)
    if (published := by_status.get("published")) is not None:
        if published.superseded_by_id:
            return LetterPublication("superseded", published.superseded_by_id)
        return LetterPublication("published", published.id)
    if "pending" in by_status:
        return LetterPublication("pending")
    if (revoked := by_status.get("revoked")) is not None:
        return LetterPublication("publication_revoked", reason=revoked.revoked_reason)
    return LetterPublication("not_published")


def revoked_publication(session: Session, filing_id: int) -> Filing | None:
    """Filing ``filing_id`` when its publication was revoked (its public page says so)."""
    filing = session.get(Filing, filing_id)
    return filing if filing is not None and filing.status == "revoked" else None


MAX_PERSON_MATCHES = 50


def find_persons_by_full_name(session: Session, name: str, *, statuses: tuple[str, ...] | None,
                              unit_id: int | None, trail: AuditTrail) -> list[Filing]:
    """Staff search of natural persons by their full name (trial: the index holds only the masked
    张**, so staff could not find 张三丰). For staff who may see ID numbers
    (``app.domain.access.may_see_id_numbers``): the caller checks. The exact name as typed or
    width-folded (ＡＢＣ = ABC); newest first, at most ``MAX_PERSON_MATCHES``. A search that finds
    someone reveals who filed what: it is audited (``search_person_name``, the filings found),
    like a page picture; the caller commits."""
    typed = unicodedata.normalize("NFC", name.strip())
    if len(typed) < 2 or len(typed) > 100:
        return []
    found = list(session.scalars(select(Filing).where(
        Filing.subject_kind == SubjectKind.NATURAL_PERSON.value,
        Filing.subject_name.in_(sorted({typed, unicodedata.normalize("NFKC", typed)})),
        *([Filing.status.in_(statuses)] if statuses is not None else []),
        *([Filing.unit_id == unit_id] if unit_id is not None else []),
    ).order_by(Filing.id.desc()).limit(MAX_PERSON_MATCHES)))
    if found:
        trail.record(session, "search_person_name", "filing", found[0].id,
                     filing_ids=[f.id for f in found])
    return found


def search_entry(filing: Filing) -> FilingEntry:
    """The values of ``filing`` that the search index keeps (the archive takes no ORM rows)."""
    return FilingEntry(
        id=filing.id, status=filing.status, unit_id=filing.unit_id, scenario=filing.scenario,
        subject_kind=filing.subject_kind, commitment_date=filing.commitment_date,
        subject_name=filing.subject_name, subject_code_public=filing.subject_code_public,
        matter=filing.matter)


def _reindex(session: Session, filing: Filing) -> None:
    unit_name = session.scalar(select(ReceivingUnit.name).where(ReceivingUnit.id == filing.unit_id))
    search_index_for(session).add_to_index(session, search_entry(filing), unit_name or "")

