"""Public copies (公示文本): pictures of the pages with our watermark, and nothing else from the upload.

An uploaded letter carries more than what is printed on it: a text layer (the full 身份证号码 and
telephone number of a person, even when the page shows a masked one), metadata (author, the
software, the editor's user name), XMP, annotations, links, attachments, form fields, hidden
layers. A public copy built by drawing over the upload keeps all of it (issue 10 §2). So the
public copy is rebuilt from scratch:

1. our "公示专用" watermark is drawn over the upload (:func:`app.stamping.overlay.add_watermark`);
2. every page is rendered to a picture by poppler's ``pdftoppm`` (a child process under a time
   limit and a memory limit), at :data:`PUBLIC_COPY_DPI` — readable, the seal visible — or less for
   an oversized page, so that no side exceeds :data:`MAX_SIDE_PX` pixels;
3. a new PDF is written with one JPEG per page, drawn over the page's displayed size (after
   ``/Rotate``, CropBox first), and an Info dictionary with our title and producer only: no text,
   fonts, XMP, annotations, outlines, attachments or form fields, and no byte of the upload's
   structure. The watermark is part of the picture, so it cannot be removed as an object.

The output is deterministic (no timestamps, a content-derived ``/ID``): the same upload gives the
same public copy, so regenerating one changes nothing.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pikepdf
from PIL import Image

from app.stamping.overlay import PT_PER_MM, add_watermark, page_sizes_mm
from app.stamping.types import StampingError

PUBLIC_COPY_DPI = 150
"""Resolution of the page pictures (dots per inch): small print and the seal stay readable."""
MAX_SIDE_PX = 4000
"""Longest side of a page picture in pixels (an A2 sheet at 150 dpi is 3508 px): larger pages are
rendered at a lower resolution, so an absurd page size cannot exhaust memory."""
JPEG_QUALITY = 80
"""JPEG quality of the page pictures (libjpeg scale 1-100)."""
PRODUCER_NAME = "凌源市信用文书服务·公示文本"
"""What every version of our public copies' ``/Creator`` starts with."""
PRODUCER = f"{PRODUCER_NAME} v2"
"""``/Producer`` and ``/Creator`` of every public copy this module makes (a signature appended later
adds its own name to ``/Producer``; :func:`is_current_public_copy` looks at ``/Creator``)."""
RENDER_SECONDS_PER_PAGE = 10.0
"""Wall-clock budget of ``pdftoppm`` per page (a whole call gets this times its pages, at least 20 s)."""
RENDER_MEMORY_BYTES = 1024 * 1024 * 1024
RENDER_PROCESSES = 4
"""Most ``pdftoppm`` processes rendering one document at a time (capped by the CPU count)."""
"""Address-space limit of the ``pdftoppm`` child process (``prlimit --as``), in bytes."""


class PublicCopyError(StampingError):
    """The public copy could not be made (the renderer is missing, failed or ran out of time)."""


def make_public_copy(pdf: bytes, *, watermark: str, title: str, dpi: int = PUBLIC_COPY_DPI,
                     jpeg_quality: int = JPEG_QUALITY) -> bytes:
    """The public copy of ``pdf``: its pages as pictures under ``watermark``, with our metadata only.

    :param pdf: the upload (already accepted by the intake gate).
    :param watermark: text repeated diagonally over every page (e.g. ``"公示专用"``).
    :param title: ``/Title`` of the public copy (the only descriptive metadata it carries).
    :param dpi: resolution of the page pictures (lowered per page to keep within ``MAX_SIDE_PX``).
    :param jpeg_quality: JPEG quality, 1-100.
    :returns: the public copy's bytes (deterministic for the same input).
    :raises InvalidPdf, EncryptedPdf: the upload cannot be read.
    :raises PublicCopyError: rendering failed.
    """
    marked = add_watermark(pdf, watermark)
    sizes_pt = [(w * PT_PER_MM, h * PT_PER_MM) for w, h in page_sizes_mm(marked)]
    pictures = _render_pages(marked, [_page_dpi(w, h, dpi) for w, h in sizes_pt], jpeg_quality)
    if len(pictures) != len(sizes_pt):
        raise PublicCopyError(f"公示文本生成失败：应有{len(sizes_pt)}页，实得{len(pictures)}页")
    return _image_pdf(pictures, sizes_pt, title)


def is_current_public_copy(pdf: bytes) -> bool:
    """Whether ``pdf`` was made by this version of :func:`make_public_copy` (by its ``/Creator``)."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            return str(doc.docinfo.get("/Creator", "")) == PRODUCER
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError):
        return False


def is_public_copy(pdf: bytes) -> bool:
    """Whether ``pdf`` says it is one of our public copies, of any version (its ``/Creator``): a
    公示文本 is no signed original and must not come back as an upload (trial 18)."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            return str(doc.docinfo.get("/Creator", "")).startswith(PRODUCER_NAME)
    except (pikepdf.PdfError, ValueError, RuntimeError, OSError):
        return False


def _page_dpi(width_pt: float, height_pt: float, dpi: int) -> float:
    longest_in = max(width_pt, height_pt) / 72
    return min(float(dpi), math.floor(MAX_SIDE_PX / longest_in * 100) / 100)


def _runs(dpis: list[float], chunk: int) -> list[tuple[int, int, float]]:
    """(first page, last page, dpi) for runs of at most ``chunk`` consecutive pages rendered alike
    (1-based)."""
    runs: list[tuple[int, int, float]] = []
    for page, value in enumerate(dpis, start=1):
        if runs and runs[-1][2] == value and runs[-1][1] == page - 1 and page - runs[-1][0] < chunk:
            runs[-1] = (runs[-1][0], page, value)
        else:
            runs.append((page, page, value))
    return runs


def _render_pages(pdf: bytes, dpis: list[float], quality: int) -> list[bytes]:
    """JPEG bytes of every page: runs of pages rendered by up to :data:`RENDER_PROCESSES` concurrent
    ``pdftoppm`` processes (a scanned page takes ~0.6 s on one core)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PublicCopyError("未安装 pdftoppm（poppler-utils），无法生成公示文本")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    processes = max(1, min(RENDER_PROCESSES, cores))
    runs = _runs(dpis, chunk=max(1, math.ceil(len(dpis) / processes)))
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        with ThreadPoolExecutor(max_workers=processes) as pool:
            parts = list(pool.map(lambda run: _render_run(exe, src, run, quality), runs))
    return [picture for part in parts for picture in part]


def _render_run(exe: str, src: Path, run: tuple[int, int, float], quality: int) -> list[bytes]:
    first, last, dpi = run
    out = src.parent / f"run{first}"
    out.mkdir()
    cmd = [exe, "-q", "-cropbox", "-jpeg", "-jpegopt", f"quality={quality},optimize=y",
           "-r", f"{dpi:g}", "-f", str(first), "-l", str(last), str(src), str(out / "p")]
    limit = shutil.which("prlimit")
    if limit:  # a hostile page may make the renderer allocate without end
        cmd = [limit, f"--as={RENDER_MEMORY_BYTES}", "--", *cmd]
    timeout = max(20.0, RENDER_SECONDS_PER_PAGE * (last - first + 1))
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise PublicCopyError("公示文本生成超时") from exc
    except subprocess.CalledProcessError as exc:
        raise PublicCopyError(f"公示文本生成失败：第{first}-{last}页无法渲染") from exc
    # pdftoppm names pages p-1.jpg or p-001.jpg (zero-padded to the document's page count)
    files = sorted(out.glob("p-*.jpg"), key=lambda p: int(p.stem.rpartition("-")[2]))
    return [p.read_bytes() for p in files]


def _image_pdf(pictures: list[bytes], sizes_pt: list[tuple[float, float]], title: str) -> bytes:
    doc = pikepdf.new()
    for jpeg, (w, h) in zip(pictures, sizes_pt, strict=True):
        with Image.open(io.BytesIO(jpeg)) as img:
            px_w, px_h = img.size
            mode = img.mode
        if mode not in ("RGB", "L"):
            raise PublicCopyError("公示文本生成失败：页面图像格式异常")
        image = pikepdf.Stream(doc, jpeg)
        image.stream_dict = pikepdf.Dictionary(
            Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=px_w, Height=px_h,
            ColorSpace=pikepdf.Name.DeviceRGB if mode == "RGB" else pikepdf.Name.DeviceGray,
            BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode)
        content = pikepdf.Stream(doc, f"q {w:.3f} 0 0 {h:.3f} 0 0 cm /P0 Do Q".encode())
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, round(w, 3), round(h, 3)],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(P0=image)), Contents=content)
        doc.pages.append(pikepdf.Page(doc.make_indirect(page)))
    doc.docinfo = doc.make_indirect(pikepdf.Dictionary(Title=title, Producer=PRODUCER, Creator=PRODUCER))
    out = io.BytesIO()
    doc.save(out, deterministic_id=True, fix_metadata_version=False)
    return out.getvalue()


__all__ = ["JPEG_QUALITY", "MAX_SIDE_PX", "PRODUCER", "PUBLIC_COPY_DPI", "PublicCopyError",
           "is_current_public_copy", "make_public_copy"]
