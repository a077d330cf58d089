"""Value types shared by the stamping operations: seals, placements and errors."""

from __future__ import annotations

from dataclasses import dataclass


class StampingError(Exception):
    """Base of stamping errors; ``code`` is stable for API clients, ``message`` is Chinese."""

    code = "stamping_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidPdf(StampingError):
    """Not a PDF, or a PDF that cannot be parsed."""

    code = "invalid_pdf"


class EncryptedPdf(StampingError):
    """The PDF is encrypted (password protected); we never stamp those."""

    code = "encrypted_pdf"


class InvalidSealImage(StampingError):
    """The uploaded seal image is not an image, too large, or unusable."""

    code = "invalid_seal_image"


class PlacementError(StampingError):
    """A page that does not exist, or a position off the page."""

    code = "invalid_placement"


class SigningError(StampingError):
    """The signing credential or service failed."""

    code = "signing_error"


@dataclass(frozen=True)
class SealImage:
    """A seal ready to apply: a square RGBA PNG whose circle touches the image edges."""

    png: bytes
    """PNG bytes, RGBA, transparent outside the seal's ink."""
    diameter_mm: float
    """Printed diameter of the seal in millimetres (国发〔1999〕25号: ≤ 45 mm for units)."""


@dataclass(frozen=True)
class SealPlacement:
    """Where a seal goes on a page, in millimetres on the page as displayed."""

    page: int
    """1-based page number."""
    x_mm: float
    """Horizontal position of the seal's centre, from the left edge of the displayed page."""
    y_mm: float
    """Vertical position of the seal's centre, from the top edge of the displayed page."""
    diameter_mm: float | None = None
    """Printed diameter; ``None`` uses the seal's own ``diameter_mm``."""


PADES_LEVEL_LABELS_ZH = {
    "B-B": "PAdES B-B",
    "B-T": "PAdES B-T（含时间戳）",
    "B-B+LTV": "PAdES B-B（含长期验证数据）",
    "B-LT": "PAdES B-LT（含时间戳与长期验证数据）",
}
"""The PAdES baseline levels we sign and report (ETSI EN 319 142-1), as shown to people. ``B-B+LTV``
is a signature without timestamp whose DSS still lets it validate offline: not formally B-LT."""


def pades_level(*, timestamped: bool, long_term: bool) -> str:
    """The level code of a signature with (or without) a timestamp and a sufficient DSS."""
    if long_term:
        return "B-LT" if timestamped else "B-B+LTV"
    return "B-T" if timestamped else "B-B"
