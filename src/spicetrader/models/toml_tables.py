"""A fast reading of the plain TOML the bundled model tables are written in.

``tomllib`` is a pure-Python parser: ~30 ms for ``models.toml`` (48 kB), a tenth of what ``spice
plan`` may take end to end. The bundled tables use only a small part of TOML — ``[[name]]``
headers, ``key = value`` on one line, values that are strings without escapes, decimal numbers,
booleans and one-line arrays of those, ``#`` comments — and every such value is written the same
way in JSON, so :func:`loads_plain` checks the lines with one regular expression, rewrites them
as JSON and reads that with the C JSON decoder.

It answers ``None`` for any text outside that subset (an escape, a multi-line array, a dotted key, a
table header, a repeated key, ``+1``, ``1_000``, ``inf``, ...): the caller then parses with
``tomllib``, which gives the same data or the real error with its line. A test checks that both
agree on the bundled files and on generated documents.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

__all__ = ["loads_plain"]

_KEY: Final = r"[A-Za-z0-9_-]+"
# possessive quantifiers (no backtracking): ~10x faster on models.toml than plain ones
_SCALAR: Final = r'"[^"\n]*+"|[-+0-9.eE]++|true|false'  # JSON's numbers are TOML's
_ARRAY: Final = rf"\[[ \t]*+(?:(?:{_SCALAR})[ \t]*+,[ \t]*+)*+(?:(?:{_SCALAR})[ \t]*+)?\]"
_END: Final = r"[ \t]*+(?:#[^\n]*+)?$"
_HEADER: Final = rf"^[ \t]*+\[\[({_KEY})\]\]{_END}"
_PAIR: Final = rf"^[ \t]*+({_KEY})[ \t]*+=[ \t]*+({_SCALAR}|{_ARRAY}){_END}"
_EMPTY: Final = rf"^{_END}"
_DOCUMENT: Final = re.compile(rf"(?:(?:{_EMPTY}|{_HEADER}|{_PAIR})(?:\n|\Z))*", re.MULTILINE)
# one tuple per header, (name, "", ""), and per pair, ("", key, value)
_ITEMS: Final = re.compile(rf"{_HEADER}|{_PAIR}", re.MULTILINE)
# control characters TOML allows nowhere but as a line end (tab is allowed)
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class _NotPlain(ValueError):
    pass


def _table(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table = dict(pairs)
    if len(table) != len(pairs):
        raise _NotPlain("a key is repeated")
    return table


def _no_constant(name: str) -> Any:
    raise _NotPlain(name)  # NaN, Infinity: JSON's spellings, not TOML's (nan, inf)


def loads_plain(text: str) -> dict[str, list[dict[str, Any]]] | None:
    """``text`` as ``tomllib.loads`` reads it when it is an array of tables in plain TOML;
    ``None`` when it uses anything else (parse it with ``tomllib``)."""
    text = text.replace("\r\n", "\n")
    if "\\" in text or "\r" in text or _CONTROL.search(text) or not _DOCUMENT.fullmatch(text):
        return None  # escapes (JSON's and TOML's differ), a lone CR, a control character
    # every line is now blank, a comment, a [[header]] or a key = value: written as JSON, a
    # list of [name, table] with the root table first ("" is no TOML bare key)
    body = "".join(
        f',"{key}":{value}' if key else f'}}],["{name}",{{"":0'
        for name, key, value in _ITEMS.findall(text)
    )
    try:
        tables = json.loads(
            f'[["",{{"":0{body}}}]]',
            parse_constant=_no_constant,
            object_pairs_hook=_table,
        )
    except ValueError:
        return None  # not JSON either (1_000, +1, a trailing comma): not plain
    data: dict[str, list[dict[str, Any]]] = {}
    for name, table in tables:
        del table[""]
        if not name:
            if table:
                return None  # a key before the first header
            continue
        data.setdefault(name, []).append(table)
    return data
