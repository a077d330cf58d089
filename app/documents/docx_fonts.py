"""Fonts embedded in our DOCX files: subsets of the bundled faces the PDF prints with, as Word's
obfuscated font parts (ECMA-376 Part 1 §17.8.1), so a DOCX prints every character our PDF prints on
a machine that has none of our fonts (an Ext B name such as 𠀀 or 𪚥 included).

Each run names the font of its role (仿宋, 方正小标宋简体, 黑体, 楷体). Every character is drawn by
the face the PDF draws it with: the first face of the role's stack (app/documents/fonts.py) that
has it. Characters of the role's first face stay in the run, under the role's name, and that face's
subset is embedded under that name; a character only a later face has (a rare name character from
the fallback face) gets a run of its own naming that face (``EXTRA_FACE_NAMES``), and that face's
subset is embedded under its name too. Subsets are renamed so that the family name inside the file
is the name the document uses (LibreOffice and Word look embedded fonts up by that name).

The output is deterministic: subsets are built with fixed options, and each part's GUID key is
derived from the subset's own bytes.
"""

from __future__ import annotations

import copy
import ctypes
import ctypes.util
import functools
import hashlib
import io
import re
import struct
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from fontTools.ttLib import TTFont
from lxml import etree

from app.documents.fonts import FontStack, font_stack
from app.documents.wordml import (
    FONT_BODY,
    FONT_HEADING,
    FONT_KAI,
    FONT_SONG,
    FONT_TITLE,
    ZIP_DATE_TIME,
)

PDF_FONT_ROLES = {FONT_BODY: "fangsong", FONT_TITLE: "title", FONT_HEADING: "hei", FONT_KAI: "kai",
                  FONT_SONG: "body"}
"""DOCX font → role of the faces the PDF prints it with (app/documents/fonts.py), for the grid
layouts (letters-3, report-scaffold-2): 仿宋 is the GB/T 9704 body face (FandolFang), 宋体 (page
numbers) the 宋 face."""

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL_TYPE = f"{R}/font"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")
_DIGITS = "0123456789"
"""Drawn in a footer's font whatever the footer says: its PAGE field is recomputed on opening."""
_SPACES = " \u3000"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def embed_fonts(docx: bytes, roles: Mapping[str, str], stack: FontStack | None = None) -> bytes:
    """``docx`` with the subset fonts of its text embedded and its runs split by face.

    Args:
        docx: a package written by ``wordml.save_deterministic``.
        roles: DOCX font name → font role of the PDF (``{"仿宋": "body", ...}``); runs in a font
            not listed here are left alone.
        stack: the bundled faces; the process-wide stack by default.

    Returns:
        The package with ``word/fonts/fontN.odttf`` parts, ``w:embedRegular`` entries in the font
        table and ``w:embedTrueTypeFonts``/``w:saveSubsetFonts`` in the settings; the same input
        always gives the same bytes.
    """
    stack = stack or font_stack()
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        members = [(info, package.read(info)) for info in package.infolist()]
    parts = {info.filename: data for info, data in members}

    chars: dict[tuple[str, str], set[str]] = {}
    """(DOCX font name, face family) → characters to embed."""
    rewritten: dict[str, bytes] = {}
    for name, data in parts.items():
        if not _TEXT_PARTS.fullmatch(name):
            continue
        root = etree.fromstring(data)
        if _split_runs(root, roles, stack, chars, footer=name.startswith("word/footer")):
            rewritten[name] = _serialise(root)
    if not chars:
        return docx

    fonts: list[tuple[str, bytes]] = []  # (DOCX font name, obfuscated part), in name order
    keys: list[str] = []
    for (docx_name, family), text in sorted(chars.items()):
        subset = _subset(_face_path(stack, family), docx_name, "".join(sorted(text)))
        key = _font_key(subset)
        keys.append(key)
        fonts.append((docx_name, obfuscate(subset, key)))

    rewritten["word/fontTable.xml"] = _font_table(parts["word/fontTable.xml"], fonts, keys)
    rewritten["word/_rels/fontTable.xml.rels"] = _font_rels(len(fonts))
    rewritten["word/settings.xml"] = _settings(parts["word/settings.xml"])
    rewritten["[Content_Types].xml"] = _content_types(parts["[Content_Types].xml"])
    new_parts = {f"word/fonts/font{n}.odttf": data for n, (_, data) in enumerate(fonts, 1)}
    return _repackage(members, rewritten, new_parts)


EXTRA_FACE_NAMES = {"LY Fallback": "LY Fallback ExtB", "LY Fallback BMP": "LY Fallback BMP"}
"""DOCX font name of a face that is not the first of its role (characters only it draws);
other faces keep their own family name."""


def _docx_name_for(family: str) -> str:
    return EXTRA_FACE_NAMES.get(family, family)


def _face_for(stack: FontStack, families: tuple[str, ...], char: str) -> str | None:
    for family in families:
        if ord(char) in stack.face_coverage.get(family, ()):
            return family
    return None


@functools.cache
def _role_families(stack: FontStack, role: str) -> tuple[str, ...]:
    return tuple(stack.families(role))


def _segments(text: str, stack: FontStack, families: tuple[str, ...], name: str,
              chars: dict[tuple[str, str], set[str]]) -> list[tuple[str, str]]:
    """``text`` cut into (face, text) pieces by the first face of ``families`` that draws each
    character (the role's own face where none does); records the characters each face draws."""
    primary = families[0]
    pieces: list[tuple[str, str]] = []
    for char in text:
        found = _face_for(stack, families, char)
        face = found or primary
        if found:
            key = (name if face == primary else _docx_name_for(face), face)
            chars.setdefault(key, set()).add(char)
        if pieces and pieces[-1][0] == face:
            pieces[-1] = (face, pieces[-1][1] + char)
        else:
            pieces.append((face, char))
    return pieces


def _replace_with_pieces(r: etree._Element, pieces: list[tuple[str, str]], primary: str) -> None:
    """Put one copy of run ``r`` per piece before it, later faces named in its fonts; drop ``r``."""
    for face, text in pieces:
        piece = copy.deepcopy(r)
        t = piece.find(_w("t"))
        t.text = text
        t.set(_XML_SPACE, "preserve")
        if face != primary:
            fonts = piece.find(f"{_w('rPr')}/{_w('rFonts')}")
            extra = _docx_name_for(face)
            for attribute in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(_w(attribute), extra)
        r.addprevious(piece)
    r.getparent().remove(r)


def _run_role(r: etree._Element, roles: Mapping[str, str]) -> tuple[str, str] | None:
    """(east-Asian font name, role) of run ``r``, or None when its font has no role."""
    rfonts = r.find(f"{_w('rPr')}/{_w('rFonts')}")
    if rfonts is None:
        return None
    name = rfonts.get(_w("eastAsia"))
    role = roles.get(name or "")
    return None if role is None else (name, role)


def _split_runs(root: etree._Element, roles: Mapping[str, str], stack: FontStack,
                chars: dict[tuple[str, str], set[str]], *, footer: bool) -> bool:
    """Record the characters of every run whose east-Asian font has a role; split runs holding
    characters only a later face draws. Returns whether the tree changed."""
    changed = False
    for r in list(root.iter(_w("r"))):
        named = _run_role(r, roles)
        if named is None:
            continue
        name, role = named
        families = _role_families(stack, role)
        primary = families[0]
        # Spaces: LibreOffice draws a tab (the ruled lines to write on) with the run's space glyph.
        chars.setdefault((name, primary), set()).update(
            c for c in _SPACES if ord(c) in stack.face_coverage.get(primary, ()))
        texts = r.findall(_w("t"))
        if footer and r.find(_w("fldChar")) is None:
            chars.setdefault((name, primary), set()).update(_DIGITS)
        pieces = [_segments(t.text or "", stack, families, name, chars) for t in texts]
        if all(face == primary for run_pieces in pieces for face, _ in run_pieces):
            continue
        if len(texts) != 1 or len(r) != 2:
            # Runs with line breaks or fields keep their font (our layouts put names in plain
            # runs); their rare characters are still embedded under the later face's name.
            continue
        changed = True
        _replace_with_pieces(r, pieces[0], primary)
    return changed


def _face_path(stack: FontStack, family: str) -> Path:
    return next(face.path for face in stack.faces if face.family == family)


@functools.lru_cache(maxsize=64)
def _subset(path: Path, docx_name: str, text: str) -> bytes:
    """The glyphs of ``text`` from the face at ``path``, renamed ``docx_name``, as TrueType.

    HarfBuzz subsets (libharfbuzz-subset, which WeasyPrint needs anyway): it cuts a glyph or two
    out of the 30 MB fallback face in under a millisecond, where fontTools takes seconds.
    """
    subset = _hb_subset(path, sorted({ord(c) for c in text}))
    font = TTFont(io.BytesIO(subset), recalcTimestamp=False, recalcBBoxes=False)
    if "CFF " in font:
        # The character map read from a copy: decompiled, fontTools would write it anew.
        _to_truetype(font, path, TTFont(io.BytesIO(subset)).getBestCmap())
    _rename(font, docx_name)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _to_truetype(font: TTFont, source: Path, cmap: dict[int, str]) -> None:
    """CFF outlines (FandolFang is an OpenType/CFF face) as TrueType quadratic ones: Word embeds
    only TrueType (ECMA-376's "odttf"). As fontTools' otf2ttf snippet does, within 1 unit.

    Interpreting a CJK charstring costs about 14 ms in Python, so each character's converted
    glyph is kept per process (``_QUADRATIC``): a letter converts its common text once."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable
    from fontTools.ttLib.tables._g_l_y_f import Glyph

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    codepoint_of = {name: codepoint for codepoint, name in cmap.items()}
    glyphs = {}
    for glyph_name in order:
        key = (source, codepoint_of.get(glyph_name))
        data = _QUADRATIC.get(key) if key[1] is not None else None
        if data is None:
            pen = TTGlyphPen(glyph_set)
            glyph_set[glyph_name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            data = pen.glyph().compile(None)
            if key[1] is not None:
                _QUADRATIC[key] = data
        # Compiled data, bounds included: the font is saved without recomputing them.
        glyphs[glyph_name] = Glyph(data)
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    hmtx = font["hmtx"]
    max_points = max_contours = 0
    for glyph_name, glyph in glyphs.items():
        data = getattr(glyph, "data", b"")  # an empty glyph (a space) keeps none
        if len(data) >= 12:  # numberOfContours, xMin, yMin, xMax, yMax, endPtsOfContours
            contours, x_min = struct.unpack(">hh", data[:4])
            hmtx[glyph_name] = (hmtx[glyph_name][0], x_min)
            points = struct.unpack(">H", data[8 + 2 * contours:10 + 2 * contours])[0] + 1
            max_points, max_contours = max(max_points, points), max(max_contours, contours)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxPoints, maxp.maxContours = max_points, max_contours
    maxp.maxCompositePoints = maxp.maxCompositeContours = maxp.maxComponentDepth = 0
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType = 3.0
    post.extraNames = []
    post.mapping = {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


_QUADRATIC: dict[tuple[Path, int], bytes] = {}
"""(CFF face, code point) -> its glyph as compiled TrueType glyph data."""


class _HarfBuzz:
    """The few libharfbuzz(-subset) calls subsetting needs, through ctypes."""

    NO_HINTING = 0x1

    def __init__(self) -> None:
        vp, uint = ctypes.c_void_p, ctypes.c_uint
        self.hb = hb = ctypes.CDLL(ctypes.util.find_library("harfbuzz") or "libharfbuzz.so.0")
        self.sub = sub = ctypes.CDLL(
            ctypes.util.find_library("harfbuzz-subset") or "libharfbuzz-subset.so.0")
        for lib, name, restype, argtypes in (
            (hb, "hb_blob_create_from_file_or_fail", vp, [ctypes.c_char_p]),
            (hb, "hb_face_create", vp, [vp, uint]),
            (hb, "hb_face_reference_blob", vp, [vp]),
            (hb, "hb_blob_get_data", ctypes.POINTER(ctypes.c_char), [vp, ctypes.POINTER(uint)]),
            (hb, "hb_blob_destroy", None, [vp]),
            (hb, "hb_face_destroy", None, [vp]),
            (hb, "hb_set_add", None, [vp, ctypes.c_uint32]),
            (sub, "hb_subset_input_create_or_fail", vp, []),
            (sub, "hb_subset_input_unicode_set", vp, [vp]),
            (sub, "hb_subset_input_set_flags", None, [vp, uint]),
            (sub, "hb_subset_input_destroy", None, [vp]),
            (sub, "hb_subset_or_fail", vp, [vp, vp]),
        ):
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes


@functools.cache
def _harfbuzz() -> _HarfBuzz:
    return _HarfBuzz()


def _hb_subset(path: Path, codepoints: list[int]) -> bytes:
    lib = _harfbuzz()
    hb, sub = lib.hb, lib.sub
    blob = hb.hb_blob_create_from_file_or_fail(str(path).encode())
    if not blob:
        raise OSError(f"cannot read font {path}")
    face = hb.hb_face_create(blob, 0)
    subset_input = sub.hb_subset_input_create_or_fail()
    result = result_blob = None
    try:
        unicodes = sub.hb_subset_input_unicode_set(subset_input)
        for codepoint in codepoints:
            hb.hb_set_add(unicodes, codepoint)
        sub.hb_subset_input_set_flags(subset_input, lib.NO_HINTING)
        result = sub.hb_subset_or_fail(face, subset_input)
        if not result:
            raise RuntimeError(f"HarfBuzz could not subset {path.name}")
        result_blob = hb.hb_face_reference_blob(result)
        length = ctypes.c_uint()
        data = hb.hb_blob_get_data(result_blob, ctypes.byref(length))
        return ctypes.string_at(data, length.value)
    finally:
        if result_blob:
            hb.hb_blob_destroy(result_blob)
        if result:
            hb.hb_face_destroy(result)
        sub.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _rename(font, docx_name: str) -> None:
    """Family, full and PostScript names of the embedded face: the name the document uses
    (English and Chinese Windows records); the PostScript name is ASCII, derived from it."""
    from fontTools.ttLib.tables._n_a_m_e import table__n_a_m_e

    postscript = "LYEmbed-" + hashlib.sha256(docx_name.encode()).hexdigest()[:12]
    if docx_name.isascii():
        postscript = re.sub(r"[^A-Za-z0-9-]", "", docx_name) or postscript
    name = table__n_a_m_e()
    name.names = []
    for lang in (0x409, 0x804):
        for name_id, value in ((1, docx_name), (2, "Regular"), (3, postscript), (4, docx_name),
                               (6, postscript)):
            name.setName(value, name_id, 3, 1, lang)
    font["name"] = name
    os2 = font["OS/2"]
    os2.fsType = 0  # installable embedding: the faces are OFL


def _font_key(font: bytes) -> str:
    """The part's GUID key, "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}", from the font's bytes."""
    return "{" + str(uuid.UUID(bytes=hashlib.sha256(font).digest()[:16])).upper() + "}"


def obfuscate(font: bytes, key: str) -> bytes:
    """ECMA-376 Part 1 §17.8.1: XOR the first 32 bytes with the GUID key's 16 bytes, taken from
    the key's hex digits read backwards (the last byte first). Its own inverse."""
    digits = key.strip("{}").replace("-", "")
    key_bytes = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ key_bytes[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def deobfuscate(part: bytes, key: str) -> bytes:
    """The font file inside an obfuscated part (for tests and inspection)."""
    return obfuscate(part, key)


# --- Package parts ------------------------------------------------------------------------------


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _font_table(xml: bytes, fonts: Iterable[tuple[str, bytes]], keys: list[str]) -> bytes:
    root = etree.fromstring(xml)
    entries = {font.get(_w("name")): font for font in root.findall(_w("font"))}
    for n, ((docx_name, _), key) in enumerate(zip(fonts, keys, strict=True), 1):
        entry = entries.get(docx_name)
        if entry is None:
            entry = etree.SubElement(root, _w("font"))
            entry.set(_w("name"), docx_name)
            etree.SubElement(entry, _w("charset")).set(_w("val"), "86")
            etree.SubElement(entry, _w("family")).set(_w("val"), "auto")
            etree.SubElement(entry, _w("pitch")).set(_w("val"), "variable")
            entries[docx_name] = entry
        embed = etree.SubElement(entry, _w("embedRegular"))  # last child: schema order
        embed.set(f"{{{R}}}id", f"rId{n}")
        embed.set(_w("fontKey"), key)
        embed.set(_w("subsetted"), "1")
    return _serialise(root)


def _font_rels(count: int) -> bytes:
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{FONT_REL_TYPE}" Target="fonts/font{n}.odttf"/>'
        for n in range(1, count + 1)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<Relationships xmlns="{PKG_RELS}">{rels}</Relationships>'
    ).encode()


_SETTINGS_BEFORE = ("zoom", "view", "writeProtection")
"""w:embedTrueTypeFonts comes right after these (CT_Settings order), before w:defaultTabStop."""


def _settings(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    embed = etree.Element(_w("embedTrueTypeFonts"))
    subset = etree.Element(_w("saveSubsetFonts"))
    anchor = None
    for tag in _SETTINGS_BEFORE:
        anchor = root.find(_w(tag))
        if anchor is not None:
            break
    if anchor is None:
        root.insert(0, embed)
    else:
        anchor.addnext(embed)
    embed.addnext(subset)
    return _serialise(root)


def _content_types(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    default = etree.Element(f"{{{CONTENT_TYPES}}}Default")
    default.set("Extension", "odttf")
    default.set("ContentType", OBFUSCATED_FONT)
    root.insert(0, default)
    return _serialise(root)


def _repackage(members, rewritten: Mapping[str, bytes], new_parts: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        names = [info.filename for info, _ in members]
        extra = [n for n in rewritten if n not in names]
        for info, data in members:
            target.writestr(_info(info.filename), rewritten.get(info.filename, data))
        for name in extra:
            target.writestr(_info(name), rewritten[name])
        for name, data in new_parts.items():
            target.writestr(_info(name), data)
    return out.getvalue()


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    return info
