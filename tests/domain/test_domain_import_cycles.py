"""app.domain modules import each other without a circle (issue 11 §3: identifiers <-> subjects)."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "domain"


def domain_imports() -> dict[str, set[str]]:
    """module -> the app.domain modules it imports, counting imports under ``if TYPE_CHECKING``.

    Modules of a package are named with dots (``credit_check.grades``); a package by its name.
    """
    graph: dict[str, set[str]] = {}
    for path in sorted(DOMAIN.rglob("*.py")):
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.domain."):
                targets.add(node.module.removeprefix("app.domain."))
            elif isinstance(node, ast.Import):
                targets |= {a.name.removeprefix("app.domain.") for a in node.names
                            if a.name.startswith("app.domain.")}
        graph[_module_name(path)] = targets
    return graph


def _module_name(path: Path) -> str:
    parts = path.relative_to(DOMAIN).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def walk(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                found.append([*trail[trail.index(nxt):], nxt])
            elif len(trail) < len(graph):
                walk(nxt, [*trail, nxt])

    for start in graph:
        walk(start, [start])
    return found


def test_identifiers_and_subjects_are_scanned() -> None:
    graph = domain_imports()
    assert "identifiers" in graph["subjects"]


def test_package_modules_are_scanned() -> None:
    graph = domain_imports()
    assert "credit_check.grades" in graph["credit_check.conclusion"]


def test_cycle_finder_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"a"}}) != []


def test_domain_has_no_import_cycle() -> None:
    assert cycles(domain_imports()) == []
