"""Downloads: a clean ASCII fallback file name beside the UTF-8 one (issue 12 §5).

Werkzeug's ``send_file`` derives the plain ``filename=`` from the Chinese name by dropping what
is not ASCII, which leaves ``(LYXY-CN-2026-0000016).pdf`` or ``-202611.csv`` for browsers and
tools that ignore ``filename*``. One after-request hook rewrites it for every download.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from flask import Flask, Response

from app.domain.commitments import Scenario

_UTF8_NAME = re.compile(r"filename\*=UTF-8''([^;]+)")
_PLAIN_NAME = re.compile(r'filename=(?:"[^"]*"|[^;]*)')
GLOSSARY = {
    "信用承诺书": "commitment", "信用核查结果告知书": "credit-check", "信用核查统计": "credit-check-stats",
    "信用等级评价报告": "rating-report", "信用报告": "credit-report", "公示": "public",
    "空白": "blank", "已盖章": "stamped", "盖章": "stamped", "单位": "unit", "个人": "person",
    **{scenario.label: scenario.value.replace("_", "-") for scenario in Scenario},
}
"""Words of our own file names spelled in ASCII, longest first when applied, so the plain name
still says what the file is ("信用承诺书（…·空白）.pdf" -> "commitment-...-blank.pdf")."""
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*")


def ascii_file_name(name: str) -> str:
    """The ASCII name offered beside ``name``: its ASCII words joined by "-", the extension kept.

    "信用承诺书（LYXY-CN-2026-0000016）.pdf" -> "commitment-LYXY-CN-2026-0000016.pdf";
    "信用核查统计-2026年11月.csv" -> "credit-check-stats-2026-11.csv"; "合同.docx" -> "document.docx".
    """
    stem, dot, ext = name.rpartition(".")
    if not dot or not ext.isascii() or not ext.isalnum():
        stem, ext = name, ""
    for word in sorted(GLOSSARY, key=len, reverse=True):
        stem = stem.replace(word, f" {GLOSSARY[word]} ")
    spelled = "".join(c if c.isascii() else " " for c in unicodedata.normalize("NFKD", stem))
    words = _ASCII_TOKEN.findall(spelled)
    return ("-".join(words) or "document") + (f".{ext.lower()}" if ext else "")


def clean_content_disposition(resp: Response) -> Response:
    header = resp.headers.get("Content-Disposition", "")
    found = _UTF8_NAME.search(header)
    if found:
        fallback = ascii_file_name(unquote(found.group(1)))
        resp.headers["Content-Disposition"] = _PLAIN_NAME.sub(
            lambda _: f'filename="{fallback}"', header, count=1)
    return resp


def init_app(app: Flask) -> None:
    app.after_request(clean_content_disposition)
