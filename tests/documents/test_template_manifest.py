"""A released template version never changes: its folder is complete and hashes to its manifest
entry (templates/MANIFEST.json), and the manifest only ever grows."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import jinja2.meta
import pytest

from app.documents.manifest import AlreadyReleased, changed_files, read_manifest, release
from app.documents.registry import (
    CURRENT,
    DOCX_LAYOUTS,
    RELEASED,
    Family,
    TemplateVersion,
    UnknownTemplateVersion,
    released_versions,
    template_version,
)
from app.documents.render import TEMPLATE_DIR

VERSIONS = released_versions()
IDS = [t.folder for t in VERSIONS]
IN_PROGRESS = {t.folder for t in VERSIONS
               if t.folder not in read_manifest() and CURRENT[t.family] == t.version}
"""A family's newest version while it is still being written, before scripts/release_template.py
records it; only the newest may be unrecorded, and only until it is released."""


@pytest.mark.parametrize("t", VERSIONS, ids=IDS)
def test_released_files_are_unchanged(t: TemplateVersion) -> None:
    # A failure here means a released file was edited: restore it and make a new version
    # (a new folder, an entry in app/documents/registry.py, scripts/release_template.py).
    if t.folder in IN_PROGRESS:
        pytest.skip(f"{t.folder} is not released yet")
    assert changed_files(t, read_manifest()) == {}


def test_manifest_lists_exactly_the_released_versions() -> None:
    assert sorted(read_manifest()) == sorted(set(IDS) - IN_PROGRESS)


@pytest.mark.parametrize("t", VERSIONS, ids=IDS)
def test_every_file_a_version_names_is_in_its_folder(t: TemplateVersion) -> None:
    named = [n for n in (t.html, t.css, t.ua_stylesheet, t.wording) if n is not None]
    missing = [n for n in named if not (TEMPLATE_DIR / t.folder / n).is_file()]
    assert missing == []


@pytest.mark.parametrize("t", VERSIONS, ids=IDS)
def test_a_version_includes_nothing_from_outside_its_folder(t: TemplateVersion) -> None:
    env = jinja2.Environment()
    outside = []
    for path in sorted((TEMPLATE_DIR / t.folder).rglob("*")):
        if path.suffix not in (".html", ".css"):
            continue
        ast = env.parse(path.read_text(encoding="utf-8"))
        for name in jinja2.meta.find_referenced_templates(ast):
            if name is None or not name.startswith(f"{t.folder}/"):
                outside.append((path.name, name))
    assert outside == []


@pytest.mark.parametrize("t", VERSIONS, ids=IDS)
def test_a_docx_layout_is_a_known_one(t: TemplateVersion) -> None:
    assert t.docx_layout is None or t.docx_layout in DOCX_LAYOUTS


def test_every_family_has_a_released_current_version() -> None:
    assert {f: CURRENT[f] in RELEASED[f] for f in Family} == {f: True for f in Family}


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(UnknownTemplateVersion):
        template_version(Family.COMMITMENT, "v0")


def test_an_unknown_family_is_refused() -> None:
    with pytest.raises(UnknownTemplateVersion):
        template_version("letters", "v1")


@pytest.fixture()
def copy_of_templates(tmp_path: Path) -> Path:
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATE_DIR, copy)
    return copy


def test_an_edit_to_a_released_file_is_reported(copy_of_templates: Path) -> None:
    t = template_version(Family.COMMITMENT, "v1")
    with (copy_of_templates / t.path("letter.css")).open("a", encoding="utf-8") as css:
        css.write("h1 { color: red }\n")
    manifest = read_manifest(copy_of_templates / "MANIFEST.json")
    assert changed_files(t, manifest, copy_of_templates) == {"letter.css": "changed"}


def test_a_file_added_to_a_released_folder_is_reported(copy_of_templates: Path) -> None:
    t = template_version(Family.CERTIFICATE, "v1")
    (copy_of_templates / t.path("extra.css")).write_text("p {}\n", encoding="utf-8")
    manifest = read_manifest(copy_of_templates / "MANIFEST.json")
    assert changed_files(t, manifest, copy_of_templates) == {"extra.css": "added"}


def test_release_refuses_to_rewrite_a_released_version(copy_of_templates: Path) -> None:
    manifest_path = copy_of_templates / "MANIFEST.json"
    before = manifest_path.read_bytes()
    with pytest.raises(AlreadyReleased):
        release(template_version(Family.COMMITMENT, "v2"), manifest_path, copy_of_templates)
    assert manifest_path.read_bytes() == before


def test_release_records_a_new_version(copy_of_templates: Path) -> None:
    new = TemplateVersion(Family.COMMITMENT, "v99", "letter.html", "letter.css",
                          wording="wording.json", docx_layout="letters-1")
    shutil.copytree(copy_of_templates / "commitment" / "v2", copy_of_templates / new.folder)
    manifest_path = copy_of_templates / "MANIFEST.json"
    entry = release(new, manifest_path, copy_of_templates)
    assert read_manifest(manifest_path)[new.folder] == entry
    assert changed_files(new, read_manifest(manifest_path), copy_of_templates) == {}


def test_release_refuses_a_folder_without_the_named_files(copy_of_templates: Path) -> None:
    new = TemplateVersion(Family.CERTIFICATE, "v99", "certificate.html", "certificate.css")
    (copy_of_templates / new.folder).mkdir(parents=True)
    with pytest.raises(FileNotFoundError):
        release(new, copy_of_templates / "MANIFEST.json", copy_of_templates)
