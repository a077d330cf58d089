"""JSON with a nesting limit: depth is measured, too deep and malformed are told apart."""

from __future__ import annotations

import pytest

from app.domain.bounded_json import InvalidJson, json_depth, loads_bounded


@pytest.mark.parametrize("text, depth", [
    ("1", 0), ("[]", 1), ('{"a": [1, {"b": []}]}', 4), ('[[], [[[]]], []]', 4),
])
def test_depth(text, depth):
    assert json_depth(loads_bounded(text)) == depth


def test_limit_is_inclusive():
    assert loads_bounded("[[[1]]]", max_depth=3) == [[[1]]]
    with pytest.raises(InvalidJson) as caught:
        loads_bounded("[[[[1]]]]", max_depth=3)
    assert caught.value.too_deep
    assert "最多嵌套3层" in caught.value.message


@pytest.mark.parametrize("depth", [1_000, 1_000_000])
def test_deeper_than_the_parser_can_go_is_too_deep_not_recursion_error(depth):
    with pytest.raises(InvalidJson) as caught:
        loads_bounded("[" * depth + "]" * depth)
    assert caught.value.too_deep


@pytest.mark.parametrize("text", ['{"a": ', b"\xff\xfe{", "[1,]"])
def test_malformed(text):
    with pytest.raises(InvalidJson) as caught:
        loads_bounded(text)
    assert not caught.value.too_deep
    assert caught.value.message.startswith("JSON格式错误")
