"""What the public sees (公示, 核验): pure projections of issued documents and published filings.

No ID numbers, masked personal names; 信用报告 stay confidential (policy 四(二)). The web layer
looks up the issuer's name and passes it in; these functions read only the attributes named in
their protocols.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from app.domain.commitments import Scenario
from app.domain.credit_check import Category, Purpose
from app.domain.credit_check.windows import publicity_window
from app.domain.credit_records import CreditRecord, RecordType
from app.domain.dates import to_beijing
from app.domain.masking import mask_person_name, public_subject_name, shown_subject_code
from app.domain.numbers import file_number
from app.domain.report_kinds import REPORT_KINDS, REPORT_STATUS, ReportKind
from app.domain.scenario_labels import KIND_LABELS, SCENARIO_LABELS
from app.domain.subjects import SubjectKind
from app.domain.urls import verify_url

LETTER_STATUS_LABELS = {
    "published": "有效（已公示）",
    "superseded": "已更新",
    "pending": "已出具，尚未公示（接受承诺单位已上传，待审核）",
    "not_published": "已出具，未公示（尚未备案）",
    "publication_revoked": "已撤销公示",
    "revoked": "已撤销",
}
"""A 信用承诺书's public status (verify page and API), from its issued record and its filings."""
LETTER_STATUS_NOTES = {
    "published": "接受承诺单位已备案，信用管理部门已审核公示。",
    "superseded": "主体名称或法定代表人已变更并重新作出承诺，本承诺的公示已由新的承诺取代。",
    "pending": "接受承诺单位已上传本承诺书，信用管理部门尚未审核；审核通过后公示。",
    "not_published": "本平台出具了这份承诺书，但接受承诺单位尚未上传备案（或上传未通过审核），"
                     "目前没有公示。承诺书是否被接受，请向接受承诺单位核实。",
    "publication_revoked": "该承诺书曾经公示，现已由信用管理部门撤销公示，不再作为有效承诺公示。",
    "revoked": "该承诺书已撤销。",
}
"""One sentence per status, for a citizen who scanned the QR code."""


@dataclass(frozen=True)
class LetterPublication:
    """Where a 信用承诺书 stands on the public site (公示), as decided by
    ``app.services.filings.letter_publication``."""

    status: str
    """A key of :data:`LETTER_STATUS_LABELS` other than ``revoked``."""
    filing_id: int | None = None
    """The public record (/public/commitments/{id}) while published, or the newer one that
    superseded it."""
    reason: str | None = None
    """The credit office's public reason for revoking the publication."""


class IssuedLetter(Protocol):
    number: str
    subject_kind: str
    subject_name: str
    subject_code_public: str
    scenario: str
    receiving_unit: str
    issued_on: date
    status: str
    sha256: str
    template_version: str


class IssuedCheck(Protocol):
    number: str
    subject_kind: str
    subject_name: str
    subject_code_public: str
    purpose: str
    category: str
    as_of: date
    issued_on: date
    sha256: str
    template_version: str


class IssuedReport(Protocol):
    number: str
    kind: str
    subject_name: str
    subject_code: str
    grade: str | None
    issue_date: date
    valid_until: date | None
    status: str
    sha256: str | None
    template_version: str


class PublishedFiling(Protocol):
    id: int
    subject_kind: str
    subject_name: str
    subject_code_public: str
    legal_representative: str
    matter: str
    scenario: str
    commitment_date: date
    published_at: datetime | None
    superseded_by_id: int | None
    public_copy_sha256: str | None


class BreachRecord(Protocol):
    source_department: str
    decision_number: str
    decided_on: date
    valid_until: date | None
    severity: str | None
    repaired_on: date | None


BREACH_DEFAULT_SEVERITY = "一般"
"""A 违诺 recorded before breaches carried a severity is shown with the shorter window of 一般
(3 months to 1 year): publishing less is the safe side for the subject."""


def public_breaches(rows: Iterable[BreachRecord], *, today: date) -> list[dict[str, object]]:
    """The 违诺 of a commitment that may be shown on its public verify page (issue 14 §4).

    Only what the publicity rules allow (domain-rules §7, §8): records inside their publication
    window (信用修复管理办法: 轻微 not published, 一般 ≤ 1 year, 严重 ≤ 3 years from 认定之日),
    not repaired (修复 ends publication at once); the recording unit, the date, the decision
    number and the severity, never the subject's code, the description or anyone's name.
    """
    shown = []
    for row in rows:
        if row.repaired_on is not None and row.repaired_on <= today:
            continue
        severity = row.severity or BREACH_DEFAULT_SEVERITY
        window = publicity_window(CreditRecord(
            record_type=RecordType.BREACH, subject_code="", subject_name="",
            source_department=row.source_department, decision_number=row.decision_number,
            decided_on=row.decided_on, valid_until=row.valid_until, severity=severity))
        if not window.publish or (window.auto_stop is not None and today >= window.auto_stop):
            continue
        shown.append({
            "decided_on": row.decided_on.isoformat(),
            "unit": row.source_department,
            "decision_number": row.decision_number,
            "severity": severity,
            "publicity_until": (window.auto_stop - timedelta(days=1)).isoformat()
            if window.auto_stop else None,
        })
    return shown


def public_letter(record: IssuedLetter, *, base_url: str,
                  publication: LetterPublication,
                  breaches: list[dict[str, object]] | None = None) -> dict[str, object]:
    """The public view of a 信用承诺书 (verify page, ``GET /api/v1/documents/{number}``).

    ``publication``: what became of the letter's filing (policy 五(三)2): published, superseded
    by a newer commitment of the same subject (with a link, issue 12 §3), pending, never filed
    (or rejected: the reviewer's reason is for the uploader only), or its publication revoked
    (with the office's public reason). A letter revoked itself stays 已撤销.
    """
    kind = SubjectKind(record.subject_kind)
    status = "revoked" if record.status == "revoked" else publication.status
    linked = publication.filing_id if status in ("published", "superseded") else None
    return {
        "number": record.number,
        "document_type": "信用承诺书",
        "subject_kind": kind.value,
        "subject_kind_label": kind.label,
        "subject_name": public_subject_name(kind, record.subject_name),
        "subject_code": shown_subject_code(record.subject_kind, record.subject_code_public),
        "scenario": record.scenario,
        "scenario_label": Scenario(record.scenario).label,
        "receiving_unit": record.receiving_unit,
        "issued_on": record.issued_on.isoformat(),
        "status": status,
        "status_label": LETTER_STATUS_LABELS[status],
        "status_note": LETTER_STATUS_NOTES[status],
        **({"superseded_by_filing": linked} if status == "superseded" else {}),
        **({"public_filing": linked} if status == "published" else {}),
        **({"revoked_reason": publication.reason}
           if status == "publication_revoked" and publication.reason else {}),
        **({"breaches": breaches} if breaches else {}),
        "sha256": record.sha256,
        "template_version": record.template_version,
        "verify_url": verify_url(base_url, record.number),
    }


def public_check(record: IssuedCheck, *, issuer: str, base_url: str, addressee: str = "",
                 code_ok: bool = False) -> dict[str, object]:
    """The public view of a 信用核查结果告知书; ``issuer`` and ``addressee`` (主送) are the
    issuing and the requesting unit's names.

    Issue 14 §2: a certificate's content is for the requesting department and whoever holds its
    验证码. Without (``code_ok`` False: a number is all the reader has, and numbers can be counted
    through) the view confirms only that the number exists and that the certificate is valid:
    no subject, purpose, conclusion, issuer or date. With it (``code_ok``: the reader presented
    the code, or may read it by ``app.domain.access.certificate_access``): the content, the
    subject's name masked for a natural person and no ID number (domain-rules §5.3, §7.2)."""
    minimal: dict[str, object] = {
        "number": record.number, "document_type": "信用核查结果告知书",
        "status": "valid", "status_label": "有效",
        "verify_url": verify_url(base_url, record.number),
    }
    if not code_ok:
        return minimal
    person = record.subject_kind == "natural_person"
    return {
        **minimal,
        "file_number": file_number(record.number),
        "subject_kind": record.subject_kind,
        "subject_kind_label": "自然人" if person else "法人及非法人组织",
        "subject_name": mask_person_name(record.subject_name) if person else record.subject_name,
        "subject_code": shown_subject_code(record.subject_kind, record.subject_code_public),
        "purpose": record.purpose, "purpose_label": Purpose(record.purpose).label,
        "category": record.category, "category_label": Category(record.category).label,
        "as_of": record.as_of.isoformat(),
        "issuer": issuer, "addressee": addressee or None,
        "issued_on": record.issued_on.isoformat(), "sha256": record.sha256,
        "template_version": record.template_version,
    }


def public_report(record: IssuedReport, *, issuer: str, base_url: str, today: date) -> dict[str, object]:
    """The public view of an agency report; a 信用报告 names neither its subject nor its result
    (四(二): for the commissioning department only: ``subject_name`` is None). An approved
    rating past its 有效期至 shows as 已过期 (``valid_until`` is the last valid day; a scaffold,
    no report yet, shows none)."""
    confidential = record.kind == ReportKind.DECISION
    expired = bool(record.valid_until and record.valid_until < today)
    return {
        "number": record.number, "document_type": REPORT_KINDS[record.kind],
        "subject_kind": "organisation", "subject_kind_label": "企业",
        "subject_name": None if confidential else record.subject_name,
        "subject_code": "" if confidential else record.subject_code,
        "issuer": issuer, "grade": None if confidential else record.grade,
        "issued_on": record.issue_date.isoformat(),
        # a scaffold is no report yet: no validity to show (the rating's year starts on approval)
        "valid_until": (record.valid_until.isoformat()
                        if record.valid_until and record.status != "scaffold" else None),
        "status": "expired" if expired and record.status == "approved" else record.status,
        "status_label": "已过期" if expired and record.status == "approved"
        else REPORT_STATUS[record.status],
        "sha256": record.sha256, "template_version": record.template_version,
        "verify_url": verify_url(base_url, record.number),
    }


def public_filing(f: PublishedFiling, unit_name: str) -> dict[str, Any]:
    """What the public sees of a published commitment: no ID number, masked personal names;
    a natural person's has no code, no representative and no public copy."""
    kind = SubjectKind(f.subject_kind)
    person = kind is SubjectKind.NATURAL_PERSON
    return {
        "id": f.id,
        "subject_kind": f.subject_kind,
        "subject_kind_label": KIND_LABELS[f.subject_kind],
        "subject_name": public_subject_name(kind, f.subject_name),
        "subject_code": shown_subject_code(f.subject_kind, f.subject_code_public),
        "legal_representative": None if person else f.legal_representative,
        "matter": f.matter,
        "scenario": f.scenario,
        "scenario_label": SCENARIO_LABELS[f.scenario],
        "receiving_unit": unit_name,
        "commitment_date": f.commitment_date.isoformat(),
        "published_at": to_beijing(f.published_at).date().isoformat() if f.published_at else None,
        "status": "superseded" if f.superseded_by_id else "published",
        "status_label": "已更新" if f.superseded_by_id else "公示中",
        "public_copy": bool(f.public_copy_sha256) and not person,
    }
