"""Item 六 of the 信用承诺书 (policy 五(二)6, issue 12 §2): from template v3 on, a blank form and a
letter no receiving unit's clause applies to give it a place, ruled lines to write on; a unit's
clause that applies fills that place instead."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
from docx import Document

from app.documents import commitment as doc
from app.documents.registry import CURRENT, Family
from app.domain.commitments import Scenario, parse_commitment_request
from app.domain.subjects import SubjectKind
from app.services.blanks import BlankCache
from tests.conftest import PERSON_LETTER, UNIT_LETTER
from tests.documents.ruled_lines import is_rule, open_items, ruled_lines_mm

TEXT_BLOCK_MM = 156.0
"""GB/T 9704 版心 width."""
CLAUSE = "承诺在施工许可办理后严格落实工程质量安全责任，按时足额支付农民工工资。"
ISSUE = doc.IssueInfo(number="LYXY-CN-2026-000001X", verification_code="ABCDEFGH",
                      verify_url="http://127.0.0.1:8000/verify/LYXY-CN-2026-000001X?c=ABCDEFGH",
                      issued_on=date(2026, 11, 9))
KINDS = [SubjectKind.ENTERPRISE, SubjectKind.NATURAL_PERSON]


def _page_texts(pdf: bytes) -> list[str]:
    return [p.extract_text().replace(" ", "")
            for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _rules(pdf: bytes) -> list[list[float]]:
    return [ruled_lines_mm(pdf, n) for n in range(1, len(_page_texts(pdf)) + 1)]


def test_new_letters_keep_item_6() -> None:
    # v3 introduced item 六; every later version keeps it.
    assert int(CURRENT[Family.COMMITMENT].removeprefix("v")) >= 3


@pytest.mark.parametrize("scenario", list(Scenario))
@pytest.mark.parametrize("kind", KINDS)
def test_blank_pdf_prints_item_6_with_three_ruled_lines_per_copy(scenario, kind) -> None:
    pdf = doc.letters_pdf(doc.blank_letters(scenario, kind))
    text = "".join(_page_texts(pdf))
    assert text.count("六、") == 2  # one per copy
    rules = [length for page in _rules(pdf) for length in page]
    assert len(rules) == 6


@pytest.mark.parametrize("kind", KINDS)
def test_ruled_lines_stay_in_the_text_block(kind) -> None:
    pdf = doc.letters_pdf(doc.blank_letters(Scenario.PROJECT_APPROVAL, kind))
    rules = [length for page in _rules(pdf) for length in page]
    assert max(rules) <= TEXT_BLOCK_MM + 0.5
    # the first runs from after "六、" (4 characters in: 2 of indent, 2 of numeral; a character is
    # one 5.571 mm cell of the 28-character grid from v4 on), the others across the whole block
    assert sorted(round(r) for r in rules[:3]) == sorted([round(TEXT_BLOCK_MM - 4 * TEXT_BLOCK_MM / 28),
                                                          round(TEXT_BLOCK_MM), round(TEXT_BLOCK_MM)])


@pytest.mark.parametrize("kind", KINDS)
def test_the_three_lines_share_a_page(kind) -> None:
    pdf = doc.letters_pdf(doc.blank_letters(Scenario.ADMINISTRATIVE_SERVICE, kind))
    per_page = [len(page) for page in _rules(pdf)]
    assert sorted(per_page) == [0, 0, 3, 3]


@pytest.mark.parametrize("scenario", list(Scenario))
@pytest.mark.parametrize("kind", KINDS)
def test_signature_block_shares_its_page_with_body_text(scenario, kind) -> None:
    # GB/T 9704 (§1.3): no signature page without text; the closing stays with the signatures.
    pdf = doc.letters_pdf(doc.blank_letters(scenario, kind))
    pages = _page_texts(pdf)
    assert len(pages) == 4
    signature = "承诺单位（盖章）" if kind.is_unit else "承诺人（签字并按指印）"
    for page in pages:
        if signature in page:
            assert "本承诺书自签署之日起生效" in page


def test_filled_letter_without_an_applying_clause_shows_the_lines() -> None:
    letters = doc.filled_letters(parse_commitment_request(PERSON_LETTER), ISSUE, None)
    pdf = doc.letters_pdf(letters)
    assert "六、" in "".join(_page_texts(pdf))
    assert sum(len(page) for page in _rules(pdf)) == 6


def test_filled_letter_with_a_clause_prints_the_clause_and_no_lines() -> None:
    letters = doc.filled_letters(parse_commitment_request(UNIT_LETTER), ISSUE, CLAUSE)
    assert letters[0].open_lines == 0
    pdf = doc.letters_pdf(letters)
    assert "六、承诺在施工许可办理后" in "".join(_page_texts(pdf))
    assert sum(len(page) for page in _rules(pdf)) == 0


def test_clause_5_ends_with_a_semicolon_before_item_6() -> None:
    letter = doc.blank_letters(Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE)[0]
    assert letter.clauses[-1].endswith("向社会公示信息；")


def test_released_v2_prints_no_item_6() -> None:
    letters = doc.blank_letters(Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE, "v2")
    assert letters[0].open_lines == 0
    assert "六、" not in "".join(_page_texts(doc.letters_pdf(letters, "v2")))


def test_letters_1_layout_refuses_an_open_item() -> None:
    letters = doc.blank_letters(Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE)
    with pytest.raises(ValueError, match="letters-1"):
        doc.letters_docx(letters, "v2")


@pytest.mark.parametrize("kind", KINDS)
def test_blank_docx_prints_item_6_and_two_more_ruled_lines_per_copy(kind) -> None:
    data = doc.letters_docx(doc.blank_letters(Scenario.PROJECT_APPROVAL, kind))
    assert open_items(data) == [["rule", "rule"], ["rule", "rule"]]


def test_docx_ruled_lines_end_at_the_right_edge_and_keep_together() -> None:
    from app.documents.wordml import text_width_twips

    data = doc.letters_docx(doc.blank_letters(Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE))
    paragraphs = list(Document(io.BytesIO(data)).paragraphs)
    start = next(n for n, p in enumerate(paragraphs) if p.text == "六、\t")
    item = paragraphs[start:start + 3]
    stops = [[round(t.position.twips) for t in p.paragraph_format.tab_stops] for p in item]
    assert stops == [[text_width_twips()]] * 3
    assert [p.paragraph_format.keep_with_next for p in item] == [True, True, None]
    assert 'w:firstLineChars="200"' in item[0]._p.xml  # "六、" stands where a clause numeral does
    assert paragraphs[start + 3].text.startswith("本承诺书自签署之日起生效")


def test_docx_of_a_letter_with_a_clause_has_no_ruled_lines() -> None:
    letters = doc.filled_letters(parse_commitment_request(UNIT_LETTER), ISSUE, CLAUSE)
    data = doc.letters_docx(letters)
    paragraphs = list(Document(io.BytesIO(data)).paragraphs)
    assert [p.text[:8] for p in paragraphs if p.text.startswith("六、")] == ["六、承诺在施工许"] * 2
    assert not any(is_rule(p) for p in paragraphs)


def test_blank_cache_is_keyed_by_version(tmp_path) -> None:
    # A blank cached under an older version on disk is never served.
    stale = tmp_path / "blank-v2-project_approval-enterprise-pdf.pdf"
    stale.write_bytes(b"%PDF-stale")
    served = BlankCache(tmp_path).get(Scenario.PROJECT_APPROVAL, SubjectKind.ENTERPRISE, "pdf")
    assert served.data != b"%PDF-stale"
    assert "六、" in "".join(_page_texts(served.data))
    assert (tmp_path / f"blank-{CURRENT[Family.COMMITMENT]}-project_approval-enterprise-pdf.pdf").exists()
