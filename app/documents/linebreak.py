"""Balanced line breaking that keeps words whole (domain-rules §1.2), shared by the layouts that
set a name on several lines: the 署名 (:mod:`app.documents.signoff`) and the report cover title.

A Chinese organisation name is cut into its natural units, each ending in a place or company
word (市/区/县/…, 集团, 股份有限公司, 有限公司, 分公司, 公司): lines break only between units,
as equal in width as the units allow; a unit wider than a line falls back to
:func:`app.documents.signoff.balanced_lines` inside it. Pure functions, no Flask."""

from __future__ import annotations

import math
import re

from app.documents.signoff import _split, balanced_lines, width

_UNIT = re.compile(
    r".+?(?:股份有限公司|有限责任公司|有限公司|分公司|公司|集团|"
    r"自治区|自治州|市(?!场)|区(?!域|块)|县|旗|省|镇|乡|街道)|.+$", re.S)
"""A unit of a name: the shortest run up to a place or company word (longest word first), or the
rest. 市场 and 区域/区块 are words of their own, not a 市 or 区."""


def name_units(name: str) -> list[str]:
    """``name`` cut into its units.

    >>> name_units("凌源市辽西北现代农业产业园区综合开发建设投资集团股份有限公司第一工程分公司")
    ['凌源市', '辽西北现代农业产业园区', '综合开发建设投资集团', '股份有限公司', '第一工程分公司']
    """
    return _UNIT.findall(name.strip())


def name_lines(name: str, max_width: float) -> list[str]:
    """``name`` in as few lines of at most ``max_width`` characters as it takes, broken only
    between its units (:func:`name_units`), the lines as equal as the units allow; a unit wider
    than a line is broken inside by :func:`balanced_lines`."""
    name = name.strip()
    if width(name) <= max_width or not name:
        return [name] if name else []
    units: list[str] = []
    for unit in name_units(name):
        units.extend(balanced_lines(unit, max_width) if width(unit) > max_width else [unit])
    count = math.ceil(width(name) / max_width)
    while count <= len(units):
        lines = _split(units, count, max_width)
        if lines is not None:
            return lines
        count += 1
    return units
