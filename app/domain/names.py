"""Normalisation of 主体名称, 法定代表人姓名 and 承诺事项: NFC, no invisible characters; the width-folded
key (``name_key``) names are matched by."""

from __future__ import annotations

import unicodedata

from app.domain.chars import LINE_BREAKS, code_point, invisible_kind, quote_char
from app.domain.errors import FieldError

PERSON_NAME_MAX_LEN = 30
"""[D] domain-rules §2.2: 法定代表人 2–30 characters (long 少数民族 transliterations fit)."""
ORG_NAME_MAX_LEN = 100
"""[D] 60 is too short for registered branch names (总公司 + 分公司 + 营业网点 …); 100 fits them."""
MATTER_MAX_LEN = 200
RECEIVING_UNIT_MAX_LEN = 100
EXTRA_CLAUSE_MAX_LEN = 500

RAW_LENGTH_FACTOR = 4
"""Text longer than ``RAW_LENGTH_FACTOR`` × the field's limit is refused before any
normalising: NFC, collapsing whitespace and dropping spaces shorten a text, but never to a
quarter (a 15 MB 承诺事项 took 36 s to normalise before its 400; issue 10 §4)."""

MIDDLE_DOT = "\u00b7"
"""间隔号 used in 少数民族 and foreign names (阿依古丽·买买提)."""
MIDDLE_DOT_LOOKALIKES = frozenset("\u2022\u2027\u2219\u22c5\u2e31\u30fb\uff0e\uff65")
"""•, ‧, ∙, ⋅, ⸱, ・ (katakana), ． (full-width full stop), ･ : typed in place of ·."""
HYPHEN_LOOKALIKES = frozenset("\u2010\u2011\u2212\uff0d")
APOSTROPHE_LOOKALIKES = frozenset("\u2019\u02bc\uff07")

LATIN_PUNCTUATION = frozenset(" -'.")
"""Allowed with Latin letters in foreign names (John O'Neil-Smith Jr.)."""
ORG_PUNCTUATION = frozenset("()（）、-&")
"""Punctuation common in registered names (凌源市某某有限公司（分公司）、A&B)."""

CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3007, 0x3007),  # 〇
    (0x3400, 0x4DBF),  # Ext A
    (0x4E00, 0x9FFF),  # URO
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x2A6DF),  # Ext B
    (0x2A700, 0x2B73F),  # Ext C
    (0x2B740, 0x2B81F),  # Ext D
    (0x2B820, 0x2CEAF),  # Ext E
    (0x2CEB0, 0x2EBEF),  # Ext F
    (0x2EBF0, 0x2EE5F),  # Ext I
    (0x2F800, 0x2FA1F),  # Compatibility Supplement
    (0x30000, 0x3134F),  # Ext G
    (0x31350, 0x323AF),  # Ext H
)
"""汉字 blocks as ranges: Ext H/I are unassigned in the Unicode data of Python 3.11."""


def is_cjk_ideograph(char: str) -> bool:
    """True for a 汉字 of any CJK Unified/Compatibility block (URO, Ext A–I) or 〇."""
    value = ord(char)
    return any(low <= value <= high for low, high in CJK_RANGES)


def is_latin_letter(char: str) -> bool:
    """True for a Latin letter, accented ones included (é, ñ, ü)."""
    return unicodedata.category(char).startswith("L") and unicodedata.name(char, "").startswith(
        "LATIN "
    )


def _nfc_text(value: object, field: str, label: str, max_len: int) -> str:
    """Type-check, bound the length, NFC-normalise and refuse invisible characters;
    whitespace becomes " "."""
    if not isinstance(value, str):
        raise FieldError(field, f"{label}应为文本")
    if len(value) > RAW_LENGTH_FACTOR * max_len:
        raise FieldError(field, f"{label}不能超过{max_len}个字符，当前为{len(value)}个字符")
    text = unicodedata.normalize("NFC", value)
    for char in text:
        kind = invisible_kind(char)
        if kind is not None:
            raise FieldError(field, f"{label}含不允许的{kind}({code_point(char)})")
    return "".join(" " if c in LINE_BREAKS or c.isspace() else c for c in text)


def _collapse_spaces(text: str) -> str:
    return " ".join(text.split())


def _is_latin_side(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-'.&()") or is_latin_letter(char)


def _drop_spaces_between_cjk(text: str, judged: str | None = None) -> str:
    """Keep a space only between two Latin-script neighbours ("John Smith"); "张 三" -> "张三".

    ``judged``: the same text character for character in another form (width-folded), whose
    neighbours decide: "ＪＯＨＮ ＳＭＩＴＨ" keeps its space like "JOHN SMITH"."""
    judged = text if judged is None else judged
    kept: list[str] = []
    for index, char in enumerate(text):
        if char == " ":
            before, after = judged[index - 1], judged[index + 1]
            if not (_is_latin_side(before) and _is_latin_side(after)):
                continue
        kept.append(char)
    return "".join(kept)


def _fold_lookalikes(text: str) -> str:
    """Look-alike middle dots, hyphens and apostrophes: typed in place of ·, - and '."""
    folded: list[str] = []
    for char in text:
        if char in MIDDLE_DOT_LOOKALIKES:
            char = MIDDLE_DOT
        elif char in HYPHEN_LOOKALIKES:
            char = "-"
        elif char in APOSTROPHE_LOOKALIKES:
            char = "'"
        folded.append(char)
    return "".join(folded)


def _fold_width(text: str, *, organisation: bool) -> str:
    """Full-width letters and digits (and ＆ in registered names) from an IME as ASCII, one
    character for one: what the character rules judge (the name keeps its width)."""
    folded: list[str] = []
    for char in text:
        if (
            "\uff10" <= char <= "\uff19"
            or "\uff21" <= char <= "\uff3a"
            or ("\uff41" <= char <= "\uff5a")
        ):
            char = chr(ord(char) - 0xFEE0)
        elif char == "\uff06" and organisation:
            char = "&"
        folded.append(char)
    return "".join(folded)


def name_key(name: str) -> str:
    """What two names are compared by: NFKC, so width does not count ("ＡＢＣ有限公司" is
    "ABC有限公司", "（分公司）" is "(分公司)") while the name itself keeps the form typed
    (issue 12 §5). Supersession (policy 五(三)2) and the letter a filing carries compare
    names by this key; the search index holds it (NFKC) too."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def normalise_name(
    value: str,
    field: str,
    label: str,
    *,
    min_len: int = 2,
    max_len: int = PERSON_NAME_MAX_LEN,
    allow_latin: bool = True,
    organisation: bool = False,
) -> str:
    """Normalise and validate a name (姓名 or 名称).

    NFC; invisible characters (control, bidi, zero-width, private-use) refused;
    look-alike middle dots folded to "·"; whitespace collapsed and dropped unless between two
    Latin-script characters. Full-width letters and digits are judged as ASCII but kept as
    typed: the letter prints "ＡＢＣ有限公司" as the applicant wrote it (issue 12 §5); names are
    matched by ``name_key``. NFC itself still maps a compatibility ideograph such as U+F900 豈 to
    its unified twin U+8C48: a name is kept as typed only as far as it is valid NFC.

    :param value: the name as typed.
    :param field: API field name for errors; ``label``: its Chinese label.
    :param min_len: minimum length in characters after normalisation.
    :param max_len: maximum length in characters after normalisation.
    :param allow_latin: accept Latin letters, space, hyphen, apostrophe and period.
    :param organisation: also accept digits, （）(), 、, - and & (registered names).
    :returns: the normalised name, full-width letters and digits as typed.
    :raises FieldError: empty, forbidden character (quoted with its code point),
        misplaced "·", unbalanced brackets, too short or too long.
    """
    typed = _collapse_spaces(_fold_lookalikes(_nfc_text(value, field, label, max_len)))
    shown = _drop_spaces_between_cjk(typed, _fold_width(typed, organisation=organisation))
    text = _fold_width(shown, organisation=organisation)  # judged by the rules below
    if not text:
        raise FieldError(field, f"请填写{label}")
    for char in text:
        if not _name_char_allowed(char, allow_latin=allow_latin, organisation=organisation):
            raise _char_refused(char, field, label)
    if not any(is_cjk_ideograph(c) or is_latin_letter(c) for c in text):
        raise FieldError(field, f"{label}应包含汉字或字母")
    if text[0] == MIDDLE_DOT or text[-1] == MIDDLE_DOT or MIDDLE_DOT * 2 in text:
        raise FieldError(field, f"{label}中的间隔号“·”位置不正确")
    if organisation:
        _check_brackets(text, field, label)
    _check_length(text, field, label, min_len, max_len)
    return shown


def _name_char_allowed(char: str, *, allow_latin: bool, organisation: bool) -> bool:
    """Whether ``char`` may stand in a name (see ``normalise_name``)."""
    if is_cjk_ideograph(char) or char == MIDDLE_DOT:
        return True
    if allow_latin and (is_latin_letter(char) or char in LATIN_PUNCTUATION):
        return True
    return organisation and (char in ORG_PUNCTUATION or char.isascii() and char.isdigit())


def _char_refused(char: str, field: str, label: str) -> FieldError:
    """The error for a refused character, quoting it (or its code point when unassigned)."""
    if unicodedata.category(char) == "Cn":
        return FieldError(field, f"{label}含未定义的字符({code_point(char)})")
    return FieldError(field, f"{label}含不允许的字符{quote_char(char)}")


def _check_length(text: str, field: str, label: str, min_len: int, max_len: int) -> None:
    if len(text) < min_len:
        raise FieldError(field, f"{label}至少应为{min_len}个字符")
    if len(text) > max_len:
        raise FieldError(field, f"{label}不能超过{max_len}个字符，当前为{len(text)}个字符")


def _check_brackets(text: str, field: str, label: str) -> None:
    depth = 0
    for char in text:
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        raise FieldError(field, f"{label}中的括号不配对")


def normalise_person_name(
    value: str, field: str, label: str, *, max_len: int = PERSON_NAME_MAX_LEN
) -> str:
    """Normalise a natural person's name (自然人姓名, 法定代表人（负责人）姓名): 2–30 characters.

    :raises FieldError: see ``normalise_name``.
    """
    return normalise_name(value, field, label, min_len=2, max_len=max_len, allow_latin=True)


def normalise_org_name(
    value: str, field: str, label: str, *, max_len: int = ORG_NAME_MAX_LEN
) -> str:
    """Normalise a registered organisation name (主体名称 as on the 营业执照): 2–100 characters.

    :raises FieldError: see ``normalise_name``.
    """
    return normalise_name(
        value, field, label, min_len=2, max_len=max_len, allow_latin=True, organisation=True
    )


def normalise_free_text(value: str, field: str, label: str, max_len: int) -> str:
    """Normalise a one-line free text (承诺事项, 接受承诺单位, 其他承诺).

    NFC; invisible characters refused; line breaks and runs of whitespace become one
    space. Letters, digits, punctuation and symbols of the Basic Multilingual Plane
    (plus 汉字 of any block) are allowed; combining marks left after NFC and
    characters outside the BMP (emoji) are refused: the document fonts cannot set them.

    :raises FieldError: empty, forbidden character or longer than ``max_len``.
    """
    text = _collapse_spaces(_nfc_text(value, field, label, max_len))
    if not text:
        raise FieldError(field, f"请填写{label}")
    for char in text:
        if is_cjk_ideograph(char) or char == " ":
            continue
        category = unicodedata.category(char)
        if category[0] in "LNPS" and ord(char) <= 0xFFFF:
            continue
        if category == "Cn":
            raise FieldError(field, f"{label}含未定义的字符({code_point(char)})")
        raise FieldError(field, f"{label}含不允许的字符{quote_char(char)}")
    if len(text) > max_len:
        raise FieldError(field, f"{label}不能超过{max_len}个字符，当前为{len(text)}个字符")
    return text
