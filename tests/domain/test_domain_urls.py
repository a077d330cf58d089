"""One builder of verification addresses (issue 11 §3): app.domain.urls, and nothing hand-built."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.domain.urls import verify_url, verify_url_prefix

ROOT = Path(__file__).resolve().parents[2]
BUILDER = Path("app/domain/urls.py")
# Lines that mention /verify/ without building an address: the route itself,
# the intake's recognition of our links, and a docstring.
NOT_BUILDERS = {
    (Path("app/web/public.py"), '@bp.route("/verify/<number>"'),
    (Path("app/archive/intake/checks.py"), 'if "/verify/" in u]'),
    (Path("app/archive/intake/types.py"), "containing ``/verify/`` (our QR codes and links)"),
    (Path("app/services/verification.py"), "our verification address (``https://…/verify/``)"),
}
SOURCES = ("*.py", "*.html", "*.j2", "*.css", "*.xml", "*.txt", "*.json")


@pytest.mark.parametrize(("base", "number", "code", "url"), [
    ("https://credit.example.gov.cn", "LYXY-CN-2026-000001X", None,
     "https://credit.example.gov.cn/verify/LYXY-CN-2026-000001X"),
    ("https://credit.example.gov.cn/", "LYXY-CN-2026-000001X", "AB12CD34",
     "https://credit.example.gov.cn/verify/LYXY-CN-2026-000001X?c=AB12CD34"),
    ("http://127.0.0.1:8000/", "LYXY-PJ-2026-000007K", "x/y z",
     "http://127.0.0.1:8000/verify/LYXY-PJ-2026-000007K?c=x%2Fy%20z"),
])
def test_verify_url(base: str, number: str, code: str | None, url: str) -> None:
    assert verify_url(base, number, code) == url
    assert url.startswith(verify_url_prefix(base))


def _mentions() -> list[tuple[Path, int, str]]:
    found = []
    for folder in ("app", "templates"):
        for pattern in SOURCES:
            for path in sorted((ROOT / folder).rglob(pattern)):
                rel = path.relative_to(ROOT)
                for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if re.search(r"/verify/", line):
                        found.append((rel, lineno, line.strip()))
    return found


def test_no_hand_built_verify_urls() -> None:
    built_by_hand = [f"{path}:{lineno}: {line}" for path, lineno, line in _mentions()
                     if path != BUILDER
                     and not any(path == where and known in line for where, known in NOT_BUILDERS)]
    assert built_by_hand == [], "use app.domain.urls.verify_url:\n" + "\n".join(built_by_hand)


def test_the_search_finds_what_it_looks_for() -> None:
    """The scan above would see a hand-built address: it does see the builder's own path."""
    assert any(path == BUILDER for path, _, _ in _mentions())
