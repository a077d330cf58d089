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


def qr_src(url: str, quiet_zone: int = QUIET_ZONE) -> str:
    """The ``src`` for an ``<img>`` of the QR code of ``url`` with ``quiet_zone`` light modules
    on each side (served by our URL fetcher; a template version chooses its quiet zone)."""
    src = "qr:" + quote(url, safe="")  # quotes ";" too: the suffix below is unambiguous
    return src if quiet_zone == QUIET_ZONE else f"{src}{_QUIET_SUFFIX}{quiet_zone}"


def parse_qr_src(name: str) -> tuple[str, int]:
    """``(url, quiet_zone)`` from the part of a ``qr_src`` after ``qr:``."""
    quoted, _, quiet = name.partition(_QUIET_SUFFIX)
    return unquote(quoted), int(quiet) if quiet.isdigit() else QUIET_ZONE


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
