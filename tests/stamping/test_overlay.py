"""Overlays on existing PDFs: seals, anchors, 骑缝章, watermarks, margin lines, signed inputs, errors."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pikepdf
import pypdf
import pytest
from PIL import Image, ImageDraw

from app.documents import commitment as doc
from app.documents.fonts import UncoverableCharacter, font_stack
from app.domain.commitments import parse_commitment_request
from app.stamping import overlay
from app.stamping.overlay import (
    ReceiptStamp,
    add_margin_line,
    add_receipt_stamp,
    add_watermark,
    find_seal_anchors,
    page_count,
    page_sizes_mm,
    plan_cross_page_seal,
    stamp_at_anchors,
    stamp_cross_page_seal,
    stamp_seal,
)
from app.stamping.types import EncryptedPdf, InvalidPdf, PlacementError, SealImage, SealPlacement
from tests.conftest import UNIT_LETTER

MM = 72 / 25.4
A4 = (210.0, 297.0)
A5_LANDSCAPE = (210.0, 148.0)
LETTER = (215.9, 279.4)
PDFTOPPM = shutil.which("pdftoppm")
PDFTOTEXT = shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(PDFTOPPM is None or PDFTOTEXT is None, reason="poppler not installed")


# --------------------------------------------------------------------------- fixtures and helpers


def ring_png(px: int = 400, colour=(230, 0, 0, 255)) -> bytes:
    """A red ring touching the image edges, transparent elsewhere (a stand-in seal)."""
    im = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((2, 2, px - 3, px - 3), outline=colour, width=max(4, px // 25))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def seal() -> SealImage:
    return SealImage(png=ring_png(), diameter_mm=42.0)


def make_pdf(pages: int = 1, size_mm: tuple[float, float] = A4, rotate: int = 0,
             text: str = "Page {n} of the test document") -> bytes:
    """Blank pages with one line of Helvetica text each (size is the *unrotated* MediaBox)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    w, h = size_mm[0] * MM, size_mm[1] * MM
    for n in range(1, pages + 1):
        content = f"BT /F1 12 Tf 72 {h - 100:.2f} Td ({text.format(n=n)}) Tj ET".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content))
        if rotate:
            page.Rotate = rotate
        pdf.pages.append(pikepdf.Page(page))
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def texts(pdf: bytes) -> list[str]:
    return [p.extract_text().rstrip() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def to_displayed_mm(page: tuple, ux: float, uy: float) -> tuple[float, float]:
    """User-space point -> (x from left, y from top) in mm on the displayed page.

    ``page`` is ``(llx, lly, urx, ury, rotate)``. Written from the definition of /Rotate
    (clockwise): independent of the module's matrices.
    """
    llx, lly, urx, ury, rot = page
    if rot == 0:
        x, y = ux - llx, ury - uy
    elif rot == 90:  # displayed top-left is user (llx, lly); right = user up; down = user right
        x, y = uy - lly, ux - llx
    elif rot == 180:
        x, y = urx - ux, uy - lly
    else:  # 270
        x, y = ury - uy, urx - ux
    return x / MM, y / MM


def image_draws(pdf: bytes) -> list[dict]:
    """Every image XObject painted on a page's content: page, CTM, clip rect, image objgen."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as doc_:
        for index, page in enumerate(doc_.pages):
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            stack = [(pikepdf.Matrix(), None)]
            pending_clip = None
            for operands, op in pikepdf.parse_content_stream(page):
                ctm, clip = stack[-1]
                name = str(op)
                if name == "q":
                    stack.append((ctm, clip))
                elif name == "Q":
                    if len(stack) > 1:
                        stack.pop()
                elif name == "cm":
                    stack[-1] = (pikepdf.Matrix(*[float(v) for v in operands]) @ ctm, clip)
                elif name == "re":
                    x, y, w, h = (float(v) for v in operands)
                    pending_clip = (ctm, (x, y, x + w, y + h))
                elif name == "W":
                    stack[-1] = (ctm, pending_clip)
                elif name == "Do":
                    xobj = xobjects.get(operands[0])
                    # the seal: a 400 px image (the letter's own QR codes are other images)
                    if xobj is not None and xobj.get("/Subtype") == pikepdf.Name.Image \
                            and xobj.get("/Width") == 400:
                        found.append({"page": index + 1, "ctm": ctm, "clip": clip,
                                      "objgen": xobj.objgen,
                                      "page_obj": (*(float(v) for v in page.cropbox),
                                                   int(page.obj.get("/Rotate", 0)) % 360)})
    return found


def image_box_mm(draw: dict) -> tuple[float, float, float, float]:
    """Displayed (x0, y0, x1, y1) mm of the unit image square under the draw's CTM."""
    m = draw["ctm"]
    pts = [to_displayed_mm(draw["page_obj"], *m.transform((x, y))) for x, y in ((0, 0), (1, 1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def clip_box_mm(draw: dict) -> tuple[float, float, float, float]:
    ctm, (x0, y0, x1, y1) = draw["clip"]
    pts = [to_displayed_mm(draw["page_obj"], *ctm.transform((x, y))) for x, y in ((x0, y0), (x1, y1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def render_png(pdf: bytes, page: int, out: Path, dpi: int = 72) -> Image.Image:
    src = out.with_suffix(".pdf")
    src.write_bytes(pdf)
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(src), str(out.with_suffix(""))], check=True)
    return Image.open(out).convert("RGB")


def red_box_mm(im: Image.Image, dpi: int = 72) -> tuple[float, float, float, float]:
    """Bounding box (mm, from the rendered page's top-left) of the seal-red pixels."""
    mask = Image.eval(im.split()[0], lambda v: 255 if v > 150 else 0)
    green = Image.eval(im.split()[1], lambda v: 255 if v < 110 else 0)
    red = Image.composite(mask, Image.new("L", im.size, 0), green)
    box = red.getbbox()
    assert box, "no red pixels rendered"
    px = 25.4 / dpi
    return box[0] * px, box[1] * px, box[2] * px, box[3] * px


def word_boxes(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """pdftotext -bbox words on a page as (text, x0, y0, x1, y1) in mm from the top-left."""
    out = subprocess.run([PDFTOTEXT, "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
                         input=pdf, capture_output=True, check=True).stdout.decode()
    import re

    words = []
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
    for m in re.finditer(pattern, out):
        x0, y0, x1, y1 = (float(v) / MM for v in m.groups()[:4])
        words.append((m.group(5), x0, y0, x1, y1))
    return words


# --------------------------------------------------------------------------- 1. stamp_seal


def test_seal_drawn_centred_where_asked_and_text_unchanged(seal):
    pdf = make_pdf(3)
    out = stamp_seal(pdf, seal, SealPlacement(page=2, x_mm=120.0, y_mm=200.0))
    assert texts(out) == texts(pdf)
    draws = image_draws(out)
    assert [d["page"] for d in draws] == [2]
    x0, y0, x1, y1 = image_box_mm(draws[0])
    assert (x0 + x1) / 2 == pytest.approx(120.0, abs=0.5)
    assert (y0 + y1) / 2 == pytest.approx(200.0, abs=0.5)
    assert x1 - x0 == pytest.approx(42.0, abs=0.5)
    assert y1 - y0 == pytest.approx(42.0, abs=0.5)
    with pikepdf.open(io.BytesIO(out)) as d:
        image = next(iter(d.pages[1].Resources.XObject.values()))
        assert image.Width == 400
        assert "/SMask" in image  # transparency kept, not flattened


def test_explicit_diameter_overrides_the_seal_size(seal):
    out = stamp_seal(make_pdf(), seal, SealPlacement(page=1, x_mm=100, y_mm=100, diameter_mm=38))
    x0, _, x1, _ = image_box_mm(image_draws(out)[0])
    assert x1 - x0 == pytest.approx(38.0, abs=0.5)


def test_output_is_deterministic(seal):
    pdf = make_pdf(2)
    place = SealPlacement(page=1, x_mm=100, y_mm=100)
    assert stamp_seal(pdf, seal, place) == stamp_seal(pdf, seal, place)


@needs_poppler
@pytest.mark.parametrize("size, rotate", [(A4, 0), (A4, 90), (A4, 180), (A4, 270),
                                          (A5_LANDSCAPE, 0), (LETTER, 90)])
def test_seal_lands_where_asked_on_the_displayed_page(seal, tmp_path, size, rotate):
    pdf = make_pdf(1, size, rotate)
    disp_w, disp_h = (size[1], size[0]) if rotate in (90, 270) else size
    assert page_sizes_mm(pdf)[0] == pytest.approx((disp_w, disp_h), abs=0.01)
    x, y = disp_w - 40.0, disp_h - 35.0  # near the bottom-right corner of the displayed page
    if rotate == 270:  # the page's text line is shown there: a seal may not cover it
        y = 35.0
    out = stamp_seal(pdf, seal, SealPlacement(page=1, x_mm=x, y_mm=y))
    x0, y0, x1, y1 = image_box_mm(image_draws(out)[0])
    assert ((x0 + x1) / 2, (y0 + y1) / 2) == pytest.approx((x, y), abs=0.5)
    # independent check: poppler applies /Rotate; the red ring must appear there, upright size
    im = render_png(out, 1, tmp_path / "p.png")
    assert im.size[0] / 72 * 25.4 == pytest.approx(disp_w, abs=0.5)
    rx0, ry0, rx1, ry1 = red_box_mm(im)
    assert ((rx0 + rx1) / 2, (ry0 + ry1) / 2) == pytest.approx((x, y), abs=0.6)
    assert rx1 - rx0 == pytest.approx(42.0, abs=1.0)
    assert texts(out) == texts(pdf)


def test_cropbox_is_the_visible_page(seal):
    pdf = make_pdf()
    with pikepdf.open(io.BytesIO(pdf)) as d:
        d.pages[0].obj.CropBox = [10 * MM, 20 * MM, 200 * MM, 280 * MM]
        buf = io.BytesIO()
        d.save(buf)
    assert page_sizes_mm(buf.getvalue())[0] == pytest.approx((190.0, 260.0), abs=0.01)
    out = stamp_seal(buf.getvalue(), seal, SealPlacement(page=1, x_mm=30, y_mm=60))
    m = image_draws(out)[0]["ctm"]
    cx, cy = m.transform((0.5, 0.5))
    assert cx / MM == pytest.approx(10 + 30, abs=0.5)
    assert cy / MM == pytest.approx(280 - 60, abs=0.5)


@pytest.mark.parametrize("page, message", [(0, "第0页不存在，文件共2页"), (3, "第3页不存在，文件共2页")])
def test_missing_page(seal, page, message):
    with pytest.raises(PlacementError) as err:
        stamp_seal(make_pdf(2), seal, SealPlacement(page=page, x_mm=100, y_mm=100))
    assert err.value.message == message


@pytest.mark.parametrize("x, y", [(10.0, 100.0), (200.0, 100.0), (100.0, 5.0), (100.0, 290.0),
                                  (-50.0, -50.0), (float("nan"), 100.0)])
def test_seal_off_the_page(seal, x, y):
    with pytest.raises(PlacementError) as err:
        stamp_seal(make_pdf(2), seal, SealPlacement(page=2, x_mm=x, y_mm=y))
    assert "印章位置超出页面范围" in err.value.message
    assert "第2页" in err.value.message
    assert "210.0×297.0毫米" in err.value.message
    assert "21.0–189.0毫米" in err.value.message  # the allowed centre range for a 42 mm seal


def test_seal_on_the_edge_is_allowed(seal):
    out = stamp_seal(make_pdf(), seal, SealPlacement(page=1, x_mm=21.0, y_mm=276.0))
    assert len(image_draws(out)) == 1


# --------------------------------------------------------------------------- 2. anchors on a real letter


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    issued = date(2026, 11, 29)
    issue = doc.IssueInfo(number="LYXY-CN-2026-000001X", verification_code="ABCDEFGH",
                          verify_url="http://127.0.0.1:8000/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
                          issued_on=issued)
    letters = doc.filled_letters(parse_commitment_request(UNIT_LETTER), issue, None)
    return doc.letters_pdf(letters, created=issued)


def test_find_anchors_on_issued_letter(letter_pdf):
    anchors = find_seal_anchors(letter_pdf)
    n = page_count(letter_pdf)
    assert n == 4
    assert [a.page for a in anchors] == [2, 4]
    for a in anchors:
        assert 90 < a.x_mm < 170
        assert 120 < a.y_mm < 260


def test_stamp_at_anchors_refuses_the_applicants_sign_off_on_a_letter(letter_pdf, seal):
    """Issue 12 §1: the letter's anchor is the applicant's 落款 (承诺单位（盖章）, its name and
    date), and a 42 mm seal there touches the applicant's lines (the 法定代表人（签字） line, and
    from commitment v4 on the applicant's name first): refused, nothing stamped."""
    with pytest.raises(PlacementError) as err:
        stamp_at_anchors(letter_pdf, seal)
    # the first anchor is on the applicant's copy: a unit's seal never goes there (trial 12 item 5)
    assert "“承诺人留存”联（第1–2页）" in err.value.message
    assert "最近的可盖位置" in err.value.message
    with pytest.raises(PlacementError) as err:  # the anchor on the unit's own copy: its 落款
        stamp_seal(letter_pdf, seal, find_seal_anchors(letter_pdf)[-1])
    assert "落款处属于承诺人（盖承诺人自己的章）" in err.value.message
    assert "法定代表人" in err.value.message or "凌源市示例建筑工程有限公" in err.value.message
    assert "最近的可盖位置" in err.value.message


def test_no_anchor(seal):
    with pytest.raises(PlacementError, match="没有印章位置标记"):
        stamp_at_anchors(make_pdf(), seal)


def test_anchor_in_legacy_dests_dictionary_on_rotated_page():
    pdf = make_pdf(2, A4, rotate=90)
    with pikepdf.open(io.BytesIO(pdf)) as d:
        page = d.pages[1].obj
        # displayed (x=100, y=50) on /Rotate 90 is user (50, 100) in mm
        d.Root.Dests = pikepdf.Dictionary({"/seal-anchor-1": pikepdf.Array(
            [page, pikepdf.Name.XYZ, 50 * MM, 100 * MM, 0])})
        buf = io.BytesIO()
        d.save(buf)
    (anchor,) = find_seal_anchors(buf.getvalue())
    assert (anchor.page, anchor.x_mm, anchor.y_mm) == (2, pytest.approx(100), pytest.approx(50))


# --------------------------------------------------------------------------- 3. 骑缝章


def test_plan_groups_pages_when_strips_get_thin():
    assert [s.width_mm for s in plan_cross_page_seal(2, 42)] == [21, 21]
    plan = plan_cross_page_seal(14, 42)  # 3 mm strips: still one group
    assert {s.group for s in plan} == {1}
    plan = plan_cross_page_seal(20, 42)  # 2.1 mm < 3 mm -> two groups of 10
    assert [sum(1 for s in plan if s.group == g) for g in (1, 2)] == [10, 10]
    plan = plan_cross_page_seal(500, 42)
    sizes = [sum(1 for s in plan if s.group == g) for g in sorted({s.group for s in plan})]
    assert len(sizes) == 36
    assert max(sizes) - min(sizes) <= 1
    assert max(sizes) <= 14  # ceil(500/14)
    assert all(s.width_mm >= 3.0 for s in plan)
    plan = plan_cross_page_seal(3, 4.0)  # tiny seal: groups still need two pages
    assert [s.group_size for s in plan] == [3, 3, 3]
    with pytest.raises(PlacementError, match="骑缝章需要至少两页"):
        plan_cross_page_seal(1, 42)


@pytest.mark.parametrize("pages", [2, 12, 20, 500])
def test_cross_page_seal_strips(seal, pages):
    pdf = make_pdf(pages)
    out = stamp_cross_page_seal(pdf, seal)
    draws = image_draws(out)
    assert [d["page"] for d in draws] == list(range(1, pages + 1))
    assert len({d["objgen"] for d in draws}) == 1  # one shared image XObject
    with pikepdf.open(io.BytesIO(out)) as d:
        images = [o for o in d.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"
                  and o.get("/Width") == 400 and o.get("/ColorSpace") == "/DeviceRGB"]
        assert len(images) == 1
        image_bytes = len(images[0].read_raw_bytes()) + len(images[0].SMask.read_raw_bytes())
    plan = plan_cross_page_seal(pages, 42.0)
    assert max(s.group_size for s in plan) * 3.0 <= 42.0 + 1e-9 or pages < 4
    sums: dict[int, float] = {}
    for draw, strip in zip(draws, plan, strict=True):
        ix0, iy0, ix1, iy1 = image_box_mm(draw)
        cx0, cy0, cx1, cy1 = clip_box_mm(draw)
        assert cx1 == pytest.approx(210.0, abs=0.01)  # flush with the right edge
        assert (iy0 + iy1) / 2 == pytest.approx(148.5, abs=0.01)  # same height, page middle
        assert ix1 - ix0 == pytest.approx(42.0, abs=0.01)
        # the visible strip is [offset, offset + width] of the seal
        assert cx0 - ix0 == pytest.approx(strip.offset_mm, abs=0.01)
        assert cx1 - cx0 == pytest.approx(strip.width_mm, abs=0.01)
        sums[strip.group] = sums.get(strip.group, 0.0) + (cx1 - cx0)
    assert all(v == pytest.approx(42.0, abs=0.01) for v in sums.values())
    if pages <= 14:
        assert len(sums) == 1
    else:
        assert len(sums) > 1
    assert texts(out)[:3] == texts(pdf)[:3]
    # the seal costs one image, not one per page: a few hundred bytes per page on top
    assert len(out) - len(pdf) < image_bytes + 1000 + 300 * pages


def test_cross_page_seal_custom_height_and_mixed_sizes(seal):
    a4 = make_pdf(1)
    a5 = make_pdf(1, A5_LANDSCAPE)
    with pikepdf.open(io.BytesIO(a4)) as d, pikepdf.open(io.BytesIO(a5)) as other:
        d.pages.extend(other.pages)
        buf = io.BytesIO()
        d.save(buf)
    out = stamp_cross_page_seal(buf.getvalue(), seal, y_mm=60)
    draws = image_draws(out)
    rights = [clip_box_mm(d)[2] for d in draws]
    assert rights == [pytest.approx(210.0, abs=0.01), pytest.approx(210.0, abs=0.01)]
    assert [(image_box_mm(d)[1] + image_box_mm(d)[3]) / 2 for d in draws] == [
        pytest.approx(60, abs=0.01)] * 2
    with pytest.raises(PlacementError, match="印章位置超出页面范围"):
        stamp_cross_page_seal(buf.getvalue(), seal, y_mm=140)  # off the 148 mm tall page


def test_cross_page_seal_needs_two_pages(seal):
    with pytest.raises(PlacementError) as err:
        stamp_cross_page_seal(make_pdf(1), seal)
    assert err.value.message == "骑缝章需要至少两页"


@needs_poppler
def test_cross_page_fanned_pages_make_one_seal(seal, tmp_path):
    """Cut each rendered page's right edge strip and put them side by side: one whole ring."""
    pages = 12
    out = stamp_cross_page_seal(make_pdf(pages), seal)
    dpi = 200
    strip_px = 42.0 / pages / 25.4 * dpi
    parts = []
    for n in range(1, pages + 1):
        im = render_png(out, n, tmp_path / f"c{n}.png", dpi=dpi)
        w = im.size[0]
        parts.append(im.crop((round(w - strip_px), 0, w, im.size[1])))
    fan = Image.new("RGB", (sum(p.size[0] for p in parts), parts[0].size[1]), "white")
    x = 0
    for p in parts:
        fan.paste(p, (x, 0))
        x += p.size[0]
    fan.save(tmp_path / "fanned.png")
    rx0, ry0, rx1, ry1 = red_box_mm(fan, dpi=dpi)
    assert rx1 - rx0 == pytest.approx(42.0, abs=0.8)
    assert ry1 - ry0 == pytest.approx(42.0, abs=0.8)
    assert (ry0 + ry1) / 2 == pytest.approx(148.5, abs=0.5)


# --------------------------------------------------------------------------- 4-5. watermark, margin line


def our_font_names() -> set[str]:
    """Embedded font names WeasyPrint gives our bundled faces ("LY Body" -> "LY-Body")."""
    return {face.family.replace(" ", "-") for face in font_stack().faces}


def overlay_fonts(pdf: bytes) -> list[set[str]]:
    """Per page: names of the embedded fonts used by our overlay Form XObject (LyForm0)."""
    result = []
    with pikepdf.open(io.BytesIO(pdf)) as d:
        for page in d.pages:
            names: set[str] = set()
            stack = [page.Resources.XObject.LyForm0]
            while stack:
                form = stack.pop()
                resources = form.get("/Resources", {})
                for font in resources.get("/Font", {}).values():
                    for desc in [font, *font.get("/DescendantFonts", [])]:
                        fd = desc.get("/FontDescriptor")
                        if fd is not None and any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                            names.add(str(fd.FontName)[1:].split("+", 1)[-1])
                stack.extend(x for x in resources.get("/XObject", {}).values()
                             if x.get("/Subtype") == "/Form")
            result.append(names)
    return result


def forms_drawn_per_page(pdf: bytes) -> list[int]:
    counts = []
    with pikepdf.open(io.BytesIO(pdf)) as d:
        for page in d.pages:
            xobjects = page.obj.get("/Resources", {}).get("/XObject", {})
            n = 0
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "Do" and xobjects.get(operands[0], {}).get("/Subtype") == "/Form":
                    n += 1
            counts.append(n)
    return counts


def test_watermark_on_every_page_with_our_fonts(letter_pdf):
    out = add_watermark(letter_pdf, "公示专用")
    before, after = texts(letter_pdf), texts(out)
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        assert new.startswith(old)  # original text intact, in order; the watermark comes after
        assert "公示专用" in new[len(old):]
    assert forms_drawn_per_page(out) == [1, 1, 1, 1]
    for names in overlay_fonts(out):
        assert names
        assert names <= our_font_names()


def test_watermark_mixed_sizes_and_rotation():
    pdf = make_pdf(1)
    with pikepdf.open(io.BytesIO(pdf)) as d, pikepdf.open(io.BytesIO(make_pdf(2, LETTER, 90))) as o:
        d.pages.extend(o.pages)
        buf = io.BytesIO()
        d.save(buf)
    out = add_watermark(buf.getvalue(), "仅供凌源市住房和城乡建设局使用", opacity=0.2, angle_deg=30)
    assert forms_drawn_per_page(out) == [1, 1, 1]
    for old, new in zip(texts(buf.getvalue()), texts(out), strict=True):
        assert new.startswith(old)
        assert "仅供凌源市住房和城乡建设局使用" in new
    with pikepdf.open(io.BytesIO(out)) as d:
        forms = {str(d.pages[i].Resources.XObject.LyForm0.objgen) for i in range(3)}
    assert len(forms) == 2  # one overlay per distinct displayed size, shared by same-size pages


def test_watermark_refuses_text_without_a_glyph():
    with pytest.raises(UncoverableCharacter):
        add_watermark(make_pdf(), "公示\U0010fffd")


def test_margin_line_every_page(letter_pdf):
    number = "凌信承〔2026〕7号"
    out = add_margin_line(letter_pdf, number=number, verify_url="https://xy.lingyuan.gov.cn/v/7?c=AB",
                          label="扫码核验真伪")
    before, after = texts(letter_pdf), texts(out)
    for i, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        assert new.startswith(old)
        assert number in new
        assert f"第{i}页/共4页" in new
        assert "扫码核验真伪" in new
    assert forms_drawn_per_page(out) == [1, 1, 1, 1]
    for names in overlay_fonts(out):
        assert names
        assert names <= our_font_names()
    with pikepdf.open(io.BytesIO(out)) as d:  # the QR code is an image inside each overlay
        form = d.pages[0].Resources.XObject.LyForm0
        assert any(x.get("/Subtype") == "/Image" for x in form.Resources.XObject.values())


@needs_poppler
def test_margin_line_below_the_gbt9704_page_number(letter_pdf):
    out = add_margin_line(letter_pdf, number="凌信承〔2026〕7号", verify_url="https://example.org/v/7")
    for page in (1, 2):
        words = word_boxes(out, page)
        page_number = [w for w in words if w[0] == "—"]
        ours = [w for w in words if "第" in w[0] and "共4页" in w[0]] + [w for w in words if "凌信承" in w[0]]
        assert page_number
        assert ours
        assert max(w[4] for w in page_number) + 3 < min(w[2] for w in ours)
        assert all(w[4] < 297 - 5 for w in ours)


def test_margin_line_on_rotated_pages():
    pdf = make_pdf(3, A4, rotate=270)
    out = add_margin_line(pdf, number="LYXY-CN-2026-000001X", verify_url="https://example.org/v")
    for i, new in enumerate(texts(out), start=1):
        assert "LYXY-CN-2026-000001X" in new
        assert f"第{i}页/共3页" in new


def test_margin_line_rejects_bad_url():
    from app.stamping.types import StampingError

    with pytest.raises(StampingError, match="核验网址"):
        add_margin_line(make_pdf(), number="X-1", verify_url="javascript:alert(1)")


# --------------------------------------------------------------------------- 6. signed inputs


@pytest.fixture(scope="module")
def signer():
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "凌源市信用测试（一次性）")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, True, False, False, False),
                           critical=True)
            .sign(key, hashes.SHA256()))
    asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn1_key = asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    simple = signers.SimpleSigner(signing_cert=asn1_cert, signing_key=asn1_key,
                                  cert_registry=SimpleCertificateStore.from_certs([asn1_cert]))
    return simple, asn1_cert


def sign(pdf: bytes, signer) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    simple, _ = signer
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                     signers.PdfSignatureMetadata(field_name="OfficeSignature"), signer=simple, output=out)
    return out.getvalue()


def check_first_signature(pdf: bytes, signer):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[signer[1]]))
    assert status.intact
    assert status.valid
    assert status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert status.modification_level is not None
    assert status.modification_level <= ModificationLevel.FORM_FILLING, status.pretty_print_details()
    assert status.docmdp_ok
    assert status.bottom_line


@pytest.mark.parametrize("operation", ["seal", "receipt", "cross", "watermark", "margin"])
def test_signed_pdf_gets_an_incremental_update(letter_pdf, seal, signer, operation):
    signed = sign(letter_pdf, signer)
    if operation == "seal":
        out = stamp_seal(signed, seal, SealPlacement(page=4, x_mm=120, y_mm=225))  # below the text
    elif operation == "receipt":
        out = add_receipt_stamp(signed, ReceiptStamp("凌源市住房和城乡建设局", date(2026, 12, 3)))
    elif operation == "cross":
        out = stamp_cross_page_seal(signed, seal)
    elif operation == "watermark":
        out = add_watermark(signed, "公示专用")
    else:
        out = add_margin_line(signed, number="凌信承〔2026〕7号", verify_url="https://example.org/v/7")
    assert out.startswith(signed)
    assert len(out) > len(signed)
    check_first_signature(out, signer)
    # the mark is visible: widget annotations with an appearance stream, on the right pages
    reader = pypdf.PdfReader(io.BytesIO(out))
    pages_with_marks = [i + 1 for i, p in enumerate(reader.pages)
                        for a in (p.get("/Annots") or []) if "/AP" in a.get_object()
                        and a.get_object().get("/Parent", {}).get("/T", "") != "OfficeSignature"]
    expected = {"seal": [4], "receipt": [3]}.get(operation, [1, 2, 3, 4])
    assert pages_with_marks == expected
    assert texts(out)[0].startswith(texts(letter_pdf)[0][:50])


@needs_poppler
def test_signed_seal_renders_in_place(seal, signer, tmp_path):
    signed = sign(make_pdf(1, A4, rotate=90), signer)
    out = stamp_seal(signed, seal, SealPlacement(page=1, x_mm=200, y_mm=150))
    check_first_signature(out, signer)
    rx0, ry0, rx1, ry1 = red_box_mm(render_png(out, 1, tmp_path / "s.png"))
    assert ((rx0 + rx1) / 2, (ry0 + ry1) / 2) == pytest.approx((200, 150), abs=0.6)
    assert rx1 - rx0 == pytest.approx(42, abs=1.0)


def test_two_marks_on_a_signed_pdf_both_keep_the_signature(seal, signer):
    signed = sign(make_pdf(2), signer)
    once = stamp_cross_page_seal(signed, seal)
    twice = stamp_seal(once, seal, SealPlacement(page=1, x_mm=100, y_mm=100))
    assert twice.startswith(once)
    check_first_signature(twice, signer)


# --------------------------------------------------------------------------- 7. bad input


def encrypted_pdf(user: str) -> bytes:
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf())) as d:
        d.save(buf, encryption=pikepdf.Encryption(owner="owner-secret", user=user))
    return buf.getvalue()


def all_operations(seal):
    return [
        lambda pdf: stamp_seal(pdf, seal, SealPlacement(page=1, x_mm=100, y_mm=100)),
        lambda pdf: stamp_at_anchors(pdf, seal),
        lambda pdf: stamp_cross_page_seal(pdf, seal),
        lambda pdf: add_watermark(pdf, "公示专用"),
        lambda pdf: add_margin_line(pdf, number="X-1", verify_url="https://example.org/v"),
        page_count,
        page_sizes_mm,
        find_seal_anchors,
    ]


@pytest.mark.parametrize("data", [b"", b"hello world", b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
                                  b"<html>%PDF-1.7</html>"[:6]])
def test_not_a_pdf(seal, data):
    for operation in all_operations(seal):
        with pytest.raises(InvalidPdf) as err:
            operation(data)
        assert err.value.message == "文件不是有效的PDF"


def test_truncated_and_garbled_pdf(seal):
    pdf = make_pdf(2)
    for broken in (pdf[: len(pdf) // 3], b"%PDF-1.7\n" + b"\0garbage" * 50):
        for operation in all_operations(seal):
            with pytest.raises(InvalidPdf) as err:
                operation(broken)
            assert err.value.message == "PDF文件已损坏，无法读取"


@pytest.mark.parametrize("user", ["user-secret", ""])
def test_encrypted_pdf(seal, user):
    for operation in all_operations(seal):
        with pytest.raises(EncryptedPdf) as err:
            operation(encrypted_pdf(user))
        assert err.value.message == "PDF文件已加密，请上传未加密的文件"


def test_unusable_seal_image():
    from app.stamping.types import InvalidSealImage

    with pytest.raises(InvalidSealImage):
        stamp_seal(make_pdf(), SealImage(b"not a png", 42), SealPlacement(1, 100, 100))
    wide = io.BytesIO()
    Image.new("RGBA", (400, 200)).save(wide, "PNG")
    with pytest.raises(InvalidSealImage, match="正方形"):
        stamp_seal(make_pdf(), SealImage(wide.getvalue(), 42), SealPlacement(1, 100, 100))
    with pytest.raises(PlacementError, match="直径"):
        stamp_seal(make_pdf(), replace(SealImage(ring_png(), 42), diameter_mm=0), SealPlacement(1, 100, 100))


def test_page_helpers():
    pdf = make_pdf(3, LETTER, rotate=90)
    assert page_count(pdf) == 3
    assert page_sizes_mm(pdf) == [pytest.approx((279.4, 215.9), abs=0.01)] * 3


@pytest.mark.parametrize("module", sorted(Path(overlay.__file__).parent.glob("*.py")),
                         ids=lambda p: p.name)
def test_module_has_no_flask_import(module: Path):
    assert "flask" not in module.read_text(encoding="utf-8").lower()
