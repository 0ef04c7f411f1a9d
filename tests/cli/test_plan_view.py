"""The human view of ``spice plan`` fits 100 columns (or COLUMNS when piped) without splitting
a number or an id, and ``--wide`` shows every column with full ids."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from spicetrader.cli.app import app
from spicetrader.render.plan_cells import fmt_usd

runner = CliRunner()
COMMANDS = [
    ["plan", "llama-3.1-8b"],
    ["plan", "llama-3-70b", "--users", "10"],
    ["plan", "sdxl", "--task", "image", "--images", "10000"],
    ["plan", "mistral-7b", "--task", "finetune", "--method", "qlora", "--tokens", "5e7"],
]


def _run(args: list[str], columns: int) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", [100, 80])
@pytest.mark.parametrize("args", COMMANDS)
def test_default_view_fits_the_width_and_keeps_numbers_and_ids_whole(
    args: list[str], width: int
) -> None:
    out = _run(args, width)  # piped: COLUMNS is the width
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    for pick in data["picks"].values():
        assert f": {pick['option']}" in out  # each pick's full id, whole, on its line
    shown = set(re.findall(r"\$[\d,]+(?:\.\d\d)?", out))
    for tier in ("buy", "mac", "rent"):  # the first rows of each table (8 are shown)
        for option in [o for o in data["options"] if o["tier"] == tier][:8]:
            own = option["ownership"]
            cost = own["net_cost_usd"] if own else option["cost_usd"]
            if cost is not None:
                assert fmt_usd(cost) in shown  # the table's cost cell, whole
    for line in lines:  # a wrapped number would leave a line ending in a digit group separator
        assert not re.search(r"\$[\d,]*,$", line.rstrip())


def test_wide_shows_every_column_and_full_ids() -> None:
    out = _run(["plan", "llama-3.1-8b", "--wide"], 100)
    for head in ("hardware", "per request", "$/month", "pays off", "versus rental", "why not"):
        assert head in out
    data = json.loads(runner.invoke(app, ["plan", "llama-3.1-8b", "--json"]).stdout)
    longest = max((o["id"] for o in data["options"][:8]), key=len)
    assert longest.split(":", 1)[1] in out
