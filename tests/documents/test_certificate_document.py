"""信用核查结果告知书 as a document (issue 14 §2), measured from the PDF: no page of 署名, date and
seal without body text (GB/T 9704 7.3.5) for 1 to 10 black-list grounds; the 发文字号 and the 主送
where GB/T 9704 puts them; the subject's full name on the certificate to the department."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from app.documents.certificate import CertificateHeader, certificate_context, certificate_pdf
from app.documents.registry import CURRENT, Family
from app.domain.credit_check import Purpose, check_credit
from app.domain.credit_records import CreditRecord, RecordType
from app.domain.numbers import DocumentType, file_number, format_document_number
from tests.documents.gbt9704 import BOTTOM_MM, LEFT_MM, LINE_PITCH_MM, RIGHT_MM, TOP_MM, Line, pages

ON = date(2026, 11, 29)
ISSUER = "凌源市住房和城乡建设局"
ADDRESSEE = "凌源市公共资源交易中心"
NUMBER = format_document_number(DocumentType.HC, 2026, 12)
USCC = "91211382MA0AY4CL0L"
PERSON = "211382199003071237"


def grounds(n: int, code: str = USCC, name: str = "凌源市示例劳务有限公司") -> list[CreditRecord]:
    """``n`` black-list records on grounds 1..n (七(一)), their summaries of varying length so
    that the page breaks fall at different places."""
    return [CreditRecord(
        record_type=RecordType.BLACK_LIST, subject_code=code, subject_name=name,
        source_department="凌源市人力资源和社会保障局", decision_number=f"凌人社欠薪〔2026〕{g}号",
        decided_on=date(2026, 6, 20), ground=g, severity="严重",
        summary="拖欠农民工工资，经责令限期支付逾期仍未支付" + "，另有情节" * ((g * 3 + n) % 5))
        for g in range(1, n + 1)]


@cache
def rendered(n: int, person: bool = False) -> bytes:
    code, name = (PERSON, "张三丰") if person else (USCC, "凌源市示例劳务有限公司")
    result = check_credit(grounds(n, code, name), Purpose.BIDDING, ON)
    header = CertificateHeader(
        number=NUMBER, verification_code="ABCD2345", verify_url="https://x.example/verify?no=1",
        subject_name=name, subject_code="2*************1237" if person else code,
        code_label="身份证号码" if person else "统一社会信用代码", issuer=ISSUER, issued_on=ON,
        addressee=ADDRESSEE)
    return certificate_pdf(certificate_context(header, result))


def _index(line: Line) -> int:
    return round((line.top_mm - TOP_MM) / LINE_PITCH_MM)


def _in_block(page: list[Line]) -> list[Line]:
    return [ln for ln in page if ln.top_mm < BOTTOM_MM]


def test_the_current_version_is_measured() -> None:
    assert CURRENT[Family.CERTIFICATE] == "v3"


@pytest.mark.parametrize("n", range(1, 11))
def test_sign_off_never_stands_without_body_text(n: int) -> None:
    """GB/T 9704 7.3.5 (no "此页无正文"): the page with the 署名 and the date carries at least two
    lines of body text above them; every page has body text."""
    measured = pages(rendered(n))
    assert len(measured) >= 2 or n == 1
    signed = [p for p in measured if any(ln.text == ISSUER for ln in p)]
    assert len(signed) == 1
    page = signed[0]
    signer = next(ln for ln in page if ln.text == ISSUER)
    dated = next(ln for ln in page if ln.text == "2026年11月29日")
    assert _index(dated) == _index(signer) + 1
    body_above = [ln for ln in _in_block(page) if ln.top_mm < signer.top_mm - 1]
    assert len(body_above) >= 2, [ln.text for ln in page]
    assert body_above[-1].text.endswith("。")  # the closing paragraph ends there, whole
    assert _index(signer) - _index(body_above[-1]) == 2  # one blank line between (seal's room)
    for other in measured:
        assert len([ln for ln in _in_block(other) if ln.text not in (ISSUER, "2026年11月29日")]) >= 2


@pytest.mark.parametrize("n", [1, 4, 10])
def test_every_ground_is_printed(n: int) -> None:
    text = "".join(ln.text for page in pages(rendered(n)) for ln in page)
    for g in range(1, n + 1):
        assert f"凌人社欠薪〔2026〕{g}号" in text


def test_file_number_and_addressee_stand_where_gbt_9704_puts_them() -> None:
    first = pages(rendered(1))[0]
    title = next(ln for ln in first if ln.text == "信用核查结果告知书")
    ref = next(ln for ln in first if ln.text == "凌信核〔2026〕12号")
    assert _index(ref) == _index(title) + 1
    middle = (ref.left_mm + ref.end_mm) / 2
    assert abs(middle - (LEFT_MM + RIGHT_MM) / 2) < 3  # centred
    to = next(ln for ln in first if ln.text.startswith(ADDRESSEE))
    assert to.text == ADDRESSEE + "："  # full-width colon, flush left, one blank line below
    assert abs(to.left_mm - LEFT_MM) < 0.3
    assert _index(to) == _index(ref) + 2


def test_file_number_comes_from_the_document_number() -> None:
    assert file_number(NUMBER) == "凌信核〔2026〕12号"
    assert file_number(format_document_number(DocumentType.HC, 2027, 1)) == "凌信核〔2027〕1号"
    with pytest.raises(ValueError):
        file_number(format_document_number(DocumentType.CN, 2026, 1))


def test_the_department_reads_the_full_name_but_never_the_id_number() -> None:
    text = "".join(ln.text for page in pages(rendered(1, person=True)) for ln in page)
    assert "核查对象：张三丰" in text
    assert PERSON not in text
