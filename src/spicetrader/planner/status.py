"""Each option's status: can it be chosen, and if not, the first reason why, in words.

The order is the order a person would give the reasons: it does not fit; it is a notebook (for
serving: sessions end, there is no endpoint, so it is for trying the model out); it is too slow
to serve; it misses the deadline; it takes longer than the job window (30 days when no deadline
is given: "impractical"); it is over the budget. Only an ``ok`` option is ``feasible``, i.e. may
be recommended.
"""

from __future__ import annotations

from spicetrader.planner.constraints import DEFAULT_JOB_WINDOW_HOURS, Tier
from spicetrader.planner.context import PlanContext
from spicetrader.planner.job import job_hours
from spicetrader.planner.models import JobKind, OptionStatus, PlanOption
from spicetrader.planner.search import SpeedGoal
from spicetrader.spec.estimate import Estimate

__all__ = ["job_window_hours", "speed_goal", "with_status"]


def job_window_hours(ctx: PlanContext) -> float | None:
    """The calendar hours a job must finish in: the deadline, else the default window;
    ``None`` for serving."""
    if ctx.job.kind is JobKind.SERVING:
        return None
    deadline = ctx.constraints.deadline_hours
    return deadline if deadline is not None else DEFAULT_JOB_WINDOW_HOURS


def speed_goal(ctx: PlanContext) -> SpeedGoal | None:
    """What the precision search must meet: serving's decode floor per user and first-token
    limit, or a job's deadline (else the job window); ``None`` when there is nothing to meet."""
    if ctx.job.kind is JobKind.SERVING:
        if ctx.min_decode_tokens_per_s is None and ctx.max_ttft_s is None:
            return None

        def decode(estimate: Estimate) -> float:
            speed = estimate.inference
            return (speed.decode_tokens_per_s or 0.0) if speed is not None else 0.0

        return SpeedGoal(meets=lambda e: ctx.fast_enough(e) is not False, rate=decode)
    window = job_window_hours(ctx)
    if window is None:
        return None
    limit = window

    def hours(estimate: Estimate) -> float:
        taken = job_hours(ctx.job, estimate)
        return taken if taken is not None else float("inf")

    return SpeedGoal(meets=lambda e: hours(e) <= limit, rate=lambda e: -hours(e))


def _days(hours: float) -> str:
    return f"{hours:,.1f} h" if hours < 48 else f"{hours / 24:,.1f} days"


def _status(ctx: PlanContext, option: PlanOption) -> tuple[OptionStatus, str | None]:
    serving = ctx.job.kind is JobKind.SERVING
    if not option.fits:
        why = next((n for n in option.notes if n.startswith("does not fit")), "does not fit")
        return OptionStatus.DOES_NOT_FIT, why
    if serving and option.tier is Tier.FREE:
        session = option.free_use.session_hours if option.free_use is not None else None
        length = f"sessions end after {session:g} h" if session else "sessions end"
        return (
            OptionStatus.TRY_ONLY,
            f"a notebook, not an endpoint ({length}): to try the model out, not to serve it",
        )
    if option.fast_enough is False:
        return OptionStatus.TOO_SLOW, ctx.slow_reason(option.estimate)
    finish = option.finish_hours
    deadline = ctx.constraints.deadline_hours
    if option.meets_deadline is False and finish is not None and deadline is not None:
        return (
            OptionStatus.MISSES_DEADLINE,
            f"takes {_days(finish)}, the deadline is {_days(deadline)}",
        )
    window = job_window_hours(ctx)
    if deadline is None and window is not None and finish is not None and finish > window:
        return (
            OptionStatus.IMPRACTICAL,
            f"takes {_days(finish)}, longer than the {window / 24:g}-day job window "
            "(--deadline-hours to allow longer)",
        )
    budget = ctx.constraints.budget_usd
    if option.within_budget is False and budget is not None:
        return OptionStatus.OVER_BUDGET, _over_budget(option, budget)
    if not option.feasible:  # a tier's own reason (e.g. no cost): listed, not choosable
        return OptionStatus.IMPRACTICAL, "cannot be priced for this job"
    return OptionStatus.OK, None


def _over_budget(option: PlanOption, budget: float) -> str:
    """Why an option is over the budget. A machine to buy is held to its cash out (purchase +
    energy + colocation, ``buy.py``), which can exceed the budget while its net cost, the figure
    the tables rank it by, does not: say which."""
    own = option.ownership
    if own is None or own.purchase_usd <= 0:
        return f"costs more than the budget of ${budget:,.0f}"
    why = (
        f"its cash out, ${own.cash_out_usd:,.0f} (purchase ${own.purchase_usd:,.0f}), is more "
        f"than the budget of ${budget:,.0f}"
    )
    if own.net_cost_usd <= budget:
        why += f" (its net cost, ${own.net_cost_usd:,.0f}, is not: the budget counts cash)"
    return why


def with_status(ctx: PlanContext, option: PlanOption) -> PlanOption:
    """``option`` with its status, reason, feasibility and (serving) per-user decode speed."""
    status, why = _status(ctx, option)
    speed = option.estimate.inference.decode_tokens_per_s if option.estimate.inference else None
    per_user = speed if ctx.job.kind is JobKind.SERVING and option.fits else None
    return option.model_copy(
        update={
            "status": status,
            "status_reason": why,
            "feasible": status is OptionStatus.OK,
            "per_user_tokens_per_s": per_user,
        }
    )
