"""The fixed text of released document versions, read from each version's wording.json (never from
code): the one loader (:func:`wording_data`) and the 信用承诺书's view of it (:class:`LetterWording`).
The report scaffolds' view is ``app.documents.reports.wording``.

A letter's wording is part of the released version: policy 五(二)1–5 verbatim (the source's half-width
punctuation set full-width as on paper), preamble, closing (policy 五(三)2), signature block, field
labels and subtitles. A letter issued with a version re-renders with that version's wording.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.documents.registry import Family, template_version
from app.documents.render import TEMPLATE_DIR
from app.domain.commitments import Scenario
from app.domain.subjects import SubjectKind


@dataclass(frozen=True)
class LetterWording:
    """The printed text of one 信用承诺书 version (see templates/commitment/<version>/wording.json)."""

    title: str
    """Document title, e.g. "信用承诺书"."""
    subtitles: dict[str, str]
    """Scenario value -> line under the title, e.g. "（适用于项目审批、核准、备案）"."""
    subject_kinds: dict[str, str]
    """Unit kind value -> 主体类型 as printed, e.g. "企业/法人"."""
    copy_labels: tuple[str, ...]
    """一式两份 (policy 五(三)2): one copy for the subject, one for the receiving unit."""
    numerals: str
    """Clause numerals 一二三…, one character per clause."""
    blank_date: str
    """成文日期 of a blank form, to write on."""
    fields: dict[str, tuple[str, ...]]
    """"unit" / "person" -> labels of the lines above the body, in order."""
    pronoun_placeholder: str
    """The policy's "本单位（个人）", replaced by the subject's pronoun."""
    pronouns: dict[str, str]
    """"unit" -> "本单位", "person" -> "本人"."""
    preamble: str
    """Opening paragraph with a ``{pronoun}`` slot."""
    policy_clauses: tuple[str, ...]
    """Policy 五(二)1–5 without end punctuation."""
    clause_end: str
    """Ends every clause but the last ("；")."""
    last_clause_end: str
    """Ends the last clause ("。")."""
    closing: str
    """Closing paragraph: effect, liability and consent to publication."""
    signature_lines: dict[str, tuple[str, ...]]
    """"unit" / "person" -> signature block lines (a unit seals, its 法定代表人 signs)."""
    open_item_lines: int = 0
    """Ruled lines of the item that gives policy 五(二)6 ("需要作出的其他承诺") its place when
    no receiving unit's clause applies: the item after the policy clauses, numbered, with this
    many lines to write on (v3 on); 0: no such item (v1, v2: the clause is printed or nothing)."""
    verify_caption: str = ""
    """Caption under the QR code, e.g. "扫码核验真伪", for a version whose wording.json has it
    (none yet: v1–v4 print it from their markup; DOCX layout letters-3 prints v4's)."""
    code_label: str = ""
    """Label of the verification code under the caption, e.g. "验证码：" (as verify_caption)."""

    def _who(self, kind: SubjectKind) -> str:
        return "unit" if kind.is_unit else "person"

    def subtitle(self, scenario: Scenario) -> str:
        return self.subtitles[scenario.value]

    def field_labels(self, kind: SubjectKind) -> tuple[str, ...]:
        return self.fields[self._who(kind)]

    def kind_label(self, kind: SubjectKind) -> str:
        """主体类型 as printed on a unit's letter."""
        return self.subject_kinds[kind.value]

    def preamble_for(self, kind: SubjectKind) -> str:
        """Opening paragraph ending in "郑重承诺如下：" ("本人" for 自然人)."""
        return self.preamble.format(pronoun=self.pronouns[self._who(kind)])

    def clauses(self, kind: SubjectKind, extra_clause: str | None = None) -> tuple[str, ...]:
        """The clauses without numbering: policy 五(二)1–5 with the subject's pronoun, then
        clause 6 (五(二)6, the receiving unit's matter-specific text, already normalised by
        ``app.domain.commitments.normalise_extra_clause``) when given. Without it, in a version
        with an open item (``open_lines``), the item to write on follows: clause 5 ends "；"."""
        pronoun = self.pronouns[self._who(kind)]
        texts = [c.replace(self.pronoun_placeholder, pronoun) for c in self.policy_clauses]
        if extra_clause:
            texts.append(extra_clause)
        last_end = self.clause_end if self.open_lines(extra_clause) else self.last_clause_end
        return (tuple(c + self.clause_end for c in texts[:-1])
                + (texts[-1] + last_end,))

    def open_lines(self, extra_clause: str | None) -> int:
        """Ruled lines printed as the item after the clauses (policy 五(二)6 to write in by
        hand): none when the receiving unit's clause fills that place."""
        return 0 if extra_clause else self.open_item_lines

    def signature_block(self, kind: SubjectKind) -> tuple[str, ...]:
        return self.signature_lines[self._who(kind)]


@cache
def wording_data(family: Family, version: str) -> dict[str, Any]:
    """The parsed wording.json of released ``version`` of ``family``, read once per process and
    shared: callers must not modify it.

    :raises UnknownTemplateVersion: no such released version.
    :raises ValueError: the version names no wording file (its markup holds its text).
    """
    t = template_version(family, version)
    if t.wording is None:
        raise ValueError(f"{t.folder} has no wording file")
    return json.loads((TEMPLATE_DIR / t.path(t.wording)).read_text(encoding="utf-8"))


@cache
def letter_wording(version: str) -> LetterWording:
    """The wording of 信用承诺书 ``version``; raises ``UnknownTemplateVersion``."""
    raw = wording_data(Family.COMMITMENT, version)
    return LetterWording(
        title=raw["title"], subtitles=dict(raw["subtitles"]),
        subject_kinds=dict(raw["subject_kinds"]), copy_labels=tuple(raw["copy_labels"]),
        numerals=raw["numerals"], blank_date=raw["blank_date"],
        fields={k: tuple(v) for k, v in raw["fields"].items()},
        pronoun_placeholder=raw["pronoun_placeholder"], pronouns=dict(raw["pronouns"]),
        preamble=raw["preamble"], policy_clauses=tuple(raw["policy_clauses"]),
        clause_end=raw["clause_end"], last_clause_end=raw["last_clause_end"],
        closing=raw["closing"],
        signature_lines={k: tuple(v) for k, v in raw["signature_lines"].items()},
        open_item_lines=int(raw.get("open_item_lines", 0)),
        verify_caption=raw.get("verify_caption", ""), code_label=raw.get("code_label", ""))
