"""What a human view prints, as data: lines of text, indented paragraphs and tables.

A view (the plan's) says *what* to print as a list of blocks; two writers print them. On a
terminal, rich prints them with its colours (:func:`print_rich`); to a pipe or a file, where rich
writes plain text, :func:`spicetrader.render.plain_text.plain_text` writes the same characters
without importing rich (rich's import and first tables cost ~0.1 s of a 0.6 s ``spice plan``).
Each block maps to exactly one ``console.print`` call, so both writers lay out the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["Block", "Grid", "GridColumn", "Indented", "Line", "Styled", "print_rich"]

Part = tuple[str, str | None]  # text, rich style (None: plain)


class Line(NamedTuple):
    """One ``console.print`` of text, wrapped at the console's width. ``markup``: the parts are
    printed as rich markup (each part escaped, styled parts in tags) with rich's highlighting
    (when ``highlight``); otherwise the joined text is printed as it is."""

    parts: tuple[Part, ...]
    highlight: bool = True
    markup: bool = True


class Styled(NamedTuple):
    """A rich ``Text.assemble`` of the parts: styles, never markup."""

    parts: tuple[Part, ...]


class Indented(NamedTuple):
    """Plain ``text`` wrapped at word boundaries, each line indented by ``indent``."""

    text: str
    indent: int


class GridColumn(NamedTuple):
    head: str
    justify: Literal["left", "right"]
    no_wrap: bool
    overflow: Literal["ellipsis", "fold"]
    min_width: int


class Grid(NamedTuple):
    """A table: a title, a bold header row under a rule, no borders (rich's ``SIMPLE_HEAD``),
    one space between columns; cells are plain text."""

    title: str
    columns: tuple[GridColumn, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Line | Styled | Indented | Grid


def print_rich(blocks: Sequence[Block], console: Console) -> None:
    """Print ``blocks`` with rich (colours on a terminal)."""
    from rich.markup import escape
    from rich.text import Text

    from spicetrader.render.plan_cells import indented

    for block in blocks:
        if isinstance(block, Line):
            if block.markup:
                text = "".join(
                    f"[{s}]{escape(t)}[/{s}]" if s else escape(t) for t, s in block.parts
                )
                console.print(text, highlight=None if block.highlight else False)
            else:
                plain = "".join(t for t, _ in block.parts)
                console.print(plain, markup=False, highlight=block.highlight)
        elif isinstance(block, Styled):
            console.print(Text.assemble(*(t if s is None else (t, s) for t, s in block.parts)))
        elif isinstance(block, Indented):
            console.print(indented(block.text, block.indent))
        else:
            console.print(_table(block))


def _table(grid: Grid) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=grid.title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for col in grid.columns:
        table.add_column(
            col.head,
            no_wrap=col.no_wrap,
            overflow=col.overflow,
            min_width=col.min_width,
            justify=col.justify,
        )
    for row in grid.rows:  # cells hold user data (ids and names from quotes and snapshots): plain
        table.add_row(*(Text(cell) for cell in row))  # text, never read as markup
    return table
