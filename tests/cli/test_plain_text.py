"""The plain text of a view (``render/plain_text.py``) is what rich prints for it without
colours: held to rich's own output for real plans at several widths, for generated text and
tables, and through ``spice plan`` piped and on a (forced) terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from spicetrader import plan
from spicetrader.planner.models import Plan
from spicetrader.render.blocks import Block, Grid, GridColumn, Indented, Line, Styled, print_rich
from spicetrader.render.plain_text import NARROW, plain_text, wrap
from spicetrader.render.plan_tables import plan_blocks

WORKLOADS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"model": "llama-3-70b"}, {}),
    ({"model": "llama-3-8b"}, {"users": 10}),
    (
        {"model": "mistral-7b", "task": "finetune", "finetune": {"method": "qlora", "tokens": 1e8}},
        {},
    ),
    ({"model": "llama-3-8b", "task": "pretrain", "pretrain": {"tokens": 1e10}}, {}),
]


def _rich(blocks: list[Block], width: int) -> str:
    out = Console(file=StringIO(), width=width, soft_wrap=False, force_terminal=False)
    print_rich(blocks, out)
    value = out.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(value, str)
    return value


@pytest.fixture(scope="module")
def plans() -> list[Plan]:
    return [plan(spec, **constraints) for spec, constraints in WORKLOADS]


@pytest.mark.parametrize("width", [20, 40, 60, 80, 100, 120, 240])
@pytest.mark.parametrize("view", ["default", "all", "wide"])
def test_a_plan_in_plain_text_is_what_rich_prints(plans: list[Plan], width: int, view: str) -> None:
    rows = None if view != "default" else 8
    for result in plans:
        blocks = plan_blocks(
            result, width, rows, None, wide=view == "wide", today=date(2026, 12, 3)
        )
        text = plain_text(blocks, width)
        if text is not None:
            assert text == _rich(blocks, width)
        elif width >= 100 and view == "default":
            pytest.fail("the default view at 100 columns or more is written without rich")


def test_the_default_view_is_plain_text_at_the_piped_width(plans: list[Plan]) -> None:
    """What `bench/perf_plan.py` times (a piped `spice plan`) does not fall back to rich."""
    for result in plans:
        blocks = plan_blocks(result, 100, 8, None, today=date(2026, 12, 3))
        assert plain_text(blocks, 100) is not None


def test_narrow_characters_are_one_cell_for_rich() -> None:
    assert all(cell_len(c) == 1 for c in NARROW)


WORDS = st.text(alphabet=" abc-…→", min_size=0, max_size=60)


@settings(max_examples=300, deadline=None)
@given(text=WORDS, width=st.integers(1, 30))
def test_wrap_breaks_lines_where_rich_does(text: str, width: int) -> None:
    console = Console(file=StringIO(), width=200)
    lines = Text(text).wrap(console, width)
    assert wrap(text, width) == [line.plain for line in lines]


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.text(alphabet=" ab:[]\\é\t", max_size=30), min_size=1, max_size=3),
    indent=st.integers(0, 6),
    width=st.integers(1, 40),
)
def test_lines_and_paragraphs_are_what_rich_prints_or_declined(
    parts: list[str], indent: int, width: int
) -> None:
    blocks: list[Block] = [
        Line(tuple((p, "bold" if i % 2 else None) for i, p in enumerate(parts))),
        Line(((parts[0], None),), highlight=False, markup=False),
        Styled((("  ", None), (parts[-1], "bold"))),
        Indented(" ".join(parts), indent),
    ]
    for block in blocks:
        text = plain_text([block], width)
        if text is not None:
            assert text == _rich([block], width)
        elif set("".join(parts)) <= set(" ab"):
            assert isinstance(block, Indented)  # only when no room is left for the text:
            assert min(len(block.text) + indent, width) - indent < 1


CELL = st.text(alphabet=" ab$,.…", max_size=14)


@settings(max_examples=300, deadline=None)
@given(
    heads=st.lists(st.text(alphabet="ab ,$/", min_size=1, max_size=8), min_size=1, max_size=5),
    cells=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=4),
    justify=st.lists(st.sampled_from(["left", "right"]), min_size=5, max_size=5),
    min_width=st.lists(st.integers(0, 10), min_size=5, max_size=5),
    title=st.text(alphabet="ab ", min_size=1, max_size=40),
    width=st.integers(10, 90),
)
def test_tables_are_what_rich_prints_when_every_column_fits(
    heads: list[str],
    cells: list[list[str]],
    justify: list[str],
    min_width: list[int],
    title: str,
    width: int,
) -> None:
    columns = tuple(
        GridColumn(head, "right" if j == "right" else "left", j == "right", "ellipsis", m)
        for head, j, m in zip(heads, justify, min_width, strict=False)
    )
    rows = tuple(tuple(row[: len(columns)]) for row in cells)
    grid = Grid(title, columns, rows)
    text = plain_text([grid], width)
    widest = [
        max(len(c.head), c.min_width, *(len(r[i]) for r in rows)) for i, c in enumerate(columns)
    ]
    if text is not None:
        assert text == _rich([grid], width)
    if sum(widest) + 2 * len(columns) + 1 <= width:  # every column fits as wide as its widest
        assert text is not None


def _spice(args: list[str], home: Path, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    out = subprocess.run(
        [sys.executable, "-m", "spicetrader", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**environ, "SPICETRADER_HOME": str(home), **env},
    )
    return out.stdout


def test_spice_plan_piped_writes_what_rich_writes_without_colours(spice_home: Path) -> None:
    args = ["plan", "llama-3-8b", "--users", "10"]
    piped = _spice(args, spice_home, COLUMNS="90")
    # rich on a terminal it is told it has: the same characters once its control codes go
    coloured = _spice(args, spice_home, COLUMNS="90", TTY_COMPATIBLE="1", NO_COLOR="1")
    assert "\x1b[" in coloured
    assert Text.from_ansi(coloured).plain == piped
