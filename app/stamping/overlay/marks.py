"""What the overlays draw: the seal bitmap, and marks (content operators over a bounding box)."""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, UnidentifiedImageError

from app.stamping.overlay.options import Matrix
from app.stamping.types import InvalidSealImage, PlacementError

MAX_SEAL_PIXELS = 4096
"""Largest accepted seal bitmap side (pixels); 4096 px over 45 mm is ~2300 dpi."""


@dataclass(frozen=True)
class Bitmap:
    """A decoded seal, ready to be written as a PDF image XObject."""

    width: int
    height: int
    rgb_z: bytes
    """zlib-compressed 8-bit RGB samples."""
    alpha_z: bytes | None
    """zlib-compressed 8-bit alpha, None when fully opaque."""


@lru_cache(maxsize=16)
def seal_bitmap(png: bytes) -> Bitmap:
    """Decode a seal PNG once per process into compressed RGB + alpha planes for PDF."""
    try:
        with Image.open(io.BytesIO(png)) as im:
            if max(im.size) > MAX_SEAL_PIXELS:
                raise InvalidSealImage(f"印章图片过大（最大{MAX_SEAL_PIXELS}×{MAX_SEAL_PIXELS}像素）")
            im.load()
            rgba = im.convert("RGBA")
    except InvalidSealImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidSealImage("印章图片无法读取，请上传PNG图片") from exc
    w, h = rgba.size
    if w < 8 or h < 8 or abs(w - h) > 0.01 * max(w, h):
        raise InvalidSealImage("印章图片必须为正方形")
    alpha = rgba.getchannel("A")
    lo, _ = alpha.getextrema()
    return Bitmap(
        width=w, height=h,
        rgb_z=zlib.compress(rgba.convert("RGB").tobytes(), 6),
        alpha_z=None if lo == 255 else zlib.compress(alpha.tobytes(), 6),
    )


def check_diameter(diameter_mm: float) -> float:
    """``diameter_mm`` as a float; raises PlacementError unless it is a finite number above 0."""
    if not (isinstance(diameter_mm, int | float) and math.isfinite(diameter_mm) and diameter_mm > 0):
        raise PlacementError("印章直径必须大于0毫米")
    return float(diameter_mm)


@dataclass(frozen=True)
class Form:
    """Page ``index`` of a PDF we rendered (WeasyPrint), used as a Form XObject."""

    pdf: bytes
    index: int


@dataclass(frozen=True)
class Mark:
    """Something drawn on one page, in displayed-upright points (origin bottom-left, y up)."""

    page: int
    """0-based page index."""
    bbox: tuple[float, float, float, float]
    """The region the mark may paint."""
    ops: str
    """Content operators; ``{im}``, ``{gs}``, ``{fm}`` are resource names."""
    form: Form | None = None
    uses_seal: bool = False


def num(v: float) -> str:
    """A number as PDF and CSS write it: at most 4 decimals, no trailing zeros, never ``-0``."""
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fmt_mm(v: float) -> str:
    """Millimetres in an error message: one decimal."""
    return f"{v:.1f}"


def mat(m: Sequence[float]) -> str:
    """A matrix as PDF operands."""
    return " ".join(num(v) for v in m)


def transform_bbox(m: Matrix, bbox: tuple[float, float, float, float]) -> list[float]:
    """The axis-aligned box around ``bbox`` mapped through ``m``."""
    x0, y0, x1, y1 = bbox
    pts = [(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
           for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs), max(ys)]


def seal_ops(x0: float, y0: float, d: float, clip: tuple[float, float, float, float] | None) -> str:
    """Draw the seal square with lower-left (x0, y0) and side d (points), optionally clipped."""
    clip_ops = ""
    if clip is not None:
        cx0, cy0, cx1, cy1 = clip
        clip_ops = f"{num(cx0)} {num(cy0)} {num(cx1 - cx0)} {num(cy1 - cy0)} re W n "
    return f"q {clip_ops}/{{gs}} gs {num(d)} 0 0 {num(d)} {num(x0)} {num(y0)} cm /{{im}} Do Q"
