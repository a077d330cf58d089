"""User-trial findings on the issue 12 workflow (trials 4, 13–19): one test through HTTP each."""

from __future__ import annotations

import re

from tests.web.test_filings import filing_id, issued_pdf, upload


def _supersession_note(page: str) -> str:
    found = re.search(r'<div id="supersession".*?</div>', page, re.S)
    return found.group(0) if found else ""


def test_review_page_warns_which_published_letter_approval_marks_updated(app, client, clerk,
                                                                         reviewer):
    """Trial 4: the 通过 button said nothing about the older letter it would mark 已更新."""
    _, old_pdf = issued_pdf(client)
    old = filing_id(upload(clerk, old_pdf))
    assert _supersession_note(reviewer.get(f"/staff/filings/{old}").get_data(as_text=True)) == ""
    reviewer.post(f"/staff/review/{old}/approve")
    _, same_pdf = issued_pdf(client, matter="另一事项施工许可")  # same name and representative
    same = filing_id(upload(clerk, same_pdf))
    assert _supersession_note(reviewer.get(f"/staff/filings/{same}").get_data(as_text=True)) == ""
    _, new_pdf = issued_pdf(client, legal_representative="李新")
    new = filing_id(upload(clerk, new_pdf))
    page = reviewer.get(f"/staff/filings/{new}").get_data(as_text=True)
    note = _supersession_note(page)
    assert "已更新" in note
    assert f'href="/staff/filings/{old}"' in note
    assert f"/staff/filings/{same}\"" not in note  # not published: nothing to mark
    assert page.index('id="supersession"') < page.index("通过并公示")  # beside the button
    # the warning says what approval then does
    assert reviewer.post(f"/staff/review/{new}/approve").status_code == 303
    old_page = reviewer.get(f"/staff/filings/{old}").get_data(as_text=True)
    assert "（已更新）" in old_page
    # an older letter filed late: warned that it is 已更新 at once
    _, late_pdf = issued_pdf(client, legal_representative="王旧")
    late = filing_id(upload(clerk, late_pdf, commitment_date="2026-01-05"))
    note = _supersession_note(reviewer.get(f"/staff/filings/{late}").get_data(as_text=True))
    assert f'href="/staff/filings/{new}"' in note
    assert "通过后即显示为“已更新”" in note
    assert "将标为“已更新”" not in note, note
