"""信用承诺书 content (policy 五): scenarios, request parsing, clauses and the signature block."""

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

    @property
    def subtitle(self) -> str:
        """Line printed under the letter title, e.g. "（适用于项目审批、核准、备案）"."""
        return f"（适用于{self.label}）"


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

_SUBJECT_PLACEHOLDER = "本单位（个人）"

# policy 五(二)1–5, verbatim; the source's half-width punctuation is set full-width as on paper.
_POLICY_CLAUSES = (
    "承诺本单位（个人）提供的所有资料均合法、真实、有效，并对所提供资料的真实性负责",
    "承诺本单位（个人）严格按照国家法律、法规和规章开展相关经济活动，全面履行应尽的责任和义务，"
    "主动接受行业监管和事务管理，自愿接受依法开展的日常检查；"
    "违法失信经营后将自愿接受约束和惩戒，并依法承担相应责任",
    "承诺本单位（个人）不违约毁约，守合同、重信用，维护经营者、消费者的合法权益",
    "承诺本单位（个人）自觉接受行业管理部门、行业组织、社会公众、新闻舆论的监督",
    "承诺本单位（个人）自愿按照信用信息管理有关要求，将信用承诺信息和失信信息纳入"
    "社会信用信息共享交换平台，并通过信用平台和网站向社会公示信息",
)

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

    subject_name = None
    name_label = FIELD_LABELS["subject_name"]
    name = _required(data.get("subject_name"), "subject_name", name_label, errors)
    if name is not None:
        normalise = (
            normalise_person_name if kind is SubjectKind.NATURAL_PERSON else normalise_org_name
        )
        subject_name = _checked(errors, normalise, name, "subject_name", name_label)

    subject_code = None
    code_label = FIELD_LABELS["subject_code"] if kind is None else subject_code_field_label(kind)
    code = _required(data.get("subject_code"), "subject_code", code_label, errors)
    if code is not None and kind is not None:
        subject_code = _checked(errors, validate_subject_code, kind, code)

    legal_representative = None
    rep_label = FIELD_LABELS["legal_representative"]
    rep_raw = data.get("legal_representative")
    if kind is SubjectKind.NATURAL_PERSON:
        if _is_blank(rep_raw):
            legal_representative = ""
        else:
            errors["legal_representative"] = f"自然人作出承诺时无需填写{rep_label}，请留空"
    elif kind is not None or not _is_blank(rep_raw):
        # With the kind unknown, a missing name is not reported: it may be a 自然人.
        rep = _required(rep_raw, "legal_representative", rep_label, errors)
        if rep is not None:
            legal_representative = _checked(
                errors, normalise_person_name, rep, "legal_representative", rep_label
            )

    texts: dict[str, str | None] = {}
    for field, max_len in (("matter", MATTER_MAX_LEN), ("receiving_unit", RECEIVING_UNIT_MAX_LEN)):
        label = FIELD_LABELS[field]
        raw = _required(data.get(field), field, label, errors)
        texts[field] = (
            None
            if raw is None
            else _checked(errors, normalise_free_text, raw, field, label, max_len)
        )
    if texts["receiving_unit"] is not None and unit_names is not None:
        texts["receiving_unit"] = _checked(errors, registered_unit_name, texts["receiving_unit"], unit_names)

    if errors:
        raise FieldErrors({f: errors[f] for f in FIELD_LABELS if f in errors})
    # With no errors recorded every value above has been set.
    assert scenario is not None and kind is not None
    assert subject_name is not None and subject_code is not None
    assert legal_representative is not None
    matter, receiving_unit = texts["matter"], texts["receiving_unit"]
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


def subject_pronoun(kind: SubjectKind) -> str:
    """Return "本单位" for units and "本人" for 自然人 (the policy's "本单位（个人）")."""
    return "本单位" if kind.is_unit else "本人"


def commitment_clauses(kind: SubjectKind, extra_clause: str | None = None) -> tuple[str, ...]:
    """Return the clauses of the letter, without numbering (renderers number them 一、二、…).

    Clauses 1–5 are policy 五(二)1–5 verbatim with "本单位（个人）" replaced by
    ``subject_pronoun(kind)``; clause 6 (五(二)6) is the receiving unit's
    matter-specific text when given. Each clause ends with "；", the last with "。".

    :param kind: the subject kind.
    :param extra_clause: 其他承诺 required by the 行业管理部门 for this matter, or None/"".
    :returns: 5 or 6 clause texts.
    :raises FieldError: ``extra_clause`` (field "extra_clause") has forbidden characters
        or exceeds 500 characters.
    """
    pronoun = subject_pronoun(kind)
    clauses = [c.replace(_SUBJECT_PLACEHOLDER, pronoun) for c in _POLICY_CLAUSES]
    if extra_clause is not None and extra_clause.strip():
        text = normalise_free_text(extra_clause, "extra_clause", "其他承诺", EXTRA_CLAUSE_MAX_LEN)
        text = text.rstrip(_TRAILING_PUNCTUATION)
        if not text:
            raise FieldError("extra_clause", "请填写其他承诺的内容")
        clauses.append(text)
    return tuple(c + "；" for c in clauses[:-1]) + (clauses[-1] + "。",)


def preamble(kind: SubjectKind, scenario: Scenario) -> str:
    """Opening paragraph ending in "郑重承诺如下：" ("本人" for 自然人).

    ``scenario`` is accepted so that scenario-specific wording can be added without
    changing callers; today the text is the same for all three 情形 (the subtitle
    names the scenario).
    """
    del scenario
    return (
        "为维护公平竞争的市场秩序，营造诚实守信的社会环境，"
        f"{subject_pronoun(kind)}就上述事项郑重承诺如下："
    )


def closing() -> str:
    """Closing paragraph: effect, liability and consent to publication (policy 五(三)2)."""
    return (
        "本承诺书自签署之日起生效。"
        "如违背上述承诺，愿意承担相应的法律责任，接受有关部门依法依规实施的失信惩戒措施。"
        "同意将本承诺书（不含身份证号码等个人信息）在“信用中国（辽宁凌源）”网站公示，接受社会监督。"
    )


def signature_lines(kind: SubjectKind) -> tuple[str, ...]:
    """Signature block lines: a unit seals and its 法定代表人 signs (policy 五(三)2)."""
    if kind.is_unit:
        return ("承诺单位（盖章）：", "法定代表人（负责人）（签字）：")
    return ("承诺人（签字并按指印）：",)
