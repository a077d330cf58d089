"""Jinja2 + WeasyPrint rendering: our own template environment and a locked-down URL fetcher."""

from __future__ import annotations

import logging
import mimetypes
import threading
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pydyf
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.documents import cjk_justify
from app.documents.fonts import FONT_DIR, font_stack
from app.documents.qr import parse_qr_src, qr_png, qr_src
from app.documents.weasyprint_adapter import MarkupError, ParsedXhtml, stream_bytes

TEMPLATE_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
ASSET_DIR = TEMPLATE_DIR / "assets"
LOG = logging.getLogger(__name__)
cjk_justify.install()  # only stylesheets that ask for it (--cjk-justify) lay out otherwise
DEFLATE_LEVEL = 3
"""zlib level of the PDF streams (mostly subset fonts). pydyf always uses 9; level 3 saves a
letter about 5 ms for a file 3 % larger (65.4 KB; 63.4 KB at zlib's default level 6, which costs
1.5 ms more)."""


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
    """Serves ``font:<file>`` from fonts/, ``asset:<file>`` from templates/assets/ and ``qr:<url>``
    (a QR code we draw), nothing else.

    Every other URL (file:, http:, data: ...) raises, so WeasyPrint skips it with a warning and
    fetches nothing: user text can never make the renderer read a file or call the network.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("font", "asset", "qr"), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        scheme, _, name = url.partition(":")
        if scheme == "qr":  # QR code of a verification URL, drawn by us (see qr.qr_src)
            target, quiet_zone = parse_qr_src(name)
            return URLFetcherResponse(url, qr_png(target, scale=1, quiet_zone=quiet_zone),
                                      {"Content-Type": "image/png"})
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


def _deflate_streams(_document: Any, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: compress the streams pydyf would compress, at DEFLATE_LEVEL."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress:
            obj.stream = [zlib.compress(stream_bytes(obj), DEFLATE_LEVEL)]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False  # pydyf now only frames the bytes and sets /Length


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


def html_to_pdf(html: str, *, stylesheets: tuple[str, ...] = (),
                metadata: dict[str, str] | None = None, ua_stylesheet: str | None = None) -> bytes:
    """Lay out ``html`` with WeasyPrint and return the PDF bytes.

    ``stylesheets`` names CSS templates parsed once per process (faster than inline
    ``<style>``). ``metadata`` may hold ``title``, ``created`` and ``modified`` (ISO dates) so
    that the same input always gives the same bytes. ``ua_stylesheet`` names a CSS template
    used instead of WeasyPrint's user-agent stylesheet (a version's own copy, e.g.
    templates/commitment/v2/document-ua.css); the markup must then be well-formed XHTML (see
    weasyprint_adapter.ParsedXhtml).
    """
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
        rendered = doc.render(font_config=r.font_config, stylesheets=sheets)
    meta = metadata or {}
    rendered.metadata.title = meta.get("title", rendered.metadata.title)
    rendered.metadata.authors = ["凌源市信用文书服务"]
    rendered.metadata.created = meta.get("created")
    rendered.metadata.modified = meta.get("modified")
    rendered.metadata.generator = "信用文书服务"
    return rendered.write_pdf(finisher=_deflate_streams)


def render_pdf(template_name: str, context: dict[str, Any], *,
               stylesheets: tuple[str, ...] = (),
               metadata: dict[str, str] | None = None, ua_stylesheet: str | None = None) -> bytes:
    """Render a document template (with its pre-parsed stylesheets) straight to PDF bytes."""
    return html_to_pdf(render_html(template_name, context), stylesheets=stylesheets,
                       metadata=metadata, ua_stylesheet=ua_stylesheet)


def warm_up() -> float:
    """Load fonts and templates once so the first real request is fast; returns seconds taken."""
    import time

    start = time.perf_counter()
    _renderer()
    html_to_pdf(f'<style>p {{ font-family: {font_stack().family("body")} }}</style>'
                '<p>预热 warm-up</p>')
    return time.perf_counter() - start
