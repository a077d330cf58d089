"""Public copies (app.stamping.public_copy): page order, displayed size, bounded pictures, our metadata."""

from __future__ import annotations

import io

import pikepdf

from app.stamping.public_copy import MAX_SIDE_PX, PRODUCER, is_current_public_copy, make_public_copy

MM = 72 / 25.4


def pdf_of(pages: list[tuple[float, float, int]]) -> bytes:
    """A PDF with one page per (width_mm, height_mm, rotate)."""
    doc = pikepdf.new()
    for w, h, rotate in pages:
        doc.add_blank_page(page_size=(w * MM, h * MM))
        if rotate:
            doc.pages[-1].obj.Rotate = rotate
    doc.docinfo["/Author"] = "上传者"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def sizes_and_pixels(pdf: bytes) -> list[tuple[float, float, int, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        rows = []
        for page in doc.pages:
            assert "/Rotate" not in page.obj
            _, _, w, h = (float(v) for v in page.obj.MediaBox)
            image = next(iter(page.obj.Resources.XObject.values()))
            rows.append((round(w / MM), round(h / MM), int(image.Width), int(image.Height)))
        return rows


def test_pages_keep_their_order_and_displayed_size():
    # 12 pages: pdftoppm names them p-01 .. p-12, which must not sort as p-1, p-10, p-11, p-12, p-2
    pages = [(100 + 5 * i, 200, 0) for i in range(12)] + [(210, 297, 90)]
    copy = make_public_copy(pdf_of(pages), watermark="公示专用", title="测试")
    rows = sizes_and_pixels(copy)
    assert [(w, h) for w, h, _, _ in rows[:12]] == [(100 + 5 * i, 200) for i in range(12)]
    assert rows[12][:2] == (297, 210)  # rotated page: landscape as displayed
    for w, h, px_w, px_h in rows:
        assert abs(px_w - w / 25.4 * 150) <= 2
        assert abs(px_h - h / 25.4 * 150) <= 2


def test_an_oversized_page_is_rendered_within_the_pixel_bound():
    copy = make_public_copy(pdf_of([(210, 297, 0), (3000, 2000, 0)]), watermark="公示专用", title="t")
    (_, _, a4_w, _), (_, _, big_w, big_h) = sizes_and_pixels(copy)
    assert abs(a4_w - 1240) <= 1
    assert 3900 <= max(big_w, big_h) <= MAX_SIDE_PX


def test_metadata_is_ours_and_the_output_is_deterministic():
    src = pdf_of([(210, 297, 0)])
    copy = make_public_copy(src, watermark="公示专用", title="信用承诺书（公示文本）")
    assert copy == make_public_copy(src, watermark="公示专用", title="信用承诺书（公示文本）")
    with pikepdf.open(io.BytesIO(copy)) as doc:
        assert dict(doc.docinfo.items()) == {"/Title": "信用承诺书（公示文本）", "/Producer": PRODUCER,
                                             "/Creator": PRODUCER}
    assert is_current_public_copy(copy)
    assert not is_current_public_copy(src)
    assert not is_current_public_copy(b"not a pdf")
