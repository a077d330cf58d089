"""Masking of natural persons on public pages (domain-rules §7.2)."""

from __future__ import annotations

import pytest

from app.domain.masking import (
    mask_person_name,
    mask_resident_id,
    public_subject_code,
    public_subject_name,
)
from app.domain.subjects import SubjectKind


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧阳**"),  # 复姓 kept whole (issue 12 §5)
        ("欧阳修远", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("东方", "东*"),  # two characters: surname 东, given name 方
        ("欧明远", "欧**"),  # 欧 alone is a one-character surname
        ("阿依古丽·买买提", "阿***·***"),
        ("𠀀三", "𠀀*"),  # Ext B first character stays whole
        ("John Smith", "J*** *****"),
        ("张", "张"),
        ("", ""),
    ],
)
def test_mask_person_name(name: str, masked: str) -> None:
    assert mask_person_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("211382199003071237", "2*************1237"),
        ("11010519491231002X", "1*************002X"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_resident_id(number: str, masked: str) -> None:
    assert mask_resident_id(number) == masked
    if len(number) == 18:
        assert masked.count("*") == 13
        assert number[6:14] not in masked  # birth date never shown


@pytest.mark.parametrize(
    ("kind", "name", "code", "shown_name", "shown_code"),
    [
        (
            SubjectKind.ENTERPRISE,
            "凌源市测试有限公司",
            "91211382MA0Y8K7Q3B",
            "凌源市测试有限公司",
            "91211382MA0Y8K7Q3B",
        ),
        (
            SubjectKind.INSTITUTION,
            "凌源市某某中心",
            "123502001549897397",
            "凌源市某某中心",
            "123502001549897397",
        ),
        (
            SubjectKind.SOCIAL_ORGANIZATION,
            "凌源市某某协会",
            "91211382MA0Y8K7Q3B",
            "凌源市某某协会",
            "91211382MA0Y8K7Q3B",
        ),
        (
            SubjectKind.INDIVIDUAL_BUSINESS,
            "凌源市张三烧烤店",
            "92211382MA0Y8K7Q3X",
            "凌源市张三烧烤店",
            "92211382MA0Y8K7Q3X",
        ),
        (SubjectKind.NATURAL_PERSON, "李四", "211382199003071237", "李*", "2*************1237"),
    ],
)
def test_public_subject(
    kind: SubjectKind, name: str, code: str, shown_name: str, shown_code: str
) -> None:
    assert public_subject_name(kind, name) == shown_name
    assert public_subject_code(kind, code) == shown_code
