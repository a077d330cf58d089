"""The import rules: the pure packages (domain, documents, stamping, archive) import nothing from
the web stack; they and the services never load Flask, not even through another module; the
command line reaches its wiring through app.extensions, not through app.web."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE_PACKAGES = ("domain", "documents", "stamping", "archive")
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy")
FLASK_FREE_PACKAGES = (*PURE_PACKAGES, "services")
"""Packages below app/web: no module of theirs loads Flask, directly or transitively."""
WEB_STACK = ("flask", "werkzeug")


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


# --- transitive imports -----------------------------------------------------------------------


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    return {module_name(path): path for path in (ROOT / "app").rglob("*.py")}


def import_nodes(tree: ast.AST, *, in_functions: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements Python may run: not those under ``if TYPE_CHECKING:``; those in
    function bodies only with ``in_functions``."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from (node for stmt in child.orelse
                        for node in import_nodes(ast.Module([stmt], []), in_functions=in_functions))
        elif in_functions or not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from import_nodes(child, in_functions=in_functions)


def imports_in(source: str, name: str, *, is_package: bool, modules: Collection[str],
               in_functions: bool = True) -> set[str]:
    """Every module the source of module ``name`` imports (inside functions too, unless
    ``in_functions`` is false), with the packages Python imports on the way (``app.a.b`` loads
    ``app`` and ``app.a`` first); ``modules``: our own modules, to tell ``from a import b`` of
    a module b from ``from a import name``."""
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in import_nodes(ast.parse(source), in_functions=in_functions):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                anchor = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names
                         if f"{base}.{alias.name}" in modules)
    with_parents = set(found)
    for module in found:
        parts = module.split(".")
        with_parents.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return with_parents


@functools.cache
def import_graph() -> dict[str, set[str]]:
    """Our modules and what each imports. The imports inside functions count (a service that
    imports Flask when called loads it all the same), except the factory's in ``app``: they
    run when an app is built, which nothing below app/web does."""
    modules = app_modules()
    return {name: imports_in(path.read_text(encoding="utf-8"), name,
                             is_package=path.name == "__init__.py", modules=modules,
                             in_functions=name != "app")
            for name, path in modules.items()}


def import_chain(start: str, reached: Callable[[str], bool]) -> list[str] | None:
    """The shortest chain of imports from ``start`` to a module for which ``reached`` holds,
    following our own modules (third-party packages are checked by importing, below)."""
    graph = import_graph()
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for target in sorted(graph.get(current, ())):
            if target in previous:
                continue
            previous[target] = current
            if reached(target):
                chain = [target]
                while previous[chain[-1]] is not None:
                    chain.append(previous[chain[-1]])
                return chain[::-1]
            if target in graph:
                queue.append(target)
    return None


def is_web_stack(module: str) -> bool:
    root = module.split(".")[0]
    return root in WEB_STACK or root.startswith("flask_")


def flask_free_modules() -> list[str]:
    modules = app_modules()
    return sorted(name for name in modules
                  if name.split(".")[1:2] and name.split(".")[1] in FLASK_FREE_PACKAGES)


@pytest.mark.parametrize("module", flask_free_modules())
def test_module_reaches_no_flask_through_our_imports(module: str) -> None:
    chain = import_chain(module, is_web_stack)
    assert chain is None, f"{module} loads the web stack: {' -> '.join(chain or [])}"


@pytest.mark.parametrize("package", FLASK_FREE_PACKAGES)
def test_importing_every_module_of_the_package_loads_no_flask(package: str) -> None:
    """The same rule checked by Python itself, third-party packages included."""
    probe = (
        "import importlib, pkgutil, sys\n"
        f"package = importlib.import_module('app.{package}')\n"
        "for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{WEB_STACK!r} or m.startswith('flask_'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [], f"app.{package} loads {result.stdout.split()[:5]}"


def is_web_layer(module: str) -> bool:
    return module == "app.web" or module.startswith("app.web.")


def test_cli_does_not_import_the_web_layer() -> None:
    """Commands get their wiring from app.extensions, as views do, never from app.web."""
    chain = import_chain("app.cli", is_web_layer)
    assert chain is None, f"app.cli imports the web layer: {' -> '.join(chain or [])}"


@pytest.mark.parametrize(
    ("source", "imported"),
    [
        ("import app.services.audit", {"app", "app.services", "app.services.audit"}),
        ("from app.services import stamping", {"app", "app.services", "app.services.stamping"}),
        ("from .blobs import BlobStore", {"app", "app.archive", "app.archive.blobs"}),
        ("from . import blobs", {"app", "app.archive", "app.archive.blobs"}),
        ("def f():\n    from flask import g", {"flask"}),
        ("try:\n    import flask\nexcept ImportError:\n    pass", {"flask"}),
        ("if TYPE_CHECKING:\n    import flask\nelse:\n    import jinja2", {"jinja2"}),
    ],
)
def test_import_graph_reader(source: str, imported: set[str]) -> None:
    found = imports_in(source, "app.archive.probe", is_package=False, modules=app_modules())
    assert imported <= found


@pytest.mark.parametrize(
    "source",
    ["if TYPE_CHECKING:\n    import flask", "def create_app():\n    import flask"],
)
def test_import_graph_reader_skips_what_does_not_run_on_import(source: str) -> None:
    found = imports_in(source, "app", is_package=True, modules=app_modules(), in_functions=False)
    assert "flask" not in found


def test_import_chain_names_the_way_to_flask() -> None:
    assert import_chain("app.web.common", is_web_stack) == ["app.web.common", "flask"]


def test_import_chain_follows_imports_inside_functions() -> None:
    # failure_counter() imports the wiring when first called
    assert import_chain("app.ratelimit", lambda m: m == "app.extensions") == [
        "app.ratelimit", "app.extensions"]
