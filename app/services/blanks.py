"""Blank 信用承诺书 forms (policy 五(三)1): rendered once per template version, then cached."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from app.documents import commitment as doc
from app.documents.fonts import font_stack
from app.domain.commitments import Scenario
from app.domain.subjects import SubjectKind

FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class BlankFile:
    data: bytes
    etag: str
    filename: str


class BlankCache:
    """In-memory cache in front of a disk cache under ``instance/cache`` shared by workers."""

    def __init__(self, cache_dir: str | os.PathLike[str]) -> None:
        self.cache_dir = Path(cache_dir)
        self._files: dict[tuple[str, str, str, str, str], BlankFile] = {}
        self._lock = threading.Lock()

    def get(self, scenario: Scenario, kind: SubjectKind, fmt: str) -> BlankFile:
        if fmt not in FORMATS:
            raise ValueError(fmt)
        version = doc.CURRENT_TEMPLATE_VERSION
        # office fonts (OFFICE_FONTS) change the PDF: a blank made with other faces is stale
        key = (version, scenario.value, kind.value, fmt, font_stack().office_key)
        hit = self._files.get(key)
        if hit is not None:
            return hit
        with self._lock:
            hit = self._files.get(key)
            if hit is None:
                hit = self._load_or_render(key, scenario, kind, fmt)
                self._files[key] = hit
        return hit

    def _load_or_render(self, key: tuple[str, str, str, str, str], scenario: Scenario,
                        kind: SubjectKind, fmt: str) -> BlankFile:
        path = self.cache_dir / ("blank-" + "-".join(part for part in key if part) + "." + fmt)
        if path.exists():
            data = path.read_bytes()
        else:
            letters = doc.blank_letters(scenario, kind)
            data = doc.letters_pdf(letters, key[0]) if fmt == "pdf" else doc.letters_docx(letters)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        who = "个人" if kind is SubjectKind.NATURAL_PERSON else "单位"
        filename = f"信用承诺书（{scenario.label}·{who}·空白）.{fmt}"
        return BlankFile(data=data, etag=hashlib.sha256(data).hexdigest()[:32],
                         filename=filename)
