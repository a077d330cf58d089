"""The WeasyPrint and pydyf details our renderer relies on for speed, each in one place.

WeasyPrint has no public way to lay out an already parsed tree or to replace its user-agent
stylesheet, so :class:`ParsedXhtml` depends on two internals of WeasyPrint ``WEASYPRINT_VERSION``
(requirements.txt pins it), and :func:`srgb_profile` on a third (see there).
tests/documents/test_weasyprint_adapter.py fails when the installed
WeasyPrint or the pin is another version, or when either internal is gone or behaves otherwise:
check both against the new version's ``weasyprint/__init__.py`` before moving the pin.

:func:`stream_bytes` uses pydyf's public API only, but reads its stream framing back; the same
test checks it on the installed pydyf.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.resources import files
from xml.etree import ElementTree

import cssselect2
import pydyf
from weasyprint import CSS, HTML
from weasyprint.css import ColorProfile
from weasyprint.urls import URLFetcher

WEASYPRINT_VERSION = "70.0"
"""The WeasyPrint whose ``HTML.__init__`` and ``HTML._ua_stylesheets`` ParsedXhtml mirrors."""


class MarkupError(ValueError):
    """The document markup is not well-formed XHTML (a template bug: user text is escaped)."""


class ParsedXhtml(HTML):
    """A document parsed by expat, laid out with our user-agent stylesheet instead of WeasyPrint's.

    WeasyPrint parses with tinyhtml5, a pure-Python HTML5 parser: 1.6 ms for a letter, where expat
    (C) takes 0.04 ms. Template output is well-formed XHTML (every value is escaped), so this
    skips ``HTML.__init__``'s parse and sets the attributes it sets after parsing (internal 1).
    ``_ua_stylesheets`` is the hook WeasyPrint's own test suite overrides to swap the user-agent
    sheet (internal 2).

    :raises MarkupError: ``xhtml`` is not well-formed.
    """

    def __init__(self, xhtml: str, *, base_url: str, url_fetcher: URLFetcher, ua_sheet: CSS) -> None:
        try:
            root = ElementTree.fromstring(xhtml)
        except ElementTree.ParseError as exc:
            raise MarkupError(str(exc)) from exc
        # Internal 1: what HTML.__init__ sets once tinyhtml5 has parsed (WeasyPrint 70).
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element
        self.ua_sheet = ua_sheet

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        """Internal 2: the user-agent sheets WeasyPrint cascades first (forms or not)."""
        return [self.ua_sheet]


SRGB_OUTPUT_INTENT = "lyxy-srgb"
"""The ``output_intent`` option naming :func:`srgb_profile` in a document's ``color_profiles``."""


@cache
def srgb_icc() -> bytes:
    """The sRGB ICC profile (sRGB2014.icc, ICC v2) WeasyPrint ships: the OutputIntent profile
    of every PDF/A file we make, with WeasyPrint or without (public copies)."""
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


def srgb_profile() -> ColorProfile:
    """The sRGB ICC profile WeasyPrint ships, as the ``ColorProfile`` (internal 3) that
    ``output_intent="srgb"`` would make, read from bytes held in memory.

    ``output_intent="srgb"`` (the default of every PDF/A variant) opens the profile file on each
    write and never closes it (a ResourceWarning per document in WeasyPrint 70). Instead, a
    renderer adds this profile to ``Document.color_profiles`` under :data:`SRGB_OUTPUT_INTENT`
    and passes that name as ``output_intent``: WeasyPrint embeds it and makes it the
    OutputIntent's profile. A new object per document, as WeasyPrint stores the PDF reference of
    the written profile on it.
    """
    return ColorProfile(io.BytesIO(srgb_icc()), "sRGB2014.icc", "relative-colorimetric",
                        (["r"], ["g"], ["b"]))


_STREAM_START = b">>\nstream\n"
_STREAM_END = b"\nendstream"


def stream_bytes(stream: pydyf.Stream) -> bytes:
    """The uncompressed content of ``stream``: its items as pydyf writes them, joined by newlines.

    pydyf's public ``Stream.data`` frames the content as ``<</Length n>>`` ``stream`` ... ``endstream``;
    a copy without ``extra`` and compression has nothing else before ``stream``.
    """
    framed = pydyf.Stream(stream.stream).data
    start = framed.index(_STREAM_START) + len(_STREAM_START)
    if not framed.endswith(_STREAM_END):
        raise ValueError("pydyf stream framing changed: no trailing endstream")
    return framed[start:-len(_STREAM_END)]
