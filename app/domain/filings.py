"""Metadata of an uploaded, stamped commitment letter (policy 五(三)2), validated."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.commitments import CommitmentRequest, parse_commitment_request
from app.domain.errors import FieldError, FieldErrors
from app.domain.names import name_key
from app.domain.numbers import DocumentType, format_document_number, parse_document_number
from app.domain.scenario_labels import KIND_LABELS, SCENARIO_LABELS

EARLIEST_COMMITMENT = date(2019, 1, 1)
"""The policy took effect in 2019-2020; earlier commitment dates are typing errors."""


@dataclass(frozen=True)
class FilingMetadata:
    """What the receiving unit states about the letter it uploads."""

    request: CommitmentRequest
    commitment_date: date
    document_number: str | None
    """The issued letter's number (LYXY-CN-...), when the letter came from this service."""


def _parse_date(raw: object, today: date) -> date:
    if not isinstance(raw, str) or not raw.strip():
        raise FieldError("commitment_date", "请填写承诺日期")
    text = raw.strip().replace("年", "-").replace("月", "-").replace("日", "").replace("/", "-")
    try:
        value = date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise FieldError("commitment_date", f"承诺日期“{raw}”无效，请按2026-11-29的格式填写") from None
    if value > today + timedelta(days=1):
        raise FieldError("commitment_date", "承诺日期不能晚于今天")
    if value < EARLIEST_COMMITMENT:
        raise FieldError("commitment_date", f"承诺日期不能早于{EARLIEST_COMMITMENT.year}年")
    return value


def _parse_number(raw: object) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise FieldError("document_number", "承诺书编号应为文本")
    doc_type, year, serial = parse_document_number(raw)
    if doc_type is not DocumentType.CN:
        raise FieldError("document_number", "该编号不是信用承诺书编号（应以LYXY-CN-开头）")
    return format_document_number(doc_type, year, serial)


def parse_filing_metadata(data: Mapping[str, object], *, receiving_unit: str,
                          today: date) -> FilingMetadata:
    """Validate every field and report all problems at once (``FieldErrors``)."""
    errors: dict[str, str] = {}
    request = None
    try:
        request = parse_commitment_request({**data, "receiving_unit": receiving_unit})
    except FieldErrors as exc:
        errors.update(exc.fields)
    commitment_date = number = None
    try:
        commitment_date = _parse_date(data.get("commitment_date"), today)
    except FieldError as exc:
        errors[exc.field] = exc.message
    try:
        number = _parse_number(data.get("document_number"))
    except FieldError as exc:
        errors["document_number"] = exc.message
    if errors:
        raise FieldErrors(errors)
    assert request is not None and commitment_date is not None
    return FilingMetadata(request=request, commitment_date=commitment_date, document_number=number)


COMPARED_FIELDS = {
    "scenario": "承诺适用情形",
    "subject_kind": "承诺主体类型",
    "subject_name": "承诺主体名称",
    "subject_code": "统一社会信用代码/身份证号码",
    "legal_representative": "法定代表人（负责人）",
    "matter": "承诺事项",
}
"""What an upload states that must agree with the issued letter it carries (policy 五(三)2: the
unit files the letter the applicant made, it does not restate it)."""


NAME_FIELDS = frozenset({"subject_name", "legal_representative"})
"""Compared by ``name_key``: width does not count."""
RESTATED_LABELS = {**COMPARED_FIELDS, "commitment_date": "承诺日期", "document_number": "承诺书编号"}
"""Fields a unit states with an upload, by their Chinese labels."""


def _comparable(field: str, value: object) -> str:
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    if field == "document_number":
        return canonical_letter_number(text) or text.upper()
    return text


def differences_from_filing(stated: Mapping[str, object], recorded: Mapping[str, str],
                            *, code_differs: bool) -> dict[str, str]:
    """Field -> Chinese message for each value stated with a file this unit had filed before that
    differs from the existing record (issue 12 §3: a re-upload never silently answers with the old
    record). ``recorded`` holds the record's values as text; the ID number is compared by the
    caller (``code_differs``) and never echoed."""
    out: dict[str, str] = {}
    if code_differs:
        out["subject_code"] = f"{RESTATED_LABELS['subject_code']}与已有记录不同"
    for field, value in stated.items():
        if field not in recorded or value in (None, ""):
            continue
        if _comparable(field, value) != _comparable(field, recorded[field]):
            out[field] = (f"{RESTATED_LABELS[field]}：已有记录为“{_shown(field, recorded[field])}”，"
                          f"本次填写为“{_shown(field, value)}”")
    return out


ECHO_MAX_CHARS = 40
"""Most characters of a typed value echoed in a message (trial 12 item 9: a 300-digit number)."""


def _shown(field: str, value: object) -> str:
    """A value as a clerk reads it: the Chinese label of a code (project_approval -> 项目审批),
    typed text without control characters and cut to :data:`ECHO_MAX_CHARS`."""
    labels = {"scenario": SCENARIO_LABELS, "subject_kind": KIND_LABELS}.get(field, {})
    text = str(value)
    if text in labels:
        return labels[text]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= ECHO_MAX_CHARS else text[:ECHO_MAX_CHARS] + "…"


def canonical_letter_number(raw: object) -> str | None:
    """``raw`` as a canonical 信用承诺书 number (LYXY-CN-…), or None when it is not one."""
    try:
        return _parse_number(raw)
    except FieldError:
        return None


def differences_from_letter(stated: CommitmentRequest, issued: CommitmentRequest,
                            number: str) -> dict[str, str]:
    """Field -> Chinese message for each stated value that differs from the issued letter's.

    The ID number is never echoed (the message only says that it differs)."""
    out: dict[str, str] = {}
    for field, label in COMPARED_FIELDS.items():
        mine, theirs = getattr(stated, field), getattr(issued, field)
        if mine == theirs or field in NAME_FIELDS and name_key(mine or "") == name_key(theirs or ""):
            continue  # a name typed full-width is its half-width twin (issue 12 §5)
        shown = "" if field == "subject_code" else f"：承诺书上为“{getattr(theirs, 'label', theirs)}”"
        out[field] = f"{label}与承诺书（{number}）不一致{shown}；请按承诺书填写，或留空由系统自动填写"
    return out


def receipt_number(filing_id: int) -> str:
    """收件编号 of a filing, printed in the receiving unit's 收件章 and shown on the filing's page
    ("SJ000012" is upload #12: SJ for 收件)."""
    return f"SJ{filing_id:06d}"
