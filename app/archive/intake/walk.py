"""The object walk: every indirect object visited once, refusing active content (JavaScript,
Launch, embedded files, XFA, JBIG2) and decompression bombs."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pikepdf

from app.archive.intake.types import MB, IntakeLimits, IntakeRejected

_FLATE = pikepdf.Name.FlateDecode
# Filters qpdf decodes at the default ("generalized") level; image codecs are left alone because
# nothing downstream of intake decodes images, and their output is bounded by /Width and /Height.
_GENERALIZED = frozenset(
    {"/FlateDecode", "/Fl", "/LZWDecode", "/LZW", "/ASCII85Decode", "/A85", "/ASCIIHexDecode", "/AHx",
     "/RunLengthDecode", "/RL"}
)
_INFLATE_CHUNK = MB
JBIG2 = frozenset({"/JBIG2Decode"})
_INLINE_IMAGE = b"BI"


def _names(value: Any) -> set[str]:
    """The names in a filter entry (a name or an array of names), as strings; anything else: none."""
    items = value if isinstance(value, pikepdf.Array) else [value]
    return {str(item) for item in items if isinstance(item, pikepdf.Name)}
_CONTAINERS = (pikepdf.Dictionary, pikepdf.Array)
_MAX_DEPTH = 100


class ObjectWalk:
    """Visits every indirect object once, and the direct objects inside it, refusing active content."""

    def __init__(self, limits: IntakeLimits) -> None:
        self.limits = limits
        self.decoded_total = 0
        self.uris: list[str] = []
        self.has_signatures = False
        self.may_hold_inline_images: set[tuple[int, int]] = set()
        """Streams whose decoded bytes contain ``BI`` (the inline-image operator), by object id."""

    def visit_indirect(self, obj: Any) -> None:
        # pdf.objects also holds scalars, which pikepdf hands over as Python values (None, int ...)
        if isinstance(obj, pikepdf.Stream | pikepdf.Dictionary | pikepdf.Array):
            self._visit(obj, obj.objgen, 0)

    def _visit(self, obj: pikepdf.Object, where: tuple[int, int], depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise IntakeRejected("parse_resources", detail=f"nesting deeper than {_MAX_DEPTH} in {where}")
        if isinstance(obj, pikepdf.Stream):
            self._check_dictionary(obj.stream_dict, where, depth)
            self._count_decoded(obj, where)
        elif isinstance(obj, pikepdf.Dictionary):
            self._check_dictionary(obj, where, depth)
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                if isinstance(item, _CONTAINERS) and not item.is_indirect:  # indirect: own visit
                    self._visit(item, where, depth + 1)

    def _check_dictionary(self, d: pikepdf.Dictionary, where: tuple[int, int], depth: int) -> None:
        keys = set(d.keys())
        if keys & {"/JS", "/JavaScript"} or d.get("/S") == pikepdf.Name.JavaScript:
            raise IntakeRejected("javascript", detail=f"object {where}")
        if d.get("/S") == pikepdf.Name.Launch:
            raise IntakeRejected("launch_action", detail=f"object {where}")
        if (keys & {"/EmbeddedFiles", "/EF"} or d.get("/Subtype") == pikepdf.Name.FileAttachment
                or d.get("/Type") == pikepdf.Name.EmbeddedFile):
            raise IntakeRejected("embedded_file", detail=f"object {where}")
        if "/XFA" in keys:
            raise IntakeRejected("xfa", detail=f"object {where}")
        if "/JBIG2Globals" in keys or _names(d.get("/Filter")) & JBIG2 or _names(d.get("/F")) & JBIG2:
            # JBIG2 decoders have a history of memory-corruption bugs exploited through PDFs
            # (CVE-2021-30860 FORCEDENTRY, CVE-2009-0658, poppler CVE-2022-38784); scans of letters
            # use JPEG, Flate or CCITT. Inline images in content streams: _check_inline_images.
            raise IntakeRejected("jbig2", detail=f"object {where}")
        if "/ByteRange" in keys or (d.get("/FT") == pikepdf.Name.Sig and "/V" in keys):
            self.has_signatures = True
        uri = d.get("/URI")
        if isinstance(uri, pikepdf.String):
            self.uris.append(str(uri))
        for key in keys:
            value = d[key]
            if isinstance(value, _CONTAINERS) and not value.is_indirect:
                self._visit(value, where, depth + 1)

    def _count_decoded(self, stream: pikepdf.Stream, where: tuple[int, int]) -> None:
        """Add the stream's decoded size to the total; refuse a bomb before it is fully inflated.

        Rule: the total over all streams may not pass ``max_decompressed_bytes``, and one stream may
        not pass both ``stream_ratio_floor_bytes`` and ``max_stream_ratio`` times its encoded size.
        Flate (nearly every stream) is inflated here in 1 MB chunks, so a bomb is refused after at most
        its allowance, without ever holding it in memory. Other generalised filters (rare) go through
        qpdf's ``read_bytes``; RLIMIT_AS bounds those.
        """
        filters = stream.stream_dict.get("/Filter")
        names = [str(f) for f in (filters if isinstance(filters, pikepdf.Array) else [filters])
                 if f is not None]
        raw = stream.read_raw_bytes()
        if not names or names[0] not in _GENERALIZED:
            decoded = len(raw)
            if not names and _INLINE_IMAGE in raw:
                self.may_hold_inline_images.add(where)
        elif names[0] in ("/FlateDecode", "/Fl") and all(n not in _GENERALIZED for n in names[1:]):
            decoded = self._inflate_bounded(raw, where)
        else:
            data = stream.read_bytes()
            decoded = len(data)
            if _INLINE_IMAGE in data:
                self.may_hold_inline_images.add(where)
        self._add(decoded, len(raw), where)

    def _allowance(self, encoded: int) -> int:
        per_stream = max(self.limits.stream_ratio_floor_bytes, self.limits.max_stream_ratio * encoded)
        return min(per_stream, self.limits.max_decompressed_bytes - self.decoded_total)

    def _add(self, decoded: int, encoded: int, where: tuple[int, int]) -> None:
        if decoded > self._allowance(encoded):
            self._refuse_bomb(decoded, encoded, where)
        self.decoded_total += decoded

    def _refuse_bomb(self, decoded: int, encoded: int, where: tuple[int, int]) -> None:
        raise IntakeRejected(
            "decompression_bomb",
            detail=f"stream {where}: >{decoded} bytes from {encoded}, "
            f"total so far {self.decoded_total} (limit {self.limits.max_decompressed_bytes})",
        )

    def _inflate_bounded(self, raw: bytes, where: tuple[int, int]) -> int:
        allowance = self._allowance(len(raw))
        inflater = zlib.decompressobj()
        decoded = 0
        last = b""
        for piece in _inflate_pieces(inflater, raw):
            decoded += len(piece)
            if decoded > allowance:
                self._refuse_bomb(decoded, len(raw), where)
            if _INLINE_IMAGE in last + piece[:1] or _INLINE_IMAGE in piece:
                self.may_hold_inline_images.add(where)
            last = piece[-1:]
        return decoded


def _inflate_pieces(inflater: Any, raw: bytes) -> Iterator[bytes]:
    """Successive ≤ 1 MB pieces of inflated output (the caller keeps none of them)."""
    pending = raw
    try:
        while not inflater.eof:
            before = len(pending)
            out = inflater.decompress(pending, _INFLATE_CHUNK)
            pending = inflater.unconsumed_tail
            if not out and (not pending or len(pending) == before):
                break  # input used up (a truncated stream, which readers accept) or no progress
            yield out
    except zlib.error as exc:
        raise IntakeRejected("broken_pdf", detail=f"bad Flate data: {exc}") from None
