"""Seal images: generated demo seals and the checks and clean-up of uploaded seal scans."""

from __future__ import annotations

import io
import math
import random
import struct
import time
import warnings
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops, ImageCms, ImageDraw, ImageFile, ImageFilter, ImageStat, features

from app.documents.fonts import font_stack
from app.stamping import seal_images
from app.stamping.seal_images import (
    MAX_SIDE_PX,
    MAX_UPLOAD_BYTES,
    SEAL_RGB,
    InvalidSealDiameter,
    UndrawableSealText,
    generate_seal,
    normalise_seal_upload,
    png_chunk_types,
    seal_png_info,
)
from app.stamping.types import InvalidSealImage, SealImage

NAME = "凌源市示例建筑工程有限公司"


def _open(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def _is_seal_red(pixel: tuple[int, ...], min_alpha: int = 200) -> bool:
    r, g, b, a = pixel
    return a >= min_alpha and r >= 180 and g <= 90 and b <= 90


def _ink_count(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Pixels of ``box`` with alpha ≥ 128."""
    return image.getchannel("A").crop(box).point(lambda v: 255 if v >= 128 else 0).histogram()[255]


@pytest.fixture(scope="module")
def seal() -> SealImage:
    return generate_seal(NAME)


@pytest.fixture(scope="module")
def seal_image(seal: SealImage) -> Image.Image:
    return _open(seal.png)


# --------------------------------------------------------------------------------------------
# generate_seal
# --------------------------------------------------------------------------------------------


def test_generated_seal_is_deterministic(seal: SealImage) -> None:
    assert generate_seal(NAME).png == seal.png
    assert (
        generate_seal(NAME, bottom_text="业务专用章").png == generate_seal(NAME, bottom_text="业务专用章").png
    )
    assert generate_seal(NAME + "一").png != seal.png


def test_generated_seal_is_a_square_rgba_png_of_the_requested_size(
    seal: SealImage, seal_image: Image.Image
) -> None:
    assert seal.diameter_mm == 42.0
    assert seal_image.format == "PNG"
    assert seal_image.mode == "RGBA"
    assert seal_image.size == (504, 504)  # 42 mm × 12 px/mm
    assert seal_png_info(seal.png) == (504, 504)
    assert _open(generate_seal(NAME, diameter_mm=40, px_per_mm=10).png).size == (400, 400)


def test_generated_seal_corners_are_transparent(seal_image: Image.Image) -> None:
    last = seal_image.width - 1
    for x, y in ((0, 0), (last, 0), (0, last), (last, last), (20, 20), (last - 20, last - 20)):
        assert seal_image.getpixel((x, y))[3] == 0, (x, y)
    # Nothing at all outside the circle (a pixel of antialiasing allowed).
    outside = Image.new("L", seal_image.size, 255)
    ImageDraw.Draw(outside).ellipse((-1, -1, seal_image.width, seal_image.height), fill=0)
    assert ImageChops.multiply(seal_image.getchannel("A"), outside).getbbox() is None


def test_generated_seal_has_a_red_star_in_the_centre(seal_image: Image.Image) -> None:
    c = seal_image.width // 2
    assert _is_seal_red(seal_image.getpixel((c, c)), min_alpha=255)
    assert seal_image.getpixel((c, c))[:3] == SEAL_RGB
    # Star tip straight up (≈ 0.15 D above the centre) and the notches between tips empty.
    star_radius = 0.15 * seal_image.width
    assert _is_seal_red(seal_image.getpixel((c, round(c - star_radius * 0.9))))
    notch = (
        round(c + star_radius * 0.8 * math.sin(math.radians(36))),
        round(c - star_radius * 0.8 * math.cos(math.radians(36))),
    )
    assert seal_image.getpixel(notch)[3] == 0
    # Centred: the ink inside the star's circle is left-right symmetric.
    left = round(c - star_radius)
    box = (left, left, seal_image.width - left, seal_image.width - left)  # centred on (w - 1) / 2
    star = seal_image.getchannel("A").crop(box)
    diff = ImageChops.difference(star, star.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    assert ImageStat.Stat(diff).mean[0] < 3


def test_generated_seal_ring_is_red_at_top_bottom_left_and_right(seal_image: Image.Image) -> None:
    size = seal_image.width
    ring_px = 1.155 * 12  # 0.0275 × 42 mm at 12 px/mm
    mid, inset = size // 2, round(ring_px / 2)
    for x, y in ((mid, inset), (mid, size - 1 - inset), (inset, mid), (size - 1 - inset, mid)):
        assert _is_seal_red(seal_image.getpixel((x, y)), min_alpha=255), (x, y)
    # The ring touches the edges and is about 1.2 mm thick: the pixel just inside it is empty at the top.
    assert seal_image.getpixel((mid, 0))[3] > 100
    assert seal_image.getpixel((mid, round(ring_px) + 3))[3] == 0


@pytest.mark.parametrize(
    ("name", "bottom_text"),
    [
        ("示例商店", ""),
        ("凌源市信用办", "业务专用章"),
        (NAME, ""),
        (NAME, "2113820012345"),
        ("凌源市社会信用体系建设领导小组办公室", "业务专用章"),
        ("凌源市示例建筑工程有限责任公司第一分公司", ""),  # 20 characters
        ("凌源市示例建筑工程有限责任公司第一分公司", "2113820012345"),
    ],
)
def test_names_of_4_to_20_characters_are_laid_out_on_the_upper_arc(name: str, bottom_text: str) -> None:
    image = _open(generate_seal(name, bottom_text=bottom_text).png)
    size = image.width
    # Name along the upper arc: ink in the top band, and on both sides at mid height.
    assert _ink_count(image, (size // 3, round(size * 0.04), 2 * size // 3, size // 5)) > 500
    assert _ink_count(image, (round(size * 0.03), size // 3, size // 5, size // 2)) > 300
    assert _ink_count(image, (4 * size // 5, size // 3, round(size * 0.97), size // 2)) > 300
    # Left→right: the first character sits on the left half (swap it out and only the left changes).
    other = _open(generate_seal("口" + name[1:], bottom_text=bottom_text).png)
    changed = ImageChops.difference(image.getchannel("A"), other.getchannel("A")).getbbox()
    assert changed is not None
    assert changed[2] <= size // 2
    # Horizontal lines under the star, inside the circle and clear of the arc text.
    below_star = (round(size * 0.3), round(size * 0.64), round(size * 0.7), round(size * 0.9))
    assert _ink_count(image, below_star) > 200


def test_generated_seals_always_say_demo(seal_image: Image.Image, monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo mark "演示" is drawn under the star, whatever the other texts."""
    assert seal_images.DEMO_MARK == "演示"
    monkeypatch.setattr(seal_images, "DEMO_MARK", "口口")
    other = _open(generate_seal(NAME).png)
    changed = ImageChops.difference(seal_image.getchannel("A"), other.getchannel("A")).getbbox()
    size = seal_image.width
    assert changed is not None
    left, top, right, bottom = changed
    assert top > size * 0.62
    assert bottom < size * 0.85  # below the star, above the rim
    assert left > size * 0.3
    assert right < size * 0.7  # horizontal, centred
    assert (bottom - top) > size * 0.05  # big enough to read (≈ 3.5 mm at 42 mm)


def test_kind_of_a_special_seal_shows_under_the_star() -> None:
    special = generate_seal(NAME, kind="业务专用章")
    assert special.png == generate_seal(NAME, bottom_text="业务专用章").png
    assert special.png != generate_seal(NAME).png
    with pytest.raises(ValueError, match="印章类型"):
        generate_seal(NAME, kind="签名")


def test_rare_characters_are_drawn_with_the_fallback_font() -> None:
    rare = "\U0002a6a5"  # 𪚥, CJK Extension B: only HanaMinB has it
    assert font_stack().covers(rare)
    with_rare = _open(generate_seal(f"凌源市{rare}字测试有限公司").png)
    with_blank = _open(generate_seal("凌源市 字测试有限公司").png)
    changed = ImageChops.difference(with_rare.getchannel("A"), with_blank.getchannel("A")).getbbox()
    assert changed is not None  # the glyph was drawn, not left blank
    assert _ink_count(with_rare, changed) > 200


@pytest.mark.parametrize("char", ["\ue000", "\U0010fffd", "\x07"])
def test_characters_no_font_can_draw_are_refused_clearly(char: str) -> None:
    assert not font_stack().covers(char) or not char.isprintable()
    with pytest.raises(UndrawableSealText) as caught:
        generate_seal(f"凌源市{char}有限公司")
    assert caught.value.char == char
    assert f"U+{ord(char):04X}" in caught.value.message
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidSealImage)
    with pytest.raises(UndrawableSealText):
        generate_seal(NAME, bottom_text=f"编码{char}")


@pytest.mark.parametrize("name", ["", "   ", "凌" * 41])
def test_empty_or_overlong_names_are_refused(name: str) -> None:
    with pytest.raises(UndrawableSealText, match="印章名称"):
        generate_seal(name)


@pytest.mark.parametrize("diameter_mm", [19.9, 60.1, 0, -42, float("nan"), float("inf")])
def test_diameters_out_of_range_are_refused(diameter_mm: float) -> None:
    with pytest.raises(InvalidSealDiameter, match="印章直径应在20至60毫米之间"):
        generate_seal(NAME, diameter_mm=diameter_mm)
    with pytest.raises(ValueError):
        generate_seal(NAME, diameter_mm=diameter_mm)


@pytest.mark.parametrize("diameter_mm", [20, 38, 45, 58, 60])
def test_diameters_in_range_are_drawn(diameter_mm: float) -> None:
    seal = generate_seal(NAME, diameter_mm=diameter_mm, bottom_text="2113820012345")
    assert seal.diameter_mm == diameter_mm
    assert seal_png_info(seal.png) == (round(diameter_mm * 12),) * 2


def test_bad_resolution_is_refused() -> None:
    with pytest.raises(ValueError, match="分辨率"):
        generate_seal(NAME, px_per_mm=100)


# --------------------------------------------------------------------------------------------
# normalise_seal_upload
# --------------------------------------------------------------------------------------------


def _scan(
    seal: Image.Image,
    *,
    fmt: str = "JPEG",
    size: tuple[int, int] = (1200, 900),
    at: tuple[int, int] = (350, 200),
    **save: object,
) -> bytes:
    """A synthetic scan: off-white paper, grey specks, black typing, a blue line, the seal in red ink."""
    paper = Image.new("RGB", size, (246, 244, 238))
    draw = ImageDraw.Draw(paper)
    rnd = random.Random(7)
    for _ in range(3000):
        grey = rnd.randrange(90, 200)
        draw.point((rnd.randrange(size[0]), rnd.randrange(size[1])), fill=(grey, grey, grey))
    for line in range(8):
        draw.text((60, 60 + 40 * line), "Lorem ipsum dolor sit amet " * 3, fill=(40, 40, 40))
    draw.line((0, size[1] - 100, size[0], size[1] - 80), fill=(30, 60, 200), width=3)
    paper.paste(Image.new("RGB", seal.size, (200, 40, 50)), at, seal)
    paper = paper.filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    paper.save(buffer, fmt, **save)
    return buffer.getvalue()


def _png(image: Image.Image, **save: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **save)
    return buffer.getvalue()


def _alpha_difference(result: Image.Image, original: Image.Image) -> float:
    """Mean |alpha difference| once the result is scaled to the original's size."""
    scaled = result.resize(original.size, Image.Resampling.LANCZOS)
    return ImageStat.Stat(ImageChops.difference(scaled.getchannel("A"), original.getchannel("A"))).mean[0]


def test_scanned_jpeg_becomes_a_transparent_png_trimmed_to_the_seal(seal_image: Image.Image) -> None:
    result = normalise_seal_upload(_scan(seal_image, quality=85), 42)
    assert result.diameter_mm == 42.0
    image = _open(result.png)
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.width == image.height
    assert abs(image.width - seal_image.width) <= seal_image.width * 0.03  # the seal's bounding box
    last = image.width - 1
    for corner in ((0, 0), (last, 0), (0, last), (last, last)):
        assert image.getpixel(corner)[3] == 0
    c = image.width // 2
    assert _is_seal_red(image.getpixel((c, c)))  # the star's ink kept, red
    # Paper, grey specks, black typing and the blue line are gone: the alpha is the seal's.
    assert _alpha_difference(image, seal_image) < 12
    paper_inside_ring = (round(image.width * 0.45), round(image.height * 0.8))
    assert image.getpixel(paper_inside_ring)[3] < 20
    assert set(png_chunk_types(result.png)) <= {"IHDR", "IDAT", "IEND"}


def test_seal_near_the_edge_of_the_scan_is_padded_to_a_centred_square(seal_image: Image.Image) -> None:
    # The seal runs 40 px off the right edge: the square box reaches outside the image.
    data = _scan(seal_image, size=(700, 600), at=(236, 50), quality=90)
    image = _open(normalise_seal_upload(data, 42).png)
    assert image.width == image.height
    assert abs(image.width - seal_image.width) <= seal_image.width * 0.03


def test_transparent_png_seal_is_kept(seal_image: Image.Image, seal: SealImage) -> None:
    image = _open(normalise_seal_upload(seal.png, 40).png)
    assert abs(image.width - seal_image.width) <= 4
    assert _alpha_difference(image, seal_image) < 4


@pytest.mark.parametrize("mode", ["RGB", "P", "P+transparency", "LA"])
def test_png_modes_are_converted(seal_image: Image.Image, mode: str) -> None:
    white = Image.new("RGB", seal_image.size, (255, 255, 255))
    white.paste(Image.new("RGB", seal_image.size, SEAL_RGB), (0, 0), seal_image)
    canvas = Image.new("RGB", (700, 700), (255, 255, 255))
    canvas.paste(white, (100, 90))
    if mode == "P":
        data = _png(canvas.convert("P", palette=Image.Palette.ADAPTIVE, colors=32))
    elif mode == "LA":  # grey with alpha: no red at all
        data = _png(canvas.convert("LA"))
        with pytest.raises(InvalidSealImage, match="未在图片中识别到红色印章"):
            normalise_seal_upload(data, 42)
        return
    elif mode == "P+transparency":  # a 16-colour palette whose first entry is transparent
        quantised = canvas.quantize(colors=16)
        data = _png(quantised, transparency=0)
    else:
        data = _png(canvas)
    image = _open(normalise_seal_upload(data, 42).png)
    assert abs(image.width - seal_image.width) <= seal_image.width * 0.03
    assert _is_seal_red(image.getpixel((image.width // 2, image.height // 2)))


def test_cmyk_jpeg_is_converted(seal_image: Image.Image) -> None:
    canvas = Image.new("CMYK", (700, 700), (0, 0, 0, 0))
    canvas.paste(Image.new("CMYK", seal_image.size, (0, 230, 220, 10)), (100, 90), seal_image)
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    image = _open(normalise_seal_upload(buffer.getvalue(), 42).png)
    assert _is_seal_red(image.getpixel((image.width // 2, image.height // 2)))
    assert _alpha_difference(image, seal_image) < 12


def test_exif_orientation_is_applied_and_metadata_stripped(seal_image: Image.Image) -> None:
    upright = Image.open(io.BytesIO(_scan(seal_image, quality=92)))
    # Store the pixels turned 90° clockwise with EXIF orientation 8 ("rotate 90° ccw to view").
    stored = upright.transpose(Image.Transpose.ROTATE_270)
    exif = Image.Exif()
    exif[0x0112] = 8
    exif[0x010F] = "Scanner Co."
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=92, exif=exif.tobytes(), icc_profile=icc)
    result = normalise_seal_upload(buffer.getvalue(), 42)
    image = _open(result.png)
    assert _alpha_difference(image, seal_image) < 14  # upright again: the arc text is on top
    assert set(png_chunk_types(result.png)) <= {"IHDR", "IDAT", "IEND"}
    assert "exif" not in image.info
    assert "icc_profile" not in image.info


def test_diameter_of_an_upload_is_validated(seal: SealImage) -> None:
    with pytest.raises(InvalidSealDiameter, match="印章直径"):
        normalise_seal_upload(seal.png, 61)
    with pytest.raises(InvalidSealImage):
        normalise_seal_upload(seal.png, 19)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
        b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        b"",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"RIFF\x1a\x00\x00\x00WEBPVP8 ",
    ],
    ids=["pdf", "gif", "empty", "svg", "webp"],
)
def test_non_png_jpeg_content_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidSealImage, match="印章图片应为PNG或JPEG格式"):
        normalise_seal_upload(data, 42)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_image_formats_are_refused_by_content(seal_image: Image.Image, fmt: str) -> None:
    if fmt == "WEBP" and not features.check("webp"):
        pytest.skip("Pillow built without WebP")
    buffer = io.BytesIO()
    seal_image.convert("RGB").save(buffer, fmt)
    with pytest.raises(InvalidSealImage, match="印章图片应为PNG或JPEG格式"):
        normalise_seal_upload(buffer.getvalue(), 42)


def test_uploads_over_2_mb_are_refused_before_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "open", _forbidden("Image.open"))
    data = b"\x89PNG\r\n\x1a\n" + b"\x00" * MAX_UPLOAD_BYTES
    with pytest.raises(InvalidSealImage, match="印章图片不能超过2 MB"):
        normalise_seal_upload(data, 42)


def _forbidden(what: str) -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"{what} must not be called")

    return fail


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png_header_only(width: int, height: int) -> bytes:
    """A small, well-formed PNG whose IHDR declares ``width`` × ``height`` (its pixel data is short)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(5000, 10), (10, 5000), (5000, 5000), (MAX_SIDE_PX + 1, MAX_SIDE_PX)])
def test_too_large_dimensions_are_refused_without_decoding(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _png_header_only(*size)
    assert len(data) < 200
    monkeypatch.setattr(ImageFile.ImageFile, "load", _forbidden("ImageFile.load"))
    monkeypatch.setattr(Image.Image, "load", _forbidden("Image.load"))
    started = time.perf_counter()
    with pytest.raises(InvalidSealImage, match="4000×4000"):
        normalise_seal_upload(data, 42)
    assert time.perf_counter() - started < 0.5


def test_too_large_jpeg_dimensions_are_refused_without_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (255, 255, 255)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    data[sof + 5 : sof + 9] = struct.pack(">HH", 6000, 6000)
    monkeypatch.setattr(ImageFile.ImageFile, "load", _forbidden("ImageFile.load"))
    with pytest.raises(InvalidSealImage, match="4000×4000"):
        normalise_seal_upload(bytes(data), 42)


def test_the_largest_allowed_dimensions_get_past_the_header_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # 4000 × 4000 passes the dimension check; its (missing) pixel data then fails to decode.
    with pytest.raises(InvalidSealImage, match="已损坏或无法读取"):
        normalise_seal_upload(_png_header_only(MAX_SIDE_PX, MAX_SIDE_PX), 42)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files_are_refused(seal_image: Image.Image, fmt: str) -> None:
    buffer = io.BytesIO()
    (seal_image if fmt == "PNG" else seal_image.convert("RGB")).save(buffer, fmt)
    data = buffer.getvalue()
    with pytest.raises(InvalidSealImage, match="印章图片已损坏或无法读取"):
        normalise_seal_upload(data[: len(data) // 2], 42)


def test_corrupt_png_chunk_is_refused(seal: SealImage) -> None:
    data = bytearray(seal.png)
    data[20] ^= 0xFF  # inside IHDR: its CRC no longer matches
    with pytest.raises(InvalidSealImage, match="印章图片已损坏或无法读取"):
        normalise_seal_upload(bytes(data), 42)


@pytest.mark.parametrize("limit", [1000, 6000])
def test_decompression_bombs_are_refused(limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """10 000 px: over twice 1000 Pillow raises; over 6000 (but not 12 000) it only warns: refused too."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    data = _png(Image.new("RGB", (100, 100), (220, 30, 30)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # not pytest's "error" filter: the module must refuse by itself
        with pytest.raises(InvalidSealImage, match="像素过多"):
            normalise_seal_upload(data, 42)


def test_bomb_guard_is_active_and_truncation_refused_even_after_weasyprint_loosens_pillow(
        seal_image: Image.Image) -> None:
    import weasyprint  # noqa: F401 - its import sets ImageFile.LOAD_TRUNCATED_IMAGES = True

    assert Image.MAX_IMAGE_PIXELS is not None
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # the process-wide setting we must not rely on
    buffer = io.BytesIO()
    seal_image.convert("RGB").save(buffer, format="PNG")
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    with pytest.raises(InvalidSealImage, match="已损坏或无法读取"):
        normalise_seal_upload(truncated, 42)
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # restored afterwards


@pytest.mark.parametrize(
    "colour",
    [(255, 255, 255), (128, 128, 128), (20, 20, 20), (30, 60, 200), (250, 245, 225)],
    ids=["white", "grey", "black", "blue", "yellowish-paper"],
)
def test_images_without_red_ink_are_refused(seal_image: Image.Image, colour: tuple[int, int, int]) -> None:
    canvas = Image.new("RGB", (700, 700), (255, 255, 255))
    canvas.paste(Image.new("RGB", seal_image.size, colour), (100, 90), seal_image)
    with pytest.raises(InvalidSealImage, match="未在图片中识别到红色印章"):
        normalise_seal_upload(_png(canvas), 42)


def test_a_few_red_specks_are_not_a_seal() -> None:
    canvas = Image.new("RGB", (700, 700), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for x, y in ((10, 10), (300, 500), (650, 40)):
        draw.point((x, y), fill=(230, 20, 20))
    with pytest.raises(InvalidSealImage, match="未在图片中识别到红色印章"):
        normalise_seal_upload(_png(canvas), 42)


def test_red_shapes_that_are_not_round_seals_are_refused() -> None:
    canvas = Image.new("RGB", (900, 400), (255, 255, 255))
    ImageDraw.Draw(canvas).rectangle((50, 150, 850, 250), fill=(220, 30, 30))
    with pytest.raises(InvalidSealImage, match="圆形印章"):
        normalise_seal_upload(_png(canvas), 42)


def test_tiny_seals_are_refused() -> None:
    canvas = Image.new("RGB", (200, 200), (255, 255, 255))
    ImageDraw.Draw(canvas).ellipse((80, 80, 110, 110), outline=(220, 30, 30), width=3)
    with pytest.raises(InvalidSealImage, match="分辨率过低"):
        normalise_seal_upload(_png(canvas), 42)


def test_large_scans_are_scaled_down(seal_image: Image.Image) -> None:
    big = seal_image.resize((1800, 1800), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (2400, 2400), (255, 255, 255))
    canvas.paste(Image.new("RGB", big.size, (200, 40, 50)), (300, 300), big)
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=80)
    assert len(buffer.getvalue()) <= MAX_UPLOAD_BYTES
    image = _open(normalise_seal_upload(buffer.getvalue(), 42).png)
    assert image.size == (seal_images.MAX_OUTPUT_SIDE_PX,) * 2


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def test_seal_png_info_reads_the_header_only() -> None:
    assert seal_png_info(_png_header_only(5000, 10)) == (5000, 10)
    with pytest.raises(InvalidSealImage):
        seal_png_info(b"\xff\xd8\xff\xe0 not a png")


def test_module_imports_nothing_from_flask() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(seal_images))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "flask" not in imported


# --------------------------------------------------------------------------------------------
# Animated and padded PNGs, multi-frame JPEGs (issue 10 §3)
# --------------------------------------------------------------------------------------------


def _with_chunks(png: bytes, *chunks: bytes, after_iend: bytes = b"") -> bytes:
    """``png`` with ``chunks`` inserted right after IHDR (signature 8 + IHDR 25 bytes)."""
    assert png[12:16] == b"IHDR"
    return png[:33] + b"".join(chunks) + png[33:] + after_iend


def _white_scan(seal_image: Image.Image) -> Image.Image:
    scan = Image.new("RGB", (seal_image.width + 40, seal_image.height + 40), (250, 250, 246))
    scan.paste(seal_image, (20, 20), seal_image)
    return scan


def test_animated_png_is_refused(seal_image: Image.Image) -> None:
    scan = _white_scan(seal_image)
    other = Image.new("RGB", scan.size, (250, 250, 246))  # frame 2: the seal is gone
    data = _png(scan, save_all=True, append_images=[other])
    assert "acTL" in png_chunk_types(data)
    with pytest.raises(InvalidSealImage, match=r"不能是动画PNG（APNG）"):
        normalise_seal_upload(data, 42)


def test_huge_ancillary_chunks_are_refused(seal_image: Image.Image) -> None:
    data = _with_chunks(_png(_white_scan(seal_image)), _chunk(b"tEXt", b"Comment\x00" + b"x" * 70_000))
    with pytest.raises(InvalidSealImage, match="元数据.*超过64 KB"):
        normalise_seal_upload(data, 42)


def test_many_small_ancillary_chunks_count_together(seal_image: Image.Image) -> None:
    chunks = [_chunk(b"tEXt", b"k%d\x00" % i + b"v" * 1000) for i in range(70)]
    with pytest.raises(InvalidSealImage, match="超过64 KB"):
        normalise_seal_upload(_with_chunks(_png(_white_scan(seal_image)), *chunks), 42)


def test_text_bomb_under_the_limit_is_dropped_unread(seal_image: Image.Image,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A 30 KB zTXt inflating to 30 MB, EXIF and data after IEND: cut out before Pillow reads the file."""
    from PIL import PngImagePlugin

    bomb = zlib.compress(b"\x00" * (30 * 1024 * 1024), 9)
    assert len(bomb) < 40_000
    exif = Image.Exif()
    exif[0x010E] = "说明"  # ImageDescription
    data = _with_chunks(_png(_white_scan(seal_image)), _chunk(b"zTXt", b"Comment\x00\x00" + bomb),
                        _chunk(b"eXIf", exif.tobytes()[6:]), after_iend=b"PK\x03\x04" + bytes(100))
    for kind in ("zTXt", "eXIf", "tEXt", "iTXt"):
        monkeypatch.setattr(PngImagePlugin.PngStream, f"chunk_{kind}", _forbidden(f"chunk_{kind}"),
                            raising=False)

    result = normalise_seal_upload(data, 42)

    assert set(png_chunk_types(result.png)) <= {"IHDR", "IDAT", "IEND"}
    assert _open(result.png).size[0] >= 48


def test_png_with_icc_profile_is_accepted_and_the_profile_not_copied(seal_image: Image.Image) -> None:
    """iCCP is passed to Pillow (colour conversion) and not copied into the stored PNG."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _png(_white_scan(seal_image), icc_profile=profile)
    assert "iCCP" in png_chunk_types(data)
    result = normalise_seal_upload(data, 42)
    assert set(png_chunk_types(result.png)) <= {"IHDR", "IDAT", "IEND"}


def test_unknown_critical_chunk_is_refused(seal_image: Image.Image) -> None:
    data = _with_chunks(_png(_white_scan(seal_image)), _chunk(b"XYZW", b"\x00" * 8))
    with pytest.raises(InvalidSealImage, match="已损坏或无法读取"):
        normalise_seal_upload(data, 42)


def test_multi_frame_jpeg_is_refused(seal_image: Image.Image) -> None:
    scan = _white_scan(seal_image)
    buffer = io.BytesIO()
    scan.save(buffer, "MPO", save_all=True, append_images=[Image.new("RGB", scan.size, "white")])
    data = buffer.getvalue()
    assert data.startswith(b"\xff\xd8\xff")
    with pytest.raises(InvalidSealImage, match="多帧"):
        normalise_seal_upload(data, 42)
