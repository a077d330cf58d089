"""The PDF pipeline: GB/T 9704 geometry, content, determinism and the locked URL fetcher."""

from __future__ import annotations

import io
import urllib.request
from dataclasses import replace
from datetime import date

import pypdf
import pytest

from app.documents import commitment as doc
from app.documents.render import LockedURLFetcher, RefusedURL, _renderer, html_to_pdf
from app.documents.wording import letter_wording
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.subjects import SubjectKind
from tests.conftest import PERSON_LETTER, UNIT_LETTER

MM = 72 / 25.4
UA_SHEET = "commitment/v2/document-ua.css"
"""The one user-agent sheet a released version uses (v2's copy)."""
ISSUE = doc.IssueInfo(number="LYXY-CN-2026-000001X", verification_code="ABCDEFGH",
                      verify_url="http://127.0.0.1:8000/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
                      issued_on=date(2026, 11, 9))


def letters(data=UNIT_LETTER, extra: str | None = "本单位承诺按时足额支付农民工工资。"):
    return doc.filled_letters(parse_commitment_request(data), ISSUE, extra)


def text_runs(page: pypdf.PageObject) -> list[tuple[float, float, str]]:
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            runs.append((x, y, text))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.fixture(scope="module")
def unit_pdf() -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(doc.letters_pdf(letters(), created=ISSUE.issued_on)))


def test_pages_are_a4(unit_pdf):
    for page in unit_pdf.pages:
        assert float(page.mediabox.width) == pytest.approx(210 * MM, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(297 * MM, abs=0.5)


def test_text_stays_in_the_gbt9704_text_block(unit_pdf):
    """版心 156 x 225 mm at 28 mm from the left and 37 mm from the top (page number below)."""
    for page in unit_pdf.pages:
        runs = text_runs(page)
        body = [r for r in runs if "—" not in r[2]]
        xs = [x for x, _, _ in body]
        assert min(xs) == pytest.approx(28 * MM, abs=1.5 * MM)
        tops = [y for _, y, _ in body]
        assert max(tops) <= (297 - 37 + 10) * MM  # labels sit in the top margin line area
        assert min(tops) >= 35 * MM


def test_both_copies_are_marked_and_hold_every_clause(unit_pdf):
    text = "".join(page.extract_text() for page in unit_pdf.pages)
    compact = text.replace("\n", "").replace(" ", "")
    assert compact.count("承诺人留存") == 1
    assert compact.count("接受承诺单位留存") == 1
    assert compact.count("LYXY-CN-2026-000001X") == 2
    assert compact.count("验证码：ABCDEFGH") == 2
    assert compact.count("2026年11月9日") == 2  # 成文日期 without zero padding
    for clause in letters()[0].clauses:
        assert compact.count(clause.replace(" ", "")) == 2, clause
    assert "凌源市示例建筑工程有限公司" in compact
    assert "六、本单位承诺按时足额支付农民工工资。" in compact


def test_page_numbers_use_dashes(unit_pdf):
    text = unit_pdf.pages[0].extract_text()
    assert "— 1 —" in text


def test_only_bundled_fonts_are_embedded(unit_pdf):
    from app.documents.fonts import font_stack

    ours = {face.path.stem for face in font_stack().faces}
    for page in unit_pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            name = str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
            assert name, font
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"] or \
                "/FontFile3" in descendant["/FontDescriptor"], name
    assert ours


def test_same_input_gives_the_same_bytes():
    a = doc.letters_pdf(letters(), created=ISSUE.issued_on)
    b = doc.letters_pdf(letters(), created=ISSUE.issued_on)
    assert a == b


def test_natural_person_wording():
    lts = letters(PERSON_LETTER, None)
    assert all("本人" in c for c in lts[0].clauses[:5])
    assert not any("本单位" in c for c in lts[0].clauses)
    assert [f.label for f in lts[0].fields] == ["承诺人姓名", "身份证号码", "承诺事项"]


@pytest.mark.parametrize("scenario", list(Scenario))
@pytest.mark.parametrize("kind", [SubjectKind.ENTERPRISE, SubjectKind.NATURAL_PERSON])
def test_blank_letters_render_without_numbers(scenario, kind):
    pdf = pypdf.PdfReader(io.BytesIO(doc.letters_pdf(doc.blank_letters(scenario, kind))))
    text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "")
    assert "编号" not in text
    assert "验证码" not in text
    assert scenario.label in text
    assert "年" in text
    assert "月" in text
    assert "日" in text


def test_user_text_with_markup_is_printed_and_nothing_is_fetched(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open",
                        lambda self, url, *a, **k: calls.append(str(url)))
    hostile = '<img src="file:///etc/passwd"> http://169.254.169.254/latest'
    base = letters()[0]
    lt = replace(base, fields=base.fields[:-1] + (replace(base.fields[-1], value=hostile),))
    fetcher = _renderer().fetcher
    refused_before = list(fetcher.refused)
    pdf = pypdf.PdfReader(io.BytesIO(doc.letters_pdf([lt])))
    text = "".join(p.extract_text() for p in pdf.pages).replace("\n", "")
    assert 'src="file:///etc/passwd"' in text
    assert "169.254.169.254" in text
    assert calls == []
    assert fetcher.refused == refused_before  # the text was never even treated as a URL


@pytest.mark.weasyprint_warnings_expected
def test_fetcher_refuses_files_and_network_in_markup(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(urllib.request.OpenerDirector, "open",
                        lambda self, url, *a, **k: calls.append(str(url)))
    fetcher = _renderer().fetcher
    before = len(fetcher.refused)
    html_to_pdf('<img src="file:///etc/passwd"><img src="http://169.254.169.254/x">'
                '<link rel="stylesheet" href="https://example.com/x.css"><p>x</p>')
    assert sorted(fetcher.refused[before:]) == ["file:///etc/passwd",
                                                "http://169.254.169.254/x",
                                                "https://example.com/x.css"]
    assert calls == []


@pytest.mark.parametrize("url", ["font:../../etc/passwd", "asset:../app/config.py",
                                 "font:/etc/passwd", "data:text/plain,hi"])
def test_fetcher_refuses_paths_outside_its_folders(url):
    with pytest.raises(RefusedURL):
        LockedURLFetcher().fetch(url)


def test_each_copy_marks_the_seal_anchor_between_signer_and_date(unit_pdf):
    """The stamping step finds where the seal goes from named destinations (GB/T 9704 7.3.5)."""
    dests = unit_pdf.named_destinations
    assert {"seal-anchor-1", "seal-anchor-2"} <= set(dests)
    for name in ("seal-anchor-1", "seal-anchor-2"):
        dest = dests[name]
        page = unit_pdf.get_destination_page_number(dest)
        runs = text_runs(unit_pdf.pages[page])
        date_y = next(y for _, y, t in runs if "2026年11月9日" in t)
        signer_y = next(y for _, y, t in runs if "凌源市示例建筑工程有限公司" in t and y > date_y)
        assert date_y < float(dest["/Top"]) < signer_y + 16  # between the lines, a bit high


def _page_pixels(pdf: bytes) -> list[bytes]:
    from PIL import Image

    from app.documents.preview import page_png

    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return [Image.open(io.BytesIO(page_png(pdf, n, dpi=100))).convert("L").tobytes()
            for n in range(1, pages + 1)]


LONG_NAME_LETTER = {**UNIT_LETTER, "subject_name": "凌源市示例建筑工程有限责任公司第一分公司城东项目经理部"}


@pytest.mark.parametrize("data", [UNIT_LETTER, PERSON_LETTER, LONG_NAME_LETTER],
                         ids=["unit", "person", "signer-wraps"])
def test_every_template_version_prints_the_same_pages(data):
    # v2 only lays out faster (own user-agent sheet, floated 署名/日期): a letter issued as v1
    # re-renders as v1, and both versions put the same ink on the same paper.
    # v3 adds item 六 only where no unit clause applies (these letters have one). v4 (issue 13)
    # is a new page on purpose (tests/documents/test_gbt9704_grid.py measures it).
    pdfs = {v: doc.letters_pdf(letters(data), v) for v in ("v1", "v2", "v3")}
    pixels = {v: _page_pixels(pdf) for v, pdf in pdfs.items()}
    reference = pixels["v1"]
    assert len(reference) == 4
    for version, pages in pixels.items():
        assert pages == reference, f"{version} prints other pages than v1"
    anchors = {v: {name: (round(float(d.left), 1), round(float(d.top), 1))
                   for name, d in pypdf.PdfReader(io.BytesIO(pdf)).named_destinations.items()}
               for v, pdf in pdfs.items()}
    assert all(a == anchors["v1"] for a in anchors.values())


def test_copy_labels_are_one_em_per_character():
    # v2 sets the label's width to its length in em (letter.html): full-width CJK characters only.
    import unicodedata

    for label in letter_wording("v2").copy_labels:
        assert all(unicodedata.east_asian_width(c) == "W" for c in label), label


def test_template_versions_differ_in_layout_rules_only():
    assert doc.template("v1").ua_stylesheet is None
    assert doc.template("v2").ua_template == "commitment/v2/document-ua.css"
    with pytest.raises(ValueError):
        doc.template("v0")


def test_own_user_agent_sheet_keeps_the_defaults_templates_rely_on():
    # Unstyled markup: headings bold and larger, paragraphs spaced, head content hidden; the
    # same pages as under WeasyPrint's own user-agent sheet.
    html = ("<html><head><title>不可见标题</title></head><body><h1>标题</h1><p>第一段</p>"
            "<p>第二段<br/>换行</p><table><tbody><tr><th>表头</th><td>单元格</td></tr></tbody>"
            "</table></body></html>")
    ours = html_to_pdf(html, ua_stylesheet=UA_SHEET)
    theirs = html_to_pdf(html)
    assert _page_pixels(ours) == _page_pixels(theirs)
    assert "不可见标题" not in pypdf.PdfReader(io.BytesIO(ours)).pages[0].extract_text()


def test_own_document_markup_must_be_well_formed():
    from app.documents.render import RenderError

    with pytest.raises(RenderError, match="XHTML"):
        html_to_pdf("<html><body><p>未闭合<br></p></body></html>",
                    ua_stylesheet=UA_SHEET)


def test_streams_are_deflated():
    pdf = pypdf.PdfReader(io.BytesIO(doc.letters_pdf(letters()[:1])))
    fonts = [f for page in pdf.pages for f in page["/Resources"]["/Font"].values()]
    for font in fonts:
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        if "/FontFile2" in descriptor:
            stream = descriptor["/FontFile2"].get_object()
            assert stream.get_data()[:4] == b"\x00\x01\x00\x00"  # inflates to a TrueType font
        else:  # the CFF 仿宋 of the versions from issue 13 on
            stream = descriptor["/FontFile3"].get_object()
            assert stream.get_data()[:4] == b"OTTO"  # inflates to an OpenType (CFF) font
        assert stream["/Filter"] == "/FlateDecode"
    page = pdf.pages[0]["/Contents"].get_object()
    streams = [page] if hasattr(page, "get_data") else [s.get_object() for s in page]
    assert all(s["/Filter"] == "/FlateDecode" for s in streams)


def test_qr_code_on_the_letter_reads_back_as_the_verification_url():
    import zxingcpp
    from PIL import Image

    from app.documents.preview import page_png

    letter = letters()[0]
    pdf = doc.letters_pdf([letter])
    page = Image.open(io.BytesIO(page_png(pdf, 2, dpi=150)))
    found = [b.text for b in zxingcpp.read_barcodes(page) if b.format == zxingcpp.BarcodeFormat.QRCode]
    assert found == [letter.verify_url]


@pytest.mark.parametrize("scale", [1, 8])
def test_qr_png_encodes_the_url_with_a_quiet_zone(scale):
    import zxingcpp
    from PIL import Image

    from app.documents.qr import QUIET_ZONE, qr_png

    url = "http://127.0.0.1:8000/verify/LYXY-CN-2026-000123T?c=ABCDEFGH"
    image = Image.open(io.BytesIO(qr_png(url, scale=scale)))
    assert image.mode == "1"
    assert image.width == image.height
    modules = image.width // scale
    assert (modules - 2 * QUIET_ZONE - 17) % 4 == 0  # 21, 25, 29 … modules plus the quiet zone
    big = image.convert("L").resize((image.width * 8 // scale,) * 2, Image.Resampling.NEAREST)
    decoded = zxingcpp.read_barcodes(big)
    assert [(b.text, b.ec_level) for b in decoded] == [(url, "M")]
    assert image.getpixel((0, 0)) == 255
    assert image.getpixel((QUIET_ZONE * scale, QUIET_ZONE * scale)) == 0
