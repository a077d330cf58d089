"""Reading stamp-job operations from the staff form and from the API's JSON, on their own."""

from __future__ import annotations

import pytest

from app.domain.errors import FieldError
from app.services.stamping import (
    MAX_OPERATIONS,
    PREVIEW_DPI,
    Operation,
    operations_from_form,
    operations_from_json,
)


def mm(px: float) -> float:
    return round(px * 25.4 / PREVIEW_DPI, 1)


def test_form_click_becomes_a_seal_at_that_position_in_mm():
    ops = operations_from_form({"seal_id": "7", "click_p2.x": "300", "click_p2.y": "450"},
                               page_count=3)
    assert ops == [Operation("seal", {"page": 2, "x_mm": mm(300), "y_mm": mm(450), "seal_id": 7})]


def test_form_checkboxes_and_watermark_in_a_fixed_order():
    ops = operations_from_form({"seal_id": "3", "watermark": "  仅供投标使用 ", "margin_line": "1",
                                "cross_page_seal": "1", "anchor_seal": "1"}, page_count=2)
    assert [op.op for op in ops] == ["anchor_seal", "cross_page_seal", "margin_line", "watermark"]
    assert ops[0].params == {"seal_id": 3}
    assert ops[1].params == {"seal_id": 3}
    assert ops[3].params == {"text": "仅供投标使用"}


def test_form_click_on_a_page_past_the_last_is_ignored():
    with pytest.raises(FieldError) as refused:
        operations_from_form({"seal_id": "1", "click_p4.x": "1", "click_p4.y": "1"}, page_count=3)
    assert refused.value.field == "operations"


@pytest.mark.parametrize("form, field, message", [
    ({}, "operations", "请至少选择一项操作"),
    ({"watermark": "   "}, "operations", "请至少选择一项操作"),
    ({"anchor_seal": "1"}, "seal_id", "请选择印章"),
    ({"anchor_seal": "1", "seal_id": "七"}, "seal_id", "印章编号应为整数"),
    ({"seal_id": "1", "click_p1.x": "左", "click_p1.y": "1"}, "position", "点击位置应为数字"),
    ({"seal_id": "1", "click_p1.x": "1"}, "position", "点击位置应为数字"),
])
def test_form_refusals_name_the_field(form, field, message):
    with pytest.raises(FieldError) as refused:
        operations_from_form(form, page_count=1)
    assert refused.value.field == field
    assert message in refused.value.message


def test_form_watermark_alone_needs_no_seal():
    assert operations_from_form({"watermark": "副本"}, page_count=1) == [
        Operation("watermark", {"text": "副本"})]


def test_json_operations_take_their_own_parameters():
    ops = operations_from_json([
        {"op": "seal", "seal_id": "5", "page": 1, "x_mm": 150, "y_mm": 240.5},
        {"op": "cross_page_seal", "seal_id": 5},
        {"op": "watermark", "text": "副本"},
        {"op": "margin_line"},
    ], page_count=1)
    assert ops == [
        Operation("seal", {"seal_id": 5, "page": 1, "x_mm": 150, "y_mm": 240.5}),
        Operation("cross_page_seal", {"seal_id": 5}),
        Operation("watermark", {"text": "副本"}),
        Operation("margin_line", {}),
    ]


@pytest.mark.parametrize("items, field, message", [
    ([], "operations", "operations 应为非空数组"),
    ({"op": "seal"}, "operations", "operations 应为非空数组"),
    (None, "operations", "operations 应为非空数组"),
    (["seal"], "operations", "第1项操作无效"),
    ([{"op": "margin_line"}, {"op": "sign"}], "operations", "第2项操作无效"),
    ([{"op": "seal", "seal_id": 1, "page": 1, "x_mm": 10}], "operations", "第1项操作缺少 y_mm"),
    ([{"op": "seal", "seal_id": 1, "page": "1", "x_mm": 10, "y_mm": 10}], "operations",
     "第1项操作的 page 应为数字"),
    ([{"op": "anchor_seal", "seal_id": "一"}], "seal_id", "印章编号应为整数"),
    ([{"op": "anchor_seal", "seal_id": None}], "seal_id", "印章编号应为整数"),
    # trial of issue 12: JSON true was read as seal 1, and unknown keys were dropped unseen
    ([{"op": "anchor_seal", "seal_id": True}], "seal_id", "印章编号应为整数"),
    ([{"op": "anchor_seal", "seal_id": 1.5}], "seal_id", "印章编号应为整数"),
    ([{"op": "seal", "seal_id": 1, "page": 1, "x_mm": 10, "y_mm": 10, "extra": 1}], "operations",
     "第1项操作（seal）不认识这些字段：extra"),
    ([{"op": "cross_page_seal", "seal_id": 5, "page": 9}], "operations",
     "第1项操作（cross_page_seal）不认识这些字段：page"),
    ([{"op": "margin_line"}] * (MAX_OPERATIONS + 1), "operations", f"一次盖章最多{MAX_OPERATIONS}项操作"),
])
def test_json_refusals_name_the_field_and_the_item(items, field, message):
    with pytest.raises(FieldError) as refused:
        operations_from_json(items, page_count=1)
    assert refused.value.field == field
    assert message in refused.value.message


def test_json_at_the_operation_limit_is_accepted():
    assert len(operations_from_json([{"op": "margin_line"}] * MAX_OPERATIONS, page_count=1)) == MAX_OPERATIONS
