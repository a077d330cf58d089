"""Masking of natural persons' data on public pages (domain-rules §7.2)."""

from __future__ import annotations

from app.domain.subjects import SubjectKind

MASK = "*"
VISIBLE_SEPARATORS = frozenset("·- '.")
"""Kept visible so a masked name keeps its shape (阿***·***, J*** *****)."""


COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 令狐 钟离 闾丘 "
    "端木 独孤 南宫 澹台 公冶 宗政 濮阳 太史 申屠 万俟 呼延 赫连 百里 东郭 西门 左丘 第五 拓跋 "
    "公羊 梁丘 羊舌 微生 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 谷梁 段干 东门 单于 仲孙 叔孙 "
    "淳于 鲜于 闻人 亓官 司寇 公输 公门 南门 北宫 仉督 夹谷 宰父 拓拔".split())
"""复姓 kept whole when masking (《百家姓》 and the ones in use today)."""


def surname_length(name: str) -> int:
    """Characters of ``name`` that are its surname: 2 for a known 复姓 followed by a given name, else 1."""
    return 2 if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else 1


def mask_person_name(name: str) -> str:
    """Keep the surname and replace each other character by "*" ("张三" -> "张*", "欧阳修远" -> "欧阳**").

    A known 复姓 (``COMPOUND_SURNAMES``) is kept whole when a given name follows it; a
    two-character name is read as a one-character surname ("东方" -> "东*"). Separators
    ("·", space, hyphen, apostrophe, period) stay visible.
    """
    if len(name) <= 1:
        return name
    keep = surname_length(name)
    return name[:keep] + "".join(c if c in VISIBLE_SEPARATORS else MASK for c in name[keep:])


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


def shown_subject_code(subject_kind: str, subject_code_public: str) -> str | None:
    """The code public pages and public JSON show, from the stored public code: the 统一社会信用代码
    in full; for a 自然人 nothing (None), not even masked (domain-rules §7.2: 居民身份证号 "do not
    show"; the masked form stays for staff lists). One rule for /verify, the public list and the
    search index (trial 19: the list said null where /verify showed 2*************1237, and the
    search matched its last four digits). ``subject_kind``: a SubjectKind value (the subject of an
    agency report is "organisation")."""
    return None if subject_kind == SubjectKind.NATURAL_PERSON.value else subject_code_public
