"""The manifest of released template versions: the SHA-256 of every file in each version's folder.

``templates/MANIFEST.json`` maps ``"<family>/<version>"`` to ``{file name: sha256}``. An entry is
written once, when the version is released (``scripts/release_template.py``), and never again:
``release`` refuses to rewrite one, and tests/documents/test_template_manifest.py fails when a
released file no longer hashes to its entry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from app.documents.registry import TemplateVersion
from app.documents.render import TEMPLATE_DIR

MANIFEST_PATH = TEMPLATE_DIR / "MANIFEST.json"

Manifest = dict[str, dict[str, str]]


class AlreadyReleased(ValueError):
    """The version has a manifest entry: its files are frozen and the entry is never rewritten."""


def folder_hashes(folder: Path) -> dict[str, str]:
    """``{relative posix path: sha256 hex}`` of every file under ``folder``."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def read_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    """The manifest at ``path``; empty when there is none yet."""
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def changed_files(t: TemplateVersion, manifest: Manifest,
                  template_dir: Path = TEMPLATE_DIR) -> dict[str, str]:
    """What differs between ``t``'s folder and its manifest entry: ``{file: "changed" | "added" |
    "removed"}``; empty when the released version is intact. A version without an entry is
    reported as ``{"*": "not released"}``."""
    if t.folder not in manifest:
        return {"*": "not released"}
    recorded = manifest[t.folder]
    actual = folder_hashes(template_dir / t.folder)
    diff = {name: "removed" for name in recorded if name not in actual}
    diff.update({name: "added" for name in actual if name not in recorded})
    diff.update({name: "changed" for name, digest in actual.items()
                 if name in recorded and recorded[name] != digest})
    return dict(sorted(diff.items()))


def release(t: TemplateVersion, path: Path = MANIFEST_PATH,
            template_dir: Path = TEMPLATE_DIR) -> dict[str, str]:
    """Record the hashes of a NEW version's folder in the manifest and return them.

    :raises AlreadyReleased: the version has an entry already (released files never change;
        make a new version instead).
    :raises FileNotFoundError: the folder, or a file the registry names, does not exist.
    """
    manifest = read_manifest(path)
    if t.folder in manifest:
        raise AlreadyReleased(f"{t.folder} is released: its manifest entry is never rewritten; "
                              "put the change in a new version folder")
    folder = template_dir / t.folder
    for name in (t.html, t.css, t.ua_stylesheet, t.wording):
        if name is not None and not (folder / name).is_file():
            raise FileNotFoundError(f"{t.folder}/{name} does not exist")
    entry = folder_hashes(folder)
    manifest[t.folder] = entry
    path.write_text(json.dumps(dict(sorted(manifest.items())), ensure_ascii=False, indent=2)
                    + "\n", encoding="utf-8")
    return entry
