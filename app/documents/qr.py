"""QR codes pointing at the public verification page, as PNG bytes.

zxing-cpp (C++) encodes them: it picks the best of the eight mask patterns as ISO/IEC 18004
asks, in about 0.1 ms, where the pure-Python encoder we used first (segno) took 5.5 ms, an
eighth of a letter's render budget. Pillow writes the 1-bit PNG.
"""

from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import quote, unquote

import zxingcpp
from PIL import Image

QUIET_ZONE = 2
"""Light modules around the symbol in the template versions released before issue 13 (they keep
it: their documents re-render byte for byte)."""
STANDARD_QUIET_ZONE = 4
"""ISO/IEC 18004's quiet zone, which template versions from issue 13 on ask for in ``qr_src``:
zbar does not find a symbol with 2 modules in a 150 dpi office scan."""
_QUIET_SUFFIX = ";quiet="
_SCALE_SUFFIX = ";scale="
PRINT_SCALE = 1
"""Image pixels per module in the template versions released before the margin line's fix: one
(with /Interpolate false), which a renderer that enlarges it less than 4 times (poppler at
150 dpi for a 12 mm code) smooths into grey ramps across the modules."""
FINE_SCALE = 8
"""Image pixels per module of the margin line's 12 mm code: the renderer shrinks the image
(area averaging: sharp module edges) rather than enlarging and smoothing it, so that zbar reads
the code from a 150 dpi grey raster of the whole page (issue 13 §2)."""


def qr_src(url: str, quiet_zone: int = QUIET_ZONE, scale: int = PRINT_SCALE) -> str:
    """The ``src`` for an ``<img>`` of the QR code of ``url`` with ``quiet_zone`` light modules
    on each side and ``scale`` image pixels per module (served by our URL fetcher; a template
    version chooses its quiet zone; the defaults give the ``src`` of the released versions).

    zxing-cpp picks the encoding mode from ``url``: an address in upper case letters, digits and
    `` $%*+-./:`` only (urls.short_verify_url) is encoded in alphanumeric mode, in fewer modules."""
    src = "qr:" + quote(url, safe="")  # quotes ";" too: the suffixes below are unambiguous
    if quiet_zone != QUIET_ZONE:
        src += f"{_QUIET_SUFFIX}{quiet_zone}"
    return src if scale == PRINT_SCALE else f"{src}{_SCALE_SUFFIX}{scale}"


def parse_qr_src(name: str) -> tuple[str, int, int]:
    """``(url, quiet_zone, scale)`` from the part of a ``qr_src`` after ``qr:``."""
    rest, _, scale = name.partition(_SCALE_SUFFIX)
    quoted, _, quiet = rest.partition(_QUIET_SUFFIX)
    return (unquote(quoted), int(quiet) if quiet.isdigit() else QUIET_ZONE,
            min(int(scale), 16) if scale.isdigit() and int(scale) >= 1 else PRINT_SCALE)


def qr_version(url: str) -> int:
    """The QR version (1–40) zxing-cpp chooses for ``url`` at error correction M."""
    symbol = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return (symbol.to_image(scale=1, add_quiet_zones=False).shape[0] - 17) // 4


@lru_cache(maxsize=64)
def qr_png(url: str, scale: int = 8, quiet_zone: int = QUIET_ZONE) -> bytes:
    """PNG bytes of the QR code for ``url``, error correction M, ``scale`` pixels per module,
    ``quiet_zone`` light modules on each side."""
    symbol = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    modules = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
    height, width = modules.shape
    image = Image.frombuffer("L", (width, height), bytes(modules), "raw", "L", 0, 1)
    framed = Image.new("L", (width + 2 * quiet_zone, height + 2 * quiet_zone), 255)
    framed.paste(image, (quiet_zone, quiet_zone))
    if scale != 1:
        framed = framed.resize((framed.width * scale, framed.height * scale), Image.Resampling.NEAREST)
    buf = io.BytesIO()
    framed.convert("1").save(buf, format="PNG")
    return buf.getvalue()
