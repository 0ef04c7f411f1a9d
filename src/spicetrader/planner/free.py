"""Free and low-cost notebook tiers (Colab, Kaggle): does it fit, does it finish in a session and
the quota, and how many sessions (with checkpointing) it would take. Never possible when it does
not fit."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import PlanContext, TierResult, fit_notes
from spicetrader.planner.job import job_hours, request_seconds
from spicetrader.planner.models import FreeTierUse, JobKind, PlanOption
from spicetrader.planner.search import Unsupported
from spicetrader.units import HOURS_PER_MONTH

if TYPE_CHECKING:
    from spicetrader.catalog.schema import FreeTier

__all__ = ["WEEKS_PER_MONTH", "free_options", "free_tier_use"]

WEEKS_PER_MONTH = 52.0 / 12.0
HOURS_PER_WEEK = 168.0


def free_tier_use(tier: FreeTier, job_kind: JobKind, hours: float, months: float) -> FreeTierUse:
    """Sessions, weeks of quota and months of subscription the job needs on ``tier``.

    The hours a month are capped by the weekly quota (x 52/12 weeks) and, on unit-metered tiers
    (Colab Pro), by the hours the month's compute units buy. Serving: ``hours`` is the use per
    month and must fit the monthly cap. A job: ``hours`` in total, split into sessions of at most
    ``session_hours`` (resumed from checkpoints), weeks of the weekly quota and months of the cap.
    """
    quota = tier.weekly_quota_hours
    caps = [c for c in (quota * WEEKS_PER_MONTH if quota else None, tier.monthly_hours) if c]
    cap = min(caps) if caps else None
    if job_kind is JobKind.SERVING:
        sessions = math.ceil(hours * months / tier.session_hours)
        weeks = math.ceil(months * WEEKS_PER_MONTH) if quota is not None else None
        within = hours <= cap if cap is not None else None
        months_billed = math.ceil(months)
        within_session = False
    else:
        sessions = max(1, math.ceil(hours / tier.session_hours))
        weeks = max(1, math.ceil(hours / quota)) if quota is not None else None
        first_period = quota if quota is not None else tier.monthly_hours
        within = hours <= first_period if first_period is not None else None
        months_billed = max(1, math.ceil(hours / cap)) if cap is not None else 1
        within_session = hours <= tier.session_hours
    return FreeTierUse(
        session_hours=tier.session_hours,
        sessions=sessions,
        within_one_session=within_session,
        weekly_quota_hours=quota,
        weeks=weeks,
        monthly_hours_cap=cap,
        within_quota=within,
        months_billed=months_billed,
    )


def _notes(tier: FreeTier, use: FreeTierUse, job_kind: JobKind) -> list[str]:
    notes: list[str] = []
    if job_kind is JobKind.SERVING:
        notes.append("a notebook session is not an always-on endpoint; sessions end and restart")
        if use.within_quota is None:
            notes.append("no published usage allowance: not counted on for serving (not possible)")
        if use.within_quota is False:
            notes.append(
                f"the use exceeds the ~{use.monthly_hours_cap:,.0f} h a month the tier allows "
                "(not possible)"
            )
    elif not use.within_one_session:
        notes.append(
            f"needs {use.sessions} sessions of up to {use.session_hours:g} h: "
            "save checkpoints and resume"
        )
        if use.weeks is not None and use.weeks > 1:
            notes.append(f"spread over {use.weeks} weeks of the {use.weekly_quota_hours:g} h quota")
    if tier.monthly_hours is not None:
        notes.append(
            f"{tier.compute_units_per_month:g} compute units a month buy about "
            f"{tier.monthly_hours:,.0f} h on this GPU"
        )
        if job_kind is not JobKind.SERVING and use.months_billed > 1:
            notes.append(f"needs {use.months_billed} months of the subscription's units")
    if tier.idle_timeout_minutes is not None:
        notes.append(f"disconnects after ~{tier.idle_timeout_minutes:g} min idle")
    notes.append(f"limits as published ({tier.confidence} confidence); GPUs not guaranteed")
    return notes


def _elapsed_hours(hours: float | None, use: FreeTierUse | None) -> float | None:
    """Calendar hours to finish when the quota spreads the work over weeks or months."""
    if hours is None or use is None:
        return hours
    if use.weeks is not None and use.weeks > 1 and use.weekly_quota_hours:
        done_before = (use.weeks - 1) * use.weekly_quota_hours
        return (use.weeks - 1) * HOURS_PER_WEEK + (hours - done_before)
    if use.months_billed > 1 and use.monthly_hours_cap:
        done_before = (use.months_billed - 1) * use.monthly_hours_cap
        return (use.months_billed - 1) * HOURS_PER_MONTH + (hours - done_before)
    return hours


def _quota_allows(job_kind: JobKind, use: FreeTierUse | None) -> bool:
    """A job can be spread over sessions and weeks; serving needs a published monthly allowance
    that covers the use (tiers with only "dynamic" limits are not counted on for serving)."""
    if use is None or job_kind is not JobKind.SERVING:
        return True  # a job resumes from checkpoints over sessions, weeks and months
    return use.within_quota is True


def free_options(ctx: PlanContext) -> TierResult:
    result = TierResult()
    for tier in ctx.catalog.free_tiers:
        ev = ctx.search.evaluate(tier.accelerator, tier.count)
        if isinstance(ev, Unsupported):
            result.notes.append(f"free: {tier.id} skipped: {ev.reason}")
            continue
        hours = job_hours(ctx.job, ev.estimate)
        use: FreeTierUse | None = None
        cost: float | None = None
        fits = hours is not None
        notes = fit_notes(ev, fits, has="the GPU has")
        if hours is not None:
            use = free_tier_use(tier, ctx.job.kind, hours, ctx.job.months)
            cost = tier.monthly_price_usd * use.months_billed
            notes.extend(_notes(tier, use, ctx.job.kind))
        elapsed = _elapsed_hours(hours, use)
        verdict = ctx.verdict(fits, elapsed, cost, ev.estimate)
        notes.extend(ctx.slow_notes(verdict, ev.estimate))
        accel = ctx.catalog.accelerators[tier.accelerator]
        option = PlanOption(
            id=f"free:{tier.id}",
            tier=Tier.FREE,
            name=f"{tier.service} {tier.tier}",
            hardware=tier.accelerator,
            devices=tier.count,
            precision=ev.precision,
            quantized=ev.quantized,
            quantized_for_speed=ev.for_speed,
            fits=fits,
            feasible=verdict.feasible and _quota_allows(ctx.job.kind, use),
            hours=hours,
            request_s=request_seconds(ctx.job, ev.estimate),
            calendar_hours=elapsed if ctx.job.kind is not JobKind.SERVING else None,
            cost_usd=cost,
            meets_deadline=verdict.meets_deadline,
            within_budget=verdict.within_budget,
            fast_enough=verdict.fast_enough,
            as_of=tier.as_of,
            sources=(f"free-tier:{tier.id}@{tier.as_of}", f"accelerator:{accel.id}@{accel.as_of}"),
            free_use=use,
            estimate=ev.estimate,
            notes=tuple(notes),
        )
        result.add(option)
    return result
