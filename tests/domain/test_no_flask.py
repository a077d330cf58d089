"""The pure packages (domain, documents, stamping, archive) import nothing from the web stack."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ("domain", "documents", "stamping", "archive")
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy")


def is_forbidden(module: str) -> bool:
    root = module.split(".")[0]
    return root in FORBIDDEN or root.startswith(("flask_", "sqlalchemy_"))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import statement and literal importlib/__import__ call."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
                if isinstance(first.value, str):
                    found.append((node.lineno, first.value))
    return found


def pure_modules() -> list[Path]:
    return sorted(
        path
        for package in PURE_PACKAGES
        if (ROOT / "app" / package).is_dir()
        for path in (ROOT / "app" / package).rglob("*.py")
    )


def test_domain_package_is_scanned() -> None:
    names = {p.name for p in pure_modules() if p.parent.name == "domain"}
    assert {"__init__.py", "identifiers.py", "commitments.py"} <= names


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_does_not_import_web_stack(path: Path) -> None:
    offending = [
        f"{line}: {module}" for line, module in imported_modules(path) if is_forbidden(module)
    ]
    assert not offending, f"{path.relative_to(ROOT)} imports the web stack: {offending}"


@pytest.mark.parametrize(
    "path",
    [p for p in pure_modules() if p.parent == ROOT / "app" / "domain"],
    ids=lambda p: p.name,
)
def test_domain_imports_only_stdlib_and_itself(path: Path) -> None:
    outside = [
        module
        for _, module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names
        and module.split(".")[0] != "__future__"
        and not module.startswith("app.domain")
    ]
    assert not outside, f"{path.name} imports third-party modules: {outside}"


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("import flask", True),
        ("from flask import current_app", True),
        ("import werkzeug.exceptions", True),
        ("from sqlalchemy.orm import Session", True),
        ("import flask_limiter", True),
        ("import importlib\nimportlib.import_module('sqlalchemy')", True),
        ("__import__('flask')", True),
        ("import jinja2", False),
        ("from .letter import Letter", False),
        ("import flaskish", False),
    ],
)
def test_detector(tmp_path: Path, source: str, flagged: bool) -> None:
    path = tmp_path / "module.py"
    path.write_text(source, encoding="utf-8")
    assert any(is_forbidden(m) for _, m in imported_modules(path)) is flagged
