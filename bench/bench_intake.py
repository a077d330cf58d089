"""Intake gate benchmark: prints median and p95 (ms) of ``inspect_pdf`` on ~2 MB uploads.

Run with ``.venv/bin/python bench/bench_intake.py``. The parent is pinned to one core before the
worker pool exists, so the forkserver and its workers inherit the same single core. Warm pool
(one call before timing, as after ``intake.warm_up()`` in a server). ``BENCH_N`` sets the number of
runs (default and minimum 30). Also prints the in-process share of the work (the same checks without
the worker round trip), the cold start (forkserver + first worker) and the cost of replacing a
killed worker.
"""

from __future__ import annotations

import io
import os
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import pct, pin_to_one_core, report  # noqa: E402,F401
from benchlib import timed as _timed  # noqa: E402

N = max(30, int(os.environ.get("BENCH_N", "30")))


def timed(fn, n: int = N) -> list[float]:
    return _timed(fn, n, warm=1)
GOAL_MS = 150


def text_pages(pages: int) -> bytes:
    """A rendered Chinese document of ``pages`` A4 pages (WeasyPrint, embedded subset fonts)."""
    from app.documents.fonts import font_stack
    from app.documents.render import html_to_pdf

    paragraph = ("凌源市信用承诺书：本单位承诺所提交的材料真实、准确、完整，"
                 "如有虚假，愿意承担相应的法律责任，并接受失信惩戒。编号：LYXY-CN-2026-0000016。") * 6
    body = "".join(f'<section style="page-break-after: always"><h1>第{i}页</h1>'
                   + f"<p>{paragraph}</p>" * 2 + "</section>" for i in range(1, pages + 1))
    return html_to_pdf(f'<style>body {{ font-family: {font_stack().family("body")} }}</style>{body}')


def with_image(pdf_bytes: bytes, target_bytes: int, *, jpeg: bool) -> bytes:
    """Add one scan-like image XObject to page 1, sized so the file reaches about ``target_bytes``.

    ``jpeg=False``: a Flate (deflate) image, the expensive case for the gate, which inflates it to
    count its decoded size. ``jpeg=True``: DCT, as most scanners write, which the gate does not decode.
    """
    import pikepdf
    from PIL import Image

    rng = __import__("random").Random(7)
    budget = target_bytes - len(pdf_bytes)
    side = 1200
    while True:  # grey "paper" with noise: compresses ~2:1 with Flate, like a real greyscale scan
        pixels = bytes(200 + rng.randrange(40) for _ in range(side * side))
        encoded = (_jpeg(pixels, side, Image) if jpeg else zlib.compress(pixels, 6))
        if len(encoded) >= budget or side > 4000:
            break
        side = int(side * (budget / len(encoded)) ** 0.5) + 16
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    image = pikepdf.Stream(pdf, b"")
    image.write(encoded, filter=pikepdf.Name.DCTDecode if jpeg else pikepdf.Name.FlateDecode)
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width = image.Height = side
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
    page = pdf.pages[0]
    page.add_resource(pdf.make_indirect(image), pikepdf.Name.XObject, prefix="Im")
    buf = io.BytesIO()
    pdf.save(buf, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return buf.getvalue()


def _jpeg(pixels: bytes, side: int, image_module) -> bytes:
    buf = io.BytesIO()
    image_module.frombytes("L", (side, side), pixels).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    cpu = sorted(os.sched_getaffinity(0))[0]
    os.sched_setaffinity(0, {cpu})  # before any worker exists: the forkserver and workers inherit it

    from app.archive import intake
    from app.archive.intake import IntakeLimits, checks, inspect_pdf, sandbox

    base = text_pages(40)
    flate = with_image(base, 2 * 1024 * 1024, jpeg=False)
    scan = with_image(base, 2 * 1024 * 1024, jpeg=True)
    print(f"pinned to CPU {cpu}; pool of {intake.POOL_SIZE}, forkserver")
    print(f"text PDF: 40 pages, {len(base) / 1e6:.2f} MB; with Flate image {len(flate) / 1e6:.2f} MB; "
          f"with JPEG image {len(scan) / 1e6:.2f} MB")

    t = time.perf_counter()
    facts = inspect_pdf(flate)
    cold_ms = 1000 * (time.perf_counter() - t)
    print(f"{'cold start (forkserver + first worker + first file)':<52} {cold_ms:8.2f} ms")
    assert facts.page_count == 40 and facts.document_numbers == ("LYXY-CN-2026-0000016",), facts.page_count

    report("inspect_pdf, 40 pages + Flate image (~2 MB)", timed(lambda: inspect_pdf(flate)), GOAL_MS)
    report("inspect_pdf, 40 pages + JPEG image (~2 MB)", timed(lambda: inspect_pdf(scan)), GOAL_MS)
    report("inspect_pdf, 40 pages text only", timed(lambda: inspect_pdf(base)))

    limits = IntakeLimits()
    report("  same checks in-process (no worker), Flate case",
           timed(lambda: checks.inspect_in_worker(flate, limits)))
    report("  text sample alone (pypdf, 3 pages)", timed(lambda: checks.text_sample(flate)))

    def replace_worker() -> None:
        for worker in list(sandbox._pool().idle):
            worker.process.kill()
        inspect_pdf(base)

    report("inspect_pdf after its worker was killed (respawn)", timed(replace_worker, n=10))
    intake.shutdown()


if __name__ == "__main__":
    main()
