"""The fast reading of plain TOML (``models/toml_tables.py``) reads what ``tomllib`` reads.

It may decline a document (``None``: the loader then parses with ``tomllib``), but whatever it
returns must be exactly ``tomllib.loads`` of the same text, and it must never accept a document
``tomllib`` rejects.
"""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spicetrader.models import loader
from spicetrader.models.toml_tables import loads_plain


@pytest.mark.parametrize("name", [loader.MODELS_FILE, loader.DIFFUSION_FILE])
def test_bundled_tables_take_the_fast_path_and_read_the_same(name: str) -> None:
    text = loader._data_path(name).read_text(encoding="utf-8")
    fast = loads_plain(text)
    assert fast is not None  # the bundled files stay plain TOML (else plans load ~30 ms slower)
    assert fast == tomllib.loads(text)


@pytest.mark.parametrize(
    "text",
    [
        '[[model]]\nname = "a\\"b"\n',  # an escape
        "[[model]]\nsizes = [1, 2,]\n",  # a trailing comma (TOML: fine; JSON: not)
        "[[model]]\nsizes = [\n  1,\n]\n",  # a multi-line array
        "[[model]]\nn = 1_000\n",
        "[[model]]\nn = +1\n",
        "[[model]]\nx = inf\n",
        "[model]\nn = 1\n",  # a table, not an array of tables
        "n = 1\n[[model]]\n",  # a key before the first header
        "[[model]]\na.b = 1\n",  # a dotted key
        "[[model]]\nt = { a = 1 }\n",  # an inline table
        '[[model]]\nx = "tab\there"\n',  # a tab in a string (JSON: not without an escape)
    ],
)
def test_other_toml_is_left_to_tomllib(text: str) -> None:
    assert loads_plain(text) is None
    tomllib.loads(text)  # valid TOML all the same: the loader reads it with tomllib


@pytest.mark.parametrize(
    "text",
    [
        "[[model]]\nn = 1\nn = 2\n",  # a repeated key
        "[[model]]\nx = NaN\n",  # JSON's spelling, not TOML's
        "[[model]]\nx = null\n",
        '[[model]]\nx = "a" "b"\n',
        '[[model]]\nx = [1], "y": [2]\n',
        "[[model]]\nx = 01\n",
        "[[model]]\nx = 1\r2\n",
    ],
)
def test_what_toml_rejects_is_never_read(text: str) -> None:
    assert loads_plain(text) is None
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(text)


_ODD = (
    *("true", "false", "1e5", "-0", "0.5", "1E+3", "+1", "1_0", "01", "1.", ".5", "nan", "inf"),
    *("NaN", "null", "-", "1e", "True", "'lit'", '"a#b"', '"a]b"', '"x\\ty"', '"x\\/y"'),
    *('"a"b"', '""', '"\\u00e9"', '"é"'),
)
_SCALARS = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(_ODD),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8).map(lambda s: f'"{s}"'),
)
_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    st.lists(_SCALARS, min_size=1, max_size=3).map(lambda xs: "[" + ",".join(xs) + ",]"),
    st.lists(_SCALARS, max_size=2).map(lambda xs: "[[" + ", ".join(xs) + "]]"),
)
_KEYS = st.sampled_from(["id", "name", "n", "x-y", "a_b", "9", "a.b", '"q"', "", "a b"])
_LINES = st.one_of(
    st.sampled_from(["[[model]]", "[[other]]", "[model]", "[[ model ]]", "", "# note", "  ", "#"]),
    st.tuples(_KEYS, st.sampled_from([" = ", "=", " =  ", "\t=\t", " : "]), _VALUES).map("".join),
    st.tuples(_KEYS, _VALUES, st.sampled_from(["", "  # c", "#c", " # a = 1", " x"])).map(
        lambda t: f"{t[0]} = {t[1]}{t[2]}"
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_LINES, max_size=8),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
def test_whatever_it_reads_tomllib_reads_the_same(
    lines: list[str], newline: str, header_first: bool
) -> None:
    text = newline.join((["[[model]]"] if header_first else []) + lines)
    fast = loads_plain(text)
    if fast is None:
        return  # declined: tomllib decides (and reports its own error, if any)
    assert fast == tomllib.loads(text)
