"""Synthetic platform exports for tests and benches: ``n`` valid 行政处罚 rows with distinct
subjects (valid 统一社会信用代码 of Lingyuan, 211382) and decision numbers."""

from __future__ import annotations

from app.domain.identifiers import USCC_ALPHABET, uscc_check_char

HEADER = ("record_type,subject_code,subject_name,source_department,decision_number,decided_on,"
          "valid_until,grade,ground,severity,repaired_on,summary")


def synthetic_code(i: int) -> str:
    """The ``i``-th code: 91211382 + 9 characters counting ``i`` in the USCC alphabet + check."""
    body, n = [], i + 1
    for _ in range(9):
        n, digit = divmod(n, len(USCC_ALPHABET))
        body.append(USCC_ALPHABET[digit])
    code17 = "91211382" + "".join(reversed(body))
    return code17 + uscc_check_char(code17)


def synthetic_csv(n: int, *, tag: str = "A", bad_every: int = 0) -> bytes:
    """A CSV export of ``n`` penalty rows; with ``bad_every`` every that many rows has an
    invalid code (a wrong check character)."""
    lines = [HEADER]
    for i in range(n):
        code = synthetic_code(i)
        if bad_every and (i + 1) % bad_every == 0:
            code = code[:17] + ("0" if code[17] != "0" else "1")
        lines.append(f"penalty,{code},凌源市示例企业{i}有限公司,凌源市市场监督管理局,"
                     f"凌市监罚〔2026〕{tag}{i}号,2026-05-01,,,,一般,,未按规定公示年度报告")
    return ("\n".join(lines) + "\n").encode("utf-8")
