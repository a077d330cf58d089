#!/usr/bin/env python3
"""Build the committed subset fonts in fonts/ from the fetched full fonts (developer tool).

Run after ``python scripts/fetch_fonts.py`` (needs fontTools, which is in the venv):

    .venv/bin/python scripts/subset_fonts.py            # rebuild subsets + update manifest sha256s
    .venv/bin/python scripts/subset_fonts.py --print-sets

Subset = the whole GB2312 repertoire (6763 hanzi + all its symbols/punctuation rows, decoded
from the gb2312 codec), ASCII, Latin-1, general/CJK punctuation, full-width forms, the
symbol blocks official letters use (×, ●, □, ①, Ⅰ, arrows, box drawing, geometric shapes,
misc symbols) and a short list of frequent name characters outside GB2312.  Layout tables
needed for CJK (vert/vrt2, locl, kern) are kept; hinting is dropped (the sources are
unhinted or print-only anyway).

"LY Fallback BMP" is different: every code point of HanaMinA (from the same Debian package
as HanaMinB) that neither Noto Serif SC nor HanaMinB draws (e.g. ☐ U+2610, CJK
compatibility ideographs, radicals, strokes), so the whole stack has one committed
place for the odd BMP symbol.  HanaMinA itself is read from the fetch cache: pass
``--hanamina PATH`` (extract it with ``dpkg-deb -x`` from fonts-hanazono_20170904-2.1).

Output names and the sha256 in fonts/manifest.json are updated in place.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the heading and glyph-order builds read texts from app.documents
FONT_DIR = ROOT / "fonts"
MANIFEST = FONT_DIR / "manifest.json"

# (output file, source full font in fonts/)
# Subsets are "Modified Versions" under the OFL: LXGW WenKai ("LXGW", "霞鹜") and Hanazono
# ("HanaMinA", ...) have Reserved Font Names, so every subset gets its own font name.
SUBSETS: dict[str, tuple[str, str]] = {
    "LYTitle-GB2312.ttf": ("NotoSerifSC-Black.ttf", "LY Title GB2312"),
    "LYBody-GB2312.ttf": ("NotoSerifSC-Regular.ttf", "LY Body GB2312"),
    "LYHei-GB2312.ttf": ("NotoSansSC-Medium.ttf", "LY Hei GB2312"),
    "LYKai-GB2312.ttf": ("LXGWWenKai-Regular.ttf", "LY Kai GB2312"),
    "LYFang-GB2312.otf": ("FandolFang-Regular.otf", "LY Fang GB2312"),
}
LICENCE_NOTES: dict[str, str] = {"FandolFang-Regular.otf": "GPL-3.0 with the GPL font exception"}
"""Licence named in a subset's description (name ID 10); SIL OFL 1.1 unless listed here."""
ORDERED_FOR_SPEED = {"LYBody-GB2312.ttf"}
"""Subsets whose glyphs are renumbered for cheap embedding (see order_glyphs_for_speed): the
face of the letters' body text, rendered most often."""
HEADING_OUT = "LYHeading.ttf"
HEADING_SOURCE = "NotoSerifSC-Black.ttf"
HEADING_NAME = "LY Heading"
"""The title face cut to the characters of fixed headings (role "heading" in fonts/manifest.json):
the letter's title and copy labels, read from app.documents.commitment."""
SYMBOLS_OUT = "LYFallbackBMP.ttf"
SYMBOLS_NAME = "LY Fallback BMP"

RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (×, ·, °, ±, …)
    (0x2000, 0x206F),  # general punctuation (“ ” — … ‰ ※)
    (0x2100, 0x214F),  # letterlike (℃ № ℡)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ Ⅻ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # math operators
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑳ ⑴ ⒈)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (● □ ■ ○ △)
    (0x2600, 0x26FF),  # misc symbols (★ ☆ ☐ ☑ ☒ where the font has them)
    (0x3000, 0x303F),  # CJK symbols and punctuation (。、《》〔〕【】)
    (0x3200, 0x32FF),  # enclosed CJK (㈠ ㊣)
    (0xFE30, 0xFE4F),  # CJK compatibility forms (vertical punctuation)
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]

# Blocks taken from HanaMinA for "LY Fallback BMP" (never the private use area).
FALLBACK_BMP_RANGES = [
    (0x00A0, 0x052F),  # Latin, IPA, Greek, Cyrillic
    (0x1E00, 0x1FFF),  # Latin extended additional, Greek extended
    (0x2000, 0x2BFF),  # punctuation, letterlike, arrows, math, technical, shapes, symbols
    (0x2E80, 0x2FFF),  # CJK radicals supplement, Kangxi radicals, ideographic description
    (0x3000, 0x33FF),  # CJK symbols, kana, bopomofo, strokes, enclosed CJK, CJK compatibility
    (0x4DC0, 0x4DFF),  # Yijing hexagrams
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE10, 0xFE6F),  # vertical forms, CJK compatibility forms, small forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
    (0x2F800, 0x2FA1F),  # CJK compatibility ideographs supplement
]

# Frequent in names / addresses but outside GB2312 (GBK / 通用规范汉字表 extras).
EXTRA_HANZI = (
    "喆堃玥珺琍昇淏犇垚焱赟旻昶珏琦婧祎禕瑄镕鋆浛璟琰煜钰颢晔炜淇荟颖洺湉"
    "彧翀喾炅昀琪琤瑢瑀璐瑛瑾璇珩珈玙琮琬瑭婳媛嫣姝妘嬛珮玟昱晞曦暐暻"
    "锃铖锜钧钊锴镓镛鑫淼骞骅骐骢骥鹍鹏鹓鹡鹭麟麒凇冼佘邬邴邝邗郗鄢鄞"
    "厍仝亓劼勍勐卲吕啟甯皞睿砚祐禤秭筱箐綦缇缈翥翾耘芃芊芮苒茜茳荃莜"
    "萁萱葳蒨蓁蔺薷蘅虓蚺衎衿袆裕覃赉赜辂迳逯遹郦酃釆钤铤铧锐锟锷镔霈"
    "靓靖韪颋颙飏馥骃骕鲲鸾黉龑㛃㭎"
)


def codepoints(extra: bool = True) -> set[int]:
    cps: set[int] = set()
    for first, last in RANGES:
        cps.update(range(first, last + 1))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    if extra:
        cps.update(ord(c) for c in EXTRA_HANZI)
    return cps


def cmap_of(path: Path) -> set[int]:
    font = TTFont(path, lazy=True)
    try:
        return set(font.getBestCmap())
    finally:
        font.close()


def rename(font: TTFont, family: str, source_name: str, licence: str = "SIL OFL 1.1") -> None:
    """Give the subset its own name (OFL: no Reserved Font Name on a Modified Version)."""
    table = font["name"]
    postscript = family.replace(" ", "") + "-Regular"
    for record in list(table.names):
        if record.nameID in (16, 17, 18, 21, 22, 25):
            table.removeNames(nameID=record.nameID)
    for name_id, value in (
        (1, family),
        (2, "Regular"),
        (3, f"{postscript};subset"),
        (4, family),
        (6, postscript),
        (10, f"Subset of {source_name} made by scripts/subset_fonts.py ({licence})"),
    ):
        table.removeNames(nameID=name_id)
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def boilerplate_text() -> str:
    """Text every letter prints whatever its fields: the wording of all variants of every
    released version (the current one first)."""
    from app.documents import commitment as doc
    from app.documents.registry import RELEASED, Family
    from app.documents.wording import letter_wording
    from app.domain.commitments import Scenario
    from app.domain.subjects import SubjectKind

    current = doc.CURRENT_TEMPLATE_VERSION
    versions = [current, *(v for v in RELEASED[Family.COMMITMENT] if v != current)]
    parts = ["编号：验证码：扫码核验真伪—0123456789年月日", letter_wording(current).numerals, "、"]
    for version in versions:
        parts.append(letter_wording(version).numerals)
        for scenario in Scenario:
            for kind in SubjectKind:
                for letter in doc.blank_letters(scenario, kind, version):
                    parts += [letter.subtitle, letter.preamble, letter.closing, *letter.clauses,
                              *letter.signature_lines, *(f.label + "：" for f in letter.fields)]
    return "".join(parts)


def gb2312_rank(cp: int) -> tuple[int, int]:
    """ASCII, then GB2312 level-1 hanzi (the 3,755 常用字), its symbol rows, level 2, the rest."""
    if cp < 0x80:
        return 0, cp
    try:
        encoded = chr(cp).encode("gb2312")
    except UnicodeEncodeError:
        return 4, cp
    row = encoded[0]
    if 0xB0 <= row < 0xD8:
        return 1, int.from_bytes(encoded, "big")
    return (2 if row < 0xB0 else 3), int.from_bytes(encoded, "big")


def order_glyphs_for_speed(font: TTFont, first_text: str) -> None:
    """Renumber glyphs so that a typical document uses only low glyph ids.

    WeasyPrint subsets each embedded font keeping glyph ids, so its cost (and the embedded
    file's size) grows with the highest glyph id a document uses: the boilerplate's glyphs and
    what GSUB substitutes for them come first, then ASCII and the GB2312 hanzi by level. Glyph
    outlines, metrics and layout rules stay the same (fontTools' reorderGlyphs keeps coverage
    tables sorted).
    """
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    order = font.getGlyphOrder()
    cmap = font.getBestCmap()
    first = [cmap[ord(c)] for c in dict.fromkeys(first_text) if ord(c) in cmap]
    closure = subset.Subsetter(subset.Options(layout_features=["*"]))
    closure.glyphs = set(first)
    if "GSUB" in font:
        font["GSUB"].closure_glyphs(closure)
    substituted = sorted(closure.glyphs - set(first), key=order.index)
    by_glyph: dict[str, int] = {}
    for cp, name in sorted(cmap.items()):
        by_glyph.setdefault(name, cp)
    placed = set(first) | set(substituted) | {order[0]}
    rest = sorted((g for g in order if g not in placed),
                  key=lambda g: (gb2312_rank(by_glyph[g]) if g in by_glyph else (5, order.index(g))))
    reorderGlyphs(font, [order[0], *first, *substituted, *rest])  # .notdef stays glyph 0


def make_subset(src: Path, dest: Path, unicodes: set[int], family: str,
                first_text: str | None = None) -> int:
    options = subset.Options()
    options.layout_features = ["vert", "vrt2", "locl", "kern", "palt", "vpal", "ccmp", "liga"]
    options.hinting = False
    options.name_IDs = ["*"]  # keep copyright/licence names (0, 13, 14)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.drop_tables += ["DSIG"]
    # Keep the source's font bounding box: a PDF viewer sizes its glyph rasters from it, so a
    # small subset of a face then draws exactly like the large one.
    font = TTFont(src, recalcBBoxes=False)
    have = set(font.getBestCmap())
    wanted = unicodes & have
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    if first_text is not None:
        order_glyphs_for_speed(font, first_text)
    source_name = src.stem
    rename(font, family, source_name, LICENCE_NOTES.get(src.name, "SIL OFL 1.1"))
    font.save(dest)
    font.close()
    return len(wanted)


def heading_codepoints() -> set[int]:
    """The title and copy labels of every released 信用承诺书 version (their wording.json)."""
    from app.documents.registry import RELEASED, Family
    from app.documents.wording import letter_wording

    texts = []
    for version in RELEASED[Family.COMMITMENT]:
        wording = letter_wording(version)
        texts += [wording.title, *wording.copy_labels]
    return {ord(c) for c in "".join(texts)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hanamina", type=Path, help="path to HanaMinA.ttf (for the BMP fallback)")
    parser.add_argument("--print-sets", action="store_true")
    parser.add_argument("--only", metavar="FILE", help="rebuild only this output (e.g. LYHeading.ttf)")
    args = parser.parse_args()

    cps = codepoints()
    if args.print_sets:
        print(f"{len(cps)} code points in the subset request")
        return

    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    by_file = {entry["file"]: entry for entry in manifest["fonts"]}

    builds = {**{out: (src, family, cps) for out, (src, family) in SUBSETS.items()},
              HEADING_OUT: (HEADING_SOURCE, HEADING_NAME, heading_codepoints())}
    for out, (src, family, wanted) in builds.items():
        if args.only and out != args.only:
            continue
        first = boilerplate_text() if out in ORDERED_FOR_SPEED else None
        n = make_subset(FONT_DIR / src, FONT_DIR / out, wanted, family, first)
        size = (FONT_DIR / out).stat().st_size
        print(f"{out}: {n} code points, {size / 1e6:.2f} MB")
        if out in by_file:
            by_file[out]["sha256"] = sha256(FONT_DIR / out)
            by_file[out]["size"] = size

    if args.hanamina and args.only in (None, SYMBOLS_OUT):
        have_elsewhere = cmap_of(FONT_DIR / "NotoSerifSC-Regular.ttf") | cmap_of(
            FONT_DIR / "HanaMinB.ttf"
        )
        allowed: set[int] = set()
        for first, last in FALLBACK_BMP_RANGES:
            allowed.update(range(first, last + 1))
        extra = (cmap_of(args.hanamina) & allowed) - have_elsewhere
        n = make_subset(args.hanamina, FONT_DIR / SYMBOLS_OUT, extra, SYMBOLS_NAME)
        size = (FONT_DIR / SYMBOLS_OUT).stat().st_size
        print(f"{SYMBOLS_OUT}: {n} code points, {size / 1e6:.2f} MB")
        if SYMBOLS_OUT in by_file:
            by_file[SYMBOLS_OUT]["sha256"] = sha256(FONT_DIR / SYMBOLS_OUT)
            by_file[SYMBOLS_OUT]["size"] = size

    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
