"""Fonts embedded in the DOCX of the grid layouts (app/documents/docx_fonts.py): Word's obfuscated
font parts (ECMA-376 Part 1 §17.8.1), one subset per font the text uses, covering every character
printed in it; runs split where only a later face draws a character (issue 13 §4)."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest
from fontTools.ttLib import TTFont
from lxml import etree

from app.demo import SAMPLES
from app.documents import commitment as doc
from app.documents.docx_fonts import EXTRA_FACE_NAMES, deobfuscate, obfuscate
from app.documents.reports import scaffold_docx
from app.domain.commitments import parse_commitment_request
from app.domain.report_kinds import ReportKind
from app.samples import sample_issue, scaffold_sample_info

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
RARE_NAME = "王𠀀𪚥"


def test_obfuscation_xors_the_first_32_bytes_with_the_reversed_guid() -> None:
    key = "{00112233-4455-6677-8899-AABBCCDDEEFF}"
    reversed_key = bytes.fromhex("FFEEDDCCBBAA99887766554433221100")
    assert obfuscate(bytes(40), key) == reversed_key * 2 + bytes(8)
    font = bytes(range(64))
    assert deobfuscate(obfuscate(font, key), key) == font
    assert obfuscate(font, key)[32:] == font[32:]


@pytest.fixture(scope="module")
def letter_docx() -> bytes:
    data = dict(SAMPLES["project_approval-person"], subject_name=RARE_NAME)
    req = parse_commitment_request(data)
    letters = doc.filled_letters(req, sample_issue(req.subject_code, 1, date(2026, 11, 29)), None)
    return doc.letters_docx(letters, "v4")


def _embedded(docx: bytes) -> dict[str, TTFont]:
    """w:font name -> the font its w:embedRegular part holds, deobfuscated with its key."""
    package = zipfile.ZipFile(io.BytesIO(docx))
    table = etree.fromstring(package.read("word/fontTable.xml"))
    rels = etree.fromstring(package.read("word/_rels/fontTable.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    fonts = {}
    for entry in table.iter(f"{W}font"):
        embed = entry.find(f"{W}embedRegular")
        if embed is None:
            continue
        part = package.read("word/" + targets[embed.get(f"{R}id")])
        fonts[entry.get(f"{W}name")] = TTFont(io.BytesIO(deobfuscate(part, embed.get(f"{W}fontKey"))))
    return fonts


def _printed(docx: bytes) -> dict[str, set[str]]:
    """East-Asian font name -> characters printed in it (document, headers, footers)."""
    package = zipfile.ZipFile(io.BytesIO(docx))
    chars: dict[str, set[str]] = defaultdict(set)
    for name in package.namelist():
        if not re.fullmatch(r"word/(document|header\d*|footer\d*)\.xml", name):
            continue
        for r in etree.fromstring(package.read(name)).iter(f"{W}r"):
            fonts = r.find(f"{W}rPr/{W}rFonts")
            for t in r.iter(f"{W}t"):
                chars[fonts.get(f"{W}eastAsia")].update(c for c in t.text or "" if not c.isspace())
    return chars


@pytest.mark.parametrize("which", ["letter", "scaffold"])
def test_every_printed_character_is_in_the_font_embedded_for_it(letter_docx, which) -> None:
    if which == "letter":
        docx = letter_docx
    else:
        info = scaffold_sample_info(ReportKind.RATING, date(2026, 11, 29))
        docx = scaffold_docx(replace(info, subject=replace(info.subject,
                                                           legal_representative=RARE_NAME)))
    embedded = _embedded(docx)
    printed = _printed(docx)
    assert set(printed) <= set(embedded)
    for font_name, chars in printed.items():
        font = embedded[font_name]
        assert "glyf" in font and "CFF " not in font  # TrueType: what Word embeds
        assert font["OS/2"].fsType == 0
        maxp = (font["maxp"].maxPoints, font["maxp"].maxContours)
        font["maxp"].recalc(font)  # maxima a renderer sizes its buffers by: at least the real ones
        assert maxp[0] >= font["maxp"].maxPoints and maxp[1] >= font["maxp"].maxContours
        names = {record.toUnicode() for record in font["name"].names if record.nameID == 1}
        assert names == {font_name}
        cmap = font.getBestCmap()
        assert not [c for c in chars if ord(c) not in cmap], font_name
    assert set(RARE_NAME[1:]) <= printed[EXTRA_FACE_NAMES["LY Fallback"]]
    assert not set(RARE_NAME[1:]) & printed["仿宋"]


def test_package_declares_its_embedded_fonts(letter_docx) -> None:
    package = zipfile.ZipFile(io.BytesIO(letter_docx))
    types = package.read("[Content_Types].xml").decode()
    assert ('Extension="odttf" ContentType="application/vnd.openxmlformats-officedocument.'
            'obfuscatedFont"') in types
    settings = etree.fromstring(package.read("word/settings.xml"))
    tags = [child.tag.removeprefix(W) for child in settings]
    # CT_Settings order: zoom, …, embedTrueTypeFonts, embedSystemFonts, saveSubsetFonts, …
    assert tags[:3] == ["zoom", "embedTrueTypeFonts", "saveSubsetFonts"]
    fonts = [n for n in package.namelist() if n.startswith("word/fonts/")]
    assert fonts and all(n.endswith(".odttf") for n in fonts)
    for entry in etree.fromstring(package.read("word/fontTable.xml")).iter(f"{W}font"):
        embed = entry.find(f"{W}embedRegular")
        if embed is not None:
            assert entry[-1] is embed  # the last child, as the schema orders them
            assert re.fullmatch(r"\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}",
                                embed.get(f"{W}fontKey"))


def test_same_letters_give_the_same_bytes(letter_docx) -> None:
    data = dict(SAMPLES["project_approval-person"], subject_name=RARE_NAME)
    req = parse_commitment_request(data)
    letters = doc.filled_letters(req, sample_issue(req.subject_code, 1, date(2026, 11, 29)), None)
    assert doc.letters_docx(letters, "v4") == letter_docx


def test_older_layouts_embed_nothing() -> None:
    req = parse_commitment_request(SAMPLES["project_approval-person"])
    letters = doc.filled_letters(req, sample_issue(req.subject_code, 1, date(2026, 11, 29)), None,
                                 "v3")
    names = zipfile.ZipFile(io.BytesIO(doc.letters_docx(letters, "v3"))).namelist()
    assert not [n for n in names if "fonts/" in n]
