"""Option types of the overlays: a page's geometry, a 骑缝章 strip, the margin line's layout."""

from __future__ import annotations

from dataclasses import dataclass

PT_PER_MM = 72 / 25.4

Matrix = tuple[float, float, float, float, float, float]
"""PDF matrix ``[a b c d e f]``: x' = a·x + c·y + e, y' = b·x + d·y + f."""


@dataclass(frozen=True)
class PageGeometry:
    """A page's visible area and orientation, as needed to place marks on it."""

    page: int
    """1-based page number."""
    box: tuple[float, float, float, float]
    """Visible area (CropBox ∩ MediaBox) ``(llx, lly, urx, ury)`` in default user-space units."""
    rotate: int
    """``/Rotate`` normalised to 0, 90, 180 or 270 (degrees clockwise when displayed)."""
    user_unit: float = 1.0
    """``/UserUnit``: size of one user-space unit in points (1/72 inch); almost always 1."""

    @property
    def width_pt(self) -> float:
        """Displayed width in points (after rotation)."""
        llx, lly, urx, ury = self.box
        side = (ury - lly) if self.rotate in (90, 270) else (urx - llx)
        return side * self.user_unit

    @property
    def height_pt(self) -> float:
        """Displayed height in points (after rotation)."""
        llx, lly, urx, ury = self.box
        side = (urx - llx) if self.rotate in (90, 270) else (ury - lly)
        return side * self.user_unit

    @property
    def width_mm(self) -> float:
        """Displayed width in millimetres."""
        return self.width_pt / PT_PER_MM

    @property
    def height_mm(self) -> float:
        """Displayed height in millimetres."""
        return self.height_pt / PT_PER_MM

    def to_user(self) -> Matrix:
        """Matrix from *displayed-upright* points (origin bottom-left of the displayed page,
        y up) to the page's default user space."""
        llx, lly, urx, ury = self.box
        s = 1.0 / self.user_unit
        a, b, c, d, e, f = {
            0: (1, 0, 0, 1, llx, lly),
            90: (0, 1, -1, 0, urx, lly),
            180: (-1, 0, 0, -1, urx, ury),
            270: (0, -1, 1, 0, llx, ury),
        }[self.rotate]
        return (a * s, b * s, c * s, d * s, e, f)

    def to_displayed(self, ux: float, uy: float) -> tuple[float, float]:
        """A point of the page's default user space in *displayed-upright* points (the inverse
        of :meth:`to_user`)."""
        a, b, c, d, e, f = self.to_user()
        det = a * d - b * c
        dx, dy = ux - e, uy - f
        return (d * dx - c * dy) / det, (-b * dx + a * dy) / det


@dataclass(frozen=True)
class CrossPageStrip:
    """One page's slice of a 骑缝章: which part of the seal it shows."""

    page: int
    """1-based page number."""
    group: int
    """1-based group number: the seal is repeated once per group of pages."""
    group_size: int
    """Pages in this group; the seal is cut into this many equal vertical strips."""
    offset_mm: float
    """Left edge of the strip, in mm from the seal image's left edge."""
    width_mm: float
    """Width of the strip in mm; the strip sits flush with the page's right edge."""


@dataclass(frozen=True)
class MarginLineStyle:
    """Layout of the margin line (编号, 第i页/共n页, verification QR code) at the page bottom.

    Default placement: the QR code's bottom edge 6 mm above the displayed page's bottom edge
    (the band spans 6–18 mm). A GB/T 9704 page number sits 7 mm below the 225 mm text block,
    i.e. its dash line is 28 mm above the bottom edge (glyphs reach down to ≈ 25.5 mm), and the
    信函格式 red double line sits 20 mm above it: the band stays clear of both.
    """

    bottom_mm: float = 6.0
    """Distance from the displayed page's bottom edge to the bottom of the QR code, in mm."""
    right_mm: float | None = None
    """Distance from the displayed page's right edge to the QR code's right edge, in mm.
    ``None``: 26 mm (the GB/T 9704 right margin) on pages at least 150 mm wide, else 8 mm."""
    qr_mm: float = 12.0
    """Side of the QR code in mm (12 mm scans reliably from a phone at 15–25 cm)."""
    font_size_pt: float = 7.5
    """Font size of the text lines beside the QR code, in points."""
    gap_mm: float = 2.0
    """Horizontal gap between the text block's right edge and the QR code, in mm."""
