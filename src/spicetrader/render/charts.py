"""PNG charts of a plan (matplotlib, Agg backend, imported lazily; no pyplot global state).

- ``FILE-breakeven.png``: cumulative cash over months, buying the best machine to own (the plan's
  ``best_owned`` pick: purchase up front, then energy and colocation) versus renting the same work
  at the usable rental its break-even is computed against, with the break-even marked;
- ``FILE-cost-time.png``: cost versus time of every option that fits, per tier, with the Pareto
  set joined and the recommendation circled.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import Tier
from spicetrader.planner.models import JobKind, PickName, Plan, PlanOption

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["chart_paths", "write_charts"]

BUY_COLOURS = ("tab:blue", "tab:purple", "tab:green", "tab:red", "tab:brown")
TIER_COLOURS: dict[Tier, str] = {
    Tier.BUY: "tab:blue",
    Tier.MAC: "tab:purple",
    Tier.RENT: "tab:orange",
    Tier.FREE: "tab:green",
    Tier.REFERENCE: "tab:gray",
}


def chart_paths(path: Path) -> tuple[Path, Path]:
    """``plan.png`` -> (``plan-breakeven.png``, ``plan-cost-time.png``)."""
    stem = path.with_suffix("") if path.suffix.lower() == ".png" else path
    return (
        stem.with_name(stem.name + "-breakeven.png"),
        stem.with_name(stem.name + "-cost-time.png"),
    )


def _figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _owned(plan: Plan) -> list[PlanOption]:
    """The best machine to own (the pick), when it has a rental to compare with."""
    pick = plan.picks.get(PickName.BEST_OWNED)
    if pick is None:
        return []
    option = plan.option(pick.option)
    own = option.ownership
    if own is None or own.rent_usd_per_hour_equivalent is None:
        return []
    return [option]


def _breakeven_figure(plan: Plan) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    usage = plan.job.usage_hours_per_month
    owned = _owned(plan)
    horizon = max(plan.job.months, 1.0)
    for opt in owned:
        own = opt.ownership
        if own is not None and own.break_even_months is not None:
            horizon = max(horizon, min(own.break_even_months * 1.25, 120.0))
    months = [horizon * i / 100 for i in range(101)]
    if not owned:
        ax.text(
            0.5,
            0.5,
            "no machine to own is a pick, or no usable rental to compare with",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    rent_drawn = False
    for index, opt in enumerate(owned):
        own = opt.ownership
        if own is None or own.rent_usd_per_hour_equivalent is None:
            continue
        running = own.usd_per_month - own.depreciation_usd_per_month
        colour = BUY_COLOURS[index % len(BUY_COLOURS)]
        ax.plot(
            months,
            [own.purchase_usd + m * running for m in months],
            color=colour,
            alpha=0.85,
            label=f"buy {opt.id}",
        )
        rent_month = own.rent_usd_per_hour_equivalent * usage
        if not rent_drawn:
            ax.plot(
                months,
                [m * rent_month for m in months],
                color=TIER_COLOURS[Tier.RENT],
                linestyle="--",
                label=f"rent {own.versus_rent_option}",
            )
            rent_drawn = True
        if own.break_even_months is not None and own.break_even_months <= horizon:
            m = own.break_even_months
            ax.axvline(m, color=colour, linestyle=":", alpha=0.6)
            ax.annotate(
                f"break-even {m:,.1f} mo",
                (m, m * rent_month),
                fontsize=8,
                xytext=(4, -12),
                textcoords="offset points",
            )
    ax.set_xlabel("months")
    ax.set_ylabel("cumulative cost (USD)")
    ax.set_title(f"Buy vs rent at {usage:g} h/month of use ({plan.workload.model_name})")
    if owned:
        ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    return fig


def _cost_time_figure(plan: Plan) -> Figure:
    fig = _figure()
    ax = fig.add_subplot()
    points = [o for o in plan.options if o.fits and o.time and o.rank_cost_usd is not None]
    for tier, colour in TIER_COLOURS.items():
        tier_points = [o for o in points if o.tier is tier]
        if tier_points:
            ax.scatter(
                [o.time or 0.0 for o in tier_points],
                [max(o.rank_cost_usd or 0.0, 0.01) for o in tier_points],
                color=colour,
                label=tier.value,
                alpha=0.75,
                s=24,
            )
    front = [plan.option(i) for i in plan.pareto]
    if len(front) > 1:
        ax.plot(
            [o.time or 0.0 for o in front],
            [max(o.rank_cost_usd or 0.0, 0.01) for o in front],
            color="black",
            linewidth=1,
            label="Pareto set",
        )
    if plan.recommendation.option is not None:
        rec = plan.option(plan.recommendation.option)
        ax.scatter(
            [rec.time or 0.0],
            [max(rec.rank_cost_usd or 0.0, 0.01)],
            s=160,
            facecolors="none",
            edgecolors="red",
            label=f"recommended: {rec.id}",
        )
    if points:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no option fits", ha="center", va="center", transform=ax.transAxes)
    serving = plan.job.kind is JobKind.SERVING
    ax.set_xlabel("seconds per request" if serving else "hours to finish the job")
    ax.set_ylabel("cost (USD; owned: net cost of ownership; free = $0.01)")
    ax.set_title(f"Cost vs time: {plan.job.description}")
    ax.grid(alpha=0.3, which="both")
    return fig


def write_charts(plan: Plan, path: Path) -> tuple[Path, Path]:
    """Write both charts next to ``path`` (``X.png`` -> ``X-breakeven.png``,
    ``X-cost-time.png``) and return their paths."""
    breakeven, cost_time = chart_paths(path)
    breakeven.parent.mkdir(parents=True, exist_ok=True)
    _breakeven_figure(plan).savefig(breakeven, format="png")
    _cost_time_figure(plan).savefig(cost_time, format="png")
    return breakeven, cost_time
