"""Overlays on existing PDFs: seals, cross-page seals (骑缝章), watermarks and margin lines.

Every operation takes PDF bytes and returns PDF bytes. The original page content is never
rasterised or rewritten: marks are drawn *over* it (text stays text, vectors stay vectors).

Coordinates are millimetres on the page **as displayed**: origin at the top-left corner of the
page after ``/Rotate`` is applied, x to the right, y downwards, measured on the visible area
(the CropBox, or the MediaBox when there is none).

Two writers (``write.py`` picks one):

* **Unsigned PDFs** go through pikepdf (``unsigned.py``): a shared ``q`` is prepended to each
  touched page's content and one small stream ``Q q <matrix> cm … Q`` is appended (no
  re-encoding of the original streams). Saved with a content-derived ``/ID`` and no timestamps,
  so the same input gives the same bytes.
* **Signed PDFs** (``/ByteRange``, ``/Perms``, or a signature field with a value) are never
  rewritten: the marks are appended as an *incremental update* with pyHanko (``signed.py``).
  pyHanko's difference analysis (and Acrobat's) only accepts new annotations after a signature
  when they are widgets of newly created signature fields, so each operation adds one empty,
  read-only signature field whose widgets (one per mark, flags Print|ReadOnly|Locked) carry the
  mark as their appearance stream. Earlier signatures stay intact and valid; pyHanko rates the
  change ``FORM_FILLING``. (A plain ``/Stamp`` annotation would be rated "OTHER": not allowed.)

The package, in reading order:

* ``options.py``: the option types (PageGeometry, CrossPageStrip, MarginLineStyle);
* ``document.py``: opening a PDF (one context manager, our own exceptions) and page geometry;
* ``marks.py``: what is drawn (a seal bitmap, a mark's content operators and bounding box);
* ``write.py``, ``unsigned.py``, ``signed.py``: putting marks on pages;
* ``clearance.py``: the text lines a seal must leave clear (GB/T 9704 7.3.5 "上不压正文") and
  the copies of a commitment letter (found by their copy labels);
* ``seals.py`` (印章, 骑缝章), ``anchors.py`` (seal positions named in the PDF),
  ``receipt.py`` (the receiving unit's 收件章 on its copy of a letter) and
  ``markup.py`` (watermark and margin line, laid out by WeasyPrint from
  ``templates/stamping/``): the operations.
"""

from app.stamping.overlay.anchors import ANCHOR_PREFIX, find_seal_anchors, stamp_at_anchors
from app.stamping.overlay.clearance import UNIT_COPY_LABEL, Copy, letter_text_layout, unit_copy_of
from app.stamping.overlay.document import page_count, page_sizes_mm
from app.stamping.overlay.markup import add_margin_line, add_watermark
from app.stamping.overlay.options import (
    PT_PER_MM,
    CrossPageStrip,
    MarginLineStyle,
    PageGeometry,
)
from app.stamping.overlay.receipt import ReceiptStamp, add_receipt_stamp
from app.stamping.overlay.seals import plan_cross_page_seal, stamp_cross_page_seal, stamp_seal

__all__ = [
    "ANCHOR_PREFIX", "PT_PER_MM", "UNIT_COPY_LABEL", "Copy", "CrossPageStrip", "MarginLineStyle",
    "PageGeometry", "ReceiptStamp", "add_margin_line", "add_receipt_stamp", "add_watermark",
    "find_seal_anchors", "page_count", "page_sizes_mm", "plan_cross_page_seal", "stamp_at_anchors",
    "stamp_cross_page_seal", "stamp_seal", "unit_copy_of", "letter_text_layout",
]
