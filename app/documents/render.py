"""Jinja2 + WeasyPrint rendering: our own template environment and a locked-down URL fetcher."""

from __future__ import annotations

import logging
import mimetypes
import threading
import zlib
from datetime import date, datetime, time
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jinja2
import markupsafe
import pydyf
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.documents import cjk_justify
from app.documents.fonts import FONT_DIR, OFFICE_FONT_URL_SCHEME, font_stack, on_font_stack_change
from app.documents.qr import parse_qr_src, qr_png, qr_src
from app.documents.signoff import balanced_lines, centring_shift, fallback_runs, signer_room
from app.documents.weasyprint_adapter import (
    SRGB_OUTPUT_INTENT,
    MarkupError,
    ParsedXhtml,
    srgb_profile,
    stream_bytes,
)
from app.domain.dates import BEIJING

TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
ASSET_DIR = TEMPLATE_DIR / "assets"
LOG = logging.getLogger(__name__)
cjk_justify.install()  # only stylesheets that ask for it (--cjk-justify) lay out otherwise
DEFLATE_LEVEL = 3
"""zlib level of the PDF streams (mostly subset fonts). pydyf always uses 9; level 3 saves a
letter about 5 ms for a file 3 % larger (65.4 KB; 63.4 KB at zlib's default level 6, which costs
1.5 ms more)."""


ARCHIVAL_VARIANT = "pdf/a-2b"
"""The PDF/A level of archival versions (registry.TemplateVersion.archival): ISO 19005-2 level B,
the level every PDF made of text in embedded fonts reaches; our documents carry no attachment,
so -3 would add nothing."""
ARCHIVAL_LANG = "zh-CN"
"""Natural language of archival documents (catalog ``/Lang``, XMP ``dc:language``)."""
AUTHOR = "凌源市信用文书服务"
"""``/Author`` (XMP ``dc:creator``) of a document whose metadata names no issuer."""
_XMP_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
           "dc": "http://purl.org/dc/elements/1.1/", "xmp": "http://ns.adobe.com/xap/1.0/"}


class RenderError(Exception):
    """A document could not be rendered (template or layout problem, not user input)."""


class RefusedURL(ValueError):
    """WeasyPrint asked for a resource outside our fonts and assets."""


def _resolve(root: Path, name: str) -> Path:
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise RefusedURL(f"not an allowed file: {name!r}")
    return path


class LockedURLFetcher(URLFetcher):
    """Serves ``font:<file>`` from fonts/, ``office-font:<role>`` (a face the office configured,
    see fonts.configure_office_fonts), ``asset:<file>`` from templates/assets/ and ``qr:<url>``
    (a QR code we draw), nothing else.

    Every other URL (file:, http:, data: ...) raises, so WeasyPrint skips it with a warning and
    fetches nothing: user text can never make the renderer read a file or call the network.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("font", OFFICE_FONT_URL_SCHEME, "asset", "qr"),
                         allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme, _, name = url.partition(":")
        if scheme == "qr":  # QR code of a verification URL, drawn by us (see qr.qr_src)
            target, quiet_zone, scale = parse_qr_src(name)
            return URLFetcherResponse(url, qr_png(target, scale=scale, quiet_zone=quiet_zone),
                                      {"Content-Type": "image/png"})
        if scheme == OFFICE_FONT_URL_SCHEME:
            face = font_stack().face_for_url(url)
            if face is None or not face.office:
                self.refused.append(url)
                raise RefusedURL(f"refused URL: {url}")
            return URLFetcherResponse(url, face.path.read_bytes(), {"Content-Type": "font/sfnt"})
        roots = {"font": FONT_DIR, "asset": ASSET_DIR}
        if scheme not in roots:
            self.refused.append(url)
            raise RefusedURL(f"refused URL: {url}")
        path = _resolve(roots[scheme], name)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


@cache
def template_env() -> jinja2.Environment:
    """The document template environment: autoescape everywhere, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    stack = font_stack()
    # Our own CSS values, not user text: marked safe so quotes survive inside <style>.
    env.globals["font_family"] = lambda role: markupsafe.Markup(stack.family(role))
    env.globals["qr_src"] = qr_src
    env.globals["signer_lines"] = balanced_lines
    env.globals["signer_room"] = signer_room
    env.globals["centring_shift"] = centring_shift
    env.filters["rare"] = fallback_runs
    return env


class _Renderer:
    """One FontConfiguration and pre-parsed font CSS shared by every render in this process."""

    def __init__(self) -> None:
        self.fetcher = LockedURLFetcher()
        self.font_config = FontConfiguration()
        self.font_css = CSS(string=font_stack().css(), font_config=self.font_config,
                            url_fetcher=self.fetcher)
        self.lock = threading.Lock()


@cache
def _renderer() -> _Renderer:
    return _Renderer()


@on_font_stack_change
def _forget_fonts() -> None:
    """The office's faces changed: parse the font CSS and the stylesheets again."""
    template_env.cache_clear()
    _renderer.cache_clear()
    stylesheet.cache_clear()


def _deflate_streams(_document: Any, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: compress the streams pydyf would compress, at DEFLATE_LEVEL."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress:
            obj.stream = [zlib.compress(stream_bytes(obj), DEFLATE_LEVEL)]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False  # pydyf now only frames the bytes and sets /Length


def pdf_metadata(title: str, issued_on: date, *, archival: bool, number: str | None = None,
                 issuer: str | None = None) -> dict[str, str]:
    """The ``metadata`` of a document issued on ``issued_on`` (a date of the app clock, stored with
    the document, so a re-render gives the same bytes).

    Released versions that are not archival keep what they always had (title and the bare date,
    created = modified). An archival version states the dates as midnight Beijing time (Info and
    XMP then name the same instant) and adds ``number`` and ``issuer`` (see :func:`html_to_pdf`).
    """
    if not archival:
        stamp = issued_on.isoformat()
        return {"title": title, "created": stamp, "modified": stamp}
    stamp = datetime.combine(issued_on, time(), BEIJING).isoformat()
    meta = {"title": title, "created": stamp, "modified": stamp}
    if number:
        meta["number"] = number
    if issuer:
        meta["issuer"] = issuer
    return meta


def _xmp_description(rdf: ElementTree.Element, prefix: str, name: str) -> ElementTree.Element:
    desc = ElementTree.SubElement(rdf, f"{{{_XMP_NS['rdf']}}}Description")
    desc.set(f"{{{_XMP_NS['rdf']}}}about", "")
    return ElementTree.SubElement(desc, f"{{{_XMP_NS[prefix]}}}{name}")


def archival_xmp(document: Any, number: str | None) -> bytes:
    """The XMP packet of an archival document: WeasyPrint's own (pdfaid part 2 / conformance B,
    dc:title, dc:creator, xmp:CreatorTool, CreateDate, ModifyDate and pdf:Producer, each equal to
    its Info entry) plus dc:identifier (the document number), dc:language and xmp:MetadataDate.
    All of these are in the schemas ISO 19005-2 predefines, so no extension schema is needed."""
    meta = document.metadata
    rdf = ElementTree.fromstring(meta.generate_rdf_metadata("a", 2, "B"))
    if number:
        _xmp_description(rdf, "dc", "identifier").text = number
    bag = ElementTree.SubElement(_xmp_description(rdf, "dc", "language"), f"{{{_XMP_NS['rdf']}}}Bag")
    ElementTree.SubElement(bag, f"{{{_XMP_NS['rdf']}}}li").text = meta.lang
    if meta.modified:
        _xmp_description(rdf, "xmp", "MetadataDate").text = meta.modified
    return b"\n".join((b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>',
                       b'<x:xmpmeta xmlns:x="adobe:ns:meta/">',
                       ElementTree.tostring(rdf, encoding="utf-8", xml_declaration=False),
                       b"</x:xmpmeta>", b'<?xpacket end="r"?>'))


def _archival_finisher(document: Any, pdf: pydyf.PDF, *, number: str | None) -> None:
    """WeasyPrint finisher of archival documents: our XMP in the metadata stream WeasyPrint's
    PDF/A step wrote, then the streams deflated (``_deflate_streams``)."""
    reference = pdf.catalog["Metadata"]
    stream = pdf.objects[int(reference.split()[0])]
    stream.stream = [archival_xmp(document, number)]
    _deflate_streams(document, pdf)


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """Render a document template to an HTML string."""
    try:
        return template_env().get_template(template_name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {template_name}: {exc}") from exc


@cache
def stylesheet(template_name: str) -> CSS:
    """A template's stylesheet (Jinja-rendered once, then parsed once) for every render."""
    r = _renderer()
    return CSS(string=render_html(template_name, {}), font_config=r.font_config,
               url_fetcher=r.fetcher)


def layout_html(html: str, *, stylesheets: tuple[str, ...] = (),
                ua_stylesheet: str | None = None) -> Any:
    """``html`` laid out into pages by WeasyPrint (a ``weasyprint.Document``), as
    :func:`html_to_pdf` prints it; its ``pages`` tell where each page starts (e.g. for a DOCX twin
    that breaks its pages where the PDF does)."""
    r = _renderer()
    sheets = [r.font_css, *(stylesheet(name) for name in stylesheets)]
    if ua_stylesheet is None:
        doc = HTML(string=html, base_url="asset:", url_fetcher=r.fetcher)
    else:
        try:
            doc = ParsedXhtml(html, base_url="asset:", url_fetcher=r.fetcher,
                              ua_sheet=stylesheet(ua_stylesheet))
        except MarkupError as exc:
            raise RenderError(f"document markup is not well-formed XHTML: {exc}") from exc
    with r.lock:  # FontConfiguration is not safe to share between threads
        return doc.render(font_config=r.font_config, stylesheets=sheets)


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = (),
                metadata: dict[str, str] | None = None, ua_stylesheet: str | None = None,
                archival: bool = False) -> bytes:
    """Lay out ``html`` with WeasyPrint and return the PDF bytes.

    ``stylesheets`` names CSS templates parsed once per process (faster than inline
    ``<style>``). ``metadata`` may hold ``title``, ``created`` and ``modified`` (ISO dates) so
    that the same input always gives the same bytes. ``ua_stylesheet`` names a CSS template
    used instead of WeasyPrint's user-agent stylesheet (a version's own copy, e.g.
    templates/commitment/v2/document-ua.css); the markup must then be well-formed XHTML (see
    weasyprint_adapter.ParsedXhtml).

    ``archival`` (a version's ``TemplateVersion.archival``) makes a PDF/A-2b file
    (:data:`ARCHIVAL_VARIANT`: sRGB OutputIntent, XMP) with tagged structure (headings,
    paragraphs, figures with their ``alt`` text, in reading order; ``/Lang`` zh-CN; the title shown
    in the window): ``metadata`` may then also hold ``number`` (XMP ``dc:identifier``) and
    ``issuer`` (``/Author``, ``dc:creator``), and its dates should be full ISO date-times with
    a time zone (``2026-11-29T00:00:00+08:00``) so that Info and XMP state the same instant.
    """
    rendered = layout_html(html, stylesheets=stylesheets, ua_stylesheet=ua_stylesheet)
    meta = metadata or {}
    rendered.metadata.title = meta.get("title", rendered.metadata.title)
    rendered.metadata.authors = [meta.get("issuer", AUTHOR) if archival else AUTHOR]
    rendered.metadata.created = meta.get("created")
    rendered.metadata.modified = meta.get("modified")
    rendered.metadata.generator = "信用文书服务"
    if not archival:
        return rendered.write_pdf(finisher=_deflate_streams)
    rendered.metadata.lang = ARCHIVAL_LANG
    rendered.color_profiles[SRGB_OUTPUT_INTENT] = srgb_profile()
    return rendered.write_pdf(finisher=partial(_archival_finisher, number=meta.get("number")),
                              pdf_variant=ARCHIVAL_VARIANT, pdf_tags=True,
                              output_intent=SRGB_OUTPUT_INTENT)


def render_pdf(template_name: str, context: dict[str, Any], *,
               stylesheets: tuple[str, ...] = (),
               metadata: dict[str, str] | None = None, ua_stylesheet: str | None = None,
               archival: bool = False) -> bytes:
    """Render a document template (with its pre-parsed stylesheets) straight to PDF bytes
    (``archival``: see :func:`html_to_pdf`)."""
    return html_to_pdf(render_html(template_name, context), stylesheets=stylesheets,
                       metadata=metadata, ua_stylesheet=ua_stylesheet, archival=archival)


def warm_up() -> float:
    """Load fonts and templates once so the first real request is fast; returns seconds taken."""
    import time

    start = time.perf_counter()
    _renderer()
    html_to_pdf(f'<style>p {{ font-family: {font_stack().family("body")} }}</style>'
                '<p>预热 warm-up</p>')
    return time.perf_counter() - start
