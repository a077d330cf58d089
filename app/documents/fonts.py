"""Bundled fonts for rendered documents: the font stack, its CSS and its glyph coverage.

Every font the PDF renderer may use lives in ``fonts/`` at the repository root and is listed
in ``fonts/manifest.json`` (file, role, CSS family, source, sha256, licence, committed or
fetched).  Small GB2312 subsets are committed and come first in every stack because they
render fast; the full fonts (all of CJK Unified Ideographs and Extension A) are fetched by
``python scripts/fetch_fonts.py`` and come next; the fallback faces (HanaMinB for CJK
Extension B–F, and a committed BMP symbol/compatibility subset of HanaMinA) come last.

Roles: ``title`` (小标宋 substitute, Noto Serif SC Black), ``body`` (宋, Noto Serif SC
Regular), ``hei`` (黑体, Noto Sans SC Medium), ``kai`` (楷体, LXGW WenKai), ``fangsong``
(仿宋, FandolFang: the GB/T 9704 body face, used by the newer template versions) and ``fallback``;
``heading`` is the title face cut to the characters of fixed headings, for speed.

The stack is loaded once per process (:func:`font_stack` is cached); each font's cmap is
read once and cached as a compact code point list in ``fonts/.cache/`` keyed by the
file's sha256, so later processes start in milliseconds.

No Flask imports here: the web layer wraps :func:`check_fonts` in a CLI command.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FONT_DIR: Path = Path(__file__).resolve().parents[2] / "fonts"
"""Repository-root ``fonts/`` directory (manifest, font files, licences)."""

MANIFEST_NAME = "manifest.json"
CACHE_DIR_NAME = ".cache"
ROLES: tuple[str, ...] = ("title", "body", "hei", "kai", "fangsong")
FALLBACK_ROLE = "fallback"
HEADING_ROLE = "heading"
"""Fixed headings printed in the title face (信用承诺书, 承诺人留存…): a face holding only their
characters, then the whole title stack. Embedding a font costs WeasyPrint about 0.25 µs per glyph
of the source font whatever it prints: the 8,700-glyph title subset costs a letter 2 ms for its 8
glyphs, this face 0.2 ms. Text it lacks falls through to the title faces (same design)."""
BODY_FULL_FAMILY = "LY Body Full"
"""Appended after a role's own faces so any main-stack role reaches full URO/Ext A coverage."""

FETCH_HINT = "python scripts/fetch_fonts.py"

# Characters that never need a glyph: line breaks, tabs, spaces (incl. ideographic space).
_WHITESPACE = frozenset("\n\r\t \u3000\u00a0")

# Ranges the main stack must cover completely (assigned code points only).
URO = (0x4E00, 0x9FFF)
EXT_A = (0x3400, 0x4DBF)


class UncoverableCharacter(Exception):
    """A character that none of the bundled fonts can draw (it would print as tofu)."""

    def __init__(self, char: str, field: str | None = None) -> None:
        self.char = char
        self.codepoint = f"U+{ord(char):04X}"
        self.field = field
        super().__init__(f"字符“{char}”({self.codepoint})无法显示")

    def __str__(self) -> str:
        return f"字符“{self.char}”({self.codepoint})无法显示"


@dataclass(frozen=True)
class FontFace:
    """One bundled font file registered under a CSS family name."""

    family: str
    role: str
    path: Path
    weight: int = 400


@dataclass(frozen=True)
class FontStack:
    """The ordered bundled faces plus the union of what they can draw."""

    faces: tuple[FontFace, ...]
    coverage: frozenset[int] = field(repr=False, default=frozenset())
    face_coverage: dict[str, frozenset[int]] = field(
        repr=False, default_factory=dict, compare=False
    )

    def css(self) -> str:
        """``@font-face`` rules for every face, ``src: url("font:<file name>")``."""
        rules = []
        for face in self.faces:
            fmt = _css_format(face.path)
            rules.append(
                "@font-face {\n"
                f'  font-family: "{face.family}";\n'
                f'  src: url("font:{face.path.name}") format("{fmt}");\n'
                f"  font-weight: {face.weight};\n"
                "  font-style: normal;\n"
                "}"
            )
        return "\n".join(rules) + "\n"

    def families(self, role: str) -> list[str]:
        """Family names for a role, in fallback order (see :meth:`family`)."""
        if role == HEADING_ROLE:
            own = [face.family for face in self.faces if face.role == HEADING_ROLE]
            return list(dict.fromkeys([*own, *self.families("title")]))
        if role != FALLBACK_ROLE and role not in ROLES:
            raise KeyError(f"unknown font role {role!r}; known: "
                           f"{', '.join((*ROLES, HEADING_ROLE, FALLBACK_ROLE))}")
        names: list[str] = []

        def add(name: str) -> None:
            if name not in names:
                names.append(name)

        for face in self.faces:
            if face.role == role:
                add(face.family)
        if role != FALLBACK_ROLE and any(f.family == BODY_FULL_FAMILY for f in self.faces):
            add(BODY_FULL_FAMILY)
        for face in self.faces:
            if face.role == FALLBACK_ROLE:
                add(face.family)
        return names

    def family(self, role: str) -> str:
        """CSS ``font-family`` value for a role, ending with the fallback families.

        e.g. ``'"LY Body", "LY Body Full", "LY Fallback BMP", "LY Fallback"'``.
        """
        return ", ".join(f'"{name}"' for name in self.families(role))

    def covers(self, char: str) -> bool:
        """Whether some bundled font draws ``char`` (whitespace always counts as covered)."""
        return char in _WHITESPACE or ord(char) in self.coverage

    def missing_chars(self, text: str) -> list[str]:
        """Unique characters of ``text``, in order of appearance, that no bundled font draws."""
        missing: list[str] = []
        seen: set[str] = set()
        coverage = self.coverage
        for char in text:
            if char in seen:
                continue
            seen.add(char)
            if char not in _WHITESPACE and ord(char) not in coverage:
                missing.append(char)
        return missing

    def check_text(self, text: str, field: str | None = None) -> None:
        """Raise :class:`UncoverableCharacter` for the first character no font can draw."""
        missing = self.missing_chars(text)
        if missing:
            raise UncoverableCharacter(missing[0], field)


def _css_format(path: Path) -> str:
    return {".otf": "opentype", ".woff": "woff", ".woff2": "woff2"}.get(
        path.suffix.lower(), "truetype"
    )


def load_manifest(font_dir: Path | None = None) -> dict[str, Any]:
    """The parsed ``fonts/manifest.json``."""
    directory = font_dir or FONT_DIR
    return json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read_cmap(path: Path) -> array:
    from fontTools.ttLib import TTFont  # imported lazily: only needed on a cold cache

    font = TTFont(path, lazy=True, fontNumber=0)
    try:
        cmap = font.getBestCmap() or {}
    finally:
        font.close()
    return array("I", sorted(cmap))


def _coverage(path: Path, sha256: str | None) -> frozenset[int]:
    """Code points drawn by a font file, via ``fonts/.cache/<sha256>.cmap`` when possible.

    The cache key is the manifest's sha256 (trusted after :func:`check_fonts`) or, when the
    manifest has none, the file's own hash.  An unwritable cache directory is not an error.
    """
    key = sha256 or _sha256(path)
    cache = path.parent / CACHE_DIR_NAME / f"{key}.cmap"
    try:
        data = cache.read_bytes()
        codepoints = array("I")
        codepoints.frombytes(data)
        return frozenset(codepoints)
    except (OSError, ValueError):
        pass
    codepoints = _read_cmap(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as out:
            out.write(codepoints.tobytes())
        os.replace(tmp, cache)
    except OSError:
        pass
    return frozenset(codepoints)


def build_font_stack(font_dir: Path | None = None) -> FontStack:
    """Build a stack from the manifest in ``font_dir`` (uncached; see :func:`font_stack`)."""
    directory = font_dir or FONT_DIR
    manifest = load_manifest(directory)
    faces: list[FontFace] = []
    per_face: dict[str, frozenset[int]] = {}
    missing_fetched: list[str] = []
    missing_committed: list[str] = []
    for entry in manifest["fonts"]:
        path = directory / entry["file"]
        if not path.is_file():
            (missing_committed if entry.get("committed") else missing_fetched).append(entry["file"])
            continue
        face = FontFace(
            family=entry["family"],
            role=entry["role"],
            path=path,
            weight=int(entry.get("weight", 400)),
        )
        faces.append(face)
        per_face[face.family] = _coverage(path, entry.get("sha256"))
    if missing_fetched:
        raise RuntimeError(
            f"bundled fonts not fetched yet ({', '.join(missing_fetched)} missing in {directory}): "
            f"run `{FETCH_HINT}`"
        )
    if missing_committed:
        raise RuntimeError(
            f"committed fonts missing from {directory}: {', '.join(missing_committed)} "
            "(restore them from git; they are built by scripts/subset_fonts.py)"
        )
    union: set[int] = set()
    for codepoints in per_face.values():
        union |= codepoints
    return FontStack(faces=tuple(faces), coverage=frozenset(union), face_coverage=per_face)


@functools.cache
def font_stack() -> FontStack:
    """The process-wide font stack (manifest and cmaps loaded once).

    Raises RuntimeError naming ``python scripts/fetch_fonts.py`` if a fetched font is missing.
    """
    return build_font_stack(FONT_DIR)


def _assigned(first: int, last: int) -> list[int]:
    import unicodedata

    return [cp for cp in range(first, last + 1) if unicodedata.category(chr(cp)) != "Cn"]


def check_fonts(font_dir: Path | None = None, verify_checksums: bool = True) -> list[str]:
    """Problems with the bundled fonts; an empty list when healthy.

    Checks that every manifest file exists, that its SHA-256 matches the manifest (skip with
    ``verify_checksums=False``: hashing ~90 MB takes ~0.3 s), that every role's stack covers
    all assigned code points of CJK Unified Ideographs (U+4E00–U+9FFF) and Extension A, and
    that WeasyPrint can subset fonts with HarfBuzz.
    """
    directory = font_dir or FONT_DIR
    try:
        manifest = load_manifest(directory)
    except (OSError, ValueError) as exc:
        return [f"cannot read {directory / MANIFEST_NAME}: {exc}"]
    problems = [p for entry in manifest["fonts"] for p in _file_problems(directory, entry, verify_checksums)]
    if problems:
        return problems
    try:
        stack = font_stack() if directory == FONT_DIR else build_font_stack(directory)
    except RuntimeError as exc:
        return [str(exc)]
    problems = [p for role in ROLES for p in _coverage_problems(stack, role)]
    if not harfbuzz_subset_available():
        problems.append(
            "HarfBuzz subsetting unavailable: install the Debian package libharfbuzz-subset0 "
            "(without it WeasyPrint embeds whole CJK fonts and renders far slower)"
        )
    return problems


def _file_problems(directory: Path, entry: dict[str, Any], verify_checksums: bool) -> list[str]:
    """A manifest entry's font file is there (and hashes as listed), and so is its licence."""
    problems = []
    path = directory / entry["file"]
    how = "restore it from git" if entry.get("committed") else f"run `{FETCH_HINT}`"
    if not path.is_file():
        problems.append(f"font file missing: {entry['file']} ({how})")
    elif verify_checksums and _sha256(path) != entry["sha256"]:
        problems.append(f"checksum mismatch: {entry['file']} ({how})")
    licence = entry.get("licence")
    if licence and not (directory / licence).is_file():
        problems.append(f"licence file missing: {licence} (for {entry['file']})")
    return problems


def _coverage_problems(stack: FontStack, role: str) -> list[str]:
    """Assigned code points of the CJK blocks that no face of ``role``'s stack draws."""
    reachable: set[int] = set()
    for name in stack.families(role):
        reachable |= stack.face_coverage.get(name, frozenset())
    problems = []
    for label, (first, last) in (("CJK Unified Ideographs", URO), ("CJK Extension A", EXT_A)):
        holes = [cp for cp in _assigned(first, last) if cp not in reachable]
        if holes:
            sample = ", ".join(f"U+{cp:04X}" for cp in holes[:5])
            problems.append(f"role {role}: {len(holes)} {label} code points not covered ({sample}…)")
    return problems


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint subsets embedded fonts with HarfBuzz (libharfbuzz-subset >= 4.1.0)."""
    try:
        from weasyprint.text import ffi as wffi
    except Exception:  # noqa: BLE001 - missing system libraries raise OSError and friends
        return False
    if getattr(wffi, "harfbuzz_subset", None) is None:
        return False
    try:
        return bool(wffi.harfbuzz.hb_version_atleast(4, 1, 0))
    except Exception:  # noqa: BLE001
        return False
