"""信用核查结果告知书: the certificate's view of a check result and its PDF rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.documents.registry import CURRENT, Family, template_version
from app.documents.render import pdf_metadata, render_pdf
from app.domain.credit_check import CheckResult
from app.domain.dates import format_cn_date
from app.domain.numbers import file_number

CURRENT_TEMPLATE_VERSION = CURRENT[Family.CERTIFICATE]
"""Template version of new certificates (app/documents/registry.py)."""
SOURCES = "凌源市信用信息共享交换平台（含全国信用信息共享平台、信用中国、信用辽宁推送信息）"


@dataclass(frozen=True)
class CertificateHeader:
    """Who and what the certificate is about, and who issues it."""

    number: str
    verification_code: str
    verify_url: str
    subject_name: str
    """As shown on the certificate: the full name (version 3 on, the certificate goes to the
    requesting department; version 1 and 2 certificates masked a natural person's)."""
    subject_code: str
    """USCC in full, or a masked ID number."""
    code_label: str
    issuer: str
    issued_on: date
    addressee: str
    """主送: the requesting department (a registered unit's name), printed from version 3 on."""


def certificate_context(header: CertificateHeader, result: CheckResult) -> dict[str, Any]:
    """A plain, JSON-serialisable view of the certificate (stored with the check, so the
    certificate can be re-rendered and verified after the records change)."""
    entry = result.entry_rule
    return {
        "number": header.number,
        "file_number": file_number(header.number),
        "addressee": header.addressee,
        "verification_code": header.verification_code,
        "verify_url": header.verify_url,
        "subject_name": header.subject_name,
        "subject_code": header.subject_code,
        "code_label": header.code_label,
        "purpose": result.purpose.value,
        "purpose_label": result.purpose.label,
        "as_of": result.as_of.isoformat(),
        "as_of_text": format_cn_date(result.as_of),
        "sources": SOURCES,
        "category": result.category.value,
        "category_label": result.category.label,
        "reasons": list(result.reasons),
        "rows": [{"title": r.title_zh, "found": r.found, "details": list(r.details)}
                 for r in result.rows],
        "measures": [{"code": m.code, "text": m.text_zh, "clause": m.clause}
                     for m in result.measures],
        "entry_rule": None if entry is None else {
            "passed": entry.passed, "reason": entry.reason_zh,
            "minimum_grade": entry.minimum_grade,
            "incentive_weight_min_percent": entry.incentive_weight_min_percent,
            "reminder": entry.reminder_zh},
        "issuer": header.issuer,
        "date_text": format_cn_date(header.issued_on),
        "issued_on": header.issued_on.isoformat(),
    }


def certificate_pdf(context: dict[str, Any], version: str = CURRENT_TEMPLATE_VERSION) -> bytes:
    """The unsealed certificate PDF with template ``version`` (the stamping step adds seal and
    signature); raises ``UnknownTemplateVersion``."""
    t = template_version(Family.CERTIFICATE, version)
    meta = pdf_metadata("信用核查结果告知书", date.fromisoformat(context["issued_on"]),
                        archival=t.archival, number=context["number"], issuer=context["issuer"])
    return render_pdf(t.html_template, {"c": context}, stylesheets=t.css_templates,
                      ua_stylesheet=t.ua_template, metadata=meta, archival=t.archival)
