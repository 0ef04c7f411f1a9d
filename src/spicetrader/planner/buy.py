"""Buy tiers: servers and workstations (``buy``) and Macs (``mac``), with their economics.

The cost of the job when buying is the cost of owning the machine over the horizon (straight-line
depreciation and colocation for the months held) plus the energy of the hours it runs; the
purchase price itself (the cash up front) and the break-even against the cheapest rental for the
same work are reported next to it (formulas in ``planner/economics.py``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import PlanContext, RentReference, TierResult, fit_notes
from spicetrader.planner.economics import Ownership, break_even_hours_per_month, break_even_months
from spicetrader.planner.job import billed_hours, horizon_months, job_hours, request_seconds
from spicetrader.planner.models import OwnershipSummary, PlanOption
from spicetrader.planner.search import Evaluated, Unsupported
from spicetrader.units import HOURS_PER_MONTH

if TYPE_CHECKING:
    from spicetrader.catalog.schema import System

__all__ = ["buy_options", "mac_options", "ownership", "ownership_for", "ownership_summary"]

_MEMORY_IN_NAME = re.compile(r"[\s,/(]*\d+(\.\d+)?\s*GB\b\)?", re.IGNORECASE)


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
    ctx: PlanContext, owner: Ownership, hours: float, rent: RentReference | None, price_as_of: str
) -> tuple[OwnershipSummary, float]:
    """The summary of owning for the job of ``hours`` and the job's cost; the break-even is
    against ``rent`` (none without one)."""
    total = billed_hours(ctx.job, hours)
    months = horizon_months(ctx.job, hours)
    cost = owner.cost_usd(total, months)
    usage = ctx.job.usage_hours_per_month
    # the rental's cost of the work one hour of this machine does (none for a zero-length job)
    rent_per_hour = rent.cost_usd / total if rent is not None and total > 0 else None
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
        rent_usd_per_hour_equivalent=rent_per_hour,
        break_even_hours_per_month=(
            break_even_hours_per_month(owner, rent_per_hour) if rent_per_hour else None
        ),
        break_even_months=(
            break_even_months(owner, rent_per_hour, usage) if rent_per_hour else None
        ),
    )
    return summary, cost


def _break_even_notes(summary: OwnershipSummary) -> list[str]:
    """Say what the break-even means in words (and when it can never happen)."""
    if summary.versus_rent_option is None:
        return []
    hours = summary.break_even_hours_per_month
    if hours is None:
        return [
            f"never cheaper than renting {summary.versus_rent_option}: "
            "the rent is below the electricity bill"
        ]
    if hours > HOURS_PER_MONTH:
        return [
            f"never cheaper than renting {summary.versus_rent_option}: it would take "
            f"{hours:,.0f} h of use a month (a month has {HOURS_PER_MONTH:g})"
        ]
    text = f"cheaper than renting {summary.versus_rent_option} above {hours:,.0f} h/month"
    if summary.break_even_months is not None:
        text += f"; pays for itself after {summary.break_even_months:,.1f} months at this use"
    return [text]


def _option(
    ctx: PlanContext,
    tier: Tier,
    system: System,
    ev: Evaluated,
    rent: RentReference | None,
    extra_notes: tuple[str, ...] = (),
) -> PlanOption:
    accel = ctx.catalog.accelerators[system.accelerator]
    hours = job_hours(ctx.job, ev.estimate)
    summary: OwnershipSummary | None = None
    cost: float | None = None
    if hours is not None:
        owner = ownership_for(ctx, system)
        summary, cost = ownership_summary(ctx, owner, hours, rent, system.price_as_of)
    fits = hours is not None
    verdict = ctx.verdict(fits, hours, cost, ev.estimate)
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
            f"used market: {system.price_low_usd:,.0f}-{system.price_high_usd:,.0f} USD seen, "
            f"planned at {system.price_usd:,.0f}; no warranty, prices vary by seller"
        )
    elif system.status is PriceStatus.DISCONTINUED:
        notes.append("no longer sold new: the last list price (used or refurbished only)")
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
        fits=fits,
        feasible=verdict.feasible,
        hours=hours,
        request_s=request_seconds(ctx.job, ev.estimate),
        cost_usd=cost,
        meets_deadline=verdict.meets_deadline,
        within_budget=verdict.within_budget,
        fast_enough=verdict.fast_enough,
        as_of=system.price_as_of,
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


def buy_options(ctx: PlanContext, rent: RentReference | None) -> TierResult:
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
        result.add(_option(ctx, Tier.BUY, system, ev, rent))
    return result


def _product(system: System) -> tuple[str, str]:
    """Mac rows that differ only in memory belong to one product."""
    return system.accelerator, _MEMORY_IN_NAME.sub("", system.name).strip().lower()


def mac_options(ctx: PlanContext, rent: RentReference | None) -> TierResult:
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
        result.add(_option(ctx, Tier.MAC, system, ev, rent, (note,)))
    return result
