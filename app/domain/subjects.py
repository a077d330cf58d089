"""承诺主体 kinds: units carry a 统一社会信用代码, natural persons a 身份证号码."""

from __future__ import annotations

from datetime import date
from enum import Enum

from app.domain.errors import FieldError
from app.domain.identifiers import (
    RESIDENT_ID_LABEL,
    USCC_CATEGORIES,
    USCC_LABEL,
    looks_like_resident_id,
    uscc_warnings,
    validate_resident_id,
    validate_uscc,
)

__all__ = [
    "SubjectKind",
    "is_enterprise",
    "subject_kind_of_code",
    "subject_code_field_label",
    "subject_code_warnings",
    "validate_subject_code",
]


class SubjectKind(Enum):
    """承诺主体类型 (policy 五(一) 企事业单位、社会团体和自然人; 个体工商户: GB 32100 类别92)."""

    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"
    SOCIAL_ORGANIZATION = "social_organization"
    INDIVIDUAL_BUSINESS = "individual_business"
    NATURAL_PERSON = "natural_person"

    @property
    def label(self) -> str:
        """Chinese label: 企业/法人, 事业单位, 社会团体, 个体工商户, 自然人."""
        return _KIND_LABELS[self]

    @property
    def is_unit(self) -> bool:
        """True for every kind but 自然人: the letter is sealed (盖章) and names a 法定代表人."""
        return self is not SubjectKind.NATURAL_PERSON

    @property
    def uses_resident_id(self) -> bool:
        """True for 自然人 (身份证号码); 个体工商户 has a 统一社会信用代码 (category 92)."""
        return self is SubjectKind.NATURAL_PERSON

    @property
    def expected_uscc_prefix(self) -> str | None:
        """Expected 登记管理部门+机构类别 code ("91" for 企业), None for 自然人."""
        return _EXPECTED_PREFIX.get(self)


_KIND_LABELS = {
    SubjectKind.ENTERPRISE: "企业/法人",
    SubjectKind.INSTITUTION: "事业单位",
    SubjectKind.SOCIAL_ORGANIZATION: "社会团体",
    SubjectKind.INDIVIDUAL_BUSINESS: "个体工商户",
    SubjectKind.NATURAL_PERSON: "自然人",
}

# GB 32100 positions 1-2 (domain-rules §3.1): 9-1 企业, 1-2 事业单位, 5-1 社会团体, 9-2 个体工商户.
_EXPECTED_PREFIX = {
    SubjectKind.ENTERPRISE: "91",
    SubjectKind.INSTITUTION: "12",
    SubjectKind.SOCIAL_ORGANIZATION: "51",
    SubjectKind.INDIVIDUAL_BUSINESS: "92",
}


_KIND_OF_PREFIX = {prefix: kind for kind, prefix in _EXPECTED_PREFIX.items()}


def subject_kind_of_code(code: str, *, is_person: bool) -> SubjectKind | None:
    """The kind a validated code shows: 自然人 for a resident ID, else the kind of the USCC's
    登记管理部门+机构类别 (GB 32100 positions 1-2: 91 企业, 12 事业单位, 51 社会团体, 92 个体工商户);
    None for the other categories (93 农民专业合作社, 52 民办非企业单位, 11 机关 …)."""
    if is_person:
        return SubjectKind.NATURAL_PERSON
    return _KIND_OF_PREFIX.get(code[:2])


def is_enterprise(code: str, *, is_person: bool) -> bool:
    """Whether the subject is an 企业 in the sense of policy 三(二) (rating report required):
    only category 91 (工商·企业). "本文件所称企业，暂不包含个体工商户" (92); a 社会团体 (51),
    a 农民专业合作社 (93), an institution or a natural person is no enterprise either."""
    return subject_kind_of_code(code, is_person=is_person) is SubjectKind.ENTERPRISE


def subject_code_field_label(kind: SubjectKind) -> str:
    """Label of the subject code: "统一社会信用代码" (units) or "身份证号码" (自然人)."""
    return RESIDENT_ID_LABEL if kind.uses_resident_id else USCC_LABEL


def validate_subject_code(
    kind: SubjectKind, code: str, today: date | None = None, *, field: str = "subject_code"
) -> str:
    """Validate the subject's code as a 统一社会信用代码 (units) or 身份证号码 (自然人).

    :returns: the normalised code.
    :raises FieldError: see ``validate_uscc`` and ``validate_resident_id``.
    """
    if kind.uses_resident_id:
        try:
            return validate_resident_id(code, today, field=field)
        except FieldError:
            if _is_valid_uscc(code):
                raise FieldError(field, f"填写的号码是{USCC_LABEL}，不是{RESIDENT_ID_LABEL}；如承诺人是单位"
                                 f"或个体工商户，请在“承诺主体类型”中选择相应类型") from None
            raise
    try:
        return validate_uscc(code, field=field)
    except FieldError:
        # A person's ID number typed for a unit: say so instead of a check-digit message (issue 12 §5).
        # The shape alone decides (date.max: a birth date "in the future" still has the shape).
        if isinstance(code, str) and looks_like_resident_id(code, today or date.max):
            raise FieldError(field, f"填写的号码看起来是{RESIDENT_ID_LABEL}，不是{USCC_LABEL}；如承诺人"
                             f"是个人，请将“承诺主体类型”选为“{SubjectKind.NATURAL_PERSON.label}”") from None
        raise


def _is_valid_uscc(code: object) -> bool:
    try:
        validate_uscc(code)  # type: ignore[arg-type]
    except FieldError:
        return False
    return True


def subject_code_warnings(kind: SubjectKind, code: str) -> tuple[str, ...]:
    """Chinese warnings (提示, never errors) for a validated code of a subject of ``kind``.

    A 企业/法人 may legitimately carry another department's code (e.g. a 律师事务所),
    so a kind/category mismatch only asks the user to check the selected kind.
    """
    if kind.uses_resident_id:
        return ()
    warnings = list(uscc_warnings(code))
    expected = kind.expected_uscc_prefix
    if expected is not None and code[:2] != expected and code[:2] in USCC_CATEGORIES:
        warnings.append(
            f"统一社会信用代码前两位“{code[:2]}”表示{USCC_CATEGORIES[code[:2]]}，"
            f"与所选主体类型“{kind.label}”（应为“{expected}”）不一致，请核对"
        )
    return tuple(warnings)
