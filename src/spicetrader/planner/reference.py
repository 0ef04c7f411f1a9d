"""Scale reference for pre-training: what the job takes on a 1,000 and a 10,000 H100 cluster.

Not a choice the planner recommends: a yardstick. The cost uses the cheapest on-demand H100 SXM
price per GPU-hour in the catalog (large clusters are usually bought on reserved contracts for
less; said so in the notes).
"""

from __future__ import annotations

from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import PlanContext, TierResult
from spicetrader.planner.job import job_hours
from spicetrader.planner.models import PlanOption
from spicetrader.planner.search import Unsupported

__all__ = ["REFERENCE_ACCELERATOR", "REFERENCE_CLUSTER_SIZES", "reference_options"]

REFERENCE_ACCELERATOR = "h100-sxm"
REFERENCE_CLUSTER_SIZES: tuple[int, ...] = (1_000, 10_000)
GPUS_PER_NODE = 8


def reference_options(ctx: PlanContext) -> TierResult:
    result = TierResult()
    accel = ctx.catalog.accelerators.get(REFERENCE_ACCELERATOR)
    if accel is None:
        result.notes.append(f"reference: no {REFERENCE_ACCELERATOR} in the catalog")
        return result
    offers = [o for o in ctx.catalog.offers if o.accelerator == REFERENCE_ACCELERATOR]
    cheapest = min(offers, key=lambda o: (o.price_usd_per_gpu_hour, o.id)) if offers else None
    for size in REFERENCE_CLUSTER_SIZES:
        nodes = max(1, size // GPUS_PER_NODE)
        ev = ctx.search.evaluate(REFERENCE_ACCELERATOR, size, None, nodes=nodes)
        if isinstance(ev, Unsupported):
            result.notes.append(f"reference: {size} x {REFERENCE_ACCELERATOR}: {ev.reason}")
            continue
        hours = job_hours(ctx.job, ev.estimate)
        cost: float | None = None
        notes = [f"{size:,} GPUs in {nodes:,} nodes of {GPUS_PER_NODE}: a yardstick, not a choice"]
        sources: tuple[str, ...] = (f"accelerator:{accel.id}@{accel.as_of}",)
        as_of = accel.as_of
        price: float | None = None
        if cheapest is not None and hours is not None:
            price = cheapest.price_usd_per_gpu_hour * size
            cost = hours * price
            sources = (*sources, f"offer:{cheapest.id}@{cheapest.as_of}")
            as_of = cheapest.as_of
            notes.append(
                f"priced at {cheapest.id}'s ${cheapest.price_usd_per_gpu_hour:.2f}/GPU-h on-demand;"
                " reserved contracts for clusters this size are usually cheaper"
            )
        verdict = ctx.verdict(hours is not None, hours, cost)
        result.options.append(
            PlanOption(
                id=f"reference:{REFERENCE_ACCELERATOR}-x{size}",
                tier=Tier.REFERENCE,
                name=f"{size:,} x {accel.name} cluster",
                hardware=REFERENCE_ACCELERATOR,
                devices=size,
                precision=ev.precision,
                quantized=ev.quantized,
                quantized_for_speed=ev.for_speed,
                fits=hours is not None,
                feasible=verdict.feasible,
                hours=hours,
                cost_usd=cost,
                price_usd_per_hour=price,
                meets_deadline=verdict.meets_deadline,
                within_budget=verdict.within_budget,
                as_of=as_of,
                sources=sources,
                estimate=ev.estimate,
                notes=tuple(notes),
            )
        )
    return result
