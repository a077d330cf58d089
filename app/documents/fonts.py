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

An office may point the service at its own licensed faces (仿宋_GB2312, 方正小标宋简体, 黑体,
楷体_GB2312): :func:`configure_office_fonts` puts them first in their role's stack (CSS family
``LY Office <Role>``), the bundled faces stay behind them as fallbacks. Output then depends on
those files; samples and tests use the bundled faces only.

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
from collections.abc import Callable, Iterable, Mapping
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

ROLE_LABELS: dict[str, str] = {
    "title": "小标宋（标题）", "body": "宋体（正文）", "hei": "黑体", "kai": "楷体", "fangsong": "仿宋",
}
"""How check-fonts names a role to an operator."""
ROLE_ALIASES: dict[str, str] = {
    "小标宋": "title", "方正小标宋简体": "title", "宋体": "body", "黑体": "hei",
    "楷体": "kai", "楷体_GB2312": "kai", "仿宋": "fangsong", "仿宋_GB2312": "fangsong",
}
"""Chinese names an operator may use for a role in ``OFFICE_FONTS``."""
OFFICE_FONT_URL_SCHEME = "office-font"
"""CSS ``src`` scheme of an office face: ``url("office-font:<role>")``, served by the renderer."""


class UncoverableCharacter(Exception):
    """A character that none of the bundled fonts can draw (it would print as tofu)."""

    def __init__(self, char: str, field: str | None = None) -> None:
        self.char = char
        self.codepoint = f"U+{ord(char):04X}"
        self.field = field
        super().__init__(f"字符“{char}”({self.codepoint})无法显示")

    def __str__(self) -> str:
        return f"字符“{self.char}”({self.codepoint})无法显示"


class OfficeFontError(RuntimeError):
    """An office font setting (``OFFICE_FONTS``) names an unknown role or an unusable file."""


@dataclass(frozen=True)
class OfficeFont:
    """An office's own licensed face for a role (e.g. 仿宋_GB2312 for ``fangsong``)."""

    role: str
    path: Path


@dataclass(frozen=True)
class FontFace:
    """One font file registered under a CSS family name (bundled, or the office's own)."""

    family: str
    role: str
    path: Path
    weight: int = 400
    office: bool = False
    """True for a face from ``OFFICE_FONTS`` (served from outside ``fonts/``)."""

    @property
    def url(self) -> str:
        """The ``src`` URL in ``@font-face``: ``font:<file>`` or ``office-font:<role>``."""
        if self.office:
            return f"{OFFICE_FONT_URL_SCHEME}:{self.role}"
        return f"font:{self.path.name}"


@dataclass(frozen=True)
class FontStack:
    """The ordered bundled faces plus the union of what they can draw."""

    faces: tuple[FontFace, ...]
    coverage: frozenset[int] = field(repr=False, default=frozenset())
    face_coverage: dict[str, frozenset[int]] = field(
        repr=False, default_factory=dict, compare=False
    )
    office_key: str = ""
    """Empty with bundled faces only; else a short hash of the office faces (role, file, size,
    mtime), for caches of rendered output that must not outlive a change of office fonts."""

    def css(self) -> str:
        """``@font-face`` rules for every face, ``src: url("font:<file name>")``."""
        rules = []
        for face in self.faces:
            fmt = _css_format(face.path)
            rules.append(
                "@font-face {\n"
                f'  font-family: "{face.family}";\n'
                f'  src: url("{face.url}") format("{fmt}");\n'
                f"  font-weight: {face.weight};\n"
                "  font-style: normal;\n"
                "}"
            )
        return "\n".join(rules) + "\n"

    def families(self, role: str) -> list[str]:
        """Family names for a role, in fallback order (see :meth:`family`)."""
        if role == HEADING_ROLE:
            # an office's 小标宋 prints the headings too; the heading cut is only for speed
            office = [face.family for face in self.faces if face.office and face.role == "title"]
            own = [face.family for face in self.faces if face.role == HEADING_ROLE]
            return list(dict.fromkeys([*office, *own, *self.families("title")]))
        if role != FALLBACK_ROLE and role not in ROLES:
            raise KeyError(f"unknown font role {role!r}; known: "
                           f"{', '.join((*ROLES, HEADING_ROLE, FALLBACK_ROLE))}")
        names: list[str] = []

        def add(name: str) -> None:
            if name not in names:
                names.append(name)

        for face in self.faces:  # the office's own face first, then the bundled ones
            if face.role == role and face.office:
                add(face.family)
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

    def office_faces(self) -> tuple[FontFace, ...]:
        """The configured office faces, in role order."""
        return tuple(face for face in self.faces if face.office)

    def face_for_url(self, url: str) -> FontFace | None:
        """The face whose ``@font-face`` ``src`` is ``url`` (the renderer serves only these)."""
        return next((face for face in self.faces if face.url == url), None)

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

    with path.open("rb") as handle:  # closed even when the file is not a font
        cmap = TTFont(handle, lazy=True, fontNumber=0).getBestCmap() or {}
    return array("I", sorted(cmap))


def _coverage(path: Path, sha256: str | None, cache_dir: Path | None = None) -> frozenset[int]:
    """Code points drawn by a font file, via ``<cache_dir>/<sha256>.cmap`` when possible.

    The cache key is the manifest's sha256 (trusted after :func:`check_fonts`) or, when the
    manifest has none, the file's own hash; ``cache_dir`` defaults to ``.cache/`` beside the
    font.  An unwritable cache directory is not an error.
    """
    key = sha256 or _sha256(path)
    cache = (cache_dir or path.parent / CACHE_DIR_NAME) / f"{key}.cmap"
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


def build_font_stack(font_dir: Path | None = None,
                     office: Iterable[OfficeFont] = ()) -> FontStack:
    """Build a stack from the manifest in ``font_dir`` plus the ``office`` faces (uncached; see
    :func:`font_stack`).

    :raises OfficeFontError: an office font file is missing, unreadable or not a font.
    :raises RuntimeError: a bundled font is missing (the message names the fetch script).
    """
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
    office_ids = []
    for font in office:
        face = FontFace(family=office_family(font.role), role=font.role, path=font.path,
                        office=True)
        per_face[face.family] = _office_coverage(font, directory / CACHE_DIR_NAME)
        faces.append(face)
        stat = font.path.stat()
        office_ids.append(f"{font.role}={font.path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    office_key = (hashlib.sha256("\n".join(office_ids).encode()).hexdigest()[:12]
                  if office_ids else "")
    union: set[int] = set()
    for codepoints in per_face.values():
        union |= codepoints
    return FontStack(faces=tuple(faces), coverage=frozenset(union), face_coverage=per_face,
                     office_key=office_key)


@functools.cache
def font_stack() -> FontStack:
    """The process-wide font stack (manifest and cmaps loaded once), with the office faces
    given to :func:`configure_office_fonts`.

    Raises RuntimeError naming ``python scripts/fetch_fonts.py`` if a fetched font is missing,
    :class:`OfficeFontError` (a RuntimeError) if a configured office font cannot be used.
    """
    return build_font_stack(FONT_DIR, _office_fonts)


_office_fonts: tuple[OfficeFont, ...] = ()
_stack_listeners: list[Callable[[], None]] = []


def on_font_stack_change(callback: Callable[[], None]) -> Callable[[], None]:
    """Register ``callback`` (typically a cache's ``cache_clear``) to run whenever
    :func:`configure_office_fonts` changes the faces; returns it, so it can decorate."""
    _stack_listeners.append(callback)
    return callback


def configure_office_fonts(fonts: Iterable[OfficeFont]) -> None:
    """Use ``fonts`` (the office's own faces) in this process from now on.

    The setting is per process (the last app built wins). A change drops the cached stack and
    everything registered with :func:`on_font_stack_change` (the renderer's parsed CSS, …).
    """
    global _office_fonts
    new = tuple(fonts)
    if new == _office_fonts:
        return
    _office_fonts = new
    font_stack.cache_clear()
    for callback in _stack_listeners:
        callback()


def office_family(role: str) -> str:
    """CSS family of the office's face for ``role``: ``"LY Office Fangsong"``, …"""
    return f"LY Office {role.capitalize()}"


def office_fonts_from_config(mapping: Mapping[str, str] | str | None,
                             folder: str | os.PathLike[str] | None = None) -> tuple[OfficeFont, ...]:
    """Parse the ``OFFICE_FONTS`` setting: role → font file.

    ``mapping`` is a dict (``LYXY_OFFICE_FONTS='{"fangsong": "仿宋_GB2312.ttf"}'``) or a
    string ``"fangsong=仿宋_GB2312.ttf,title=方正小标宋简体.ttf"``; a role may be given by its
    English name (``title``, ``body``, ``hei``, ``kai``, ``fangsong``) or a Chinese one
    (:data:`ROLE_ALIASES`); relative file names are taken in ``folder``
    (``OFFICE_FONTS_DIR``). Files are not opened here (see :func:`build_font_stack`).

    :raises OfficeFontError: a malformed entry, an unknown role, a role given twice.
    """
    if not mapping:
        return ()
    if isinstance(mapping, str):
        pairs = []
        for part in (p.strip() for p in mapping.replace("；", ",").replace(";", ",").split(",")):
            if not part:
                continue
            role, sep, name = part.partition("=")
            if not sep or not role.strip() or not name.strip():
                raise OfficeFontError(f"办公字体设置“{part}”格式不对，应为“角色=字体文件”，"
                                      "如 fangsong=仿宋_GB2312.ttf")
            pairs.append((role.strip(), name.strip()))
    elif isinstance(mapping, Mapping):
        pairs = [(str(role).strip(), str(name).strip()) for role, name in mapping.items()]
    else:
        raise OfficeFontError("办公字体设置（OFFICE_FONTS）应为“角色=字体文件”列表或 JSON 对象")
    base = Path(folder) if folder else None
    fonts: dict[str, OfficeFont] = {}
    for given, name in pairs:
        role = ROLE_ALIASES.get(given, given)
        if role not in ROLES:
            known = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ROLES)
            raise OfficeFontError(f"办公字体设置中的角色“{given}”不存在，可用：{known}")
        if role in fonts:
            raise OfficeFontError(f"办公字体设置为{ROLE_LABELS[role]}指定了不止一个字体文件")
        path = Path(name).expanduser()
        if not path.is_absolute() and base is not None:
            path = base / path
        fonts[role] = OfficeFont(role=role, path=path)
    return tuple(fonts[role] for role in ROLES if role in fonts)


def _office_coverage(font: OfficeFont, cache_dir: Path) -> frozenset[int]:
    """The code points of an office face, refusing a file that is not a usable CJK font."""
    label = f"办公字体“{font.path}”（{ROLE_LABELS[font.role]}）"
    if not font.path.is_file():
        raise OfficeFontError(f"{label}不存在或不是文件")
    try:
        with font.path.open("rb") as handle:
            handle.read(4)
    except OSError as exc:
        raise OfficeFontError(f"{label}无法读取：{exc.strerror or exc}") from exc
    try:
        codepoints = _coverage(font.path, None, cache_dir)
    except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds on a non-font file
        raise OfficeFontError(f"{label}不是可用的 TrueType/OpenType 字体文件（{exc}）") from exc
    if not any(cp in codepoints for cp in gb2312_hanzi()):
        raise OfficeFontError(f"{label}不含任何 GB 2312 汉字，不能用作中文字体")
    return codepoints


@functools.cache
def gb2312_characters() -> frozenset[int]:
    """Every character of GB 2312 (7445: 6763 hanzi, 682 symbols), from Python's codec."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return frozenset(chars)


@functools.cache
def gb2312_hanzi() -> frozenset[int]:
    """The 6763 hanzi of GB 2312 (rows 16–87)."""
    return frozenset(cp for cp in gb2312_characters() if URO[0] <= cp <= URO[1])


@functools.cache
def _assigned(first: int, last: int) -> tuple[int, ...]:
    import unicodedata

    return tuple(cp for cp in range(first, last + 1) if unicodedata.category(chr(cp)) != "Cn")


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


@dataclass(frozen=True)
class FaceCoverage:
    """How much of GB 2312, URO and Ext A one face draws by itself (for ``check-fonts``)."""

    family: str
    role: str
    path: Path
    gb2312_hanzi: int
    gb2312_symbols: int
    uro: int
    ext_a: int

    def describe(self) -> str:
        """One line for an operator, in Chinese."""
        symbols = len(gb2312_characters()) - len(gb2312_hanzi())
        return (f"{self.path.name}（{ROLE_LABELS[self.role]}，CSS “{self.family}”）："
                f"GB 2312 汉字 {self.gb2312_hanzi}/{len(gb2312_hanzi())}，"
                f"符号 {self.gb2312_symbols}/{symbols}，"
                f"基本区 URO {self.uro}/{len(_assigned(*URO))}，"
                f"扩展 A {self.ext_a}/{len(_assigned(*EXT_A))}")


def face_coverage(stack: FontStack, face: FontFace) -> FaceCoverage:
    """Counts of GB 2312 hanzi and symbols, URO and Ext A code points ``face`` draws itself."""
    have = stack.face_coverage.get(face.family, frozenset())
    hanzi = gb2312_hanzi()
    return FaceCoverage(
        family=face.family, role=face.role, path=face.path,
        gb2312_hanzi=len(hanzi & have),
        gb2312_symbols=len((gb2312_characters() - hanzi) & have),
        uro=sum(1 for cp in _assigned(*URO) if cp in have),
        ext_a=sum(1 for cp in _assigned(*EXT_A) if cp in have),
    )


def role_report(stack: FontStack | None = None) -> list[str]:
    """One line per role (``check-fonts``): its first face's own coverage, and what the whole
    stack (with the fallbacks) reaches of URO and Ext A."""
    stack = stack or font_stack()
    by_family = {face.family: face for face in stack.faces}
    lines = []
    for role in ROLES:
        names = stack.families(role)
        reachable: set[int] = set()
        for name in names:
            reachable |= stack.face_coverage.get(name, frozenset())
        uro, ext_a = _assigned(*URO), _assigned(*EXT_A)
        first = face_coverage(stack, by_family[names[0]]).describe()
        lines.append(f"{role}：{first}；整个字体栈 URO "
                     f"{sum(1 for cp in uro if cp in reachable)}/{len(uro)}，扩展 A "
                     f"{sum(1 for cp in ext_a if cp in reachable)}/{len(ext_a)}")
    return lines


def office_font_report(stack: FontStack | None = None) -> list[str]:
    """One line per configured office face: its role and its own coverage (``check-fonts``)."""
    stack = stack or font_stack()
    return [face_coverage(stack, face).describe() for face in stack.office_faces()]


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
