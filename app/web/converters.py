"""URL converters: ``<int:...>`` in every route is a row id within what the database stores."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from app.models import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    """``int`` bounded to 0..MAX_ROW_ID: a larger number matches no route, so the answer is 404."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = MAX_ROW_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


def row_id(value: Any) -> int | None:
    """``value`` if it is a possible row id, else None (a query argument out of range is ignored,
    as one that is not a number)."""
    return value if isinstance(value, int) and 0 <= value <= MAX_ROW_ID else None


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: a rule takes its converter when it is added."""
    app.url_map.converters["int"] = RowIdConverter
