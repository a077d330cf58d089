"""Regenerates samples/: for each letter variant the input JSON, PDF, DOCX and page-1 PNG.

``samples/issued.json`` holds, per rendered sample, what the service stores with an issued record:
the template (family, version) and the issue data (number, code, date, clause 6, or the
certificate's context). tests/documents/test_samples.py re-renders every sample from it and its
input and asserts the same bytes (issue 11 §5: a released version never changes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from app.config import DEFAULT_PORT, local_base_url
from app.demo import SAMPLES, demo_clause
from app.documents import commitment as doc
from app.documents.preview import PreviewUnavailable, page_png
from app.documents.registry import CURRENT, RELEASED, Family
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.dates import BEIJING, format_cn_date
from app.domain.numbers import DocumentType, format_document_number, verification_code
from app.domain.report_kinds import ReportKind
from app.domain.subjects import SubjectKind
from app.domain.urls import verify_url
from app.stamping.types import SealImage, SealPlacement

if TYPE_CHECKING:
    from app.documents.reports import ScaffoldInfo
    from app.stamping.signing import PadesSigner

SAMPLE_SECRET = b"samples-only-not-a-real-key"
SAMPLES_PUBLIC_BASE_URL = local_base_url(DEFAULT_PORT)
"""The address the samples' QR codes point to: a fresh ``make run`` instance's own address
(http://127.0.0.1:8000), which loads the sample records (``flask load-samples``,
app/services/samples.py), so a sample scanned or opened on the machine that runs it verifies."""
SAMPLE_ISSUED_ON = date(2026, 11, 29)
ISSUED_FILE = "issued.json"
STAMPED_LETTER_SAMPLE = "project_approval-unit"
SAMPLE_CA_FILE = "sample-ca.pem"
"""The root of the fixed sample PKI, written next to the samples: the signed samples validate
against it (``pyhanko sign validate --trust samples/sample-ca.pem samples/stamped-letter.pdf``)."""
"""The letter variant the stamped-letter and public-copy samples are made from."""


def record_issued(out: Path, entries: dict[str, dict[str, object]]) -> None:
    """Merge ``entries`` (sample base name -> what its issued record stores) into issued.json."""
    path = out / ISSUED_FILE
    known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    known.update(entries)
    path.write_text(json.dumps(dict(sorted(known.items())), ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")


def sample_serial(name: str) -> int:
    """The serial of sample letter ``name`` (its place among SAMPLES): one number per letter, so
    every sample made from it (older versions, the stamped letter, its public copy) verifies."""
    return sorted(SAMPLES).index(name) + 1


def sample_issue(req_code: str, serial: int, issued_on: date) -> doc.IssueInfo:
    """The issue data of sample letter ``serial`` (numbers and codes as the service makes them)."""
    number = format_document_number(DocumentType.CN, issued_on.year, serial)
    code = verification_code(SAMPLE_SECRET, number, req_code, issued_on, "0" * 64)
    return doc.IssueInfo(number=number, verification_code=code,
                         verify_url=verify_url(SAMPLES_PUBLIC_BASE_URL, number, code), issued_on=issued_on)


def issued_entry(family: Family, version: str, issue: doc.IssueInfo | None = None,
                 **more: object) -> dict[str, object]:
    entry: dict[str, object] = {"family": family.value, "version": version}
    if issue is not None:
        entry.update(number=issue.number, verification_code=issue.verification_code,
                     verify_url=issue.verify_url, issued_on=issue.issued_on.isoformat())
    return {**entry, **more}


def png_of_first_page(pdf: bytes, out: Path, dpi: int = 60, page: int = 1) -> bool:
    """Write a page as PNG; False when pdftoppm is not installed."""
    try:
        out.write_bytes(page_png(pdf, page, dpi=dpi))
    except PreviewUnavailable:
        return False
    return True


def write_samples(out: Path, issued_on: date) -> Iterator[str]:
    """Render every variant into ``out`` with the current version, and one letter with each
    older released version (``v1-commitment-…``); yields one line per file written."""
    out.mkdir(parents=True, exist_ok=True)
    current = CURRENT[Family.COMMITMENT]
    issued: dict[str, dict[str, object]] = {}
    for name, data in sorted(SAMPLES.items()):
        req = parse_commitment_request(data)
        issue = sample_issue(req.subject_code, sample_serial(name), issued_on)
        extra = demo_clause(req.receiving_unit, req.scenario, req.subject_kind)
        letters = doc.filled_letters(req, issue, extra)
        pdf = doc.letters_pdf(letters, created=issued_on)
        base = out / f"commitment-{name}"
        base.with_suffix(".json").write_text(
            json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        base.with_suffix(".pdf").write_bytes(pdf)
        base.with_suffix(".docx").write_bytes(doc.letters_docx(letters))
        issued[base.name] = issued_entry(Family.COMMITMENT, current, issue,
                                         input=f"{base.name}.json", extra_clause=extra)
        yield f"{base.name}: json pdf docx"
        if png_of_first_page(pdf, base.with_suffix(".png")):
            yield f"{base.name}.png"
        if name != STAMPED_LETTER_SAMPLE:
            continue
        for version in RELEASED[Family.COMMITMENT]:
            if version == current:
                continue
            old = doc.filled_letters(req, issue, extra, version)
            older = out / f"{version}-commitment-{name}"
            older.with_suffix(".pdf").write_bytes(doc.letters_pdf(old, version, created=issued_on))
            older.with_suffix(".docx").write_bytes(doc.letters_docx(old, version))
            issued[older.name] = issued_entry(Family.COMMITMENT, version, issue,
                                              input=f"{base.name}.json", extra_clause=extra)
            yield f"{older.name}: pdf docx (released version {version})"
    for sc in Scenario:
        for who, kind in (("unit", SubjectKind.ENTERPRISE), ("person", SubjectKind.NATURAL_PERSON)):
            letters = doc.blank_letters(sc, kind)
            base = out / f"blank-{sc.value}-{who}"
            pdf = doc.letters_pdf(letters)
            base.with_suffix(".pdf").write_bytes(pdf)
            base.with_suffix(".docx").write_bytes(doc.letters_docx(letters))
            issued[base.name] = issued_entry(Family.COMMITMENT, current, scenario=sc.value,
                                             subject_kind=kind.value)
            yield f"{base.name}: pdf docx"
            if png_of_first_page(pdf, base.with_suffix(".png")):
                yield f"{base.name}.png"
    record_issued(out, issued)


LONG_DOCUMENT_PARAGRAPH = (
    "本报告依据《凌源市规范推进社会信用体系建设工作实施意见》的要求，对评价对象的基本情况、"
    "经营与财务状况、公共信用信息、履约情况等进行了调查分析。报告所用信息截至出具之日，"
    "其中公共信用信息来源于凌源市信用信息共享交换平台，已修复或超出公示期的信息不予采用。"
)


LONG_DOCUMENT_SIGNER = "凌源市住房和城乡建设局"


def long_document_pdf(pages: int = 12) -> bytes:
    """A plain multi-page document (for the cross-page seal sample), through our pipeline."""
    from app.documents.fonts import font_stack
    from app.documents.render import html_to_pdf

    body, hei = font_stack().family("body"), font_stack().family("hei")
    sections = "".join(
        f"<h2 style='font-family: {hei}; font-weight: normal; font-size: 16pt'>"
        f"{i}、第{i}部分</h2>" + f"<p>{LONG_DOCUMENT_PARAGRAPH}</p>" * 3
        + ('<p style="break-after: page"></p>' if i < pages else "")
        for i in range(1, pages + 1))
    # the 署名 and 成文日期 the seal presses on (GB/T 9704 7.3.5), 右空四字, below the last line
    sections += ('<div style="margin-top: 20mm; text-align: right; padding-right: 4em">'
                 f"<p>{LONG_DOCUMENT_SIGNER}</p><p>{format_cn_date(SAMPLE_ISSUED_ON)}</p></div>")
    css = (f"@page {{ size: A4; margin: 37mm 26mm 35mm 28mm; @bottom-center {{ content: '— ' "
           f"counter(page) ' —'; font-family: {body}; font-size: 14pt }} }}"
           f"html {{ font-family: {body}; font-size: 16pt; line-height: 28.95pt }}"
           "p { text-indent: 2em; margin: 0 }")
    pdf = html_to_pdf(f"<style>{css}</style>{sections}")
    return pdf


def fanned_edges_png(pdf: bytes, out: Path, diameter_mm: float, dpi: int = 100) -> None:
    """The pages fanned out: each page's right-hand strip placed next to the previous one, so
    the 骑缝章 shows whole (as it does on paper when the pages are fanned)."""
    from io import BytesIO

    from PIL import Image

    from app.stamping.overlay import plan_cross_page_seal

    strips = plan_cross_page_seal(page_count(pdf), diameter_mm)
    crops = []
    for strip in strips:
        page = Image.open(BytesIO(page_png(pdf, strip.page, dpi=dpi)))
        width = max(1, round(strip.width_mm / 25.4 * dpi))
        crops.append(page.crop((page.width - width, 0, page.width, page.height)))
    margin = 20
    sheet = Image.new("RGB", (sum(c.width for c in crops) + 2 * margin, crops[0].height), "white")
    x = margin
    for crop in crops:
        sheet.paste(crop, (x, 0))
        x += crop.width
    sheet.save(out)


def sample_signer(pki_dir: Path, issued_on: date) -> PadesSigner:
    """The samples' signer: the fixed sample PKI (written into ``pki_dir``), its CRL embedded (B-B
    with long-term validation data), signing at 09:00 Beijing time on ``issued_on``."""
    from app.stamping.pki import read_demo_crls, read_demo_root, write_sample_pki
    from app.stamping.signing import LongTermValidation, PadesOptions, PadesSigner

    p12, passphrase = write_sample_pki(pki_dir)
    signed_at = datetime.combine(issued_on, time(9), tzinfo=BEIJING)
    return PadesSigner(PadesOptions(
        p12_path=p12, passphrase=passphrase, clock=lambda: signed_at,
        long_term=LongTermValidation(trust_roots=(read_demo_root(pki_dir),),
                                     crls=tuple(read_demo_crls(pki_dir)))))


def write_sample_ca(out: Path, pki_dir: Path) -> str:
    """Copy the sample PKI's root next to the samples (``sample-ca.pem``)."""
    from app.stamping.pki import read_demo_root

    (out / SAMPLE_CA_FILE).write_bytes(read_demo_root(pki_dir))
    return f"{SAMPLE_CA_FILE}（样例签名的根证书）"


def write_stamping_samples(out: Path, issued_on: date, pki_dir: Path) -> Iterator[str]:
    """A stamped letter, a 12-page document with seal and 骑缝章, the public copy of the stamped letter."""
    from app.stamping import overlay
    from app.stamping.seal_images import generate_seal

    signer = sample_signer(pki_dir, issued_on)
    unit = "凌源市住房和城乡建设局"
    seal = generate_seal(unit)
    data = SAMPLES[STAMPED_LETTER_SAMPLE]
    req = parse_commitment_request(data)
    issue = sample_issue(req.subject_code, sample_serial(STAMPED_LETTER_SAMPLE), issued_on)
    extra = demo_clause(req.receiving_unit, req.scenario, req.subject_kind)
    letters = doc.filled_letters(req, issue, extra)
    letter = doc.letters_pdf(letters, created=issued_on)  # both copies, as the service issues it
    received_on = issued_on + timedelta(days=1)
    record_issued(out, {"stamped-letter": issued_entry(
        Family.COMMITMENT, CURRENT[Family.COMMITMENT], issue,
        input=f"commitment-{STAMPED_LETTER_SAMPLE}.json", extra_clause=extra, copies=[1, 2],
        seal=unit, received_on=received_on.isoformat(), signed=True)})

    stamped = signer.sign(stamp_received_letter(letter, unit, seal, received_on),
                          reason="收件确认（演示）")
    (out / "stamped-letter.pdf").write_bytes(stamped)
    copy = overlay.unit_copy_of(stamped)
    png_of_first_page(stamped, out / "stamped-letter.png", dpi=60,
                      page=copy.first_page if copy else 1)
    yield "stamped-letter: pdf png (收件章 and 骑缝章 on the unit's copy, PAdES signature)"

    long_pdf = long_document_pdf(12)
    last = page_count(long_pdf)
    sealed = overlay.stamp_seal(long_pdf, seal, sign_off_placement(long_pdf, last))
    sealed = signer.sign(overlay.stamp_cross_page_seal(sealed, seal), reason="骑缝章（演示）")
    (out / "stamped-cross-page-12.pdf").write_bytes(sealed)
    png_of_first_page(sealed, out / "stamped-cross-page-12-page1.png", dpi=50)
    fanned_edges_png(sealed, out / "stamped-cross-page-12-fanned.png", seal.diameter_mm)
    yield "stamped-cross-page-12: pdf, page-1 png, fanned-edges png"

    from app.services.filings import public_copy_of

    public = public_copy_of(stamped, signer)  # what approval publishes for the stamped letter
    (out / "public-copy-watermarked.pdf").write_bytes(public)
    png_of_first_page(public, out / "public-copy-watermarked.png", dpi=60, page=page_count(public))
    yield "public-copy-watermarked: pdf png (page pictures under 公示专用, signed; no text layer)"


def stamp_received_letter(letter: bytes, unit: str, seal: SealImage, received_on: date) -> bytes:
    """What a receiving unit's stamp job does to a letter (app.services.stamping, issue 12 §1):
    a 收件章 on its copy's first page and a 骑缝章 over its copy's pages."""
    from app.stamping import overlay

    copy = overlay.unit_copy_of(letter)
    if copy is None:
        raise ValueError("not a commitment letter")
    received = overlay.add_receipt_stamp(letter, overlay.ReceiptStamp(unit, received_on))
    return overlay.stamp_cross_page_seal(received, seal, pages=(copy.first_page, copy.last_page))


def sign_off_placement(pdf: bytes, page: int) -> SealPlacement:
    """The seal over the 署名 and 成文日期 of ``page``: centred on the date, a little above the
    middle of the two lines (GB/T 9704 7.3.5: 下压署名和日期, 居印章中心偏下)."""
    from app.stamping.overlay.clearance import DATE_LINE, text_lines
    from app.stamping.overlay.document import geometries, open_pdf

    with open_pdf(pdf) as doc_:
        lines = text_lines(pdf, geometries(doc_), [page])[page]
    dated = next(t for t in lines if DATE_LINE.match(t.text))
    return SealPlacement(page=page, x_mm=(dated.box[0] + dated.box[2]) / 2, y_mm=dated.box[1] - 2)


def page_count(pdf: bytes) -> int:
    from app.stamping.overlay import page_count as count

    return count(pdf)


CERTIFICATE_SAMPLES = [
    # (file name, subject code, name when the platform has no record, purpose, what it shows)
    ("credit-certificate", "91211382MA0AY4CL0L", "", "bidding", "惩戒: black list 6, rating CCC"),
    ("credit-certificate-clean", "91211382MA0DQ8CL0T", "凌源市示例家具制造有限公司",
     "administrative_approval", "无不良记录: a subject the platform has no record of, 二(一)"),
    ("credit-certificate-caution", "91211382MA0DQ8J2X4", "", "market_access",
     "审慎: 一般 行政处罚, 二(四)2"),
    ("credit-certificate-four-grounds", "91211382MA0DQ8G47N", "", "government_procurement",
     "惩戒: black list on four grounds of 七(一)"),
]
"""The sample certificates (issue 14: a clean, a 审慎 and a 4-ground 惩戒 subject), serials 1-4."""


def write_credit_samples(out: Path, issued_on: date, pki_dir: Path) -> Iterator[str]:
    """A sealed 信用核查结果告知书 and both agency report scaffolds, from samples/credit-records.csv."""
    from app.documents.certificate import CertificateHeader, certificate_context, certificate_pdf
    from app.documents.reports import scaffold_docx, scaffold_pdf
    from app.domain.credit_check import Purpose, check_credit
    from app.domain.credit_import import parse_credit_records
    from app.stamping import overlay
    from app.stamping.seal_images import generate_seal

    folder = Path(__file__).resolve().parent.parent / "samples"
    records = []
    for source in ("credit-records.csv", "credit-records-certificates.csv"):
        records += parse_credit_records((folder / source).read_bytes(), filename=source,
                                        today=issued_on).records
    signer = sample_signer(pki_dir, issued_on)
    version = CURRENT[Family.CERTIFICATE]
    for serial, (name, code, name_if_unknown, purpose, what) in enumerate(CERTIFICATE_SAMPLES, 1):
        own = [r for r in records if r.subject_code == code]
        result = check_credit(own, Purpose(purpose), issued_on, data_as_of=issued_on)
        number = format_document_number(DocumentType.HC, issued_on.year, serial)
        vcode = verification_code(SAMPLE_SECRET, number, code, issued_on, "0" * 64)
        header = CertificateHeader(
            number=number, verification_code=vcode,
            verify_url=verify_url(SAMPLES_PUBLIC_BASE_URL, number, vcode),
            subject_name=own[0].subject_name if own else name_if_unknown, subject_code=code,
            code_label="统一社会信用代码", issuer="凌源市住房和城乡建设局", issued_on=issued_on,
            addressee="凌源市住房和城乡建设局")
        context = certificate_context(header, result)
        pdf = certificate_pdf(context, version)
        pdf = signer.sign(overlay.stamp_at_anchors(pdf, generate_seal(header.issuer)),
                          reason="信用核查结果告知书（演示）")
        record_issued(out, {name: issued_entry(
            Family.CERTIFICATE, version, context=context, seal=header.issuer, signed=True)})
        (out / f"{name}.pdf").write_bytes(pdf)
        png_of_first_page(pdf, out / f"{name}.png", dpi=60)
        yield f"{name}: pdf png ({what}, sealed and signed)"

    version = CURRENT[Family.REPORT]
    for kind in (ReportKind.RATING, ReportKind.DECISION):
        info = scaffold_sample_info(kind, issued_on)
        base = out / f"scaffold-{kind}"
        base.with_suffix(".docx").write_bytes(scaffold_docx(info, version))
        pdf = scaffold_pdf(info, version)
        base.with_suffix(".pdf").write_bytes(pdf)
        record_issued(out, {base.name: issued_entry(
            Family.REPORT, version, kind=kind.value, issued_on=issued_on.isoformat(),
            number=info.number, verification_code=info.verification_code,
            verify_url=info.verify_url, agency=info.agency_name, subject_name=info.subject.name,
            subject_code=info.subject.uscc, project_name=info.project_name,
            requesting_department=info.requesting_department)})
        png_of_first_page(pdf, base.with_suffix(".png"), dpi=50)
        yield f"scaffold-{kind}: docx pdf png"


def scaffold_sample_info(kind: ReportKind, issued_on: date) -> ScaffoldInfo:
    """The pre-filled scaffold of the sample subject: its public credit information from
    samples/credit-records.csv as of ``issued_on`` (what ``agencies.scaffold_info`` reads from the
    database for a real report)."""
    from app.documents.reports import ReportSubject, ScaffoldInfo
    from app.domain.credit_check import Purpose, check_credit
    from app.domain.credit_import import parse_credit_records

    source = Path(__file__).resolve().parent.parent / "samples" / "credit-records.csv"
    report = parse_credit_records(source.read_bytes(),
                                  filename="credit-records.csv", today=issued_on)
    subject_code = "91211382MA0Y8K7Q3B"
    rows = check_credit([r for r in report.records if r.subject_code == subject_code],
                        Purpose.OTHER, issued_on).rows
    doc_type, extra = {
        ReportKind.RATING: (DocumentType.PJ, {}),
        ReportKind.DECISION: (DocumentType.BG, {"project_name": "凌源市城南片区道路改造工程",
                                                "requesting_department": "凌源市住房和城乡建设局"}),
    }[kind]
    number = format_document_number(doc_type, issued_on.year, 1)
    vcode = verification_code(SAMPLE_SECRET, number, subject_code, issued_on, "0" * 64)
    return ScaffoldInfo(
        kind=kind, number=number, verification_code=vcode,
        verify_url=verify_url(SAMPLES_PUBLIC_BASE_URL, number, vcode),
        agency_name="辽宁示例信用评价有限公司（演示）",
        agency_filing_number="辽发改信用备〔2026〕001号（演示）", issue_date=issued_on,
        valid_until=None, public_rows=rows,
        subject=ReportSubject(name="凌源市示例建筑工程有限公司", uscc=subject_code,
                              legal_representative="欧阳明"), **extra)
