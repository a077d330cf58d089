"""The WeasyPrint internals the renderer relies on: fail loudly on an upgrade (issue 11 §4).

When one of these fails after changing the pin, read the new ``weasyprint/__init__.py``
(``HTML.__init__``, ``HTML._ua_stylesheets``) and ``css/__init__.py`` (where the user-agent
sheets are cascaded), adapt app/documents/weasyprint_adapter.py, then move WEASYPRINT_VERSION.
"""

from __future__ import annotations

import inspect
import io
import re
import zlib
from pathlib import Path

import pydyf
import pypdf
import pytest
import weasyprint
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from app.documents.weasyprint_adapter import (
    SRGB_OUTPUT_INTENT,
    WEASYPRINT_VERSION,
    MarkupError,
    ParsedXhtml,
    srgb_profile,
    stream_bytes,
)

ROOT = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
XHTML = "<html><head><title>HeadTitle</title></head><body><p>Body</p></body></html>"


def _pinned(package: str) -> str:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{package}==(\S+)", text, flags=re.MULTILINE | re.IGNORECASE)
    assert match is not None, f"{package} is not pinned in requirements.txt"
    return match.group(1)


def test_requirements_pin_the_weasyprint_the_adapter_was_checked_against() -> None:
    assert _pinned("weasyprint") == WEASYPRINT_VERSION


def test_installed_weasyprint_is_the_pinned_one() -> None:
    assert weasyprint.__version__ == WEASYPRINT_VERSION


def test_html_init_sets_no_attribute_the_adapter_does_not() -> None:
    # Internal 1: ParsedXhtml sets what HTML.__init__ sets after parsing, and no more than that
    # (plus its own user-agent sheet).
    theirs = HTML(string=XHTML, base_url="asset:", url_fetcher=URLFetcher())
    ours = ParsedXhtml(XHTML, base_url="asset:", url_fetcher=URLFetcher(), ua_sheet=CSS(string=""))
    assert set(vars(ours)) - {"ua_sheet"} == set(vars(theirs))


def test_parsed_tree_matches_weasyprints_parse() -> None:
    theirs = HTML(string=XHTML, base_url="asset:", url_fetcher=URLFetcher())
    ours = ParsedXhtml(XHTML, base_url="asset:", url_fetcher=URLFetcher(), ua_sheet=CSS(string=""))
    assert [e.tag for e in ours.etree_element.iter()] == [e.tag for e in theirs.etree_element.iter()]


def test_ua_stylesheets_hook_still_exists_with_its_signature() -> None:
    # Internal 2: the method WeasyPrint's cascade calls for the user-agent sheets.
    assert list(inspect.signature(HTML._ua_stylesheets).parameters) == ["self", "forms"]


def test_weasyprint_cascades_our_user_agent_sheet() -> None:
    sheet = CSS(string="@page { size: 100mm 50mm; margin: 0 } p { display: block }")
    pdf = ParsedXhtml(XHTML, base_url="asset:", url_fetcher=URLFetcher(), ua_sheet=sheet).write_pdf()
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (100, 50)


def test_weasyprints_own_user_agent_sheet_is_left_out() -> None:
    # WeasyPrint's sheet hides <head>; with an empty sheet of ours the title is laid out as text.
    pdf = ParsedXhtml(XHTML, base_url="asset:", url_fetcher=URLFetcher(),
                      ua_sheet=CSS(string="")).write_pdf()
    assert "HeadTitle" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_malformed_markup_is_refused() -> None:
    with pytest.raises(MarkupError):
        ParsedXhtml("<p>未闭合<br></p>", base_url="asset:", url_fetcher=URLFetcher(),
                    ua_sheet=CSS(string=""))


def test_stream_bytes_are_the_items_as_pydyf_writes_them() -> None:
    stream = pydyf.Stream([b"q", "1 0 0 1 0 0 cm", 1.5, 2.0, pydyf.Dictionary({"A": 1})],
                          extra={"Length1": 7}, compress=True)
    assert stream_bytes(stream) == b"q\n1 0 0 1 0 0 cm\n1.5\n2\n<</A 1>>"


def test_stream_bytes_round_trip_through_pydyf_compression() -> None:
    content = [b"BT", b"/F1 12 Tf", bytes(range(256)), b"ET"]
    compressed = pydyf.Stream(list(content), compress=True).data
    body = compressed.split(b"\nstream\n", 1)[1].removesuffix(b"\nendstream")
    assert stream_bytes(pydyf.Stream(list(content))) == zlib.decompress(body)


def test_srgb_profile_is_the_one_weasyprint_would_embed() -> None:
    # Internal 3: output_intent="srgb" builds ColorProfile(file, "sRGB2014.icc", ...) from the
    # file WeasyPrint ships; ours is the same profile, read from memory.
    source = inspect.getsource(weasyprint.pdf.generate_pdf)
    assert "ColorProfile(" in source and "sRGB2014.icc" in source
    profile = srgb_profile()
    shipped = Path(weasyprint.__file__).parent / "pdf" / "sRGB2014.icc"
    assert profile.content[36:40] == b"acsp" and profile.content[16:20] == b"RGB "
    assert profile.name == weasyprint.css.ColorProfile(io.BytesIO(shipped.read_bytes()), "x",
                                                       "relative-colorimetric",
                                                       (["r"], ["g"], ["b"])).name
    assert len(profile.components) == 3


def test_named_output_intent_uses_a_profile_added_after_layout() -> None:
    rendered = HTML(string=XHTML, base_url="asset:", url_fetcher=URLFetcher()).render()
    rendered.color_profiles[SRGB_OUTPUT_INTENT] = srgb_profile()
    pdf = pypdf.PdfReader(io.BytesIO(rendered.write_pdf(pdf_variant="pdf/a-2b",
                                                        output_intent=SRGB_OUTPUT_INTENT)))
    intent = pdf.trailer["/Root"]["/OutputIntents"][0]
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object().get_data()[36:40] == b"acsp"
