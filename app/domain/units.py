"""接受承诺单位 names: a letter is addressed to a unit of the registry, never to free text (issue 12 §2)."""

from __future__ import annotations

import difflib
import os.path
import unicodedata
from collections.abc import Collection

from app.domain.errors import FieldError

SUGGESTIONS = 3
"""How many close names an error message offers."""


def _key(name: str) -> str:
    """Comparison form: NFKC (full-width forms), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def _is_subsequence(short: str, long: str) -> bool:
    """True when the characters of ``short`` appear in ``long`` in order ("住建局" in "住房和城乡建设局")."""
    rest = iter(long)
    return all(char in rest for char in short)


def _shared_prefix(names: Collection[str]) -> str:
    """What every registered name starts with ("凌源市"): it tells the units apart not at all."""
    return os.path.commonprefix(list(names)) if len(names) > 1 else ""


def closest_unit_names(typed: str, names: Collection[str], limit: int = SUGGESTIONS) -> list[str]:
    """Registry names a user most likely meant by ``typed``, best first.

    Abbreviations come first ("住建局" -> 凌源市住房和城乡建设局: its characters in order; an old
    "…委" for today's "…局", "发改委" -> 凌源市发展和改革局), then
    names that look alike (difflib ratio ≥ 0.5, "凌源市财务局" -> 凌源市财政局). The prefix all
    names share (the city) is left out of the comparison, so "凌源市不存在局" suggests nothing
    rather than any 凌源市…局.
    """
    keyed = {_key(name): name for name in names}
    prefix = _shared_prefix(list(keyed))
    key = _key(typed).removeprefix(prefix)
    if not key:
        return []
    bare = {k.removeprefix(prefix): k for k in keyed}
    # Many bureaus were 委 before the 2019 reform and people still say so (发改委 -> 发改局).
    keys = [key, key[:-1] + "局"] if key.endswith("委") else [key]
    abbreviated = sorted((b for b in bare if any(_is_subsequence(k, b) for k in keys)), key=len)
    alike = difflib.get_close_matches(key, list(bare), n=limit, cutoff=0.5)
    ordered = list(dict.fromkeys([*abbreviated, *alike]))
    return [keyed[bare[b]] for b in ordered[:limit]]


def registered_unit_name(typed: str, names: Collection[str], *, field: str = "receiving_unit") -> str:
    """The registry's spelling of the unit ``typed`` names (full-width forms and spaces ignored).

    :param typed: the unit as typed or chosen.
    :param names: every receiving unit's name in the registry.
    :returns: the registry's name.
    :raises FieldError: not in the registry; the message offers the closest names.
    """
    by_key = {_key(name): name for name in names}
    found = by_key.get(_key(typed))
    if found is not None:
        return found
    close = closest_unit_names(typed, names)
    hint = f"您是否要选择：{'、'.join(close)}" if close else "请从列表中选择本市的接受承诺单位"
    raise FieldError(field, f"“{typed}”不是本平台登记的接受承诺单位，{hint}")
