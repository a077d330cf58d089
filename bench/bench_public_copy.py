"""Public copy (公示文本) benchmark: size per page and time per page of ``make_public_copy``.

Run with ``.venv/bin/python bench/bench_public_copy.py``. Inputs: the sample stamped letter
(``samples/stamped-letter.pdf``, vector text, 2 pages), a colour "scan" of it (each page a 300 dpi
JPEG on slightly grey, noisy paper, as a scanner delivers it) and a 20-page scan. Prints bytes per
page of the public copy (goal: under 1 MB for a typical scanned page) and median / p95 seconds.
``BENCH_N`` sets the number of timed runs (default 5). Not pinned to one core: pages are rendered by
up to 4 ``pdftoppm`` processes at once. Unsigned: signing adds a constant ~0.1 s.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchlib import pct, timed  # noqa: E402

N = max(1, int(os.environ.get("BENCH_N", "5")))
GOAL_BYTES_PER_PAGE = 1024 * 1024


def scanned(pdf: bytes, pages: int) -> bytes:
    """``pages`` pages made of 300 dpi JPEG pictures of ``pdf``'s pages on noisy grey paper."""
    import pikepdf
    from PIL import Image, ImageChops

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "300", "-png", str(Path(tmp) / "in.pdf"), str(Path(tmp) / "p")],
                       check=True)
        pictures = [Image.open(p).convert("RGB") for p in sorted(Path(tmp).glob("p-*.png"))]
    rng = random.Random(1)
    noise = Image.effect_noise(pictures[0].size, 12).convert("RGB")
    doc = pikepdf.new()
    for i in range(pages):
        img = ImageChops.multiply(pictures[i % len(pictures)], Image.new("RGB", noise.size, (242, 240, 236)))
        img = ImageChops.subtract(img, noise, scale=1.0, offset=-rng.randint(0, 4))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        w, h = img.size
        image = pikepdf.Stream(doc, buf.getvalue())
        for key, value in dict(Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=w, Height=h,
                               ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                               Filter=pikepdf.Name.DCTDecode).items():
            image[f"/{key}"] = value
        pw, ph = w * 72 / 300, h * 72 / 300
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, pw, ph],
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(S=image)),
                                  Contents=pikepdf.Stream(doc, f"q {pw} 0 0 {ph} 0 0 cm /S Do Q".encode()))
        doc.pages.append(pikepdf.Page(doc.make_indirect(page)))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def main() -> None:
    from app import create_app
    from app.stamping.public_copy import make_public_copy

    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench",
                          "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"})
        with app.app_context():
            letter = (ROOT / "samples" / "stamped-letter.pdf").read_bytes()
            inputs = {"vector letter, 2 pages": (letter, 2), "scan, 2 pages": (scanned(letter, 2), 2),
                      "scan, 20 pages": (scanned(letter, 20), 20)}
            print(f"make_public_copy, 150 dpi JPEG q80 ({cores} cores, up to 4 pdftoppm at once; n={N})")
            for name, (pdf, pages) in inputs.items():
                copy = make_public_copy(pdf, watermark="公示专用", title="信用承诺书（公示文本）")
                samples = timed(lambda pdf=pdf: make_public_copy(pdf, watermark="公示专用", title="t"),
                                N, warm=0)
                per_page = len(copy) / pages
                verdict = "ok" if per_page < GOAL_BYTES_PER_PAGE else "OVER GOAL"
                print(f"  {name:<24} input {len(pdf) / pages / 1024:7.0f} KB/page  "
                      f"copy {per_page / 1024:5.0f} KB/page ({verdict})  "
                      f"median {pct(samples, 0.5):5.2f} s  p95 {pct(samples, 0.95):5.2f} s  "
                      f"({pct(samples, 0.5) / pages:4.2f} s/page)")


if __name__ == "__main__":
    main()
