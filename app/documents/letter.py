"""The layout-neutral content of one printed letter, shared by the PDF and DOCX renderers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterField:
    """One labelled line above the body (承诺主体名称：…)."""

    label: str
    """Label without the trailing colon, e.g. "承诺主体名称"."""
    value: str
    """Filled value; an empty string prints a blank line to write on."""


@dataclass(frozen=True)
class Letter:
    """One copy of a 信用承诺书 as it appears on paper (GB/T 9704 page)."""

    title: str
    """Document title, 2号小标宋, e.g. "信用承诺书"."""
    subtitle: str
    """Scenario line under the title, e.g. "（适用于项目审批、核准、备案）"."""
    fields: tuple[LetterField, ...]
    """Subject lines printed before the preamble."""
    preamble: str
    """Opening paragraph ending in "郑重承诺如下：" (indented two characters)."""
    clauses: tuple[str, ...]
    """Clause texts without numbering; renderers number them 一、二、三…"""
    closing: str
    """Closing paragraph, e.g. "本承诺书自签署之日起生效。"."""
    signature_lines: tuple[str, ...]
    """Signature block lines (承诺单位（盖章）：…), right side of the page."""
    date_text: str
    """成文日期 "2026年11月29日" (no zero padding) or "    年    月    日" for a blank letter."""
    signer: str = ""
    """署名 centred above the date (GB/T 9704 7.3.5), where the seal presses on name and date;
    empty for a blank letter."""
    number: str = ""
    """Issued number (LYXY-CN-…); empty for a blank letter."""
    verification_code: str = ""
    """Verification code printed next to the QR code; empty for a blank letter."""
    verify_url: str = ""
    """URL encoded in the QR code; empty for a blank letter (no QR code)."""
    copy_label: str = ""
    """一式两份 marker: "承诺人留存" or "接受承诺单位留存"; empty when not split."""
    receiving_unit: str = ""
    """接受承诺单位, printed as the addressee line when set."""
    open_lines: int = 0
    """Ruled lines of one more numbered item after the clauses, to write on by hand (policy
    五(二)6 when no receiving unit's clause applies, template v3 on); 0: no such item."""
    verify_caption: str = ""
    """Caption under the QR code from the version's wording.json; empty (every version so far):
    the layout's own, as the version's markup prints it."""
    code_label: str = ""
    """Label before the verification code, from the wording as verify_caption; empty: the
    layout's own."""
