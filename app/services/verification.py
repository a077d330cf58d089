"""Checking a PDF someone holds: is it exactly a file we issued, stamped or published; do its signatures hold?

Every file first passes the intake gate (:func:`app.archive.intake.inspect_pdf`, which raises
``IntakeRejected``); after that the answer is always a verdict, never an exception (issue 10 §2):

``issued``       byte for byte a document we issued (letter, 信用核查结果告知书, agency report);
``stamped``      byte for byte the result of a stamp job (盖章签名后的版本);
``public_copy``  byte for byte one of our 公示 public copies (本站公示副本);
``filed``        byte for byte a letter a receiving unit filed (上传备案的原件, trial 12 item 10);
``sample``       byte for byte one of the signed demo files of samples/, on an instance that
                 loaded the samples (``flask load-samples`` recorded their hashes) but holds no
                 record of that file (示例文件，仅供演示);
``modified``     none of these, but the file carries one of our document numbers (text or link)
                 or a signature that chains to our trust roots: changed, or printed and scanned;
``unknown``      nothing of ours.

What the answer reveals is what is public already: the number printed on the file, the status of
a public copy (公示中 / 已更新 / 已撤销) and, while published, its public record. Nothing about a
revoked or unpublished filing beyond that, and no text of a library's exception.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.archive.intake import IntakeLimits, PdfFacts, inspect_pdf
from app.models import AgencyReport, CreditCheck, Filing, IssuedDocument, StampJob
from app.stamping.validation import SignatureReport, validate_signatures

log = logging.getLogger(__name__)

MATCHES = ("issued", "stamped", "public_copy", "filed", "sample", "modified", "unknown")
"""Every value of ``match`` in the answer."""

PUBLIC_COPY_STATUS_LABELS = {"published": "公示中", "superseded": "已更新", "revoked": "已撤销",
                             "not_published": "尚未公示"}
SAMPLE_CA_LABEL = "示例签章证书（仅供演示）"
"""How the verify page names the sample CA of samples/, trusted only where the samples were loaded."""
SAMPLE_MESSAGE = "这是本平台的示例文件（仅供演示），与发布时完全一致"
_SIGNATURES_UNREADABLE = "文件中的签名数据无法解析，未能校验签名"


def check_file(session: Session, pdf: bytes, trust_roots: Sequence[bytes],
               number: str | None = None, *, limits: IntakeLimits,
               verify_url_prefix: str | None = None, our_signers: Sequence[str] = (),
               sample_roots: Sequence[bytes] = (),
               sample_files: Collection[str] = ()) -> dict[str, Any]:
    """The verdict on ``pdf``: which of our files it is (``match``), a Chinese ``message``, signatures.

    :param session: database session (read only).
    :param pdf: the uploaded file.
    :param trust_roots: certificates our signatures chain to.
    :param number: the 文书编号 of the verification page the file was uploaded to: adds
        ``matches_number`` (the file is that document as issued, stamped or as its public copy)
        and a message about that number.
    :param limits: the intake gate's limits.
    :param verify_url_prefix: our verification address (``https://…/verify/``): a link to it in the
        file marks it as one of ours.
    :param our_signers: the platform signer's name(s): a signature in that name marks the file as
        ours even when the signature no longer verifies (pyHanko does not judge the signer's chain
        once the signed bytes changed); a forger's certificate in our name is flagged the same way.
    :param sample_roots: the sample CA of samples/ when this instance loaded the samples
        (``flask load-samples``; :func:`app.services.samples.trusted_sample_roots`): on a file
        this instance holds byte for byte (issued, stamped, public copy, filed), a signature that
        does not chain to ``trust_roots`` but to one of these is shown valid, labelled
        :data:`SAMPLE_CA_LABEL` (``sample_ca``); on any other file they count for nothing (the
        sample CA's key is public). Empty on an instance without samples.
    :param sample_files: SHA-256 of the signed files of samples/ as loaded
        (:func:`app.services.samples.trusted_sample_files`): such a file that the instance holds
        no record of answers ``sample``, its signatures judged with ``sample_roots`` as above.
    :returns: ``sha256``, ``match`` (one of :data:`MATCHES`), ``message``, ``document_number``,
        ``issued_document``, ``stamped_by_platform``, ``signatures``, ``public_copy`` (status of the
        public copy, or None) and, with ``number``, ``matches_number``.
    :raises IntakeRejected: the gate refused the file (its ``message`` is for the user).
    :raises IntakeUnavailable: the gate cannot run.
    """
    facts = inspect_pdf(pdf, limits)
    digest = facts.sha256
    issued, stamped, public_copy, filed = _held(session, digest)
    # The sample CA's key is public (README): it vouches only for a file this instance holds byte
    # for byte (a loaded sample), never for anything else signed with it.
    held = bool(issued or stamped is not None or public_copy is not None or filed is not None)
    sample = not held and bool(sample_roots) and digest in sample_files
    signatures, signature_problem = _signatures(pdf, trust_roots,
                                                sample_roots if held or sample else ())
    match, matched_number = _match(issued, stamped, public_copy, filed)
    if sample:
        match = "sample"
        matched_number = facts.document_numbers[0] if facts.document_numbers else None
    elif match is None:
        ours = _our_marks(facts, signatures, verify_url_prefix, our_signers)
        match = "modified" if ours else "unknown"
        matched_number = facts.document_numbers[0] if facts.document_numbers else None
    result: dict[str, Any] = {
        "sha256": digest,
        "match": match,
        "message": _message(match, matched_number, public_copy or filed, number),
        "issued_document": issued,
        "stamped_by_platform": stamped is not None,
        "document_number": matched_number,
        "public_copy": public_copy,
        "filed": filed,
        "signatures": [{
            "field_name": r.field_name, "signer": r.signer,
            "signing_time": r.signing_time.isoformat() if r.signing_time else None,
            "status": r.status, "trusted": r.trusted, "summary": r.summary_zh,
            "level": r.level, "level_zh": r.level_zh, "sample_ca": r.sample_ca,
        } for r in signatures],
    }
    if signature_problem:
        result["signature_problem"] = signature_problem
    if number is not None:
        result["matches_number"] = (match in ("issued", "stamped", "public_copy", "filed", "sample")
                                    and matched_number == number)
    return result


def _held(session: Session, digest: str) -> tuple[str | None, Any, dict[str, Any] | None,
                                                  dict[str, Any] | None]:
    """What this instance holds with this hash: an issued document's number, a stamp job, a
    filing's public copy, a filed file (each later one looked up only when no earlier one is)."""
    issued = (session.scalar(select(IssuedDocument.number).where(IssuedDocument.sha256 == digest))
              or session.scalar(select(CreditCheck.number).where(CreditCheck.sha256 == digest))
              or session.scalar(select(AgencyReport.number).where(AgencyReport.sha256 == digest)))
    stamped = session.execute(select(StampJob.id, StampJob.document_number)
                              .where(StampJob.result_sha256 == digest).limit(1)).first()
    public_copy = None if issued or stamped else _public_copy(session, digest)
    filed = (None if issued or stamped or public_copy is not None
             else _public_copy(session, digest, column=Filing.sha256))
    return issued, stamped, public_copy, filed


def _match(issued: str | None, stamped: Any, public_copy: dict[str, Any] | None,
           filed: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """(match, document number) for a file we hold; (None, None) for one we do not."""
    if issued:
        return "issued", issued
    if stamped is not None:
        return "stamped", stamped.document_number
    if public_copy is not None:
        return "public_copy", public_copy.pop("document_number")
    if filed is not None:
        return "filed", filed.pop("document_number")
    return None, None


def _public_copy(session: Session, digest: str, column: Any = Filing.public_copy_sha256
                 ) -> dict[str, Any] | None:
    """The filing whose public copy (or, with ``column=Filing.sha256``, whose filed file) has this
    hash, a published one first, as much as is public: a filing never published reads
    ``not_published`` (a rejection is the uploader's business)."""
    filing = session.scalars(
        select(Filing).where(column == digest)
        .order_by(case((Filing.status == "published", 0), else_=1), Filing.id.desc()).limit(1)).first()
    if filing is None:
        return None
    if filing.status == "published":
        status = "superseded" if filing.superseded_by_id else "published"
    elif filing.status == "revoked":
        status = "revoked"
    else:  # pending or rejected (only a filed file: a public copy exists once approved)
        status = "not_published"
    found: dict[str, Any] = {"status": status, "status_label": PUBLIC_COPY_STATUS_LABELS[status],
                             "document_number": filing.document_number}
    if filing.status == "published":  # its public record is on the public site
        found["filing_id"] = filing.id
    return found


def _signatures(pdf: bytes, trust_roots: Sequence[bytes], sample_roots: Sequence[bytes] = ()
                ) -> tuple[list[SignatureReport], str | None]:
    try:
        reports = validate_signatures(pdf, trust_roots)
        if sample_roots and any(r.status == "unknown_signer" for r in reports):
            reports = _with_sample_ca(reports, validate_signatures(pdf, sample_roots))
        return reports, None
    except Exception:  # untrusted input: pyHanko may fail in any way; its text is not for users
        log.warning("signature validation failed on an uploaded file", exc_info=True)
        return [], _SIGNATURES_UNREADABLE


def _with_sample_ca(reports: list[SignatureReport], by_sample: list[SignatureReport]
                    ) -> list[SignatureReport]:
    """``reports`` where a signature of an unknown signer is valid under the sample CA: that
    one, labelled as the samples' demo certificate (never the platform's own)."""
    sample = {r.field_name: r for r in by_sample if r.status == "intact" and r.trusted}
    out = []
    for r in reports:
        s = sample.get(r.field_name) if r.status == "unknown_signer" else None
        out.append(r if s is None else replace(
            s, sample_ca=True, summary_zh=f"{s.summary_zh}（签名证书为{SAMPLE_CA_LABEL}）"))
    return out


def _our_marks(facts: PdfFacts, signatures: list[SignatureReport], verify_url_prefix: str | None,
               our_signers: Sequence[str]) -> bool:
    """Whether the file claims to be ours: one of our numbers, a link to our verify page, our signature."""
    if facts.document_numbers or any(r.trusted or r.signer in our_signers for r in signatures):
        return True
    return bool(verify_url_prefix) and any(u.startswith(verify_url_prefix) for u in facts.verify_urls)


def _message(match: str, matched: str | None, public_copy: dict[str, Any] | None,
             number: str | None) -> str:
    no = f"（编号{matched}）" if matched else ""
    if match in ("issued", "stamped", "public_copy", "filed") and number is not None \
            and matched != number:
        what = {"issued": "出具的文书", "stamped": "盖章签名后的文件", "public_copy": "公示副本",
                "filed": "收到的上传备案文件"}[match]
        other = f"编号{matched}" if matched else "其他文件"
        return f"与本编号的文书不一致：该文件是本平台{what}，但对应{other}，不是本编号的文书"
    if match == "issued":
        return f"与本平台出具的文书完全一致{no}"
    if match == "sample":
        return SAMPLE_MESSAGE
    if match == "stamped":  # one pair of brackets (trial 12 item 10)
        return f"与本平台出具的文书完全一致（盖章签名后的版本{'，编号' + matched if matched else ''}）"
    if match == "filed":
        return _filed_message(matched, (public_copy or {}).get("status", "not_published"))
    if match == "public_copy":
        status = (public_copy or {}).get("status", "published")
        which = f"，对应编号{matched}" if matched else ""
        if status == "revoked":
            return f"本站公示副本{which}；该公示已撤销，不再有效"
        note = "（该承诺已有更新的公示）" if status == "superseded" else ""
        return (f"本站公示副本{which}，{PUBLIC_COPY_STATUS_LABELS[status]}{note}。"
                "公示副本仅供公众查阅，不能代替原件")
    if match == "modified":
        claim = f"文件载有本站文书编号{matched}，但" if matched else "文件带有本站的编号或签名，但"
        return (f"与本平台存档的文件不一致：{claim}与本站出具、盖章或公示的任何文件都不完全相同，"
                "文件已被修改（打印后扫描的件也会如此），请以本平台出具的文件为准")
    if number is not None:
        return "与出具的文书不一致：本平台没有出具、盖章或公示过该文件"
    return "本平台没有出具、盖章或公示过该文件（如为打印后扫描的件，请按文书编号查询核验）"


def _filed_message(matched: str | None, status: str) -> str:
    """The answer for a file a receiving unit filed, by its publication status."""
    which = f"（编号{matched}）" if matched else ""
    head = f"与接受承诺单位上传备案的承诺书原件完全一致{which}"
    if status == "revoked":
        return f"{head}；该承诺的公示已撤销，不再有效"
    if status == "not_published":
        return f"{head}，尚未公示"
    note = "（该承诺已有更新的公示）" if status == "superseded" else ""
    return f"{head}，{PUBLIC_COPY_STATUS_LABELS[status]}{note}"
