"""Issue 13 §1 and §2 (first bullet): the newest version of every family sits on GB/T 9704's
28 x 22 grid (domain-rules §1), measured from the PDFs we render: page size, the text edges, the
line pitch, the 版头 and title, page numbers, faces, and QR codes read from a 150 dpi grey scan by
both zbar and zxing.

Full lines end at 28 + 156 = 184 mm from the page's left edge (the 版心's right edge: 订口 28 mm,
right margin 26 mm); a line's end is its last character's origin plus one 5.571 mm cell."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

from app.documents import commitment as doc
from app.documents.certificate import CertificateHeader, certificate_context, certificate_pdf
from app.documents.registry import CURRENT, Family
from app.documents.reports import scaffold_pdf
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.credit_check import Purpose, check_credit
from app.domain.credit_import import parse_credit_records
from app.domain.report_kinds import ReportKind
from app.domain.subjects import SubjectKind
from app.samples import SAMPLES, demo_clause, sample_issue, scaffold_sample_info
from tests.documents.gbt9704 import (
    BOTTOM_MM,
    CHAR_PITCH_MM,
    LEFT_MM,
    LINE_PITCH_MM,
    LINES,
    RIGHT_MM,
    TOP_MM,
    Line,
    pages,
)

ON = date(2026, 5, 6)
ROOT = Path(__file__).resolve().parents[2]
VERIFY_URL = "https://xinyong.lingyuan.gov.cn/verify/HC-2026-000001?code=ABCD2345"


@cache
def letter() -> bytes:
    data = SAMPLES["project_approval-unit"]
    req = parse_commitment_request(data)
    issue = sample_issue(req.subject_code, 1, ON)
    letters = doc.filled_letters(req, issue, demo_clause(req.receiving_unit, req.scenario,
                                                         req.subject_kind))
    return doc.letters_pdf(letters, created=ON)


@cache
def blank() -> bytes:
    return doc.letters_pdf(doc.blank_letters(Scenario.PROCUREMENT_BIDDING, SubjectKind.ENTERPRISE))


@cache
def certificate(number: str = "LYXY-HC-2026-000001G", verification_code: str = "ABCD2345") -> bytes:
    report = parse_credit_records((ROOT / "samples" / "credit-records.csv").read_bytes(),
                                  filename="credit-records.csv", today=ON)
    code = "91211382MA0AY4CL0L"
    records = [r for r in report.records if r.subject_code == code]
    header = CertificateHeader(
        number=number, verification_code=verification_code, verify_url=VERIFY_URL,
        subject_name=records[0].subject_name, subject_code=code, code_label="统一社会信用代码",
        issuer="凌源市住房和城乡建设局", issued_on=ON, addressee="凌源市财政局")
    return certificate_pdf(certificate_context(header, check_credit(records, Purpose.BIDDING, ON)))


@cache
def scaffold(kind: ReportKind) -> bytes:
    return scaffold_pdf(scaffold_sample_info(kind, ON))


DOCUMENTS = {
    "letter": (letter, "信用承诺书", 0),
    "blank-letter": (blank, "信用承诺书", 0),
    "certificate": (certificate, "信用核查结果告知书", 0),
    "scaffold-rating": (lambda: scaffold(ReportKind.RATING), "企业综合信用等级评价报告", 1),
    "scaffold-decision": (lambda: scaffold(ReportKind.DECISION), "信用报告", 1),
}
"""name -> (render, title, cover pages off the grid)."""
NAMES = list(DOCUMENTS)


def _measured(name: str) -> list[list[Line]]:
    render, _, _ = DOCUMENTS[name]
    return _pages(render())


@cache
def _pages(pdf: bytes) -> list[list[Line]]:
    return pages(pdf)


def _grid_pages(name: str) -> list[list[Line]]:
    cover = DOCUMENTS[name][2]
    return _measured(name)[cover:]


def _body_lines(page: list[Line]) -> list[Line]:
    """3号仿宋 lines inside the 版心 (page numbers and small captions excluded)."""
    return [ln for ln in page if ln.size_pt == 16 and ln.fonts == {"LY-Fang"}
            and ln.top_mm < BOTTOM_MM]


def _index(line: Line) -> float:
    return (line.top_mm - TOP_MM) / LINE_PITCH_MM


def test_the_newest_versions_are_measured() -> None:
    # this module measures what new documents are printed with
    assert CURRENT == {Family.COMMITMENT: "v5", Family.CERTIFICATE: "v3",
                       Family.PROCUREMENT_CLAUSE: "v2", Family.REPORT: "v3"}


@pytest.mark.parametrize("name", NAMES)
def test_page_is_a4(name: str) -> None:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(DOCUMENTS[name][0]()))
    sizes = {(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
             for p in reader.pages}
    assert sizes == {(210, 297)}


@pytest.mark.parametrize("name", NAMES)
def test_body_lines_sit_on_the_22_line_grid(name: str) -> None:
    off = [(n, round(_index(ln), 2), ln.text[:10]) for n, page in enumerate(_grid_pages(name))
           for ln in _body_lines(page) if abs(_index(ln) - round(_index(ln))) > 0.03
           or not 0 <= round(_index(ln)) < LINES]
    assert off == []


@pytest.mark.parametrize("name", NAMES)
def test_text_stays_in_the_text_block(name: str) -> None:
    outside = [(n, ln.text[:10], round(ln.left_mm, 1), round(ln.end_mm, 1), round(ln.top_mm, 1))
               for n, page in enumerate(_measured(name)) for ln in page
               if ln.top_mm < BOTTOM_MM and (ln.left_mm < LEFT_MM - 0.3 or ln.end_mm > RIGHT_MM + 0.5
                                             or ln.em_top_mm < TOP_MM - 0.3)]
    assert outside == []


@pytest.mark.parametrize("name", NAMES)
def test_full_lines_end_at_the_right_edge(name: str) -> None:
    # A body paragraph starts 2 characters in (text-indent) and goes on from the left edge on the
    # following grid lines; every line of it but the last is full and must reach the right edge.
    full, ragged = 0, []
    for page in _grid_pages(name):
        body = _body_lines(page)
        for i, first in enumerate(body):
            if abs(first.left_mm - (LEFT_MM + 2 * CHAR_PITCH_MM)) > 0.3:
                continue
            paragraph = [first]
            for nxt in body[i + 1:]:
                if round(_index(nxt) - _index(paragraph[-1])) != 1 or abs(nxt.left_mm - LEFT_MM) > 0.3:
                    break
                if paragraph[-1].text.endswith("如下："):  # a lead-in ("告知如下：") ends its
                    break                                # paragraph; the fields follow
                paragraph.append(nxt)
            for ln in paragraph[:-1]:
                full += 1
                if abs(ln.end_mm - RIGHT_MM) > 0.5:
                    ragged.append((ln.text[-6:], round(ln.end_mm, 2)))
    assert full >= 3
    assert ragged == []


def test_a_full_page_holds_22_lines_at_a_28_character_pitch() -> None:
    first = _body_lines(_measured("letter")[0])
    assert round(_index(first[-1])) == LINES - 1
    pitches = [round(b.top_mm - a.top_mm, 2) for a, b in zip(first, first[1:], strict=False)
               if round(_index(b) - _index(a)) == 1]
    assert min(pitches) == max(pitches) == round(LINE_PITCH_MM, 2)
    full = [ln for ln in first if len(ln.text) == 28 and abs(ln.left_mm - LEFT_MM) < 0.3]
    assert full, "a full line of 28 characters"
    xs = [c.x0 * 25.4 / 72 for c in full[0].chars]
    assert round((xs[-1] - xs[0]) / 27, 2) == round(CHAR_PITCH_MM, 2)


@pytest.mark.parametrize("name", NAMES)
def test_title_is_searchable_and_near_the_top(name: str) -> None:
    render, title, cover = DOCUMENTS[name]
    text = subprocess.run(["pdftotext", "-", "-"], input=render(), capture_output=True,
                          check=True).stdout.decode()
    assert title in text.replace("\n", "")
    first = _measured(name)[0]
    if cover:
        return
    # the 版心's first line holds the 版头 (or the title when there is none); the title follows
    assert abs(_index(first[0])) < 0.15
    title_line = next(ln for ln in first if ln.text == title)
    assert title_line.size_pt == 22
    assert round(_index(title_line)) <= 2


@pytest.mark.parametrize("name", ["letter", "certificate"])
def test_head_sits_top_left_in_the_text_block(name: str) -> None:
    first = _measured(name)[0]
    heads = [ln for ln in first if ln.text.startswith(("承诺人留存", "编号："))]
    assert heads
    for ln in heads:
        assert abs(ln.left_mm - LEFT_MM) < 0.3
        assert round(_index(ln)) in (0, 1)
        assert ln.em_top_mm >= TOP_MM - 0.3


@pytest.mark.parametrize("name", NAMES)
def test_page_numbers(name: str) -> None:
    for n, page in enumerate(_measured(name), start=1):
        numbers = [ln for ln in page if ln.top_mm > BOTTOM_MM]
        if name.startswith("scaffold") and n == 1:
            assert numbers == []  # none on the cover
            continue
        assert len(numbers) == 1
        number = numbers[0]
        assert number.size_pt == 14
        assert number.text.startswith("— ") and number.text.endswith(" —")
        dash = number.chars[0]
        middle_mm = number.em_top_mm + (dash.y1 - dash.y0) * 25.4 / 72 / 2
        assert abs(middle_mm - BOTTOM_MM - 7) < 0.5
        if n % 2:
            assert abs(number.end_mm - (RIGHT_MM - CHAR_PITCH_MM)) < 0.5
        else:
            assert abs(number.left_mm - (LEFT_MM + CHAR_PITCH_MM)) < 0.5


@pytest.mark.parametrize("name", NAMES)
def test_faces_per_role(name: str) -> None:
    lines = [ln for page in _grid_pages(name) for ln in page]
    body = [ln for ln in lines if ln.size_pt == 16 and ln.top_mm < BOTTOM_MM]
    faces = {f for ln in body for f in ln.fonts}
    assert "LY-Fang" in faces  # 3号仿宋
    assert faces <= {"LY-Fang", "LY-Hei", "LY-Kai"}  # 黑体/楷体 headings and marks
    assert {f for ln in lines if ln.top_mm > BOTTOM_MM for f in ln.fonts} == {"LY-Body"}  # 页码 宋体
    titles = {f for ln in _measured(name)[0] if ln.size_pt >= 22 for f in ln.fonts}
    assert titles and titles <= {"LY-Title", "LY-Heading"}  # 小标宋


def test_room_to_sign() -> None:
    page = next(p for p in _measured("letter") if any("（签字）" in ln.text for ln in p))
    sign = next(ln for ln in page if ln.text.endswith("（签字）："))
    assert RIGHT_MM - sign.end_mm >= 4 * CHAR_PITCH_MM


def test_certificate_wording_is_in_book_form() -> None:
    text = subprocess.run(["pdftotext", "-", "-"], input=certificate(), capture_output=True,
                          check=True).stdout.decode().replace("\n", "")
    assert "七（二）3" in text and "(" not in text and ")" not in text
    items = [ln.text for page in _measured("certificate") for ln in page
             if ln.text[:3] in ("1. ", "2. ", "3. ")]
    assert [t[:3] for t in items] == ["1. ", "2. ", "3. "]
    # two sentences never run together (issue 14 §2): the reason closed, the reminder its own
    assert "（三（二））。提示：信用激励分值不得低于总评分分值的8%。" in text
    assert "有效期至2026年6月9日。" in text


def _scan(pdf: bytes, page: int, tmp: Path) -> Image.Image:
    (tmp / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(tmp / "doc.pdf"), str(tmp / "scan")], check=True)
    return Image.open(tmp / "scan.png").convert("L")


@pytest.mark.parametrize(("name", "page"), [("letter", 2), ("certificate", 1),
                                            ("scaffold-rating", 1), ("scaffold-decision", 1)])
def test_qr_reads_from_a_150_dpi_grey_scan(name: str, page: int, tmp_path: Path) -> None:
    image = _scan(DOCUMENTS[name][0](), page, tmp_path)
    by_zxing = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    by_zbar = [s.data.decode() for s in pyzbar.decode(image) if s.type == "QRCODE"]
    assert len(by_zxing) == 1 and by_zxing[0].startswith("http")
    assert by_zbar == by_zxing


def test_procurement_clause_carries_the_grid_in_its_markup() -> None:
    # The clause is markup copied into tender documents: the grid travels as inline styles.
    from app.documents.procurement import render_clause
    from app.domain.credit_check import ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT

    html = str(render_clause(ENTRY_MINIMUM_GRADE, INCENTIVE_WEIGHT_MIN_PERCENT))
    for rule in ("width: 156mm", "font-size: 16pt", "line-height: 28.99pt", "letter-spacing: -0.21pt",
                 "text-align: justify", "'仿宋_GB2312'", "text-indent: 31.58pt"):
        assert rule in html
    # 28 characters of 16 pt tracked by -0.21 pt fill the 156 mm line
    assert abs(28 * (16 - 0.21) * 25.4 / 72 - 156) < 0.1


def test_cjk_justification_is_installed_for_the_renderer() -> None:
    from weasyprint.layout import inline

    from app.documents import cjk_justify, render  # noqa: F401  (installs the hook)

    assert inline.justify_line is cjk_justify.justify_line


def test_a_blank_letter_has_a_line_for_the_receiving_unit() -> None:
    """主送 (GB/T 9704; trial of issue 12): a blank form names no unit, so it gives the line to
    write one on, flush left with its full-width colon, right above the text it addresses; the
    DOCX twin does the same."""
    first = pages(blank())[0]
    texts = [line.text.strip() for line in first]
    preamble = next(n for n, text in enumerate(texts) if text.startswith("为"))
    addressee = first[preamble - 1]
    assert addressee.text.strip().strip("\u3000") == "："
    # the line is 14 blank (underlined) characters from the 版心's left edge, then the colon
    assert abs(addressee.left_mm - (LEFT_MM + 14 * CHAR_PITCH_MM)) < 0.5
    blank_docx = doc.letters_docx(doc.blank_letters(Scenario.PROCUREMENT_BIDDING,
                                                    SubjectKind.ENTERPRISE))
    body = zipfile.ZipFile(io.BytesIO(blank_docx)).read("word/document.xml").decode()
    paragraphs = [re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<w:p[ >].*?</w:p>", body)]
    preamble_docx = next(n for n, text in enumerate(paragraphs) if text.startswith("为"))
    assert paragraphs[preamble_docx - 1] == "\u3000" * 14 + "："


def _text_under_pictures(pdf: bytes, page_index: int = 0) -> list[str]:
    """Characters of a page whose box meets a picture's box (the QR code is a picture)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTImage

    page = next(iter(extract_pages(io.BytesIO(pdf), page_numbers=[page_index])))
    pictures, chars = [], []

    def walk(obj: object) -> None:
        if isinstance(obj, LTImage):
            pictures.append(obj.bbox)
        elif isinstance(obj, LTChar):
            chars.append(obj)
        for child in getattr(obj, "_objs", ()):
            walk(child)

    walk(page)
    assert pictures
    return [c.get_text() for c in chars for (x0, y0, x1, y1) in pictures
            if c.x0 < x1 and c.x1 > x0 and c.y0 < y1 and c.y1 > y0]


def test_no_text_runs_under_the_certificates_qr_code() -> None:
    """The 编号 and the 验证码 (8 characters someone types to verify) stay left of the QR code,
    whose white quiet zone would hide them (the trial found "US2VI" of "US2VNFEH")."""
    pdf = certificate(number="LYXY-HC-2026-000001G", verification_code="US2VNFEH")
    assert _text_under_pictures(pdf) == []


@pytest.mark.parametrize("name", ["凌源市恒通路桥建设工程集团有限公司",
                                  "凌源市恒通路桥建设工程集团有限责任公司第二分公司"])
def test_a_long_name_in_the_sign_off_keeps_clear_of_the_qr_code(name: str) -> None:
    """The trial of issue 13: a 24-character company name was printed over the letter's QR code
    (which then no longer scanned). The 署名 wraps beside the code instead."""
    data = {**SAMPLES["project_approval-unit"], "subject_name": name}
    req = parse_commitment_request(data)
    issue = sample_issue(req.subject_code, 1, ON)
    pdf = doc.letters_pdf(doc.filled_letters(req, issue, None), created=ON)
    last = len(pages(pdf)) - 1
    for index in range(last + 1):
        if any("扫码核验真伪" in line.text for line in pages(pdf)[index]):
            assert _text_under_pictures(pdf, index) == [], index


SIGNER_NAMES = {
    5: "凌源宏达厂",
    15: "凌源市恒通路桥建设工程有限公司",
    17: "凌源市恒通路桥建设工程集团有限公司",
    25: "凌源市恒通路桥建设工程集团股份有限公司第十二分公司",
    40: "凌源市恒通路桥建设工程集团股份有限公司第二分公司辽宁省朝阳市城关街道第十一项目部",
}
"""署名 lengths of the trial of issue 13 (a 17-character name left "司" alone on a line)."""


@cache
def _signed_letter(name: str) -> bytes:
    data = {**SAMPLES["project_approval-unit"], "subject_name": name}
    req = parse_commitment_request(data)
    return doc.letters_pdf(doc.filled_letters(req, sample_issue(req.subject_code, 1, ON), None),
                           created=ON)


def _sign_off(name: str) -> tuple[list[Line], Line]:
    """The 署名's lines and the 成文日期 line of the first copy's last page."""
    pdf = _signed_letter(name)
    date_text = "2026年5月6日"
    for page in pages(pdf):
        body = _body_lines(page)
        dates = [n for n, ln in enumerate(body) if ln.text == date_text]
        if not dates:
            continue
        at = dates[0]
        signer: list[Line] = []
        for ln in reversed(body[:at]):
            if not name.endswith("".join(x.text for x in [ln, *signer])):
                break
            signer.insert(0, ln)
        return signer, body[at]
    raise AssertionError("no 成文日期 in the letter")


def _centre(ln: Line) -> float:
    return (ln.left_mm + ln.end_mm) / 2


@pytest.mark.parametrize("length", sorted(SIGNER_NAMES))
def test_the_signer_and_date_stand_as_gbt9704_says(length: int) -> None:
    """GB/T 9704 7.3.5 with seal (domain-rules §1.3) for a 署名 of 5 to 40 characters, from the
    PDF: the 成文日期 ends 4 characters (22.3 mm) in from the 版心's right edge; the 署名 whole,
    in lines of nearly equal width (no lone last character) on the consecutive grid lines above
    the date, every line centred on the date's centre (the trial found them inverted: the 署名 4
    characters in, the date centred under it) and inside the 版心."""
    name = SIGNER_NAMES[length]
    assert len(name) == length
    signer, date_line = _sign_off(name)
    assert "".join(ln.text for ln in signer) == name
    four_in = RIGHT_MM - 4 * CHAR_PITCH_MM
    counts = [len(ln.text) for ln in signer]
    if len(signer) > 1:
        assert min(counts) >= 2 and max(counts) - min(counts) <= 1, counts
        assert max(counts) <= 16
    indices = [round(_index(ln)) for ln in [*signer, date_line]]
    assert indices == list(range(indices[0], indices[0] + len(indices)))
    assert abs(date_line.end_mm - four_in) < 0.5
    for ln in signer:
        assert abs(_centre(ln) - _centre(date_line)) < 0.5, ln.text
        assert ln.end_mm <= RIGHT_MM + 0.3, ln.text


def test_the_certificates_signer_is_centred_over_its_date() -> None:
    """The certificate's sign-off (credit_check v3) as the letter's: the date 4 characters in,
    the issuing department's 署名 centred above it on the date's centre."""
    for page in _pages(certificate()):
        body = _body_lines(page)
        dates = [n for n, ln in enumerate(body) if ln.text == "2026年5月6日"]
        if dates:
            date_line, signer = body[dates[0]], body[dates[0] - 1]
            assert signer.text == "凌源市住房和城乡建设局"
            assert round(_index(date_line)) == round(_index(signer)) + 1
            assert abs(date_line.end_mm - (RIGHT_MM - 4 * CHAR_PITCH_MM)) < 0.5
            assert abs(_centre(signer) - _centre(date_line)) < 0.5
            return
    raise AssertionError("no 成文日期 in the certificate")


@pytest.mark.parametrize("base", ["https://xinyong.lingyuan.gov.cn", "http://127.0.0.1:8000/",
                                  "https://xy.example.org/lyxy"])
def test_the_margin_lines_qr_reads_from_a_150_dpi_grey_scan(base: str, tmp_path: Path) -> None:
    """Per-page margin line (stamping op margin_line) on a letter: its 12 mm QR code must scan
    too. It holds the short upper-case address (alphanumeric mode: version 3, not the byte-mode
    /verify/ address's version 4) at 8 image pixels per module."""
    from app.documents.qr import qr_version
    from app.domain.urls import short_verify_url
    from app.stamping.overlay.markup import DEFAULT_MARGIN_LINE, add_margin_line

    url = short_verify_url(base, "LYXY-CN-2026-000006B")
    assert qr_version(url) <= 3 and DEFAULT_MARGIN_LINE.qr_mm == 12
    pdf = add_margin_line(letter(), number="LYXY-CN-2026-000006B", verify_url=url)
    for page in (1, 3):  # 1: the margin line's code is the only one; 3: the second copy's first
        image = _scan(pdf, page, tmp_path)
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
        assert [s.data.decode() for s in pyzbar.decode(image) if s.type == "QRCODE"] == [url]


@pytest.mark.parametrize(("sample", "page"), [("stamped-letter", 2), ("stamped-letter", 4),
                                              ("public-copy-watermarked", 2),
                                              ("public-copy-watermarked", 4)])
def test_stamped_and_public_copies_qr_reads_with_zbar(sample: str, page: int, tmp_path: Path) -> None:
    """The letter's code still scans once sealed, signed and (public copy) rasterised and
    watermarked: zbar and zxing from a 150 dpi grey scan of each copy's last page."""
    image = _scan((ROOT / "samples" / f"{sample}.pdf").read_bytes(), page, tmp_path)
    by_zxing = [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    by_zbar = [s.data.decode() for s in pyzbar.decode(image) if s.type == "QRCODE"]
    assert len(by_zxing) == 1 and by_zbar == by_zxing


def test_a_long_signers_letter_keeps_a_readable_qr(tmp_path: Path) -> None:
    image = _scan(_signed_letter(SIGNER_NAMES[40]), 2, tmp_path)
    assert [s.data.decode() for s in pyzbar.decode(image) if s.type == "QRCODE"] == \
        [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


RARE_NAMES = {"subject_name": "凌源市𠀀𪚥建筑工程有限公司", "legal_representative": "王𠀀𪚥"}
"""CJK Extension B characters, drawn only by the fallback face (HanaMinB, LY-Fallback)."""


def test_a_rare_name_keeps_every_line_on_the_grid() -> None:
    """The trial of issue 13: in a letter for 王𠀀𪚥 every line from the rare name's line down sat
    0.3-0.6 mm low (the fallback face's taller line box grew the line), so page 1 lost a line.
    Every 3号 line of every page stays on the 28.99 pt (10.227 mm) pitch, within 0.1 mm."""
    data = {**SAMPLES["project_approval-unit"], **RARE_NAMES}
    req = parse_commitment_request(data)
    pdf = doc.letters_pdf(doc.filled_letters(req, sample_issue(req.subject_code, 1, ON), None),
                          created=ON)
    measured = pages(pdf)
    rare_lines = 0
    for page in measured:
        body = [ln for ln in page if ln.size_pt == 16 and ln.top_mm < BOTTOM_MM
                and ln.fonts <= {"LY-Fang", "LY-Fallback"}]
        rare_lines += sum("LY-Fallback" in ln.fonts for ln in body)
        for ln in body:
            offset = (ln.top_mm - TOP_MM) - round(_index(ln)) * LINE_PITCH_MM
            assert abs(offset) < 0.1, (ln.text, offset)
    assert rare_lines >= 3  # the name, the legal representative and the 署名 were measured
