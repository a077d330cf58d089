"""信用承诺书 requests (policy 五): scenarios, request parsing and clause 6; the printed wording is
versioned with the templates (app/documents/wording.py)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import ParamSpec, TypeVar

from app.domain.errors import FieldError, FieldErrors
from app.domain.names import (
    EXTRA_CLAUSE_MAX_LEN,
    MATTER_MAX_LEN,
    RECEIVING_UNIT_MAX_LEN,
    normalise_free_text,
    normalise_org_name,
    normalise_person_name,
)
from app.domain.subjects import SubjectKind, subject_code_field_label, validate_subject_code
from app.domain.units import registered_unit_name

E = TypeVar("E", bound=Enum)
P = ParamSpec("P")


class Scenario(Enum):
    """承诺适用情形 (policy 五(一)1–3)."""

    PROJECT_APPROVAL = "project_approval"
    PROCUREMENT_BIDDING = "procurement_bidding"
    ADMINISTRATIVE_SERVICE = "administrative_service"

    @property
    def label(self) -> str:
        """Chinese label, e.g. "项目审批、核准、备案"."""
        return _SCENARIO_LABELS[self]


_SCENARIO_LABELS = {
    Scenario.PROJECT_APPROVAL: "项目审批、核准、备案",  # 五(一)1
    Scenario.PROCUREMENT_BIDDING: "政府采购、招标投标",  # 五(一)2
    Scenario.ADMINISTRATIVE_SERVICE: "其他行政管理服务事项",  # 五(一)3
}

FIELD_LABELS: dict[str, str] = {
    "scenario": "承诺适用情形",
    "subject_kind": "承诺主体类型",
    "subject_name": "承诺主体名称",
    "subject_code": "统一社会信用代码或身份证号码",
    "legal_representative": "法定代表人（负责人）姓名",
    "matter": "承诺事项",
    "receiving_unit": "接受承诺单位",
}
"""API field -> Chinese label used in messages (``subject_code`` is relabelled per kind)."""

_TRAILING_PUNCTUATION = "；;。.，,、 "


@dataclass(frozen=True)
class CommitmentRequest:
    """A validated request for a 信用承诺书 (policy 五(三)2: 由信用承诺对象填写)."""

    scenario: Scenario
    """承诺适用情形 (五(一))."""
    subject_kind: SubjectKind
    """承诺主体类型."""
    subject_name: str
    """承诺主体名称 (unit name as on the licence, or the person's name), normalised."""
    subject_code: str
    """统一社会信用代码 (units) or 身份证号码 (自然人), normalised."""
    legal_representative: str
    """法定代表人（负责人）姓名; "" for 自然人."""
    matter: str
    """承诺事项 (free text, ≤200 characters)."""
    receiving_unit: str
    """接受承诺单位 (free text, ≤100 characters)."""


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _choice(raw: object, enum: type[E], field: str, errors: dict[str, str]) -> E | None:
    """Return the member whose API value is ``raw`` (or ``raw`` itself if a member)."""
    if isinstance(raw, enum):
        return raw
    label = FIELD_LABELS[field]
    if _is_blank(raw):
        errors[field] = f"请选择{label}"
        return None
    if isinstance(raw, str):
        for member in enum:
            if member.value == raw.strip().lower():
                return member
    allowed = "、".join(f"{m.value}（{m.label}）" for m in enum)
    errors[field] = f"{label}无效，可选值为：{allowed}"
    return None


def _required(raw: object, field: str, label: str, errors: dict[str, str]) -> str | None:
    """Return ``raw`` if it is non-blank text, else record "请填写…"/"…应为文本"."""
    if _is_blank(raw):
        errors[field] = f"请填写{label}"
        return None
    if not isinstance(raw, str):
        errors[field] = f"{label}应为文本"
        return None
    return raw


def _checked(
    errors: dict[str, str], check: Callable[P, str], *args: P.args, **kwargs: P.kwargs
) -> str | None:
    """Run one validator, recording its ``FieldError`` instead of raising."""
    try:
        return check(*args, **kwargs)
    except FieldError as error:
        errors[error.field] = error.message
        return None


def _subject_name(raw: object, kind: SubjectKind | None, errors: dict[str, str]) -> str | None:
    """Person-name rules for 自然人, registered-name rules for units."""
    label = FIELD_LABELS["subject_name"]
    name = _required(raw, "subject_name", label, errors)
    if name is None:
        return None
    normalise = normalise_person_name if kind is SubjectKind.NATURAL_PERSON else normalise_org_name
    return _checked(errors, normalise, name, "subject_name", label)


def _subject_code(raw: object, kind: SubjectKind | None, errors: dict[str, str]) -> str | None:
    """统一社会信用代码 for units, 身份证号码 for 自然人 (checked once the kind is known)."""
    label = FIELD_LABELS["subject_code"] if kind is None else subject_code_field_label(kind)
    code = _required(raw, "subject_code", label, errors)
    if code is None or kind is None:
        return None
    return _checked(errors, validate_subject_code, kind, code)


def _legal_representative(raw: object, kind: SubjectKind | None, errors: dict[str, str]) -> str | None:
    """Required for units; empty for 自然人."""
    label = FIELD_LABELS["legal_representative"]
    if kind is SubjectKind.NATURAL_PERSON:
        if _is_blank(raw):
            return ""
        errors["legal_representative"] = f"自然人作出承诺时无需填写{label}，请留空"
        return None
    if kind is None and _is_blank(raw):
        return None  # with the kind unknown, a missing name is not reported: it may be a 自然人
    rep = _required(raw, "legal_representative", label, errors)
    if rep is None:
        return None
    return _checked(errors, normalise_person_name, rep, "legal_representative", label)


def _free_text(raw: object, field: str, max_len: int, errors: dict[str, str]) -> str | None:
    label = FIELD_LABELS[field]
    text = _required(raw, field, label, errors)
    return None if text is None else _checked(errors, normalise_free_text, text, field, label, max_len)


def parse_commitment_request(
    data: Mapping[str, object], unit_names: Collection[str] | None = None
) -> CommitmentRequest:
    """Validate the fields of a commitment request and build a ``CommitmentRequest``.

    Every field is checked and all problems are reported together. The subject
    name follows person-name rules for 自然人 and registered-name rules for units;
    the subject code is a 统一社会信用代码 for units and a 身份证号码 for 自然人
    (birth date checked against today); 法定代表人（负责人）姓名 is required for
    units and must be empty or omitted for 自然人. Unknown keys are ignored.

    :param data: mapping of API field names (``FIELD_LABELS``) to submitted values;
        ``scenario`` and ``subject_kind`` take the enum values (or members).
    :param unit_names: the registry of receiving units; when given, ``receiving_unit`` must be
        one of them (issue 12 §2) and is returned in the registry's spelling.
    :returns: the normalised request.
    :raises FieldErrors: field -> Chinese message for every invalid field, in form order.
    """
    errors: dict[str, str] = {}
    scenario = _choice(data.get("scenario"), Scenario, "scenario", errors)
    kind = _choice(data.get("subject_kind"), SubjectKind, "subject_kind", errors)
    subject_name = _subject_name(data.get("subject_name"), kind, errors)
    subject_code = _subject_code(data.get("subject_code"), kind, errors)
    legal_representative = _legal_representative(data.get("legal_representative"), kind, errors)
    matter = _free_text(data.get("matter"), "matter", MATTER_MAX_LEN, errors)
    receiving_unit = _free_text(data.get("receiving_unit"), "receiving_unit", RECEIVING_UNIT_MAX_LEN,
                                errors)
    if receiving_unit is not None and unit_names is not None:
        receiving_unit = _checked(errors, registered_unit_name, receiving_unit, unit_names)

    if errors:
        raise FieldErrors({f: errors[f] for f in FIELD_LABELS if f in errors})
    # With no errors recorded every value above has been set.
    assert scenario is not None and kind is not None
    assert subject_name is not None and subject_code is not None
    assert legal_representative is not None
    assert matter is not None and receiving_unit is not None
    return CommitmentRequest(
        scenario=scenario,
        subject_kind=kind,
        subject_name=subject_name,
        subject_code=subject_code,
        legal_representative=legal_representative,
        matter=matter,
        receiving_unit=receiving_unit,
    )


def normalise_extra_clause(extra_clause: str | None) -> str | None:
    """Clause 6 of a letter (policy 五(二)6): the receiving unit's matter-specific text, as printed.

    The letter's wording (templates/commitment/<version>/wording.json) ends it with its own
    punctuation, so trailing punctuation is dropped here.

    :param extra_clause: 其他承诺 required by the 行业管理部门 for this matter, or None/"".
    :returns: the normalised text, or None when there is no clause 6.
    :raises FieldError: ``extra_clause`` (field "extra_clause") has forbidden characters,
        exceeds 500 characters or is only punctuation.
    """
    if extra_clause is None or not extra_clause.strip():
        return None
    text = normalise_free_text(extra_clause, "extra_clause", "其他承诺", EXTRA_CLAUSE_MAX_LEN)
    text = text.rstrip(_TRAILING_PUNCTUATION)
    if not text:
        raise FieldError("extra_clause", "请填写其他承诺的内容")
    return text
