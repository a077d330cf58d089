"""Names set on several lines break between their units, in balanced lines (domain-rules §1.2)."""

from __future__ import annotations

import pytest

from app.documents.linebreak import name_lines, name_units
from app.documents.signoff import width

LONG = "凌源市辽西北现代农业产业园区综合开发建设投资集团股份有限公司第一工程分公司"


def test_units_of_a_long_name() -> None:
    assert name_units(LONG) == ["凌源市", "辽西北现代农业产业园区", "综合开发建设投资集团",
                                "股份有限公司", "第一工程分公司"]
    assert name_units("凌源市农贸市场管理有限公司") == ["凌源市", "农贸市场管理有限公司"]


def test_the_trial_title_keeps_its_words() -> None:
    lines = name_lines(LONG, 17)
    assert "".join(lines) == LONG
    assert lines == ["凌源市辽西北现代农业产业园区", "综合开发建设投资集团", "股份有限公司第一工程分公司"]
    for line in lines:  # never inside 开发, 工程, 分公司
        assert not line.endswith(("开", "工程分", "分")) and width(line) <= 17


@pytest.mark.parametrize("name", [LONG, "凌源市恒通路桥建设工程集团有限公司", "凌源市鑫达商贸有限责任公司",
                                  "辽宁省朝阳市凌源市城关街道某某社区居民委员会"])
@pytest.mark.parametrize("max_width", [8, 12, 17])
def test_lines_fit_and_no_character_is_alone(name, max_width) -> None:
    lines = name_lines(name, max_width)
    assert "".join(lines) == name
    assert all(width(line) <= max_width for line in lines), lines
    if len(lines) > 1:
        assert all(len(line) >= 2 for line in lines), lines


def test_a_short_name_is_one_line() -> None:
    assert name_lines("凌源市某某公司", 17) == ["凌源市某某公司"]
    assert name_lines("", 17) == []
