"""Loading samples/ into an instance (issue 13 §2): the sample documents' records, numbers and
archived files, so that a sample's QR code verifies against a fresh ``make run``.

Everything comes from what ``flask make-samples`` wrote: ``samples/issued.json`` (per sample: its
template, number, 验证码, issue date, input file) and the sample files themselves, archived as they
are, so the verify page serves and confirms exactly the file a newcomer holds. The counters move
past the sample numbers, so the instance never issues one of them again.

A sample record is known by its 验证码 (made with the samples' own key, never the instance's):
a number the instance already gave to another document is left alone and reported, a sample that
was regenerated since it was loaded (same number and code, another file) replaces its record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.archive.blobs import BlobStore
from app.archive.pii import PiiCipher
from app.documents import commitment as doc
from app.documents.registry import RELEASED, Family
from app.domain.commitments import parse_commitment_request
from app.domain.dates import BEIJING
from app.domain.masking import public_subject_code
from app.domain.numbers import DocumentType, parse_document_number
from app.domain.ratings import rating_valid_through
from app.domain.report_kinds import ReportKind
from app.models import Agency, AgencyReport, CreditCheck, IssuedDocument, ReceivingUnit, Seal, StampJob
from app.services.audit import AuditTrail
from app.services.commitments import payload_of, reserve_serial

MANIFEST = "issued.json"
"""What ``flask make-samples`` records per sample (``app.samples.record_issued``)."""
ACTION = "load_sample"
"""The audit action of every record this module writes."""


@dataclass
class SamplesLoaded:
    """What a load did, per sample name (``commitment-project_approval-unit``, ``stamped-letter``)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(sample, the Chinese reason)."""

    def lines_zh(self) -> list[str]:
        lines = [f"跳过样例 {name}：{reason}" for name, reason in self.skipped]
        return lines + [f"样例文书：新增 {len(self.added)} 份，更新 {len(self.updated)} 份，"
                        f"未变 {len(self.unchanged)} 份，跳过 {len(self.skipped)} 份"]


SAMPLE_CA = "sample-ca.pem"
"""The root of the samples' fixed PKI, written by ``flask make-samples`` (app.samples.SAMPLE_CA_FILE)."""
SAMPLE_TRUST_DIR = "sample-trust"
"""Folder of the instance holding the sample CA once ``flask load-samples`` ran: the verify page
trusts it for the samples' signatures only there, labelled as the demo CA; an instance that never
loaded the samples (production) has no such folder and trusts only its own roots."""
SAMPLE_FILES = "sample-files.json"
"""Beside the sample CA: the SHA-256 of every signed PDF in samples/ at load time (name by hash),
so that a committed sample the instance holds no record of (the watermarked public copy, the
cross-page stamped letter) verifies as the sample it is (match ``sample``), byte for byte only."""


def trust_sample_ca(session: Session, samples_dir: Path, instance_path: Path, *,
                    trail: AuditTrail) -> bool:
    """Copy the samples' CA into the instance (``sample-trust/``), so that the verify page shows the
    signed samples' signatures as valid, labelled 示例签章证书（仅供演示）; False when
    ``samples_dir`` has none. Audited (``load_sample``); the caller commits."""
    source = samples_dir / SAMPLE_CA
    if not source.is_file():
        return False
    pem = source.read_bytes()
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise ValueError(f"{SAMPLE_CA} 不是PEM格式的证书")
    target = instance_path / SAMPLE_TRUST_DIR
    target.mkdir(parents=True, exist_ok=True)
    if not (target / SAMPLE_CA).is_file() or (target / SAMPLE_CA).read_bytes() != pem:
        (target / SAMPLE_CA).write_bytes(pem)
        trail.record(session, ACTION, "sample_ca", SAMPLE_CA,
                     sha256=hashlib.sha256(pem).hexdigest())
    files = json.dumps(signed_sample_files(samples_dir), ensure_ascii=False, indent=1, sort_keys=True)
    if not (target / SAMPLE_FILES).is_file() or (target / SAMPLE_FILES).read_text("utf-8") != files:
        (target / SAMPLE_FILES).write_text(files, encoding="utf-8")
    return True


def signed_sample_files(samples_dir: Path) -> dict[str, str]:
    """``{sha256: file name}`` of every signed PDF (one with a signature's ``/ByteRange``) in
    ``samples_dir``."""
    found = {}
    for path in sorted(samples_dir.glob("*.pdf")):
        data = path.read_bytes()
        if b"/ByteRange" in data:
            found[hashlib.sha256(data).hexdigest()] = path.name
    return found


def trusted_sample_files(instance_path: Path) -> dict[str, str]:
    """``{sha256: file name}`` of the signed samples as loaded (``trust_sample_ca``), else none."""
    path = instance_path / SAMPLE_TRUST_DIR / SAMPLE_FILES
    if not path.is_file() or not (instance_path / SAMPLE_TRUST_DIR / SAMPLE_CA).is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def trusted_sample_roots(instance_path: Path) -> list[bytes]:
    """The sample CA when this instance loaded the samples (``trust_sample_ca``), else none."""
    path = instance_path / SAMPLE_TRUST_DIR / SAMPLE_CA
    return [path.read_bytes()] if path.is_file() else []


def read_manifest(samples_dir: Path) -> dict[str, dict[str, Any]]:
    """The samples' issued.json (FileNotFoundError when the folder has none)."""
    return json.loads((samples_dir / MANIFEST).read_text(encoding="utf-8"))


def load_samples(session: Session, archive: BlobStore, cipher: PiiCipher, samples_dir: Path, *,
                 trail: AuditTrail) -> SamplesLoaded:
    """Record every numbered sample in ``samples_dir`` (letters, the stamped letter as a stamp job,
    the 信用核查结果告知书, report scaffolds); running it again changes nothing. The caller commits.

    The certificate's unit, the stamp job's seal and the scaffolds' agency must exist (``flask
    load-demo``); a sample whose unit, seal or agency is missing is skipped and reported.
    """
    manifest = read_manifest(samples_dir)
    done = SamplesLoaded()
    letters = _load_letters(session, archive, cipher, samples_dir, manifest, trail, done)
    for name, entry in sorted(manifest.items()):
        family = entry.get("family")
        if family == Family.COMMITMENT.value and entry.get("signed") and "number" in entry:
            _load_stamped(session, archive, samples_dir, name, entry, letters, trail, done)
        elif family == Family.CERTIFICATE.value and "context" in entry:
            _load_certificate(session, archive, cipher, samples_dir, name, entry, trail, done)
        elif family == Family.REPORT.value:
            _load_scaffold(session, name, entry, trail, done)
    session.flush()
    return done


def _newest_first(entries: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    order = list(RELEASED[Family.COMMITMENT])  # release order
    return sorted(entries, key=lambda e: -order.index(e[1]["version"]) if e[1]["version"] in order
                  else 1)


def _load_letters(session: Session, archive: BlobStore, cipher: PiiCipher, samples_dir: Path,
                  manifest: dict[str, dict[str, Any]], trail: AuditTrail,
                  done: SamplesLoaded) -> dict[str, IssuedDocument]:
    """One record per letter number, archived as its newest-version sample (older versions of the
    same letter carry the same number and code); returns the records by number."""
    by_number: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, entry in manifest.items():
        if entry.get("family") == Family.COMMITMENT.value and "number" in entry \
                and "input" in entry and not entry.get("signed"):
            by_number.setdefault(entry["number"], []).append((name, entry))
    records: dict[str, IssuedDocument] = {}
    for number, entries in sorted(by_number.items()):
        name, entry = _newest_first(entries)[0]
        if entry["version"] not in RELEASED[Family.COMMITMENT]:
            done.skipped.append((name, f"模板版本{entry['version']}未在本实例登记"))
            continue
        if len({e["verification_code"] for _, e in entries}) > 1:
            done.skipped.append((name, f"样例中编号{number}对应不同的验证码，请重新生成样例"))
            continue
        record = _load_letter(session, archive, cipher, samples_dir, name, entry, trail, done)
        if record is not None:
            records[number] = record
    return records


def _load_letter(session: Session, archive: BlobStore, cipher: PiiCipher, samples_dir: Path,
                 name: str, entry: dict[str, Any], trail: AuditTrail,
                 done: SamplesLoaded) -> IssuedDocument | None:
    number, code = entry["number"], entry["verification_code"]
    doc_type, year, serial = parse_document_number(number)
    req = parse_commitment_request(json.loads((samples_dir / entry["input"]).read_text("utf-8")))
    issued_on = date.fromisoformat(entry["issued_on"])
    issue = doc.IssueInfo(number=number, verification_code=code, verify_url=entry["verify_url"],
                          issued_on=issued_on)
    payload = payload_of(req, issue, entry.get("extra_clause"), cipher)
    existing = session.scalar(select(IssuedDocument).where(
        IssuedDocument.doc_type == doc_type.value, IssuedDocument.year == year,
        IssuedDocument.serial == serial))
    if existing is not None and existing.verification_code != code:
        done.skipped.append((name, f"编号{number}已由本实例出具给其他文书"))
        return None
    digest = archive.put((samples_dir / f"{name}.pdf").read_bytes())
    reserve_serial(session, doc_type, year, serial)
    if existing is not None:
        if (existing.sha256, existing.template_version) == (digest, entry["version"]):
            done.unchanged.append(name)
            return existing
        existing.sha256, existing.template_version, existing.payload = digest, entry["version"], payload
        trail.record(session, ACTION, "issued_document", number, sha256=digest, replaced=True)
        done.updated.append(name)
        return existing
    record = IssuedDocument(
        number=number, doc_type=doc_type.value, year=year, serial=serial, verification_code=code,
        sha256=digest, template_name=Family.COMMITMENT.value, template_version=entry["version"],
        subject_kind=req.subject_kind.value, subject_name=req.subject_name,
        subject_code_public=public_subject_code(req.subject_kind, req.subject_code),
        subject_code_hash=cipher.lookup_hash(req.subject_code),
        subject_code_enc=cipher.encrypt(req.subject_code), scenario=req.scenario.value,
        receiving_unit=req.receiving_unit, issued_on=issued_on, status="valid", payload=payload)
    session.add(record)
    session.flush()
    trail.record(session, ACTION, "issued_document", number, sha256=digest)
    done.added.append(name)
    return record


def _unit(session: Session, name: str) -> ReceivingUnit | None:
    return session.scalar(select(ReceivingUnit).where(ReceivingUnit.name == name))


def _load_stamped(session: Session, archive: BlobStore, samples_dir: Path, name: str,
                  entry: dict[str, Any], letters: dict[str, IssuedDocument], trail: AuditTrail,
                  done: SamplesLoaded) -> None:
    """The stamped letter as the receiving unit's stamp job on the letter: its 收件章 and 骑缝章
    with the unit's seal (``app.services.stamping``), so the verify page recognises the file."""
    letter = letters.get(entry["number"])
    if letter is None or letter.verification_code != entry["verification_code"]:
        done.skipped.append((name, f"未载入其承诺书{entry['number']}"))
        return
    unit = _unit(session, entry["seal"])
    seal = unit and session.scalar(select(Seal).where(Seal.unit_id == unit.id, Seal.active)
                                   .order_by(Seal.id))
    if seal is None:
        done.skipped.append((name, f"“{entry['seal']}”尚未登记或没有印章，请先运行 flask load-demo"))
        return
    pdf = (samples_dir / f"{name}.pdf").read_bytes()
    digest = archive.put(pdf)
    if session.scalar(select(StampJob.id).where(StampJob.result_sha256 == digest)) is not None:
        done.unchanged.append(name)
        return
    from app.stamping.overlay import page_count

    received_on = date.fromisoformat(entry["received_on"])
    job = StampJob(unit_id=unit.id, document_number=letter.number,
                   original_name=f"信用承诺书（{letter.number}）.pdf", original_sha256=letter.sha256,
                   page_count=page_count(archive.get(letter.sha256)), result_sha256=digest,
                   operations=[{"op": "anchor_seal", "seal_id": seal.id},
                               {"op": "cross_page_seal", "seal_id": seal.id}],
                   # the sample records the day of receipt, not a time: 09:00 Beijing time that day
                   stamped_at=datetime.combine(received_on, time(9), BEIJING))
    session.add(job)
    session.flush()
    trail.record(session, ACTION, "stamp_job", job.id, sha256=digest, document_number=letter.number)
    done.added.append(name)


def _load_certificate(session: Session, archive: BlobStore, cipher: PiiCipher, samples_dir: Path,
                      name: str, entry: dict[str, Any], trail: AuditTrail,
                      done: SamplesLoaded) -> None:
    context = entry["context"]
    number, code = context["number"], context["verification_code"]
    _doc_type, year, serial = parse_document_number(number)
    unit = _unit(session, context["issuer"])
    if unit is None:
        done.skipped.append((name, f"“{context['issuer']}”尚未登记，请先运行 flask load-demo"))
        return
    existing = session.scalar(select(CreditCheck).where(CreditCheck.number == number))
    if existing is not None and existing.verification_code != code:
        done.skipped.append((name, f"编号{number}已由本实例出具给其他文书"))
        return
    digest = archive.put((samples_dir / f"{name}.pdf").read_bytes())
    reserve_serial(session, DocumentType.HC, year, serial)
    if existing is not None:
        if (existing.sha256, existing.template_version) == (digest, entry["version"]):
            done.unchanged.append(name)
            return
        existing.sha256, existing.template_version = digest, entry["version"]
        existing.snapshot = {"certificate": context, "records": []}
        trail.record(session, ACTION, "credit_check", number, sha256=digest, replaced=True)
        done.updated.append(name)
        return
    person = context["code_label"] == "身份证号码"
    issued_on = date.fromisoformat(context["issued_on"])
    addressee = _unit(session, context.get("addressee") or context["issuer"]) or unit
    record = CreditCheck(
        number=number, serial=serial, year=year, verification_code=code, unit_id=unit.id,
        addressee_unit_id=addressee.id, subject_name=context["subject_name"],
        subject_kind="natural_person" if person else "organisation",
        subject_code_public=context["subject_code"],
        subject_code_hash=cipher.lookup_hash(context["subject_code"]),
        purpose=context["purpose"], as_of=date.fromisoformat(context["as_of"]),
        category=context["category"], issued_on=issued_on, sha256=digest,
        template_name=Family.CERTIFICATE.value, template_version=entry["version"],
        # the sample's inputs are samples/credit-records.csv, not records of this instance
        snapshot={"certificate": context, "records": []})
    session.add(record)
    session.flush()
    trail.record(session, ACTION, "credit_check", number, sha256=digest)
    done.added.append(name)


def _load_scaffold(session: Session, name: str, entry: dict[str, Any], trail: AuditTrail,
                   done: SamplesLoaded) -> None:
    """A report scaffold as issued to the demo agency (scaffolds are re-rendered, never archived)."""
    if "number" not in entry:
        done.skipped.append((name, "样例清单中没有报告编号，请重新生成样例（make samples）"))
        return
    number, code = entry["number"], entry["verification_code"]
    doc_type, year, serial = parse_document_number(number)
    agency = session.scalar(select(Agency).where(Agency.name == entry["agency"]))
    if agency is None:
        done.skipped.append((name, f"信用服务机构“{entry['agency']}”尚未登记，请先运行 flask load-demo"))
        return
    existing = session.scalar(select(AgencyReport).where(AgencyReport.number == number))
    if existing is not None:
        if existing.verification_code != code:
            done.skipped.append((name, f"编号{number}已由本实例出具给其他文书"))
        else:
            done.unchanged.append(name)
        return
    requesting = (_unit(session, entry["requesting_department"])
                  if entry.get("requesting_department") else None)
    issued_on = date.fromisoformat(entry["issued_on"])
    kind = ReportKind(entry["kind"])
    report = AgencyReport(
        agency_id=agency.id, kind=kind.value, number=number, year=year, serial=serial,
        verification_code=code, subject_name=entry["subject_name"],
        subject_code=entry["subject_code"], project_name=entry.get("project_name", ""),
        requesting_unit_id=requesting.id if requesting else None, issue_date=issued_on,
        valid_until=rating_valid_through(issued_on) if kind == ReportKind.RATING else None,
        template_name=Family.REPORT.value, template_version=entry["version"], status="scaffold")
    session.add(report)
    reserve_serial(session, doc_type, year, serial)
    session.flush()
    trail.record(session, ACTION, "agency_report", number)
    done.added.append(name)
