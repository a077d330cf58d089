"""接受承诺单位 from the registry (app.domain.units, issue 12 §2)."""

from __future__ import annotations

import pytest

from app.domain.errors import FieldError
from app.domain.units import closest_unit_names, registered_unit_name

UNITS = ["凌源市发展和改革局", "凌源市住房和城乡建设局", "凌源市市场监督管理局", "凌源市财政局",
         "凌源市自然资源局", "凌源市行政审批局"]


@pytest.mark.parametrize(("typed", "name"), [
    ("凌源市财政局", "凌源市财政局"),
    (" 凌源市 财政局 ", "凌源市财政局"),  # spaces
    ("凌源市财政局\u3000", "凌源市财政局"),  # ideographic space
])
def test_registered_name_is_returned_in_the_registry_spelling(typed: str, name: str) -> None:
    assert registered_unit_name(typed, UNITS) == name


def test_unknown_unit_is_refused_naming_the_field() -> None:
    with pytest.raises(FieldError) as caught:
        registered_unit_name("凌源市不存在局", UNITS)
    assert caught.value.field == "receiving_unit"


def test_unknown_unit_message_says_it_is_not_registered() -> None:
    with pytest.raises(FieldError) as caught:
        registered_unit_name("凌源市不存在局", UNITS)
    assert caught.value.message.startswith("“凌源市不存在局”不是本平台登记的接受承诺单位")


def test_unknown_unit_message_offers_the_closest_names() -> None:
    with pytest.raises(FieldError) as caught:
        registered_unit_name("凌源市财务局", UNITS)
    assert "您是否要选择：凌源市财政局" in caught.value.message


@pytest.mark.parametrize(("typed", "first"), [
    ("住建局", "凌源市住房和城乡建设局"),  # abbreviation: its characters in order
    ("财政", "凌源市财政局"),
    ("凌源市财务局", "凌源市财政局"),  # looks alike
    ("市场监管局", "凌源市市场监督管理局"),
    ("行政审批", "凌源市行政审批局"),
    ("发改委", "凌源市发展和改革局"),  # the old 委 for today's 局 (trial of issue 12)
    ("住建委", "凌源市住房和城乡建设局"),
])
def test_closest_names_put_the_meant_unit_first(typed: str, first: str) -> None:
    assert closest_unit_names(typed, UNITS)[0] == first


def test_closest_names_are_at_most_three() -> None:
    assert len(closest_unit_names("局", UNITS)) == 3


def test_nothing_alike_offers_nothing() -> None:
    assert closest_unit_names("北京大学", UNITS) == []


def test_the_city_alone_is_not_a_likeness() -> None:
    """User trial: 凌源市不存在局 suggested 凌源市财政局 and others for their shared 凌源市…局."""
    assert closest_unit_names("凌源市不存在局", UNITS) == []
