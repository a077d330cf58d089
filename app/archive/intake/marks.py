"""What the pages of an accepted upload show as pictures: the letter's QR code and seal marks.

A scanned letter has no text layer: its 文书编号 is read from the QR code printed next to the
signature block (it holds the letter's verification link). Whether the applicant stamped it is read from
the picture too: a seal-coloured (red) mark in the lower part of a page, where the signature block
(落款) sits; an electronic seal drawn into the PDF shows the same way.

Only files the gate (:func:`app.archive.intake.inspect_pdf`) has accepted come here. Pages are
rendered by poppler's ``pdftoppm`` in a child process under a time and memory limit; zxing-cpp reads
the QR codes from our own pictures.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image, ImageChops

from app.archive.intake.checks import numbers_in

QR_DPI = 120
"""Resolution for reading QR codes (the letters print a 20 mm code: ~3 px per module at 120 dpi)."""
SEAL_DPI = 40
"""Resolution for finding seal marks (a 40 mm seal is ~60 px wide: plenty for a colour test)."""
MAX_PAGES_LOOKED_AT = 12
"""Pages rendered per file: all of a letter; of a longer file the first and last six."""
RENDER_SECONDS = 20.0
"""Wall-clock budget of one ``pdftoppm`` call."""
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024
"""Address-space limit of the ``pdftoppm`` child process (``prlimit --as``)."""
SIGNATURE_BLOCK_FROM = 0.35
"""The signature block is looked for below this fraction of the page height (from the top)."""
MIN_SEAL_AREA_MM2 = 60.0
"""Seal-coloured area that counts as a stamp (a 40 mm seal's ring and text alone cover ~150 mm²)."""
MIN_SEAL_SIDE_MM = 12.0
"""... spread over at least this width and height (a red tick or a red underline is not a seal)."""
_MM_PER_INCH = 25.4


class PageRenderError(RuntimeError):
    """The pages could not be rendered (pdftoppm missing, failed or too slow)."""


@dataclass(frozen=True)
class PageMarks:
    """What the page pictures of an upload show."""

    qr_numbers: tuple[str, ...] = ()
    """文书编号 found in QR codes (verified check character, canonical form), first page first."""
    sealed_pages: tuple[int, ...] = ()
    """1-based pages with a seal-coloured mark in the signature block region."""


def pages_looked_at(page_count: int) -> list[int]:
    """The 1-based pages examined (all when there are at most :data:`MAX_PAGES_LOOKED_AT`)."""
    if page_count <= MAX_PAGES_LOOKED_AT:
        return list(range(1, page_count + 1))
    half = MAX_PAGES_LOOKED_AT // 2
    return [*range(1, half + 1), *range(page_count - half + 1, page_count + 1)]


def read_page_marks(pdf: bytes, page_count: int, *, read_qr: bool) -> PageMarks:
    """The QR numbers (only with ``read_qr``: it needs a finer picture) and the sealed pages.

    :raises PageRenderError: the renderer is missing or failed.
    """
    dpi = QR_DPI if read_qr else SEAL_DPI
    numbers: list[str] = []
    sealed: list[int] = []
    for page, picture in zip(pages_looked_at(page_count), render_pages(pdf, page_count, dpi),
                             strict=True):
        if read_qr:
            numbers += qr_numbers(picture)
        if has_seal_mark(picture, dpi):
            sealed.append(page)
    return PageMarks(tuple(dict.fromkeys(numbers)), tuple(sealed))


def render_pages(pdf: bytes, page_count: int, dpi: int) -> list[Image.Image]:
    """RGB pictures of :func:`pages_looked_at` at ``dpi``."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PageRenderError("pdftoppm (poppler-utils) is not installed")
    pages = pages_looked_at(page_count)
    runs = [(pages[0], pages[-1])] if len(pages) == page_count else \
        [(pages[0], pages[len(pages) // 2 - 1]), (pages[len(pages) // 2], pages[-1])]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        pictures: list[Image.Image] = []
        for first, last in runs:
            pictures += _render_run(exe, src, first, last, dpi)
    return pictures


def _render_run(exe: str, src: Path, first: int, last: int, dpi: int) -> list[Image.Image]:
    out = src.parent / f"run{first}"
    out.mkdir()
    cmd = [exe, "-q", "-cropbox", "-r", str(dpi), "-f", str(first), "-l", str(last),
           str(src), str(out / "p")]
    limit = shutil.which("prlimit")
    if limit:  # a hostile page may make the renderer allocate without end
        cmd = [limit, f"--as={RENDER_MEMORY_BYTES}", "--", *cmd]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=RENDER_SECONDS)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        raise PageRenderError(f"pdftoppm failed on pages {first}-{last}") from exc
    files = sorted(out.glob("p-*.ppm"), key=lambda p: int(p.stem.rpartition("-")[2]))
    if len(files) != last - first + 1:
        raise PageRenderError(f"pdftoppm rendered {len(files)} of pages {first}-{last}")
    pictures = []
    for path in files:
        with Image.open(path) as img:
            pictures.append(img.convert("RGB"))
    return pictures


def qr_numbers(picture: Image.Image) -> list[str]:
    """The 文书编号 (check character verified) in the QR codes of ``picture``: our verification
    links carry it; whether it is a letter issued to the uploading unit is the caller's question."""
    found: list[str] = []
    for barcode in zxingcpp.read_barcodes(picture.convert("L"),
                                          formats=zxingcpp.BarcodeFormat.QRCode):
        found += numbers_in(barcode.text)
    return found


def has_seal_mark(picture: Image.Image, dpi: int) -> bool:
    """Whether the lower part of the page holds a seal-coloured mark the size of a seal."""
    top = int(picture.height * SIGNATURE_BLOCK_FROM)
    region = picture.crop((0, top, picture.width, picture.height))
    mask = seal_colour_mask(region)
    px_per_mm = dpi / _MM_PER_INCH
    area_mm2 = mask.histogram()[255] / (px_per_mm * px_per_mm)
    if area_mm2 < MIN_SEAL_AREA_MM2:
        return False
    box = mask.getbbox()
    return box is not None and min(box[2] - box[0], box[3] - box[1]) / px_per_mm >= MIN_SEAL_SIDE_MM


def seal_colour_mask(picture: Image.Image) -> Image.Image:
    """A 1-byte mask (255 where the pixel is seal red: strong red, weak green and blue).

    Seal ink (印泥, red and vermilion) and printed or scanned seal images are red with green and
    blue well below it; black text, grey scan noise and blue ink are not.
    """
    red, green, blue = picture.split()
    strong_red = red.point(lambda v: 255 if v >= 140 else 0)
    weak_green = green.point(lambda v: 255 if v <= 110 else 0)
    weak_blue = blue.point(lambda v: 255 if v <= 120 else 0)
    return ImageChops.multiply(ImageChops.multiply(strong_red, weak_green), weak_blue)


def images_are_grey(pdf: bytes) -> bool:
    """Whether every picture on the pages is grey or black-and-white (a scan made without colour:
    a red seal cannot show in it) and there is at least one; False when unreadable."""
    import pikepdf

    grey_spaces = {"/DeviceGray", "/CalGray"}
    found = False
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            for page in doc.pages[:MAX_PAGES_LOOKED_AT]:
                for image in page.get_images().values():
                    found = True
                    if image.get("/ImageMask", False):
                        continue
                    space = image.get("/ColorSpace")
                    if isinstance(space, pikepdf.Array) and len(space) == 2 \
                            and space[0] == "/ICCBased":
                        if int(space[1].get("/N", 3)) != 1:
                            return False
                    elif str(space) not in grey_spaces:
                        return False
    except (pikepdf.PdfError, ValueError, TypeError, KeyError):
        return False
    return found
