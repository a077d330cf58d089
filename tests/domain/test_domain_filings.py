"""What a re-upload states otherwise than the existing filing (app.domain.filings, issue 12 §3)."""

from __future__ import annotations

from app.domain.filings import differences_from_filing

RECORDED = {"scenario": "project_approval", "subject_kind": "enterprise",
            "subject_name": "凌源市示例建筑工程有限公司", "legal_representative": "欧阳明",
            "matter": "施工许可", "commitment_date": "2026-11-29",
            "document_number": "LYXY-CN-2026-000001X"}


def test_the_same_values_differ_in_nothing() -> None:
    assert differences_from_filing(dict(RECORDED), RECORDED, code_differs=False) == {}


def test_surrounding_spaces_do_not_count_as_differences() -> None:
    stated = {"subject_name": " 凌源市示例建筑工程有限公司 ", "legal_representative": "欧阳明"}
    assert differences_from_filing(stated, RECORDED, code_differs=False) == {}


def test_a_lower_case_number_is_the_same_number() -> None:
    stated = {"document_number": "lyxy-cn-2026-000001x"}
    assert differences_from_filing(stated, RECORDED, code_differs=False) == {}


def test_a_different_date_is_shown_with_both_values() -> None:
    found = differences_from_filing({"commitment_date": "2026-11-20"}, RECORDED, code_differs=False)
    assert found == {"commitment_date": "承诺日期：已有记录为“2026-11-29”，本次填写为“2026-11-20”"}


def test_a_different_id_number_is_named_but_never_echoed() -> None:
    found = differences_from_filing({"subject_code": "211382199003071237"}, RECORDED, code_differs=True)
    assert "211382199003071237" not in found["subject_code"]


def test_empty_values_are_not_statements() -> None:
    assert differences_from_filing({"matter": ""}, RECORDED, code_differs=False) == {}
