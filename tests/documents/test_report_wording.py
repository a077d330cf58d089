"""The report scaffolds' wording is the version's wording.json (templates/reports/<version>/), read
with the one wording loader; content.py keeps only order and data (issue 11 §5)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import app.documents.reports.content as content
from app.documents.registry import RELEASED, Family
from app.documents.reports.model import REQUIRED_SECTIONS, Fill
from app.documents.reports.wording import ReportWording, report_wording
from app.documents.wording import wording_data

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]")


@pytest.fixture(params=sorted(RELEASED[Family.REPORT]))
def wording(request: pytest.FixtureRequest) -> ReportWording:
    return report_wording(request.param)


def _docstrings(tree: ast.Module) -> set[int]:
    nodes = [tree, *(n for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef))]
    return {id(n.body[0].value) for n in nodes
            if n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}


def test_content_module_prints_no_text_of_its_own() -> None:
    tree = ast.parse(Path(content.__file__).read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    printed = [n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
               and CJK.search(n.value)]
    assert printed == []


def test_a_field_to_fill_prints_its_hint(wording: ReportWording) -> None:
    assert wording.fill("住所") == Fill("【请填写：住所】")


def test_a_field_to_fill_without_hint_prints_the_bare_marker(wording: ReportWording) -> None:
    assert wording.fill() == Fill("【请填写】")


def test_a_lone_slot_keeps_a_field_to_fill_as_its_own_segment(wording: ReportWording) -> None:
    w = wording.filled(project=Fill("【请填写：项目或活动名称】"))
    assert w.segments(["用于：", "{project}", "（仅限本项目一次性使用）"]) == (
        "用于：", Fill("【请填写：项目或活动名称】"), "（仅限本项目一次性使用）")


def test_an_empty_value_leaves_no_segment(wording: ReportWording) -> None:
    assert wording.filled(uscc="").segments(["统一社会信用代码：", "{uscc}"]) == ("统一社会信用代码：",)


def test_slots_inside_a_segment_are_formatted_in_place(wording: ReportWording) -> None:
    assert wording.filled(issued="2026年11月29日").text("cut_off") == "信息截至2026年11月29日"


def test_a_term_may_use_the_terms_before_it(wording: ReportWording) -> None:
    assert wording.values["sources"].startswith(wording.values["platform"] + "（")


@pytest.mark.parametrize("kind", sorted(REQUIRED_SECTIONS))
def test_every_required_section_is_a_heading_of_the_wording(wording: ReportWording, kind: str) -> None:
    headings = set(wording.get(f"{kind}.headings").values())
    if kind == "decision":  # policy 四(一)'s four capability subsections
        headings |= {h for h, _ in wording.get("decision.capabilities")}
    assert [s for s in REQUIRED_SECTIONS[kind] if s not in headings] == []


def test_letters_and_reports_share_one_loader() -> None:
    assert report_wording("v1").data is wording_data(Family.REPORT, "v1")


def test_a_version_without_wording_file_is_refused() -> None:
    with pytest.raises(ValueError, match="no wording file"):
        wording_data(Family.CERTIFICATE, "v1")
