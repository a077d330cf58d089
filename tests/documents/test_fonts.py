"""Bundled fonts: manifest health, coverage, refusal of undrawable characters, and a real
WeasyPrint render of every GB2312 hanzi checked glyph by glyph in the PDF."""

from __future__ import annotations

import io
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from app.documents.fonts import (
    FONT_DIR,
    FontStack,
    UncoverableCharacter,
    build_font_stack,
    check_fonts,
    font_stack,
    harfbuzz_subset_available,
)

GB2312_HANZI = [
    bytes([high, low]).decode("gb2312")
    for high in range(0xB0, 0xF8)
    for low in range(0xA1, 0xFF)
    if not (high == 0xD7 and low > 0xF9)  # D7FA–D7FE are unassigned
]
PUNCTUATION = "，。：；（）“”、—《》〔〕·×●□☐！？…‘’【】％＋－"
EXT_SAMPLES = {
    "Ext B": "\U00020000\U0002a6a5",  # 𠀀 𪚥
    "Ext C": "\U0002a700\U0002b734",
    "Ext D": "\U0002b740\U0002b81d",
    "Ext E": "\U0002b820\U0002cea1",
    "Ext F": "\U0002ceb0\U0002ebe0",
}


def assigned(first: int, last: int) -> list[str]:
    return [chr(cp) for cp in range(first, last + 1) if unicodedata.category(chr(cp)) != "Cn"]


@pytest.fixture(scope="module")
def stack() -> FontStack:
    return font_stack()


def test_gb2312_list_is_complete():
    assert len(GB2312_HANZI) == 6763
    assert GB2312_HANZI[0] == "啊"
    assert GB2312_HANZI[-1] == "齄"


def test_bundled_fonts_are_healthy():
    assert check_fonts() == []


def test_harfbuzz_subsetting_is_available():
    # Without libharfbuzz-subset0 WeasyPrint embeds whole CJK fonts (slow, huge PDFs).
    assert harfbuzz_subset_available()


@pytest.mark.parametrize("role", ["title", "body", "hei", "kai", "fangsong"])
def test_every_role_covers_uro_ext_a_and_punctuation(stack, role):
    reachable: set[int] = set()
    for name in stack.families(role):
        reachable |= stack.face_coverage[name]
    uro = assigned(0x4E00, 0x9FFF)
    ext_a = assigned(0x3400, 0x4DBF)
    assert len(uro) == 20992
    assert len(ext_a) == 6592  # Unicode 14 (Python 3.11)
    text = "".join(uro + ext_a) + PUNCTUATION + "0123456789ABCxyz第1页"
    missing = [f"U+{ord(c):04X}" for c in text if ord(c) not in reachable]
    assert missing == []


def test_committed_subsets_cover_gb2312_and_punctuation(stack):
    # The fast path: a letter in GB2312 never needs the big fetched fonts.
    for face in stack.faces:
        if face.role in ("title", "body", "hei", "kai", "fangsong") and "Full" not in face.family:
            have = stack.face_coverage[face.family]
            holes = [
                c for c in GB2312_HANZI + list(PUNCTUATION.replace("☐", "")) if ord(c) not in have
            ]
            assert holes == [], face.family
    assert ord("☐") in stack.face_coverage["LY Fallback BMP"]


@pytest.mark.parametrize("block", sorted(EXT_SAMPLES))
def test_rare_name_characters_are_covered_by_the_fallback(stack, block):
    fallback = stack.face_coverage["LY Fallback"]
    for char in EXT_SAMPLES[block]:
        assert ord(char) in fallback, f"U+{ord(char):04X}"
        assert stack.covers(char)
    stack.check_text("张" + EXT_SAMPLES[block], field="subject_name")


def test_family_ends_with_fallbacks(stack):
    assert stack.family("body") == '"LY Body", "LY Body Full", "LY Fallback BMP", "LY Fallback"'
    for role in ("title", "hei", "kai", "fangsong"):
        families = stack.families(role)
        assert families[0] == {"title": "LY Title", "hei": "LY Hei", "kai": "LY Kai",
                               "fangsong": "LY Fang"}[role]
        assert families[-2:] == ["LY Fallback BMP", "LY Fallback"]
        assert "LY Body Full" in families
    with pytest.raises(KeyError):
        stack.family("comic")


def test_heading_face_falls_back_to_the_title_stack(stack):
    assert stack.families("heading") == ["LY Heading", *stack.families("title")]


def test_heading_face_holds_every_fixed_letter_heading(stack):
    # The fast path: the letter's title and copy labels need no glyph from the 8,700-glyph title
    # subset (scripts/subset_fonts.py --only LYHeading.ttf rebuilds the face after a change).
    from app.documents.registry import RELEASED, Family
    from app.documents.wording import letter_wording

    heading = stack.face_coverage["LY Heading"]
    for version in RELEASED[Family.COMMITMENT]:
        wording = letter_wording(version)
        fixed = "".join((wording.title, *wording.copy_labels))
        assert [c for c in fixed if ord(c) not in heading] == [], version
    assert len(heading) < 50


def test_css_only_uses_font_urls(stack):
    css = stack.css()
    assert css.count("@font-face") == len(stack.faces) == 13
    for face in stack.faces:
        assert f'src: url("font:{face.path.name}")' in css
        assert face.path.parent == FONT_DIR
    assert "file:" not in css
    assert "http" not in css


def test_private_use_character_is_refused(stack):
    assert not stack.covers("\ue000")
    assert stack.missing_chars("承诺\ue000人\ue000\U000f0000") == ["\ue000", "\U000f0000"]
    with pytest.raises(UncoverableCharacter) as info:
        stack.check_text("张三\ue000", field="subject_name")
    exc = info.value
    assert str(exc) == "字符“\ue000”(U+E000)无法显示"
    assert (exc.char, exc.codepoint, exc.field) == ("\ue000", "U+E000", "subject_name")
    with pytest.raises(UncoverableCharacter) as info:
        stack.check_text("\U000f0000")
    assert info.value.codepoint == "U+F0000"
    assert info.value.field is None


def test_whitespace_counts_as_covered(stack):
    assert stack.missing_chars("甲\n乙\t丙 丁\u3000戊") == []
    stack.check_text("第一条\n\t内容\u3000完")


def test_missing_fetched_font_names_the_fetch_script(tmp_path):
    shutil.copy(FONT_DIR / "manifest.json", tmp_path / "manifest.json")
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["fonts"]:
        if entry["committed"]:
            (tmp_path / entry["file"]).symlink_to(FONT_DIR / entry["file"])
    with pytest.raises(RuntimeError, match=r"python scripts/fetch_fonts\.py"):
        build_font_stack(tmp_path)
    problems = check_fonts(tmp_path, verify_checksums=False)
    assert problems
    assert all("fetch_fonts.py" in p or "licence" in p for p in problems)


def _mirror(tmp_path: Path, manifest: dict) -> Path:
    for entry in manifest["fonts"]:
        (tmp_path / entry["file"]).symlink_to(FONT_DIR / entry["file"])
    (tmp_path / "licenses").symlink_to(FONT_DIR / "licenses")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


def test_check_fonts_reports_checksum_mismatch(tmp_path):
    manifest = json.loads((FONT_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest["fonts"][0]["sha256"] = "0" * 64
    problems = check_fonts(_mirror(tmp_path, manifest))
    assert problems == [f"checksum mismatch: {manifest['fonts'][0]['file']} (restore it from git)"]


def test_check_fonts_reports_coverage_holes_without_full_fonts(tmp_path):
    manifest = json.loads((FONT_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest["fonts"] = [e for e in manifest["fonts"] if e["committed"]]
    problems = check_fonts(_mirror(tmp_path, manifest), verify_checksums=False)
    assert any("role body" in p and "CJK Unified Ideographs" in p for p in problems)
    assert any("role kai" in p and "CJK Extension A" in p for p in problems)


# --- the real render -------------------------------------------------------------------


def _render_pdf(html: str, css: str) -> tuple[bytes, list[str]]:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    fetched: list[str] = []

    class FontOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            if not url.startswith("font:"):
                raise ValueError(f"refused {url}")
            path = (FONT_DIR / url.removeprefix("font:")).resolve()
            if path.parent != FONT_DIR.resolve() or not path.is_file():
                raise ValueError(f"refused {url}")
            return URLFetcherResponse(url, body=path.read_bytes())

    fetcher = FontOnlyFetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(string=css, font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=font_config
    )
    return document.write_pdf(), fetched


def _our_font_names() -> set[str]:
    from fontTools.ttLib import TTFont

    names = set()
    for face in font_stack().faces:
        font = TTFont(face.path, lazy=True)
        names.add(font["name"].getDebugName(4))
        font.close()
    return names


def _drawn_glyphs(pdf: bytes) -> tuple[dict[str, list[int]], set[str], int]:
    """{BaseFont: glyph ids drawn}, embedded full names, page count.

    Fonts are Identity-H CID fonts: a text-showing operator's string is a run of 2-byte
    glyph ids (CIDToGIDMap /Identity), unless WeasyPrint substituted its own CMap."""
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    reader = PdfReader(io.BytesIO(pdf))
    drawn: dict[str, list[int]] = {}
    embedded: set[str] = set()
    for page in reader.pages:
        fonts = {}
        for key, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            assert font["/Subtype"] == "/Type0", font
            encoding = font["/Encoding"]
            if encoding == "/Identity-H":
                code_to_gid = None
            else:
                # WeasyPrint 70 switches to its own CMap when a glyph is missing: it maps
                # the codes of missing characters to CID 0 (.notdef).  Decode it.
                code_to_gid = {}
                for line in encoding.get_object().get_data().decode("latin-1").splitlines():
                    match = re.fullmatch(r"<([0-9a-fA-F]{4})> (\d+)", line.strip())
                    if match:
                        code_to_gid[int(match[1], 16)] = int(match[2])
            descendant = font["/DescendantFonts"][0].get_object()
            program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object()
            embedded.add(TTFont(io.BytesIO(program.get_data()))["name"].getDebugName(4))
            fonts[key] = (str(font["/BaseFont"]), code_to_gid)
        current = None
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                current, code_to_gid = fonts[operands[0]]
                continue
            if operator in (b"Tj", b"'"):
                strings = [operands[0]]
            elif operator == b'"':
                strings = [operands[2]]
            elif operator == b"TJ":
                strings = [item for item in operands[0] if not isinstance(item, (int, float))]
            else:
                continue
            for string in strings:
                raw = getattr(string, "original_bytes", string)
                raw = bytes(raw)
                assert len(raw) % 2 == 0, (current, raw)
                codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                gids = codes if code_to_gid is None else [code_to_gid.get(c, c) for c in codes]
                drawn.setdefault(current, []).extend(gids)
    return drawn, embedded, len(reader.pages)


@pytest.mark.slow
def test_every_gb2312_hanzi_renders_with_our_fonts_and_no_notdef(stack):
    """All 6763 GB2312 hanzi in each role + punctuation + rare characters, through WeasyPrint
    with only our @font-face rules; the PDF must embed only our fonts and draw no glyph 0."""
    hanzi = "".join(GB2312_HANZI)
    rare = "鿿䶵㐀" + "".join(EXT_SAMPLES.values())  # full fonts and the Ext B–F fallback
    sections = []
    for role in ("body", "title", "hei", "kai"):
        sections.append(
            f"<div style='font-family: {stack.family(role)}'>{hanzi}{PUNCTUATION}"
            f"Page 1 / 2 — 0123456789 {rare}</div>"
        )
    css = stack.css() + (
        "@page { size: A4; margin: 10mm }"
        "body { font-size: 6pt; line-height: 1.15; font-weight: normal }"
        "div { word-break: break-all }"
    )
    pdf, fetched = _render_pdf("<body>" + "".join(sections) + "</body>", css)

    assert fetched
    assert all(url.startswith("font:") for url in fetched)
    drawn, embedded, pages = _drawn_glyphs(pdf)
    assert pages <= 12

    # WeasyPrint names each font "/XXXXXX+<CSS family with dashes>[-<style>]".
    ours = {face.family.replace(" ", "-") for face in stack.faces}
    used = set()
    for base_font in drawn:
        name = base_font.lstrip("/").split("+", 1)[1]
        family = name if name in ours else name.rsplit("-", 1)[0]
        assert family in ours, base_font
        used.add(family)
    assert {"LY-Body", "LY-Title", "LY-Hei", "LY-Kai", "LY-Fallback"} <= used, used
    assert embedded <= _our_font_names(), embedded - _our_font_names()

    notdef = {font: gids.count(0) for font, gids in drawn.items() if 0 in gids}
    assert notdef == {}
    total = sum(len(gids) for gids in drawn.values())
    expected = 4 * (len(hanzi) + len(PUNCTUATION) + len(rare))
    assert total >= expected, (total, expected)


def test_fangsong_role_is_fandol_fang_then_the_common_fallbacks(stack):
    # 仿宋 (GB/T 9704 body face): its own committed subset, the full FandolFang, then the same
    # chain as every role, so a rare name still prints (in 宋 or the Ext B–F fallback).
    assert stack.family("fangsong") == (
        '"LY Fang", "LY Fang Full", "LY Body Full", "LY Fallback BMP", "LY Fallback"'
    )
    by_family = {face.family: face for face in stack.faces}
    assert by_family["LY Fang"].path.name == "LYFang-GB2312.otf"
    assert by_family["LY Fang Full"].path.name == "FandolFang-Regular.otf"


def test_fangsong_face_itself_covers_all_of_gb2312(stack):
    # The face's own glyphs, not the fallbacks: every hanzi and every symbol of GB 2312 but
    # U+2015 (the codec's reading of A1AA; FandolFang draws the dash as U+2014).
    gb2312 = {
        ord(bytes([high, low]).decode("gb2312"))
        for high in range(0xA1, 0xF8)
        for low in range(0xA1, 0xFF)
        if _decodes(bytes([high, low]))
    }
    assert len(gb2312) == 7445
    own = stack.face_coverage["LY Fang"]
    assert [f"U+{cp:04X}" for cp in sorted(gb2312 - own)] == ["U+2015"]
    assert ord("—") in own
    assert stack.face_coverage["LY Fang Full"] >= own


def _decodes(raw: bytes) -> bool:
    try:
        raw.decode("gb2312")
    except UnicodeDecodeError:
        return False
    return True
