"""``spice fleet``: a small team's compute plan — what to own, what to rent, and when.

Light at import time: the fleet planner (scipy), rich and matplotlib load inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spicetrader.cli.common import handles_errors

__all__ = ["fleet_command", "register"]

PIPED_WIDTH = 160


@handles_errors
def fleet_command(
    team_file: Annotated[
        Path, typer.Argument(help="Team file (.yaml/.yml/.json), see docs/fleet.md.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    chart: Annotated[
        Path | None,
        typer.Option("--chart", help="Write FILE-week.png and FILE-months.png."),
    ] = None,
) -> None:
    """Plan a team's GPUs: what to buy for the base load, what to rent for the peaks."""
    from spicetrader.api import fleet
    from spicetrader.cli.common import console, fit_width, print_json, save_charts
    from spicetrader.cli.workload_args import read_workload_file
    from spicetrader.context import Context

    data = read_workload_file(team_file)
    result = fleet(data, Context.load())
    if chart is not None:
        from spicetrader.render.fleet_charts import write_fleet_charts

        save_charts(chart, lambda path: write_fleet_charts(result, path))
    if as_json:
        print_json(result.to_dict())
        return
    from spicetrader.render.fleet_tables import render_fleet

    out = console()
    fit_width(out, PIPED_WIDTH)
    render_fleet(result, out)


def register(app: typer.Typer) -> None:
    app.command("fleet")(fleet_command)
