"""Seal images: demo seals drawn with Pillow, and staff-uploaded seal scans made into clean PNGs.

Two sources of :class:`~app.stamping.types.SealImage`:

* :func:`generate_seal` draws a round red seal for demo data and tests, laid out as
  国发〔1999〕25号 describes (五角星 in the centre, the name arced left→right along the upper rim)
  and ALWAYS marked "演示" so that it can never pass for a real seal.
* :func:`normalise_seal_upload` checks an uploaded scan (size, type by content, dimensions read
  from the header before any pixel is decoded), removes the paper, keeps the red ink, trims to
  the seal and re-encodes a metadata-free RGBA PNG.

No Flask imports: callers pass bytes and get values or :class:`InvalidSealImage` back.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import struct
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFile, ImageFilter, ImageFont, ImageMath, ImageOps

from app.documents.fonts import font_stack, on_font_stack_change
from app.stamping.types import InvalidSealImage, SealImage

MIN_DIAMETER_MM = 20.0
MAX_DIAMETER_MM = 60.0
"""Accepted printed diameters. 国发〔1999〕25号 goes from 4.2 cm to 6 cm; units are ≤ 4.5 cm."""

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_SIDE_PX = 4000
MIN_SEAL_SIDE_PX = 48
"""An uploaded seal smaller than this (after trimming) is too coarse to print at 40 mm."""
MAX_OUTPUT_SIDE_PX = 1200
"""Uploaded seals are scaled down to this side (≈ 680 dpi at 45 mm): enough for print, small PNGs."""

SEAL_RGB: tuple[int, int, int] = (230, 30, 30)
"""Ink of generated seals: a seal red a little deeper than GB/T 9704's Y80% M80% (≈ 255, 51, 51)."""

DEMO_MARK = "演示"
"""Drawn on every generated seal so it can never pass for a real one (domain rules §6.1 [D])."""

DEFAULT_KIND = "公章"
"""The 单位公章; any other kind (e.g. "合同专用章") is written under the star by default."""

_SUPERSAMPLE = 4
"""Generated seals are drawn at 4× and box-filtered down: antialiased ring, star and glyph edges."""

_TEXT_ROLE = "hei"
_EM_CENTRE_ABOVE_BASELINE = 0.37
"""Ink centre of an ideograph above the baseline, in em (国 in Noto Sans SC: 0.358, HanaMinB: 0.386)."""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_ANCILLARY_BYTES = 64 * 1024
"""Most bytes of ancillary PNG chunks (colour, text, EXIF ..., with their 12-byte framing) in an upload.
A scan carries a few hundred bytes (sRGB, pHYs) or a compressed ICC profile of a few KB; more is
padding or a decompression bomb (a zTXt/iCCP of 64 KB can inflate to 64 MB)."""
# Chunks passed on to Pillow (PNG 3rd ed. §4.3): the image, its palette and transparency, and the
# colour information _to_srgb_rgba uses. Text, EXIF, time, physical size ... are dropped unread.
_PNG_KEPT = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
                       b"sBIT"})
_PNG_CRITICAL = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND"})
_APNG_CHUNKS = frozenset({b"acTL", b"fcTL", b"fdAT"})
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_ACCEPTED_FORMATS = ("PNG", "JPEG")

# Ink measure for uploads: how much redder a pixel is than its green and blue.  Paper (even
# yellowish), grey noise, black text and blue ink stay below the floor; scanned seal red
# (≈ 200, 50, 60) is far above the full-ink level.
_REDNESS_FLOOR = 28
_REDNESS_FULL = 110
_MIN_INK_PIXELS = 64
_MIN_ROUNDNESS = 0.75
"""Smaller side / larger side of the ink's bounding box below which it is not a round seal."""


class InvalidSealDiameter(InvalidSealImage, ValueError):
    """A seal diameter outside 20–60 mm (both a ValueError and an :class:`InvalidSealImage`)."""


class UndrawableSealText(InvalidSealImage, ValueError):
    """Seal text that cannot be drawn: empty, too long, or a character no bundled font has."""

    def __init__(self, message: str, char: str | None = None) -> None:
        super().__init__(message)
        self.char = char
        self.codepoint = f"U+{ord(char):04X}" if char else None


# --------------------------------------------------------------------------------------------
# Generated demo seals
# --------------------------------------------------------------------------------------------


def generate_seal(
    name: str,
    *,
    diameter_mm: float = 42.0,
    bottom_text: str = "",
    kind: str = DEFAULT_KIND,
    px_per_mm: float = 12.0,
) -> SealImage:
    """Draw a round red demo seal (印章) marked "演示".

    Layout (domain rules §6.1 [D]): ring of ≈ 1–1.2 mm touching the image edges, a filled
    五角星 in the centre (tip circle ≈ 0.3 × D), ``name`` upright along the upper arc from left
    to right over 210–250° (narrowed 长体 glyphs and a smaller size for long names), an optional
    horizontal ``bottom_text`` under the star and "演示" below it.  The output is deterministic:
    the same arguments give the same bytes.

    Args:
        name: the holder's name, e.g. "凌源市示例建筑工程有限公司" (1–40 characters).
        diameter_mm: printed diameter, 20–60 mm (units ≤ 45 mm; 42 mm is the usual 公章).
        bottom_text: horizontal text under the star, e.g. "业务专用章" or a 13-digit 印章编码.
        kind: "公章" or a 专用章 name such as "合同专用章"; a 专用章 without ``bottom_text``
            shows its kind under the star.
        px_per_mm: resolution of the PNG (12 px/mm ≈ 305 dpi).

    Returns:
        ``SealImage`` with a square RGBA PNG (transparent outside the ink) and ``diameter_mm``.

    Raises:
        InvalidSealDiameter: ``diameter_mm`` outside 20–60 mm (a ``ValueError``).
        UndrawableSealText: empty or too long a name, or a character no bundled font can draw
            (a ``ValueError``; ``.char`` and ``.codepoint`` name the character).
        ValueError: ``px_per_mm`` outside 4–40 or an unknown ``kind``.
    """
    diameter_mm = check_diameter(diameter_mm)
    if not (4.0 <= px_per_mm <= 40.0) or not math.isfinite(px_per_mm):
        raise ValueError("印章分辨率应在每毫米4至40像素之间")
    kind = kind.strip()
    if not kind.endswith("章") or len(kind) > 8:
        raise ValueError(f"印章类型“{kind}”无效，应为“公章”或“××专用章”")
    name = " ".join(name.split())
    bottom_text = " ".join(bottom_text.split())
    if not bottom_text and kind != DEFAULT_KIND:
        bottom_text = kind
    if not name:
        raise UndrawableSealText("印章名称不能为空")
    if len(name) > 40:
        raise UndrawableSealText("印章名称过长，最多40个字")
    if len(bottom_text) > 20:
        raise UndrawableSealText("印章下方文字过长，最多20个字")
    for text in (name, bottom_text):
        _check_drawable(text)

    side = max(1, round(diameter_mm * px_per_mm))
    scale = side * _SUPERSAMPLE  # everything below is in supersampled pixels
    d = float(scale)
    centre = ((d - 1) / 2, (d - 1) / 2)  # Pillow coordinates are pixel centres
    mask = Image.new("L", (scale, scale), 0)
    draw = ImageDraw.Draw(mask)

    # Ring: 1 mm at 36 mm … 1.2 mm at 44 mm … 1.5 mm for the big 合同专用章 (58 mm).
    ring = min(1.5, max(0.8, 0.0275 * diameter_mm)) / diameter_mm * d
    draw.ellipse((0, 0, d - 1, d - 1), fill=255)
    draw.ellipse((ring, ring, d - 1 - ring, d - 1 - ring), fill=0)
    inner_radius = (d - 1) / 2 - ring

    star_radius = 0.15 * d
    draw.polygon(_star_points(centre, star_radius), fill=255)

    zone = _draw_arc_text(mask, name, centre=centre, inner_radius=inner_radius, diameter=d)

    # Horizontal lines under the star: the optional text, then the demo mark.
    top = centre[1] + star_radius * math.cos(math.radians(36)) + 0.035 * d
    lines: list[tuple[str, float, float]] = []
    if bottom_text:
        lines.append((bottom_text, 0.085 * d, 0.04 * d))
    lines.append((DEMO_MARK, 0.09 * d if not bottom_text else 0.08 * d, 0.0))
    for text, em, gap_after in lines:
        top = _draw_horizontal_text(mask, text, zone=zone, top=top, em=em) + gap_after

    mask = mask.reduce(_SUPERSAMPLE)
    seal = Image.new("RGBA", mask.size, (*SEAL_RGB, 0))
    seal.putalpha(mask)
    return SealImage(png=_encode_png(seal), diameter_mm=diameter_mm)


def check_diameter(diameter_mm: float) -> float:
    """``diameter_mm`` as a float when 20–60 mm, else :class:`InvalidSealDiameter`."""
    try:
        value = float(diameter_mm)
    except (TypeError, ValueError):
        raise InvalidSealDiameter("印章直径应为数字（毫米）") from None
    if not math.isfinite(value) or not (MIN_DIAMETER_MM <= value <= MAX_DIAMETER_MM):
        raise InvalidSealDiameter(
            f"印章直径应在{MIN_DIAMETER_MM:g}至{MAX_DIAMETER_MM:g}毫米之间（国发〔1999〕25号：单位印章不超过45毫米）"
        )
    return value


def _check_drawable(text: str) -> None:
    stack = font_stack()
    for char in text:
        if not char.isprintable():
            raise UndrawableSealText(f"印章文字含有不可显示的控制字符（U+{ord(char):04X}）", char)
        if not stack.covers(char):
            raise UndrawableSealText(f"印章文字“{char}”(U+{ord(char):04X})无法显示：字库中没有该字", char)


@functools.cache
def _role_font_paths() -> tuple[tuple[Path, frozenset[int]], ...]:
    """(font path, code points) of the 黑体 role's faces in fallback order, then any other face."""
    stack = font_stack()
    by_family = {face.family: face for face in stack.faces}
    ordered = [by_family[name] for name in stack.families(_TEXT_ROLE) if name in by_family]
    ordered += [face for face in stack.faces if face not in ordered]
    return tuple((face.path, stack.face_coverage.get(face.family, frozenset())) for face in ordered)


on_font_stack_change(_role_font_paths.cache_clear)  # an office's 黑体 draws seal text from then on


def _font_path_for(char: str) -> Path:
    for path, coverage in _role_font_paths():
        if ord(char) in coverage:
            return path
    raise UndrawableSealText(f"印章文字“{char}”(U+{ord(char):04X})无法显示：字库中没有该字", char)


@functools.lru_cache(maxsize=64)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _render_run(text: str, em: float, spacing_em: float = 0.0) -> Image.Image:
    """``text`` on one line as an ink mask exactly ``em`` high (the ideographic em box)."""
    size = max(4, round(em))
    height = size
    baseline = height / 2 + _EM_CENTRE_ABOVE_BASELINE * size
    glyphs = []
    for char in text:
        if char == " ":
            glyphs.append((None, size * 0.5))
            continue
        font = _font(_font_path_for(char), size)
        glyphs.append((font, font.getlength(char)))
    spacing = spacing_em * size
    width = max(1, math.ceil(sum(advance for _, advance in glyphs) + spacing * (len(glyphs) - 1)))
    run = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(run)
    # A hair of stroke gives the engraved, slightly bold look of seal lettering.
    stroke = max(0, round(size * 0.01))
    x = 0.0
    for (font, advance), char in zip(glyphs, text, strict=True):
        if font is not None:
            draw.text(
                (x, baseline), char, font=font, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255
            )
        x += advance + spacing
    return run


def _arc_layout(count: int, diameter: float, rim_radius: float) -> tuple[float, float, float, float]:
    """(span°, em, glyph width, centre radius) for ``count`` characters along the upper arc."""
    if count == 1:
        span = 0.0
    elif count < 6:  # short names keep a natural spacing instead of scattering around the rim
        span = 40.0 * (count - 1)
    else:
        span = min(250.0, 210.0 + 2.5 * (count - 6))
    em = 0.16 * diameter * min(1.0, (12 / count) ** 0.3)
    centre_radius = rim_radius - 0.03 * diameter - em / 2
    pitch = centre_radius * math.radians(span / (count - 1)) if count > 1 else em
    width = min(em, 0.86 * pitch)
    return span, em, width, centre_radius


@dataclass(frozen=True)
class _FreeZone:
    """Where horizontal lines may go: inside the arc text's inner edge, or in the sector under its ends."""

    centre: tuple[float, float]
    inner_radius: float
    """Radius inside which nothing of the arc text reaches."""
    outer_radius: float
    """Radius inside which text stays clear of the ring."""
    half_angle: float
    """Half-angle (radians) of the free sector around 6 o'clock that the arc text leaves."""

    def holds(self, left: float, top: float, right: float, bottom: float) -> bool:
        """Whether the box lies in the zone (edges sampled: the zone is not convex)."""
        cx, cy = self.centre
        for x in (left, right):
            for step in range(9):
                y = top + (bottom - top) * step / 8
                dx, dy = x - cx, y - cy
                r = math.hypot(dx, dy)
                if r <= self.inner_radius:
                    continue
                below = math.atan2(abs(dx), dy) if dy > 0 else math.pi  # angle from 6 o'clock
                if r > self.outer_radius or below > self.half_angle:
                    return False
        return True


def _draw_arc_text(
    mask: Image.Image, text: str, *, centre: tuple[float, float], inner_radius: float, diameter: float
) -> _FreeZone:
    """Characters upright along the upper arc, left→right, tops towards the rim; the zone left free."""
    count = len(text)
    span, em, width, radius = _arc_layout(count, diameter, inner_radius)
    if width < 0.45 * em:
        raise UndrawableSealText("印章名称过长，无法在该直径的印章上排列")
    step = span / (count - 1) if count > 1 else 0.0
    for index, char in enumerate(text):
        if char == " ":
            continue
        glyph = _render_run(char, em)
        glyph = glyph.resize(
            (max(1, round(glyph.width * width / em)), glyph.height), Image.Resampling.LANCZOS
        )
        angle = -span / 2 + index * step  # degrees clockwise from 12 o'clock
        rotated = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC, expand=True)
        x = centre[0] + radius * math.sin(math.radians(angle))
        y = centre[1] - radius * math.cos(math.radians(angle))
        mask.paste(255, (round(x - rotated.width / 2), round(y - rotated.height / 2)), rotated)
    margin = 0.025 * diameter
    # The end glyphs reach past their centre angle by the angle their outer corners subtend.
    corner = math.atan2(width / 2 + margin, radius - em / 2)
    return _FreeZone(
        centre=centre,
        inner_radius=radius - em / 2 - margin,
        outer_radius=inner_radius - margin,
        half_angle=max(0.0, math.pi - math.radians(span / 2) - corner),
    )


def _draw_horizontal_text(mask: Image.Image, text: str, *, zone: _FreeZone, top: float, em: float) -> float:
    """A centred horizontal line from ``top``, narrowed (长体) or shrunk to fit ``zone``; its bottom."""
    spacing = 0.15 if len(text) <= 6 else 0.0
    centre_x = zone.centre[0]
    while em >= 0.03 * zone.centre[0] * 2:
        run = _render_run(text, em, spacing)
        for squeeze in (1.0, 0.9, 0.8, 0.7):  # 长体: narrow the glyphs before shrinking them
            width = run.width * squeeze
            if zone.holds(centre_x - width / 2, top, centre_x + width / 2, top + em):
                if squeeze < 1.0:
                    run = run.resize((max(1, round(width)), run.height), Image.Resampling.LANCZOS)
                mask.paste(255, (round(centre_x - run.width / 2), round(top)), run)
                return top + run.height
        em *= 0.92
    raise UndrawableSealText(f"“{text}”在该直径的印章上放不下")


def _star_points(centre: tuple[float, float], radius: float) -> list[tuple[float, float]]:
    """The ten vertices of a regular five-pointed star, one tip straight up."""
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        a = math.radians(i * 36)
        points.append((centre[0] + r * math.sin(a), centre[1] - r * math.cos(a)))
    return points


def _encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=9)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Uploaded seal scans
# --------------------------------------------------------------------------------------------


def normalise_seal_upload(data: bytes, diameter_mm: float) -> SealImage:
    """Turn a staff-uploaded seal scan into a clean seal: transparent paper, trimmed, square PNG.

    Checks, in order and before decoding any pixel: size ≤ 2 MB, PNG or JPEG by content, for a
    PNG no animation (APNG) and at most 64 KB of ancillary chunks (text and EXIF chunks are cut
    out unread), a single frame (no MPO), dimensions ≤ 4000 × 4000 from the header, Pillow's
    decompression-bomb guard.  Then the
    image is decoded, turned upright (EXIF orientation), converted to sRGB (ICC profile, CMYK,
    palette and grey modes), and every pixel gets an ink alpha from how much redder it is
    than green and blue, so white or yellowish paper, grey scanner noise, black text and blue
    ink disappear while the red ink stays (its colour un-blended from the white paper).  The
    ink's bounding box, cleaned of stray specks, is made square and centred; anything outside
    the seal circle is cleared.  The PNG carries no EXIF, ICC or text chunks.

    Args:
        data: the uploaded file's bytes.
        diameter_mm: the printed diameter the seal is to have, 20–60 mm.

    Returns:
        ``SealImage`` with a square RGBA PNG (at most 1200 px a side) and ``diameter_mm``.

    Raises:
        InvalidSealImage: too large, not PNG/JPEG, too many pixels, corrupt or truncated, no
            red ink, not a round seal, or too small; the message says which, in Chinese.
        InvalidSealDiameter: ``diameter_mm`` outside 20–60 mm (an ``InvalidSealImage``).
    """
    diameter_mm = check_diameter(diameter_mm)
    image = _open_checked(data)
    rgba = _to_srgb_rgba(image)
    ink = _ink_alpha(rgba)
    box = _seal_box(ink)
    seal = _extract_seal(rgba, ink, box)
    return SealImage(png=_encode_png(seal), diameter_mm=diameter_mm)


_decode_lock = threading.Lock()


@contextlib.contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse truncated images while decoding an upload.

    WeasyPrint sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process when
    it is imported, which would let a truncated scan through as a half-grey picture.
    """
    with _decode_lock:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _open_checked(data: bytes) -> Image.Image:
    """The decoded image after the size, type, dimension and bomb checks."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidSealImage(f"印章图片不能超过{MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if not (data.startswith(_PNG_SIGNATURE) or data.startswith(_JPEG_SIGNATURE)):
        raise InvalidSealImage("印章图片应为PNG或JPEG格式")
    if data.startswith(_PNG_SIGNATURE):
        data = _png_essentials(data)
    with warnings.catch_warnings():
        # The bomb guard only warns between MAX_IMAGE_PIXELS and twice that: make it refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=_ACCEPTED_FORMATS)
            # Image.open has read the header only: refuse big images before any pixel is decoded.
            if getattr(image, "n_frames", 1) > 1:  # MPO (multi-picture JPEG); APNG is refused above
                raise InvalidSealImage("印章图片含有多帧画面，请上传单张静态图片")
            width, height = image.size
            if width > MAX_SIDE_PX or height > MAX_SIDE_PX:
                raise InvalidSealImage(
                    f"印章图片尺寸不能超过{MAX_SIDE_PX}×{MAX_SIDE_PX}像素（当前{width}×{height}）"
                )
            with _strict_decoding():
                image.load()
            image = ImageOps.exif_transpose(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InvalidSealImage("印章图片像素过多，可能是恶意构造的图片") from None
        except InvalidSealImage:
            raise
        except Image.UnidentifiedImageError:
            raise InvalidSealImage("印章图片已损坏或无法读取") from None
        except (OSError, SyntaxError, ValueError, EOFError, struct.error, KeyError, IndexError, TypeError):
            # Truncated data ("image file is truncated"), bad chunks/CRCs, broken EXIF, zlib errors.
            raise InvalidSealImage("印章图片已损坏或无法读取") from None
    return image


def _png_essentials(data: bytes) -> bytes:
    """The PNG with only the chunks we decode (``_PNG_KEPT``), nothing after IEND; refuses APNG.

    Deliberate, not Pillow's defaults: an animated PNG (``acTL``, APNG spec) would be decoded as its
    first frame only, so the seal the clerk saw in a browser and the seal we store could differ:
    refused. Ancillary chunks over ``MAX_PNG_ANCILLARY_BYTES`` in all are refused; the text, EXIF and
    other chunks under it are cut out before Pillow reads them (never inflated), and the stored PNG is
    re-encoded by us without any (``_encode_png``). A chunk whose length runs past the end is passed on
    as it is, for Pillow to report the truncation; an unknown critical chunk is refused (PNG §5.4).
    """
    kept = [_PNG_SIGNATURE]
    ancillary = 0
    offset = len(_PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        end = offset + 12 + length
        if kind in _APNG_CHUNKS:
            raise InvalidSealImage("印章图片不能是动画PNG（APNG），请上传单张静态图片")
        if kind not in _PNG_CRITICAL:
            ancillary += 12 + length
            if ancillary > MAX_PNG_ANCILLARY_BYTES:
                raise InvalidSealImage(
                    f"印章图片附带的元数据（文字说明、颜色配置等）超过{MAX_PNG_ANCILLARY_BYTES // 1024} KB，"
                    "请另存为不含元数据的PNG后上传")
        if kind[:1].isupper() and kind not in _PNG_KEPT:
            raise InvalidSealImage("印章图片已损坏或无法读取")
        if end > len(data):
            kept.append(data[offset:])
            break
        if kind in _PNG_KEPT:
            kept.append(data[offset:end])
        offset = end
        if kind == b"IEND":
            break
    return b"".join(kept)


def _to_srgb_rgba(image: Image.Image) -> Image.Image:
    """RGBA in sRGB: the ICC profile (if any) applied; palette, grey, 16-bit and CMYK modes expanded."""
    icc = image.info.get("icc_profile")
    alpha: Image.Image | None = None
    if "A" in image.getbands() or "a" in image.getbands() or "transparency" in image.info:
        alpha = image.convert("RGBA").getchannel("A")
    base = image if image.mode == "CMYK" else image.convert("RGB")
    rgb: Image.Image | None = None
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            rgb = ImageCms.profileToProfile(base, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            rgb = None  # a broken profile, or one for another colour space: Pillow's plain conversion
    if rgb is None:
        rgb = base.convert("RGB")
    rgba = rgb.convert("RGBA")
    if alpha is not None:
        rgba.putalpha(alpha)
    return rgba


def _ink_alpha(rgba: Image.Image) -> Image.Image:
    """Per-pixel ink opacity (L): redness r − max(g, b) mapped from the floor to the full level."""
    red, green, blue, source_alpha = rgba.split()
    redness = ImageChops.subtract(red, ImageChops.lighter(green, blue))
    span = _REDNESS_FULL - _REDNESS_FLOOR
    lut = [min(255, max(0, round((v - _REDNESS_FLOOR) * 255 / span))) for v in range(256)]
    return ImageChops.multiply(redness.point(lut), source_alpha)


def _seal_box(ink: Image.Image) -> tuple[int, int, int, int]:
    """Square, centred box (may reach outside the image) around the ink, specks ignored."""
    # Find the bounding box on a reduced, median-filtered copy: single red specks from the
    # scanner or JPEG artefacts vanish, the seal's ring and text do not.
    factor = max(1, math.ceil(max(ink.size) / 800))
    small = ink.reduce(factor) if factor > 1 else ink
    solid = small.point(lambda v: 255 if v >= 96 else 0)
    cleaned = solid.filter(ImageFilter.MedianFilter(3))
    if cleaned.histogram()[255] < _MIN_INK_PIXELS / (factor * factor):
        raise InvalidSealImage("未在图片中识别到红色印章")
    bbox = cleaned.getbbox()
    if bbox is None:  # pragma: no cover - excluded by the count above
        raise InvalidSealImage("未在图片中识别到红色印章")
    left, top, right, bottom = (v * factor for v in bbox)
    # Refine at full resolution near the coarse box: the median filter ate the outline's outer
    # pixels and the reduction rounded them away.
    margin = 2 * factor + 2
    near = (
        max(0, left - margin),
        max(0, top - margin),
        min(ink.width, right + margin),
        min(ink.height, bottom + margin),
    )
    fine = ink.crop(near).point(lambda v: 255 if v >= 64 else 0).getbbox()
    if fine is not None:
        left, top, right, bottom = near[0] + fine[0], near[1] + fine[1], near[0] + fine[2], near[1] + fine[3]
    width, height = right - left, bottom - top
    if min(width, height) / max(width, height) < _MIN_ROUNDNESS:
        raise InvalidSealImage("未在图片中识别到完整的圆形印章，请上传只含一枚圆形印章的图片")
    side = max(width, height)
    if side < MIN_SEAL_SIDE_PX:
        raise InvalidSealImage(f"印章图片分辨率过低（印章宽度至少{MIN_SEAL_SIDE_PX}像素）")
    cx2, cy2 = left + right, top + bottom  # twice the centre, to stay in integers
    x0 = (cx2 - side) // 2
    y0 = (cy2 - side) // 2
    return x0, y0, x0 + side, y0 + side


def _extract_seal(rgba: Image.Image, ink: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """The seal within ``box``: ink colour un-blended from white paper, alpha = ink, circle-clipped."""
    side = box[2] - box[0]
    alpha = ink.crop(box)  # Pillow pads outside the image with zeros: transparent
    red, green, blue = (channel.crop(box) for channel in rgba.convert("RGB").split())

    # observed = 255·(1 − a) + ink·a  ⇒  ink = 255 − (255 − observed)·255 / a (F → L clamps to 0…255).
    alpha_f = alpha.convert("F")

    def unblend(channel: Image.Image) -> Image.Image:
        return ImageMath.lambda_eval(
            lambda args: args["convert"](255 - (255 - args["c"]) * 255 / args["max"](args["a"], 1), "L"),
            c=channel.convert("F"),
            a=alpha_f,
        )

    colour = [unblend(channel) for channel in (red, green, blue)]

    # Clear everything outside the seal circle (a pixel of tolerance for the antialiased rim).
    circle = Image.new("L", (side * 4, side * 4), 0)
    ImageDraw.Draw(circle).ellipse((0, 0, side * 4 - 1, side * 4 - 1), fill=255)
    circle = circle.reduce(4)
    alpha = ImageChops.multiply(alpha, circle)

    seal = Image.merge("RGBA", (*colour, alpha))
    if side > MAX_OUTPUT_SIDE_PX:
        seal = seal.resize((MAX_OUTPUT_SIDE_PX, MAX_OUTPUT_SIDE_PX), Image.Resampling.LANCZOS)
    return seal


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def seal_png_info(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG from its IHDR chunk, without decoding it.

    Raises:
        InvalidSealImage: not a PNG, or no IHDR chunk right after the signature.
    """
    if not png.startswith(_PNG_SIGNATURE) or len(png) < 33 or png[12:16] != b"IHDR":
        raise InvalidSealImage("印章图片应为PNG格式")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def png_chunk_types(png: bytes) -> list[str]:
    """Chunk types of a PNG in file order (e.g. to check that no eXIf/iCCP/tEXt was written)."""
    if not png.startswith(_PNG_SIGNATURE):
        raise InvalidSealImage("印章图片应为PNG格式")
    types: list[str] = []
    offset = len(_PNG_SIGNATURE)
    while offset + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[offset : offset + 8])
        types.append(kind.decode("latin-1"))
        offset += 12 + length
        if kind == b"IEND":
            break
    return types
