"""Stamping benchmarks: prints median and p95 (ms) for seals, 骑缝章, watermarks and margin lines.

Run with ``.venv/bin/python bench/bench_stamping.py``. Pinned to one core, warm, in-process
(each operation runs once before timing; the seal bitmap and the watermark overlay are cached
per process, as in the server). ``BENCH_N`` sets the number of runs (default 50).
"""

from __future__ import annotations

import io
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import pct, pin_to_one_core, report  # noqa: E402,F401
from benchlib import timed as _timed  # noqa: E402

N = max(50, int(os.environ.get("BENCH_N", "50")))


def timed(fn, n: int = N) -> list[float]:
    return _timed(fn, n, warm=1)
MM = 72 / 25.4


def ring_png(px: int = 600) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (px, px), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((2, 2, px - 3, px - 3), outline=(230, 0, 0, 255), width=px // 25)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def text_pdf(pages: int) -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for n in range(1, pages + 1):
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 210 * MM, 297 * MM],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(f"BT /F1 12 Tf 72 700 Td (Page {n}) Tj ET".encode()))))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def main() -> None:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    print(f"pinned to CPU {cpu}; {N} warm runs each")

    from app.documents import commitment as doc
    from app.domain.commitments import parse_commitment_request
    from app.stamping.overlay import (
        add_margin_line,
        add_watermark,
        stamp_at_anchors,
        stamp_cross_page_seal,
        stamp_seal,
    )
    from app.stamping.types import SealImage, SealPlacement
    from tests.conftest import UNIT_LETTER

    seal = SealImage(ring_png(), 42.0)
    one = text_pdf(1)
    twenty = text_pdf(20)
    issued = date(2026, 11, 29)
    issue = doc.IssueInfo(number="LYXY-CN-2026-000001X", verification_code="ABCDEFGH",
                          verify_url="http://127.0.0.1:8000/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
                          issued_on=issued)
    letter = doc.letters_pdf(doc.filled_letters(parse_commitment_request(UNIT_LETTER), issue, None),
                             created=issued)
    place = SealPlacement(page=1, x_mm=150, y_mm=200)
    url = "https://xy.lingyuan.gov.cn/verify/LYXY-CN-2026-000001X?c=ABCDEFGH"

    report("seal, 1-page PDF", timed(lambda: stamp_seal(one, seal, place)), 10)
    from app.stamping.overlay.marks import seal_bitmap

    def cold_seal() -> bytes:
        seal_bitmap.cache_clear()  # decode + compress the 600 px PNG again
        return stamp_seal(one, seal, place)

    report("seal, 1-page PDF, seal PNG not cached", timed(cold_seal), 10)
    report("seal at anchors, issued letter (4 pages)", timed(lambda: stamp_at_anchors(letter, seal)), None)
    report("骑缝章, 20-page PDF", timed(lambda: stamp_cross_page_seal(twenty, seal)), 40)
    report("watermark, 1-page PDF (overlay cached)", timed(lambda: add_watermark(one, "公示专用")), None)
    report("margin line, 1-page PDF", timed(
        lambda: add_margin_line(one, number="LYXY-CN-2026-000001X", verify_url=url)), None)
    report("margin line, issued letter (4 pages)", timed(
        lambda: add_margin_line(letter, number="LYXY-CN-2026-000001X", verify_url=url)), None)
    # uncached watermark: a new text each run forces a WeasyPrint render
    counter = iter(range(10**6))
    report("watermark, 1-page PDF (new text each run)",
           timed(lambda: add_watermark(one, f"仅供第{next(counter)}号使用")), None)


if __name__ == "__main__":
    main()
