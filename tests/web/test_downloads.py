"""Download names: the UTF-8 name plus a clean ASCII fallback (issue 12 §5)."""

from __future__ import annotations

import pytest

from app.web.downloads import ascii_file_name


@pytest.mark.parametrize(("name", "fallback"), [
    ("信用承诺书（LYXY-CN-2026-0000016）.pdf", "commitment-LYXY-CN-2026-0000016.pdf"),
    ("信用核查统计-2026年11月.csv", "credit-check-stats-2026-11.csv"),
    ("信用承诺书（项目审批、核准、备案·单位·空白）.pdf", "commitment-project-approval-unit-blank.pdf"),
    ("LYXY-CN-2026-0000016（已盖章）.pdf", "LYXY-CN-2026-0000016-stamped.pdf"),
    ("合同.docx", "document.docx"),
    ("合同 v2.final.PDF", "v2.final.pdf"),
    ("Ｆｕｌｌ.pdf", "Full.pdf"),
    ("无扩展名", "document"),
])
def test_ascii_file_name(name: str, fallback: str) -> None:
    assert ascii_file_name(name) == fallback


def test_letter_download_offers_the_number_as_ascii_name(client, commitments):
    body = commitments.create().get_json()
    disposition = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).headers[
        "Content-Disposition"]
    assert f'filename="commitment-{body["number"]}.pdf"' in disposition


def test_letter_download_keeps_the_chinese_name(client, commitments):
    body = commitments.create().get_json()
    disposition = client.get(body["pdf_url"].removeprefix("http://127.0.0.1:8000")).headers[
        "Content-Disposition"]
    assert "filename*=UTF-8''%E4%BF%A1%E7%94%A8" in disposition  # 信用…
