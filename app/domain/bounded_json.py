"""JSON text parsed with a nesting limit: too deep is a clear error, never a RecursionError."""

from __future__ import annotations

import json
import math

from app.domain.errors import DomainError

MAX_JSON_DEPTH = 20
"""Deepest nesting of arrays and objects accepted anywhere (an object in an array in an object
is depth 3). Our requests and the platform's exports need 3; depth 1,000 used to crash the
parser into a 500 (issue 10 §4)."""


class InvalidJson(DomainError):
    """Not JSON, or nested deeper than allowed (JSON格式错误). ``message`` is Chinese;
    ``too_deep`` tells the two apart; ``detail`` is the parser's own (English) words, or ""."""

    def __init__(self, message: str, *, too_deep: bool = False, detail: str = "",
                 field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.too_deep = too_deep
        self.detail = detail
        self.field = field
        """The key holding a non-finite number (NaN, Infinity), when that is the fault."""


def _too_deep(max_depth: int) -> InvalidJson:
    return InvalidJson(f"JSON嵌套层数过多：数组和对象最多嵌套{max_depth}层", too_deep=True)


def json_depth(value: object) -> int:
    """Nesting depth of a parsed JSON value (0 for a scalar), walked without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in children)
    return deepest


def non_finite_key(value: object) -> str | None:
    """The key (or ``[i]`` of an array) holding the first non-finite number in ``value``: NaN,
    Infinity, -Infinity (which JSON does not have, though Python's parser reads them) or a number
    too large for a float (1e400 reads as Infinity). None when every number is finite."""
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        item, key = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return key or "（顶层）"
        if isinstance(item, dict):
            stack.extend((v, str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, key or f"[{i}]") for i, v in enumerate(item))
    return None


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> object:
    """Parse JSON text, refusing nesting deeper than ``max_depth``.

    The standard parser recurses once per level and stops with ``RecursionError`` near the
    interpreter's limit (about 1,000 levels); that error is turned into ``InvalidJson``, and
    any shallower document is measured after parsing.

    :param text: the JSON text (``bytes`` are decoded as UTF-8/16/32, as ``json.loads`` does).
    :param max_depth: the deepest nesting accepted.
    :returns: the parsed value.
    :raises InvalidJson: malformed JSON (the line and column are named), too deep, or holding
        a non-finite number (``field`` names its key: trial 13, NaN reached the stamping code).
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep(max_depth) from None
    except json.JSONDecodeError as error:
        raise InvalidJson(f"JSON格式错误：第{error.lineno}行第{error.colno}列",
                          detail=error.msg) from None
    except ValueError:  # bytes that are not UTF-8
        raise InvalidJson("JSON格式错误：应为UTF-8编码的文本") from None
    if json_depth(value) > max_depth:
        raise _too_deep(max_depth)
    if (key := non_finite_key(value)) is not None:
        raise InvalidJson(f"{key} 应为有限的数字（不接受 NaN、Infinity 或超出范围的数值）", field=key)
    return value
