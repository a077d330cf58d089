"""Domain exceptions (领域错误) that the web layer maps to HTTP responses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    """Base class of every error raised by ``app.domain``."""


class FieldError(DomainError):
    """One invalid input field (字段校验错误).

    ``field`` is the API field name (e.g. ``"subject_code"``); ``message`` is the
    Chinese text shown to the user, naming the field by its Chinese label and
    saying what is wrong (e.g. "统一社会信用代码校验码错误：第18位应为“A”，实际为“B”").
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"FieldError({self.field!r}, {self.message!r})"


class FieldErrors(DomainError):
    """Several invalid fields reported at once (多项字段校验错误).

    ``fields`` maps each API field name to its Chinese message, in input order.
    """

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields: dict[str, str] = dict(fields)
        super().__init__("；".join(self.fields.values()))

    @classmethod
    def from_errors(cls, errors: Iterable[FieldError]) -> FieldErrors:
        """Collect single ``FieldError``s; the first message per field wins."""
        fields: dict[str, str] = {}
        for error in errors:
            fields.setdefault(error.field, error.message)
        return cls(fields)

    def __repr__(self) -> str:
        return f"FieldErrors({self.fields!r})"
