"""Masking of natural persons' data on public pages (domain-rules §7.2)."""

from __future__ import annotations

from app.domain.subjects import SubjectKind

MASK = "*"
VISIBLE_SEPARATORS = frozenset("·- '.")
"""Kept visible so a masked name keeps its shape (阿***·***, J*** *****)."""


def mask_person_name(name: str) -> str:
    """Keep the first character and replace each other character by "*" ("张三" -> "张*").

    Separators ("·", space, hyphen, apostrophe, period) stay visible. Compound
    surnames are not detected: "欧阳娜娜" -> "欧***", which reveals less.
    """
    if len(name) <= 1:
        return name
    return name[0] + "".join(c if c in VISIBLE_SEPARATORS else MASK for c in name[1:])


def mask_resident_id(number: str) -> str:
    """Keep the first character and the last four: "211382199003071237" -> "2*************1237".

    The eight birth-date digits are never shown. Strings shorter than 6 are fully masked.
    """
    if len(number) < 6:
        return MASK * len(number)
    return number[0] + MASK * (len(number) - 5) + number[-4:]


def public_subject_name(kind: SubjectKind, name: str) -> str:
    """Name shown on public pages: units (个体工商户 included) in full, 自然人 masked."""
    return mask_person_name(name) if kind.uses_resident_id else name


def public_subject_code(kind: SubjectKind, code: str) -> str:
    """Code shown on public pages: the 统一社会信用代码 in full, a 身份证号码 masked."""
    return mask_resident_id(code) if kind.uses_resident_id else code
