"""Rich tables for a :class:`~spicetrader.planner.models.Plan`: one ranked table per tier, the
Pareto set, the recommendation and the assumptions. Used by ``spice plan`` (the CLI prints)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import Tier
from spicetrader.planner.models import JobKind, Plan, PlanOption

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = ["DEFAULT_ROWS_PER_TIER", "fmt_hours", "fmt_usd", "render_plan"]

DEFAULT_ROWS_PER_TIER = 12
TIER_TITLES: dict[Tier, str] = {
    Tier.BUY: "Buy a server or workstation",
    Tier.MAC: "Buy a Mac",
    Tier.RENT: "Rent cloud GPUs",
    Tier.FREE: "Free and low-cost notebooks",
    Tier.REFERENCE: "Scale reference (not a choice)",
}


def fmt_usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def fmt_hours(value: float | None) -> str:
    if value is None:
        return "-"
    if value < 1:
        return f"{value * 60:.1f} min"
    if value < 48:
        return f"{value:,.1f} h"
    return f"{value / 24:,.1f} d"


def _time(plan: Plan, option: PlanOption) -> str:
    if plan.job.kind is JobKind.SERVING:
        speed = option.estimate.inference
        if option.request_s is None or speed is None or speed.decode_tokens_per_s is None:
            return "-"
        return f"{option.request_s:,.1f} s ({speed.decode_tokens_per_s:,.0f} tok/s)"
    return fmt_hours(option.hours)


def _status(plan: Plan, option: PlanOption) -> str:
    if not option.fits:
        return "does not fit"
    if option.feasible:
        return "ok"
    reasons = []
    if option.meets_deadline is False:
        reasons.append("late")
    if option.within_budget is False:
        reasons.append("over budget")
    if option.fast_enough is False:
        reasons.append("too slow")
    use = option.free_use
    if use is not None and plan.job.kind is JobKind.SERVING:
        reasons.append("over quota" if use.within_quota is False else "no quota published")
    return ", ".join(reasons) or "not possible"


def _sessions(option: PlanOption) -> str:
    """Sessions, and the weeks or months of quota the job is spread over."""
    use = option.free_use
    if use is None:
        return "-"
    text = str(use.sessions)
    if use.weeks is not None and use.weeks > 1 and not use.within_quota:
        text += f" over {use.weeks} weeks"
    elif use.months_billed > 1 and use.monthly_hours_cap is not None:
        text += f" over {use.months_billed} months"
    return text


def _table(title: str, columns: Sequence[str]) -> Table:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _hardware(option: PlanOption) -> str:
    memory = f" {option.memory_gb:g}GB" if option.memory_gb is not None else ""
    return f"{option.devices}x {option.hardware}{memory}"


def _precision(option: PlanOption) -> str:
    return option.precision + (" (q)" if option.quantized else "")


def _rows(plan: Plan, tier: Tier, options: Sequence[PlanOption]) -> Table:
    from rich.markup import escape

    serving = plan.job.kind is JobKind.SERVING
    cost_head = f"cost, {plan.job.months:g} mo" if serving else "cost (job)"
    time_head = "per request" if serving else "time"
    if tier in (Tier.BUY, Tier.MAC):
        cols = [
            *("#", "option", "hardware", "precision", time_head, cost_head, "purchase"),
            *("$/month", "break-even", "price as of", "status"),
        ]
    elif tier is Tier.RENT:
        cols = ["#", "option", "hardware", "precision", time_head, cost_head, "$/h", "as of"]
        cols.append("status")
    elif tier is Tier.FREE:
        cols = ["#", "option", "hardware", "precision", time_head, cost_head, "sessions", "status"]
    else:
        cols = ["#", "option", "hardware", "precision", time_head, "cost", "as of"]
    table = _table(TIER_TITLES[tier], cols)
    for rank, opt in enumerate(options, start=1):
        name = opt.id.removeprefix(f"{tier.value}:") + (" *" if opt.cheapest_of_provider else "")
        head = [
            str(rank),
            name,
            _hardware(opt),
            _precision(opt),
            _time(plan, opt),
            fmt_usd(opt.cost_usd),
        ]
        if tier in (Tier.BUY, Tier.MAC):
            own = opt.ownership
            be = "-"
            if own is not None and own.break_even_hours_per_month is not None:
                be = f"{own.break_even_hours_per_month:,.0f} h/mo"
                if own.break_even_months is not None:
                    be += f", {own.break_even_months:,.1f} mo"
            elif own is not None and own.versus_rent_option is not None:
                be = "never"
            row = [
                *head,
                fmt_usd(own.purchase_usd if own else None),
                fmt_usd(own.usd_per_month if own else None),
                be,
                opt.as_of,
                _status(plan, opt),
            ]
        elif tier is Tier.RENT:
            row = [*head, fmt_usd(opt.price_usd_per_hour), opt.as_of, _status(plan, opt)]
        elif tier is Tier.FREE:
            sessions = _sessions(opt)
            row = [*head, sessions, _status(plan, opt)]
        else:
            row = [*head, opt.as_of]
        table.add_row(*(escape(cell) for cell in row))
    return table


def render_plan(
    plan: Plan,
    console: Console,
    rows_per_tier: int | None = DEFAULT_ROWS_PER_TIER,
    prices: str | None = None,
) -> None:
    """Print the plan: tables per tier, Pareto set, recommendation, assumptions.

    ``prices`` says where the prices come from and how old they are (the edge knows, e.g.
    "prices as of 2026-11-20 (6 days old, live snapshot)"); default: the offers' dates.
    """
    from rich.markup import escape

    console.print(
        f"[bold]Plan[/bold]: {escape(plan.workload.model_name)}, {escape(plan.job.description)}"
    )
    for tier in TIER_TITLES:
        options = plan.by_tier(tier)
        if not options:
            continue
        shown = options if rows_per_tier is None else options[:rows_per_tier]
        console.print(_rows(plan, tier, shown))
        if len(shown) < len(options):
            console.print(f"  ... {len(options) - len(shown)} more (--all or --json to see them)")
    if any(o.cheapest_of_provider for o in plan.options):
        console.print("  * the cheapest offer of its provider; (q) = quantized to fit")
    if plan.pareto:
        console.print("[bold]Pareto set (time, cost)[/bold]:")
        for option_id in plan.pareto:
            opt = plan.option(option_id)
            console.print(
                f"  {option_id}: {_time(plan, opt)}, {fmt_usd(opt.cost_usd)}", markup=False
            )
    rec = plan.recommendation
    if rec.option is not None:
        console.print(
            f"[bold green]Recommendation[/bold green]: {escape(rec.option)} — {escape(rec.why)}"
        )
    else:
        console.print(f"[bold red]No recommendation[/bold red]: {escape(rec.why)}")
    where = (
        f"Prices as of {plan.prices_as_of}" if prices is None else prices[:1].upper() + prices[1:]
    )
    console.print(f"{escape(where)}. Assumptions:")
    for line in plan.assumptions:
        console.print(f"  - {line}", highlight=False, markup=False)
