"""The fleet plan for people: what to buy, where each workload runs, the simple strategies beside,
and how the decision moves with prices and demand (rich; the CLI hands in the console)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from spicetrader.render.plan_tables import fmt_usd

if TYPE_CHECKING:
    from rich.console import Console

    from spicetrader.fleet.models import Assignment, BreakPoint, FleetPlan

__all__ = ["render_fleet"]

STRATEGY_NAMES = {
    "fleet": "optimised fleet (own + rent)",
    "rent_everything": "rent everything",
    "own_everything": "own everything",
}


def _buys(purchases: dict[str, int]) -> str:
    return ", ".join(f"{n}x {escape(s)}" for s, n in sorted(purchases.items())) or "nothing"


def _demand(a: Assignment) -> str:
    if a.kind == "serving":
        return f"{a.demand_per_month:,.0f} instance-h/month"
    return f"{a.demand_per_month:,.2g} jobs/month"


def _where(a: Assignment) -> str:
    parts = []
    if a.owned_share > 0:
        owned = ", ".join(escape(s) for s in a.owned_on)
        parts.append(f"{a.owned_share:.0%} owned ({owned}, {a.precision_owned})")
    if a.rental is not None and a.owned_share < 1:
        parts.append(
            f"{1 - a.owned_share:.0%} rented ({escape(a.rental_name or a.rental)}, "
            f"{a.precision_rented})"
        )
    return "; ".join(parts)


def _break_point(bp: BreakPoint) -> str:
    where = (
        f"x{bp.demand_factor:.2f} ({bp.serving_hours_per_month:,.0f} serving instance-h/month, "
        f"{bp.jobs_per_month:,.1f} jobs/month)"
    )
    if bp.demand_factor > 1:
        return (
            f"If demand grows past {where}: buy {_buys(bp.purchases_above)} "
            f"instead of {_buys(bp.purchases_below)}."
        )
    return (
        f"If demand falls below {where}: buy {_buys(bp.purchases_below)} "
        f"instead of {_buys(bp.purchases_above)}."
    )


def render_fleet(plan: FleetPlan, out: Console) -> None:
    out.print(
        f"[bold]Fleet plan over {plan.horizon_months} months[/bold]: "
        f"{fmt_usd(plan.total_usd)} net (prices as of {plan.prices_as_of})"
    )
    buy = Table(title="Buy", title_justify="left")
    for col in ("system", "count", "price each", "net cost", "value left", "utilisation", "runs"):
        buy.add_column(col, overflow="fold")
    for p in plan.purchases:
        buy.add_row(
            escape(p.name),
            str(p.count),
            f"{fmt_usd(p.purchase_usd)} ({p.price_as_of})",
            fmt_usd(p.net_cost_usd),
            fmt_usd(p.value_left_usd),
            f"{p.utilisation:.0%}",
            escape(", ".join(p.workloads)),
        )
    if plan.purchases:
        out.print(buy)
    else:
        out.print("Buy: nothing — renting covers every workload for less.")
    work = Table(title="Workloads", title_justify="left")
    for col in ("workload", "demand", "where it runs", "rent"):
        work.add_column(col, overflow="fold")
    for a in plan.assignments:
        work.add_row(escape(a.workload), _demand(a), _where(a), fmt_usd(a.rent_usd))
    out.print(work)
    strat = Table(title="Side by side", title_justify="left")
    for col in ("strategy", "total", "buys"):
        strat.add_column(col, overflow="fold")
    for s in plan.strategies:
        total = fmt_usd(s.total_usd) if s.total_usd is not None else escape(s.why_impossible or "-")
        strat.add_row(STRATEGY_NAMES.get(s.name, s.name), total, _buys(s.purchases))
    out.print(strat)
    sens = Table(title="Sensitivity", title_justify="left")
    for col in ("scenario", "total", "buys", "decision"):
        sens.add_column(col, overflow="fold")
    for sc in plan.sensitivity:
        total = fmt_usd(sc.total_usd) if sc.total_usd is not None else "no plan"
        verdict = "same" if sc.same_decision else "changes"
        sens.add_row(sc.label, total, _buys(sc.purchases), verdict)
    out.print(sens)
    for bp in plan.break_points:
        out.print(_break_point(bp))
    out.print("[dim]Assumptions:[/dim]")
    for text in plan.assumptions:
        out.print(f"[dim]- {escape(text)}[/dim]")
