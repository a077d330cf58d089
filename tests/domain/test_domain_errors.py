"""Domain exception shapes the web layer relies on."""

from __future__ import annotations

from app.domain.errors import DomainError, FieldError, FieldErrors


def test_field_error() -> None:
    error = FieldError("subject_code", "统一社会信用代码校验码错误：第18位应为“A”，实际为“B”")
    assert isinstance(error, DomainError)
    assert error.field == "subject_code"
    assert str(error) == error.message


def test_field_errors() -> None:
    errors = FieldErrors({"subject_name": "请填写承诺主体名称", "matter": "请填写承诺事项"})
    assert isinstance(errors, DomainError)
    assert errors.fields == {"subject_name": "请填写承诺主体名称", "matter": "请填写承诺事项"}
    assert str(errors) == "请填写承诺主体名称；请填写承诺事项"


def test_field_errors_from_errors_keeps_first_per_field() -> None:
    errors = FieldErrors.from_errors(
        [FieldError("a", "一"), FieldError("b", "二"), FieldError("a", "三")]
    )
    assert errors.fields == {"a": "一", "b": "二"}
