"""The WeasyPrint and pydyf details our renderer relies on for speed, each in one place.

WeasyPrint has no public way to lay out an already parsed tree or to replace its user-agent
stylesheet, so :class:`ParsedXhtml` depends on two internals of WeasyPrint ``WEASYPRINT_VERSION``
(requirements.txt pins it). tests/documents/test_weasyprint_adapter.py fails when the installed
WeasyPrint or the pin is another version, or when either internal is gone or behaves otherwise:
check both against the new version's ``weasyprint/__init__.py`` before moving the pin.

:func:`stream_bytes` uses pydyf's public API only, but reads its stream framing back; the same
test checks it on the installed pydyf.
"""

from __future__ import annotations

from xml.etree import ElementTree

import cssselect2
import pydyf
from weasyprint import CSS, HTML
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
