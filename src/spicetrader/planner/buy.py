"""Buy tiers: servers and workstations (``buy``) and Macs (``mac``), with their economics.

Owning is summed up three ways: the cash out (purchase + energy + colocation over the horizon), the
value left at the end (straight-line book value) and the net cost of ownership (the difference,
which ranks owned options). Serving's cost is that net cost; a one-off job is charged the share
of the hours it uses (energy + depreciation and colocation of those hours), the purchase beside
it. The break-even is against the cheapest usable comparable rental (``planner/breakeven.py``;
formulas in ``planner/economics.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spicetrader.planner.breakeven import break_even, comparable_rental
from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import PlanContext, TierResult, fit_notes
from spicetrader.planner.economics import Ownership
from spicetrader.planner.job import billed_hours, horizon_months, job_hours, request_seconds
from spicetrader.planner.models import JobKind, OwnershipSummary, PlanOption
from spicetrader.planner.search import Evaluated, Unsupported

if TYPE_CHECKING:
    from spicetrader.catalog.schema import System

__all__ = [
    "DISCONTINUED_NOTE",
    "USED_MARKET_PREFIX",
    "buy_options",
    "mac_options",
    "ownership",
    "ownership_for",
    "ownership_summary",
]

_MEMORY_IN_NAME = re.compile(r"[\s,/(]*\d+(\.\d+)?\s*GB\b\)?", re.IGNORECASE)

DISCONTINUED_NOTE = "no longer sold new: the last list price (used or refurbished only)"
USED_MARKET_PREFIX = "used market:"


def ownership(
    ctx: PlanContext,
    *,
    server: bool,
    purchase_usd: float,
    power_typical_w: float,
    provisioned_w: float,
) -> Ownership:
    """The economics of owning a machine: a server sits in a data centre (datacentre PUE,
    colocation unless turned off), a workstation, Mac or machine you already have in an office
    (office PUE, no colocation unless asked)."""
    econ = ctx.catalog.economics
    colocated = server if ctx.constraints.colocation is None else ctx.constraints.colocation
    return Ownership(
        purchase_usd=purchase_usd,
        power_typical_w=power_typical_w,
        provisioned_w=provisioned_w,
        electricity_usd_per_kwh=econ.electricity_usd_per_kwh,
        pue=econ.pue if server else econ.pue_office,
        depreciation_years=econ.depreciation_years,
        colocation_usd_per_kw_month=econ.colocation_usd_per_kw_month if colocated else None,
    )


def ownership_for(ctx: PlanContext, system: System) -> Ownership:
    """The economics of owning catalog ``system`` (see :func:`ownership`)."""
    from spicetrader.catalog.schema import SystemKind

    return ownership(
        ctx,
        server=system.kind is SystemKind.SERVER,
        purchase_usd=system.price_usd,
        power_typical_w=system.power_typical_w,
        provisioned_w=system.power_max_w,
    )


def ownership_summary(
    ctx: PlanContext,
    owner: Ownership,
    hours: float,
    rentals: Sequence[PlanOption],
    price_as_of: str,
) -> tuple[OwnershipSummary, float]:
    """The summary of owning for the job of ``hours`` and the job's cost: serving, the net cost
    of ownership over the horizon; a one-off job, the share of the hours it uses (the purchase
    is shown beside it). The break-even is against the cheapest usable comparable rental among
    ``rentals`` (none: no break-even, said why)."""
    total = billed_hours(ctx.job, hours)
    months = horizon_months(ctx.job, hours)
    usage = ctx.job.usage_hours_per_month
    serving = ctx.job.kind is JobKind.SERVING
    share = None if serving else owner.hours_share_usd(total)
    net = owner.net_cost_usd(total, months)
    rent = comparable_rental(rentals, ctx.job, hours) if owner.purchase_usd > 0 else None
    even = break_even(owner, rent, total, usage)
    summary = OwnershipSummary(
        purchase_usd=owner.purchase_usd,
        price_as_of=price_as_of,
        power_typical_w=owner.power_typical_w,
        energy_usd=owner.energy_usd(total),
        depreciation_usd_per_month=owner.depreciation_usd_per_month,
        colocation_usd_per_month=owner.colocation_usd_per_month,
        usd_per_month=owner.usd_per_month(usage),
        horizon_months=months,
        versus_rent_option=rent.option_id if rent is not None else None,
        rent_usd_per_hour_equivalent=even.rent_usd_per_hour,
        break_even_hours_per_month=even.hours_per_month,
        break_even_months=even.months,
        cash_out_usd=owner.cash_out_usd(total, months),
        value_left_usd=owner.book_value_usd(months),
        net_cost_usd=net,
        job_share_usd=share,
        break_even_never_reason=even.never if owner.purchase_usd > 0 else None,
    )
    return summary, net if share is None else share


def _break_even_notes(summary: OwnershipSummary) -> list[str]:
    """Say what the break-even means in words (and why it never happens)."""
    if summary.break_even_never_reason is not None:
        return [f"break-even: never: {summary.break_even_never_reason}"]
    hours, months = summary.break_even_hours_per_month, summary.break_even_months
    if summary.versus_rent_option is None or hours is None:
        return []
    text = f"cheaper than renting {summary.versus_rent_option} above {hours:,.0f} h/month"
    if months is not None:
        text += f"; the rent it saves repays the purchase after {months:,.1f} months at this use"
    return [text]


def _option(
    ctx: PlanContext,
    tier: Tier,
    system: System,
    ev: Evaluated,
    rentals: Sequence[PlanOption],
    extra_notes: tuple[str, ...] = (),
) -> PlanOption:
    accel = ctx.catalog.accelerators[system.accelerator]
    hours = job_hours(ctx.job, ev.estimate)
    summary: OwnershipSummary | None = None
    cost: float | None = None
    if hours is not None:
        owner = ownership_for(ctx, system)
        summary, cost = ownership_summary(ctx, owner, hours, rentals, system.price_as_of)
    fits = hours is not None
    spend = summary.cash_out_usd if summary is not None else None  # the budget counts cash
    verdict = ctx.verdict(fits, hours, spend, ev.estimate)
    notes = list(extra_notes)
    notes.extend(ctx.slow_notes(verdict, ev.estimate))
    notes.extend(fit_notes(ev, fits))
    if summary is not None:
        notes.extend(_break_even_notes(summary))
    if system.estimated:
        notes.append("price or power estimated (see the catalog row's notes)")
    from spicetrader.catalog.schema import PriceStatus

    if system.status is PriceStatus.USED_MARKET:
        notes.append(
            f"{USED_MARKET_PREFIX} {system.price_low_usd:,.0f}-{system.price_high_usd:,.0f} "
            "USD seen, "
            f"planned at {system.price_usd:,.0f}; no warranty, prices vary by seller"
        )
    elif system.status is PriceStatus.DISCONTINUED:
        notes.append(DISCONTINUED_NOTE)
    econ = ctx.catalog.economics
    econ_ids = tuple(
        f"economics:{key}@{value.as_of}"
        for key, value in (
            ("electricity", econ.electricity),
            ("depreciation", econ.depreciation),
            ("datacenter-pue", econ.datacenter_pue),
            ("office-pue", econ.office_pue),
            ("colocation", econ.colocation),
        )
    )
    return PlanOption(
        id=f"{tier.value}:{system.id}",
        tier=tier,
        name=system.name,
        hardware=system.accelerator,
        devices=system.count,
        memory_gb=system.memory_gb if accel.memory_configs_gb else None,
        precision=ev.precision,
        quantized=ev.quantized,
        quantized_for_speed=ev.for_speed,
        fits=fits,
        feasible=verdict.feasible,
        hours=hours,
        request_s=request_seconds(ctx.job, ev.estimate),
        cost_usd=cost,
        meets_deadline=verdict.meets_deadline,
        within_budget=verdict.within_budget,
        fast_enough=verdict.fast_enough,
        as_of=system.price_as_of,
        sold_new=system.status is not PriceStatus.DISCONTINUED,
        sources=(
            f"system:{system.id}@{system.as_of}",
            f"accelerator:{accel.id}@{accel.as_of}",
            *econ_ids,
        ),
        ownership=summary,
        estimate=ev.estimate,
        notes=tuple(notes),
    )


def _evaluate(ctx: PlanContext, system: System) -> Evaluated | Unsupported:
    accel = ctx.catalog.accelerators[system.accelerator]
    memory = system.memory_gb if accel.memory_configs_gb else None
    return ctx.search.evaluate(system.accelerator, system.count, memory)


def buy_options(ctx: PlanContext, rentals: Sequence[PlanOption]) -> TierResult:
    """Every server and workstation, each with its economics (or why it does not fit)."""
    from spicetrader.catalog.schema import SystemKind

    result = TierResult()
    for system in ctx.catalog.systems:
        if system.kind is SystemKind.MAC:
            continue
        ev = _evaluate(ctx, system)
        if isinstance(ev, Unsupported):
            result.notes.append(f"buy: {system.id} skipped: {ev.reason}")
            continue
        result.add(_option(ctx, Tier.BUY, system, ev, rentals))
    return result


def _product(system: System) -> tuple[str, str]:
    """Mac rows that differ only in memory belong to one product."""
    return system.accelerator, _MEMORY_IN_NAME.sub("", system.name).strip().lower()


def mac_options(ctx: PlanContext, rentals: Sequence[PlanOption]) -> TierResult:
    """One option per Mac product: the cheapest memory configuration that fits (or the
    largest, marked as not fitting)."""
    from spicetrader.catalog.schema import SystemKind

    result = TierResult()
    products: dict[tuple[str, str], list[System]] = defaultdict(list)
    for system in ctx.catalog.systems:
        if system.kind is SystemKind.MAC:
            products[_product(system)].append(system)
    for configs in products.values():
        configs.sort(key=lambda s: (s.memory_gb, s.price_usd, s.id))
        sold = ", ".join(f"{s.memory_gb:g}" for s in configs)
        chosen: tuple[System, Evaluated] | None = None
        largest: tuple[System, Evaluated] | None = None
        for system in configs:
            ev = _evaluate(ctx, system)
            if isinstance(ev, Unsupported):
                result.notes.append(f"mac: {system.id} skipped: {ev.reason}")
                break
            largest = (system, ev)
            if ev.estimate.fits:
                chosen = (system, ev)
                break
        picked = chosen or largest
        if picked is None:
            continue
        system, ev = picked
        note = (
            f"memory {system.memory_gb:g} GB: the smallest configuration that fits (sold: {sold})"
            if chosen
            else f"no memory configuration fits (sold: {sold} GB)"
        )
        result.add(_option(ctx, Tier.MAC, system, ev, rentals, (note,)))
    return result
