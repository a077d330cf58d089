"""No function, method or class in app/ above radon's cyclomatic-complexity grade C (issue 11 §4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

APP = Path(__file__).resolve().parents[1] / "app"
WORST_GRADE = "C"
"""Grade C is a complexity of 11 to 20; D (21 and up) is where a function wants splitting."""


def too_complex(source: str, worst: str = WORST_GRADE) -> list[str]:
    """``"name (line N): grade G (complexity)"`` for every block of ``source`` graded worse than ``worst``."""
    return [
        f"{block.fullname} (line {block.lineno}): grade {cc_rank(block.complexity)} ({block.complexity})"
        for block in cc_visit(source)
        if cc_rank(block.complexity) > worst
    ]


def app_modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def test_every_package_of_app_is_scanned() -> None:
    scanned = {path.relative_to(APP).parts[0] for path in app_modules()}
    assert {"domain", "documents", "stamping", "archive", "services", "web"} <= scanned


def test_a_function_of_grade_d_is_found() -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(21))
    assert too_complex(f"def branchy(x):\n{branches}    return -1\n") == [
        "branchy (line 1): grade D (22)"
    ]


def test_a_function_of_grade_c_passes() -> None:
    branches = "".join(f"    if x == {n}:\n        return {n}\n" for n in range(19))
    assert too_complex(f"def branchy(x):\n{branches}    return -1\n") == []


@pytest.mark.parametrize("path", app_modules(), ids=lambda path: str(path.relative_to(APP)))
def test_no_block_above_grade_c(path: Path) -> None:
    assert too_complex(path.read_text(encoding="utf-8")) == []
