"""The plain text rich prints for :mod:`~spicetrader.render.blocks`, written without rich.

To a pipe or a file rich writes no colours, only characters laid out by its wrapping and table
algorithms. For the blocks a view uses, those are short: words wrapped as ``rich._wrap.
divide_line`` wraps them, tables laid out as ``rich.table.Table`` lays out a table without
borders (columns as wide as their widest cell, the widest wrapable ones narrowed while the
table is too wide). This module writes the same characters (``tests/cli/test_plain_text.py``
holds it to rich's output for real plans and generated text and tables) and declines (returns
None) whatever it does not reproduce exactly, so that rich prints it: a table that rich would
narrow column by column, text with characters wider or narrower than one cell, tabs or
newlines, anything rich would read as markup or an emoji code.
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


def wrap(text: str, width: int, overflow: str = "fold") -> list[str]:
    """``text`` (one cell per character) broken into lines of at most ``width`` as rich's
    ``Text.wrap`` breaks it (justify "default"): a word that does not fit the rest of the line
    starts the next; a word longer than a line is cut into pieces (overflow "fold") or kept
    whole on its line and cut with an ellipsis ("ellipsis"); a line keeps the spaces after its
    last word up to ``width``."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):  # rich._wrap.divide_line
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width and overflow == "fold":
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for i, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if i == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif length > width:
            if start:
                breaks.append(start)
            offset = len(word)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    lines = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
    out = []
    for line in lines:
        if len(line) > width:  # Text.rstrip_end: the spaces beyond the width go
            spaces = len(line) - len(line.rstrip())
            line = line[: len(line) - min(spaces, len(line) - width)]
        out.append(_truncate(line, width, overflow))
    return out


def _truncate(line: str, width: int, overflow: str) -> str:
    """rich's ``Text.truncate``: cut to ``width``, the last cell an ellipsis if so asked."""
    if len(line) <= width:
        return line
    return line[: max(width - 1, 0)] + "…" if overflow == "ellipsis" else line[:width]


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
    """rich's ``Table`` with ``box=SIMPLE_HEAD, pad_edge=False, collapse_padding=True``
    (``Table._calculate_column_widths``, ``_collapse_widths``, ``_render``): columns as wide
    as their widest cell, the widest wrapable ones narrowed in turn while the table is too
    wide (a column's ``min_width`` can widen it again: rich then crops the table at the
    console's edge). Declined when that is not enough (rich then narrows every column)."""
    count = len(grid.columns)
    rows = [tuple(col.head for col in grid.columns), *grid.rows]
    if not count or any(len(row) != count for row in rows):
        raise _Declined
    for text in (grid.title, *(col.head for col in grid.columns)):
        if "[" in text or "\\" in text or _EMOJI_CODE.search(text):
            raise _Declined  # read as markup
    for row in rows:
        for cell in row:
            _check(cell)
    pads = [0 if i == count - 1 else 1 for i in range(count)]  # the space on each cell's right
    extra = 2 + count - 1  # the edges and one space between columns
    most = width - extra

    def measure(i: int, limit: int) -> int:  # Table._measure_column's maximum
        if limit < 1:
            return 0
        pad = pads[i]
        cells = limit if limit - pad < 1 else max(min(len(r[i]) + pad, limit) for r in rows)
        return max(min(cells, limit), grid.columns[i].min_width + pad)

    widths = [measure(i, most) or 1 for i in range(count)]
    if sum(widths) > most:
        widths = _collapse(widths, [not col.no_wrap for col in grid.columns], most)
        if sum(widths) > most:
            raise _Declined  # rich would cut every column, numbers too
        widths = [measure(i, w) for i, w in enumerate(widths)]  # min_width may widen them again
        if min(w - p for w, p in zip(widths, pads, strict=True)) < 1:
            raise _Declined
    table_width = sum(widths) + extra
    out = [line.ljust(table_width) for line in wrap(_check(grid.title), table_width)]
    out.append(" " * table_width)
    for index, row in enumerate(rows):
        cells = []
        for cell, col, cell_width, pad in zip(row, grid.columns, widths, pads, strict=True):
            inner = cell_width - pad
            lines = [cell] if col.no_wrap else wrap(cell, inner, col.overflow)
            if col.justify == "right":
                lines = [
                    _truncate(line.rstrip(), inner, col.overflow).rjust(inner) for line in lines
                ]
            else:
                lines = [_truncate(line, inner, col.overflow).ljust(inner) for line in lines]
            cells.append([line + " " * pad for line in lines])
        height = max(len(lines) for lines in cells)
        for lines, cell_width in zip(cells, widths, strict=True):
            blank = [" " * cell_width] * (height - len(lines))
            lines[:] = blank + lines if index == 0 else lines + blank  # a header sits low
        out += [" " + " ".join(lines[n] for lines in cells) + " " for n in range(height)]
        if index == 0:
            out.append(" " + "─".join("─" * w for w in widths) + " ")
    out.append(" " * table_width)
    return [line[:width] for line in out]  # Console.print crops what is wider than the console


def _collapse(widths: list[int], wrapable: list[bool], most: int) -> list[int]:
    """rich's ``Table._collapse_widths``: narrow the widest wrapable columns (all those as
    wide as the widest, down to the next widest) until the total is ``most``."""
    excess = sum(widths) - most
    if not any(wrapable):
        return widths
    while sum(widths) and excess > 0:
        widest = max(w for w, can in zip(widths, wrapable, strict=True) if can)
        second = max(
            w if can and w != widest else 0 for w, can in zip(widths, wrapable, strict=True)
        )
        ratios = [
            1 if (w == widest and can) else 0 for w, can in zip(widths, wrapable, strict=True)
        ]
        if not any(ratios) or not widest - second:
            break
        widths = _ratio_reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - most
    return widths


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """rich's ``_ratio.ratio_reduce``: take ``total`` off ``values`` in proportion to
    ``ratios``, each at most its maximum."""
    ratios = [ratio if most else 0 for ratio, most in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, most, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(most, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


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
