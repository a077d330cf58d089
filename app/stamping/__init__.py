"""Stamping: seal images, overlays, cross-page seals, watermarks and PAdES signatures (no Flask)."""
