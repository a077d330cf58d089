"""``app.archive`` works on plain values and a session passed in: it imports no ORM.

Two checks: the imports written in ``app/archive`` and in every ``app`` module they reach
(static, transitive, imports inside functions included), and the modules actually loaded when
every archive module is imported in a fresh interpreter (which also covers third-party imports).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE = ROOT / "app" / "archive"


def forbidden(module: str) -> bool:
    """The ORM: our models, or SQLAlchemy's ORM layer."""
    return module == "app.models" or module == "sqlalchemy.orm" or module.startswith("sqlalchemy.orm.")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_path(module: str) -> Path | None:
    """The file of an ``app`` module (a package's ``__init__.py``), None for other modules."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def package_of(path: Path) -> str:
    return module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]


def imports_of(path: Path, package: str = "") -> set[str]:
    """Every module an import statement in ``path`` names (relative ones resolved in ``package``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # ``from app.x import y`` may name a submodule y
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def reachable_imports(start: list[Path]) -> dict[str, str]:
    """Every module reachable from ``start`` through ``app`` modules: {module: first importer}.

    ``app/__init__.py`` (the Flask factory) is not followed: its imports run only when
    ``create_app()`` is called.
    """
    seen: dict[str, str] = {}
    todo = [(module_name(p), p) for p in start]
    visited: set[Path] = set()
    while todo:
        importer, path = todo.pop()
        if path in visited:
            continue
        visited.add(path)
        for module in imports_of(path, package_of(path)):
            seen.setdefault(module, importer)
            target = module_path(module) if module.startswith("app.") else None
            if target is not None and target not in visited:
                todo.append((module, target))
    return seen


def archive_modules() -> list[Path]:
    return sorted(ARCHIVE.rglob("*.py"))


def test_archive_modules_are_found() -> None:
    names = {module_name(p) for p in archive_modules()}
    assert {"app.archive.search", "app.archive.search.postgres", "app.archive.intake.sandbox"} <= names


def test_archive_imports_no_orm_transitively() -> None:
    found = reachable_imports(archive_modules())
    offending = sorted(f"{module} (imported by {importer})" for module, importer in found.items()
                       if forbidden(module))
    assert not offending, f"app.archive reaches the ORM: {offending}"


def test_importing_the_archive_loads_no_orm() -> None:
    names = [module_name(p) for p in archive_modules()]
    code = ("import importlib, json, sys\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    loaded = [m for m in json.loads(result.stdout) if forbidden(m)]
    assert not loaded, f"importing app.archive loaded {loaded}"


@pytest.mark.parametrize(("source", "flagged"), [
    ("from app.models import Filing", True),
    ("import app.models", True),
    ("from app import models", True),
    ("from sqlalchemy.orm import Session", True),
    ("import sqlalchemy.orm.session", True),
    ("def f():\n    from app.models import ReceivingUnit", True),
    ("from app.domain.masking import public_subject_name", False),
    ("import sqlalchemy", False),
    ("from app.modelsx import y", False),
])
def test_detector(tmp_path: Path, source: str, flagged: bool) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert any(forbidden(m) for m in imports_of(path)) is flagged
