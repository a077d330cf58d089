"""Page previews: one PDF page as a PNG picture (poppler's pdftoppm), for staff pages and samples."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class PreviewUnavailable(RuntimeError):
    """pdftoppm (Debian package poppler-utils) is not installed, or failed on this file."""


def page_png(pdf: bytes, page: int, *, dpi: int = 50, timeout_s: float = 20) -> bytes:
    """PNG bytes of 1-based ``page`` of ``pdf`` at ``dpi`` (time-bounded child process)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PreviewUnavailable("未安装 pdftoppm（poppler-utils），无法生成页面预览")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.pdf"
        src.write_bytes(pdf)
        try:
            subprocess.run([exe, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                            "-singlefile", str(src), str(Path(tmp) / "page")],
                           check=True, capture_output=True, timeout=timeout_s)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise PreviewUnavailable(f"页面预览生成失败：第{page}页") from exc
        return (Path(tmp) / "page.png").read_bytes()
