"""PNG charts of a fleet plan (matplotlib, Agg backend, imported lazily).

- ``FILE-week.png``: a typical week, hour by hour: serving demand (instances) stacked as owned
  and rented, with the number of owned machines as a line;
- ``FILE-months.png``: machine-hours per month over the horizon, owned and rented stacked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from spicetrader.units import HOURS_PER_MONTH

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from spicetrader.fleet.models import FleetPlan

__all__ = ["fleet_chart_paths", "write_fleet_charts"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def fleet_chart_paths(path: Path) -> tuple[Path, Path]:
    """``fleet.png`` -> (``fleet-week.png``, ``fleet-months.png``)."""
    stem = path.with_suffix("") if path.suffix.lower() == ".png" else path
    return stem.with_name(stem.name + "-week.png"), stem.with_name(stem.name + "-months.png")


def _figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _week(plan: FleetPlan) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    hours = [h.hour for h in plan.week]
    owned = [h.owned for h in plan.week]
    rented = [max(0.0, h.demand - h.owned) for h in plan.week]
    ax.stackplot(
        hours, owned, rented, labels=("served on owned machines", "rented"), step="post",
        colors=("tab:blue", "tab:orange"),
    )  # fmt: skip
    machines = sum(p.count for p in plan.purchases)
    ax.axhline(machines, color="black", linewidth=1, label=f"machines owned ({machines})")
    ax.set_xticks(range(0, 168, 24), DAYS)
    ax.set_xlim(0, 168)
    ax.set_ylabel("serving instances")
    ax.set_title("A typical week: serving demand, owned and rented")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def _months(plan: FleetPlan) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    months = [m.month for m in plan.months]
    owned = [m.owned_hours for m in plan.months]
    rented = [m.rented_hours for m in plan.months]
    ax.bar(months, owned, label="owned machine-hours", color="tab:blue")
    ax.bar(months, rented, bottom=owned, label="rented machine-hours", color="tab:orange")
    capacity = sum(p.count for p in plan.purchases) * HOURS_PER_MONTH
    if capacity:
        ax.axhline(capacity, color="black", linewidth=1, label="owned capacity (h/month)")
    ax.set_xlabel("month")
    ax.set_ylabel("machine-hours")
    ax.set_xticks(months)
    ax.set_title("Over the horizon: owned base load and rented bursts")
    ax.legend(loc="upper right", fontsize="small")
    return fig


def write_fleet_charts(plan: FleetPlan, path: Path) -> tuple[Path, Path]:
    week_path, months_path = fleet_chart_paths(path)
    _week(plan).savefig(week_path)
    _months(plan).savefig(months_path)
    return week_path, months_path
