"""Rent tier: every cloud offer that fits; job cost = billed hours x price of the whole instance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import Miss, PlanContext, TierResult, fit_notes
from spicetrader.planner.job import billed_hours, job_hours, request_seconds
from spicetrader.planner.models import PlanOption
from spicetrader.planner.search import Evaluated, TooBig, Unsupported

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Offer

__all__ = ["MARKETPLACE_NOTE", "SPOT_NOTE", "rent_options"]

SPOT_NOTE = (
    "spot/preemptible: the provider can interrupt it at any time (often with 30 s to 2 min "
    "notice); checkpoint often and expect restarts"
)

# Offers whose catalog price note says they come from a marketplace (Vast.ai): single hosts, not a
# provider's standing fleet.
MARKETPLACE_NOTE = "marketplace: one host's offer; host reliability varies, prices move"


def _option(
    ctx: PlanContext, offer: Offer, ev: Evaluated, hours: float, spot: bool
) -> PlanOption | None:
    price = offer.spot_price_usd_per_hour if spot else offer.price_usd_per_hour
    if price is None:
        return None
    cost = billed_hours(ctx.job, hours) * price
    verdict = ctx.verdict(True, hours, cost, ev.estimate)
    notes: list[str] = ctx.slow_notes(verdict, ev.estimate)
    notes.extend(fit_notes(ev, True))
    if offer.price_note:
        notes.append(offer.price_note)
    if "marketplace" in offer.price_note.lower():
        notes.append(MARKETPLACE_NOTE)
    if spot:
        notes.append(SPOT_NOTE)
    accel = ctx.catalog.accelerators[offer.accelerator]
    return PlanOption(
        id=f"rent:{offer.id}" + (":spot" if spot else ""),
        tier=Tier.RENT,
        name=f"{offer.provider} {offer.instance_type}" + (" (spot)" if spot else ""),
        hardware=offer.accelerator,
        devices=offer.count,
        precision=ev.precision,
        quantized=ev.quantized,
        quantized_for_speed=ev.for_speed,
        fits=True,
        feasible=verdict.feasible,
        hours=hours,
        request_s=request_seconds(ctx.job, ev.estimate),
        cost_usd=cost,
        price_usd_per_hour=price,
        spot=spot,
        provider=offer.provider,
        meets_deadline=verdict.meets_deadline,
        within_budget=verdict.within_budget,
        fast_enough=verdict.fast_enough,
        as_of=offer.as_of,
        sources=(f"offer:{offer.id}@{offer.as_of}", f"accelerator:{accel.id}@{accel.as_of}"),
        estimate=ev.estimate,
        notes=tuple(notes),
    )


def rent_options(ctx: PlanContext) -> TierResult:
    """Every offer that fits (on-demand, plus spot when asked), cheapest per provider marked."""
    result = TierResult()
    misfits = 0
    unsupported: dict[str, str] = {}
    for offer in ctx.catalog.offers:
        ev = ctx.search.evaluate_if_possible(offer.accelerator, offer.count)
        if isinstance(ev, Unsupported):
            unsupported.setdefault(offer.accelerator, ev.reason)
            continue
        if isinstance(ev, TooBig):
            misfits += 1
            result.misses.append(
                Miss(id=f"rent:{offer.id}", needs_gb=ev.weights_gb, memory_gb=ev.memory_gb)
            )
            continue
        hours = job_hours(ctx.job, ev.estimate)
        if hours is None:
            misfits += 1
            result.misses.append(Miss.of(f"rent:{offer.id}", ev.estimate))
            continue
        for spot in (False, True) if ctx.constraints.spot else (False,):
            option = _option(ctx, offer, ev, hours, spot)
            if option is not None:
                result.options.append(option)
    result.options = _mark_cheapest_per_provider(result.options)
    if misfits:
        result.notes.append(f"rent: {misfits} cloud offers do not fit this workload (not listed)")
    for accel, reason in sorted(unsupported.items()):
        result.notes.append(f"rent: {accel} offers skipped: {reason}")
    return result


def _mark_cheapest_per_provider(options: Sequence[PlanOption]) -> list[PlanOption]:
    best: dict[str, PlanOption] = {}
    for opt in options:
        if opt.spot or opt.provider is None or opt.cost_usd is None:
            continue
        current = best.get(opt.provider)
        if current is None or (opt.cost_usd, opt.id) < (current.cost_usd or 0.0, current.id):
            best[opt.provider] = opt
    chosen = {o.id for o in best.values()}
    return [
        o.model_copy(update={"cheapest_of_provider": True}) if o.id in chosen else o
        for o in options
    ]
