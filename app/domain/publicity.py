"""What the public sees (公示, 核验): pure projections of issued documents and published filings.

No ID numbers, masked personal names; 信用报告 stay confidential (policy 四(二)). The web layer
looks up the issuer's name and passes it in; these functions read only the attributes named in
their protocols.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Protocol

from app.domain.commitments import Scenario
from app.domain.credit_check import Category, Purpose
from app.domain.dates import to_beijing
from app.domain.masking import mask_person_name, public_subject_name, shown_subject_code
from app.domain.report_kinds import REPORT_KINDS, REPORT_STATUS, ReportKind
from app.domain.scenario_labels import KIND_LABELS, SCENARIO_LABELS
from app.domain.subjects import SubjectKind
from app.domain.urls import verify_url

LETTER_STATUS_LABELS = {"valid": "有效", "revoked": "已撤销", "superseded": "已更新"}
"""issued_documents.status -> Chinese label."""


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


def public_letter(record: IssuedLetter, *, base_url: str,
                  superseded_by_filing: int | None = None) -> dict[str, object]:
    """The public view of a 信用承诺书 (verify page, ``GET /api/v1/documents/{number}``).

    ``superseded_by_filing``: the published filing of a newer commitment of the same subject
    that replaced this letter's own publication (policy 五(三)2); a valid letter then reads
    已更新, with a link to the newer one (issue 12 §3). A revoked letter stays 已撤销.
    """
    kind = SubjectKind(record.subject_kind)
    superseded = record.status == "valid" and superseded_by_filing is not None
    status = "superseded" if superseded else record.status
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
        "status_label": LETTER_STATUS_LABELS.get(status, status),
        **({"superseded_by_filing": superseded_by_filing} if superseded else {}),
        "sha256": record.sha256,
        "template_version": record.template_version,
        "verify_url": verify_url(base_url, record.number),
    }


def public_check(record: IssuedCheck, *, issuer: str, base_url: str,
                 code_ok: bool = False) -> dict[str, object]:
    """The public view of a 信用核查结果告知书; ``issuer`` is the issuing unit's name.

    Its conclusion and purpose only with the verification code (``code_ok``: the holder of the
    paper, or its QR code): numbers can be counted through, and a person's 惩戒 is not for
    whoever does (domain-rules §5.3: the page shows the masked subject, type, dates, status and
    hash)."""
    person = record.subject_kind == "natural_person"
    return {
        "number": record.number, "document_type": "信用核查结果告知书",
        "subject_kind": record.subject_kind,
        "subject_kind_label": "自然人" if person else "法人及非法人组织",
        "subject_name": mask_person_name(record.subject_name) if person else record.subject_name,
        "subject_code": shown_subject_code(record.subject_kind, record.subject_code_public),
        **({"purpose": record.purpose, "purpose_label": Purpose(record.purpose).label,
            "category": record.category, "category_label": Category(record.category).label,
            "as_of": record.as_of.isoformat()} if code_ok else {}),
        "issuer": issuer,
        "issued_on": record.issued_on.isoformat(), "status": "valid",
        "status_label": "有效", "sha256": record.sha256,
        "template_version": record.template_version,
        "verify_url": verify_url(base_url, record.number),
    }


def public_report(record: IssuedReport, *, issuer: str, base_url: str, today: date) -> dict[str, object]:
    """The public view of an agency report; a 信用报告 names neither its subject nor its result
    (四(二): for the commissioning department only). An approved rating past its 有效期至 shows
    as 已过期 (``valid_until`` is the last valid day)."""
    confidential = record.kind == ReportKind.DECISION
    expired = bool(record.valid_until and record.valid_until < today)
    return {
        "number": record.number, "document_type": REPORT_KINDS[record.kind],
        "subject_kind": "organisation", "subject_kind_label": "企业",
        "subject_name": "（仅限委托部门查阅）" if confidential else record.subject_name,
        "subject_code": "" if confidential else record.subject_code,
        "issuer": issuer, "grade": None if confidential else record.grade,
        "issued_on": record.issue_date.isoformat(),
        "valid_until": record.valid_until.isoformat() if record.valid_until else None,
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
