"""Name resolution: turn what a user types ("H100 SXM", "RTX 4090", "M2 Ultra 76-core") into an id.

Generic over the kind of thing (hardware, system, model...): the caller hands in the ids and an
alias map. Order: exact id, alias, unique prefix, unique substring; several matches raise
:class:`AmbiguousNameError` with the choices, none raises :class:`UnknownNameError` with the
nearest ids (difflib).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from spicetrader.errors import AmbiguousNameError, UnknownNameError

__all__ = ["NameIndex", "compact", "normalize", "resolve"]

_NOISE_WORDS = frozenset({"nvidia", "geforce", "apple", "amd", "intel", "google"})
_SEPARATORS = re.compile(r"[\s_/]+")
_DASHES = re.compile(r"-{2,}")
MAX_SUGGESTIONS = 5


def normalize(name: str) -> str:
    """Lowercase, spaces/underscores -> '-', vendor words dropped, repeated dashes collapsed."""
    text = _SEPARATORS.sub("-", name.strip().lower())
    words = [w for w in text.split("-") if w and w not in _NOISE_WORDS]
    return _DASHES.sub("-", "-".join(words))


def compact(name: str) -> str:
    """The normalised name without any separator ("h100sxm"), for a looser exact match."""
    return normalize(name).replace("-", "").replace(".", "")


def _unique_or_none(kind: str, name: str, matches: set[str]) -> str | None:
    if len(matches) == 1:
        return next(iter(matches))
    if len(matches) > 1:
        raise AmbiguousNameError(kind, name, matches)
    return None


def _prefer_whole_tail(query: str, matches: set[str], forms: Mapping[str, str]) -> set[str]:
    """Among several matches keep those the query ends exactly ("3090" -> rtx-3090, not -ti)."""
    tails = {m for m in matches if forms[m] == query or forms[m].endswith("-" + query)}
    return tails if len(tails) == 1 else matches


class NameIndex:
    """Spellings of a fixed set of ids, built once; :meth:`resolve` is then cheap.

    Precedence: an id, then an alias (both normalised), then separator-free forms, then a
    unique prefix, then a unique substring.
    """

    def __init__(self, kind: str, ids: Iterable[str], aliases: Mapping[str, str]):
        self.kind = kind
        self._ids = list(ids)
        self._by_id: dict[str, set[str]] = {}
        for ident in self._ids:
            self._by_id.setdefault(normalize(ident), set()).add(ident)
        self._spellings: dict[str, set[str]] = {k: set(v) for k, v in self._by_id.items()}
        self._by_alias: dict[str, set[str]] = {}
        for alias, ident in aliases.items():
            self._by_alias.setdefault(normalize(alias), set()).add(ident)
            self._spellings.setdefault(normalize(alias), set()).add(ident)
        self._compacts: dict[str, set[str]] = {}
        for spelling, targets in self._spellings.items():
            self._compacts.setdefault(compact(spelling), set()).update(targets)

    def resolve(self, name: str) -> str:
        """The id ``name`` stands for; AmbiguousNameError / UnknownNameError otherwise."""
        if name in self._by_id and len(self._by_id[name]) == 1:
            return next(iter(self._by_id[name]))
        kind = self.kind
        query = normalize(name)
        if not query:
            raise UnknownNameError(kind, name, hint="empty name")
        for table, key in (
            (self._by_id, query),
            (self._by_alias, query),
            (self._compacts, compact(query)),
        ):
            found = _unique_or_none(kind, name, table.get(key, set()))
            if found is not None:
                return found
        spellings = self._spellings
        forms = {s: s for s in spellings}
        prefix = {s for s in spellings if s.startswith(query)}
        contains = {s for s in spellings if query in s}
        for matched in (prefix, contains):
            if not matched:
                continue
            targets = {t for s in _prefer_whole_tail(query, matched, forms) for t in spellings[s]}
            found = _unique_or_none(kind, name, targets)
            if found is not None:
                return found
        raise UnknownNameError(kind, name, _suggest(query, spellings))


def resolve(kind: str, name: str, ids: Iterable[str], aliases: Mapping[str, str]) -> str:
    """Resolve ``name`` to one of ``ids`` (``aliases`` maps other spellings to ids).

    Builds a :class:`NameIndex` each call; callers resolving many names keep the index.
    """
    return NameIndex(kind, ids, aliases).resolve(name)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _suggest(query: str, spellings: Mapping[str, set[str]]) -> list[str]:
    """Nearest ids: the longest shared prefix first (>= 3 chars), then difflib similarity."""
    candidates = {s: sorted(ts)[0] for s, ts in spellings.items()}
    suggestions: list[str] = []
    best = max((_common_prefix(query, s) for s in candidates), default=0)
    if best >= 3:
        for spelling in sorted(candidates):
            if _common_prefix(query, spelling) == best and candidates[spelling] not in suggestions:
                suggestions.append(candidates[spelling])
    close = difflib.get_close_matches(query, list(candidates), n=3 * MAX_SUGGESTIONS, cutoff=0.4)
    for spelling in close:
        if candidates[spelling] not in suggestions:
            suggestions.append(candidates[spelling])
    return suggestions[:MAX_SUGGESTIONS]
