"""The plain text rich prints for :mod:`~spicetrader.render.blocks`, written without rich.

To a pipe or a file rich writes no colours, only characters laid out by its wrapping and table
algorithms. For the blocks a view uses, those are short: words wrapped as ``rich._wrap.
divide_line`` wraps them, tables whose columns all fit (each as wide as its widest cell). This
module writes the same characters (``tests/cli/test_plain_text.py`` holds it to rich's output)
and declines (returns None) whatever it does not reproduce exactly, so that rich prints it:
a table that rich would have to shrink, text with characters wider or narrower than one cell,
tabs or newlines, anything rich would read as markup or an emoji code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spicetrader.render.blocks import Block, Grid, Indented, Line

__all__ = ["plain_text", "wrap"]

# Characters besides printable ASCII that one cell shows (pinned to rich's cell widths by a test)
NARROW = frozenset("…─→×—–µ°±≈≤≥·’")
_WORD = re.compile(r"\s*\S+\s*")  # rich._wrap.re_word: a word and the spaces after it
_EMOJI_CODE = re.compile(r":\S*:")  # what rich's emoji replacement could read as ":name:"


class _Declined(Exception):
    """A block this module does not reproduce exactly: rich prints the view instead."""


def _check(text: str) -> str:
    if not (text.isascii() and text.isprintable()) and not all(
        (" " <= c <= "~") or c in NARROW for c in text
    ):
        raise _Declined
    return text


def wrap(text: str, width: int) -> list[str]:
    """``text`` (one cell per character) broken into lines of at most ``width`` as rich's
    ``Text.wrap`` breaks it (justify "default", overflow "fold"): a word that does not fit the
    rest of the line starts the next, a word longer than a line is cut into pieces; a line
    keeps the spaces after its last word up to ``width``."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for i, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if i == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    lines = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
    out = []
    for line in lines:
        if len(line) > width:  # rstrip_end: the spaces beyond the width go
            spaces = len(line) - len(line.rstrip())
            line = line[: len(line) - min(spaces, len(line) - width)]
        out.append(line[:width])
    return out


def _line(block: Line, width: int) -> list[str]:
    text = _check("".join(t for t, _ in block.parts))
    if _EMOJI_CODE.search(text) or (block.markup and ("[" in text or "\\" in text)):
        raise _Declined
    return wrap(text, width)


def _indented(block: Indented, width: int) -> list[str]:
    text = _check(block.text)
    inner = min(len(text) + block.indent, width) - block.indent
    if inner < 1:
        raise _Declined
    return [" " * block.indent + line.ljust(inner) for line in wrap(text, inner)]


def _grid(grid: Grid, width: int) -> list[str]:
    """rich's ``Table`` with ``box=SIMPLE_HEAD, pad_edge=False, collapse_padding=True``, for a
    table whose columns all fit at their widest (rich shrinks columns otherwise)."""
    count = len(grid.columns)
    rows = [tuple(col.head for col in grid.columns), *grid.rows]
    if any(len(row) != count for row in rows) or not count:
        raise _Declined
    for col in grid.columns:
        if "[" in col.head or "\\" in col.head or _EMOJI_CODE.search(col.head):
            raise _Declined  # a header is read as markup
    pads = [0 if i == count - 1 else 1 for i in range(count)]  # the space on each cell's right
    widths = [
        max(max(len(_check(row[i])) for row in rows), col.min_width) + pads[i] or 1
        for i, col in enumerate(grid.columns)
    ]
    extra = 2 + count - 1  # the edges and one space between columns
    if sum(widths) > width - extra or width - extra < 2:
        raise _Declined
    table_width = sum(widths) + extra
    title = _check(grid.title)
    if "[" in title or "\\" in title or _EMOJI_CODE.search(title):
        raise _Declined
    out = [line.ljust(table_width) for line in wrap(title, table_width)]
    out.append(" " * table_width)
    for index, row in enumerate(rows):
        cells = []
        for cell, col, cell_width, pad in zip(row, grid.columns, widths, pads, strict=True):
            inner = cell_width - pad
            text = cell.rstrip().rjust(inner) if col.justify == "right" else cell.ljust(inner)
            cells.append(text + " " * pad)
        out.append(" " + " ".join(cells) + " ")
        if index == 0:
            out.append(" " + "─".join("─" * w for w in widths) + " ")
    out.append(" " * table_width)
    return out


def plain_text(blocks: Sequence[Block], width: int) -> str | None:
    """The characters rich prints for ``blocks`` on a console ``width`` columns wide without
    colours (a pipe, a file), or None when a block is one rich must lay out itself."""
    lines: list[str] = []
    try:
        for block in blocks:
            if isinstance(block, Line):
                lines += _line(block, width)
            elif isinstance(block, Indented):
                lines += _indented(block, width)
            elif isinstance(block, Grid):
                lines += _grid(block, width)
            else:
                lines += wrap(_check("".join(t for t, _ in block.parts)), width)
    except _Declined:
        return None
    return "".join(line + "\n" for line in lines)
