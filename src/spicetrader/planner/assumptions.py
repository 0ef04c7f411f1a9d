"""The plan's assumptions, in words: the job, the defaults taken, and the rules that chose."""

from __future__ import annotations

from spicetrader.planner.breakeven import COMPARABLE_TIME_FACTOR
from spicetrader.planner.constraints import (
    DEFAULT_JOB_WINDOW_HOURS,
    DEFAULT_VALUE_OF_TIME_USD_PER_HOUR,
)
from spicetrader.planner.context import PlanContext
from spicetrader.planner.models import JobKind

__all__ = ["plan_assumptions"]


def _serving(ctx: PlanContext) -> list[str]:
    cons = ctx.constraints
    out: list[str] = []
    if cons.usage_hours_per_month is None:
        out.append(
            f"usage {ctx.job.usage_hours_per_month:g} h/month (default; --usage-hours-per-month)"
        )
    out.append(
        "serving: every option runs the same hours, so 'faster' compares the time of one "
        "request (time to first token + output tokens at the decode speed one user sees)"
    )
    users = cons.users
    out.append(
        f"{users} concurrent user(s) (--users): each option serves a batch of {users}; the "
        "speeds are per user at that load"
    )
    minimum = ctx.min_decode_tokens_per_s
    if minimum is not None:
        how = (
            "default, roughly reading speed; --min-tokens-per-s, 0 for no minimum"
            if cons.min_decode_tokens_per_s is None
            else "--min-tokens-per-s"
        )
        out.append(
            f"serving speed: an option must decode at least {minimum:g} tokens/s per user "
            f"({how}); slower ones are 'too_slow' and not recommended"
        )
    ceiling = ctx.max_ttft_s
    if ceiling is not None:
        how = (
            "default, the 10 s limit of a user's attention; --max-ttft-s, 0 for no limit"
            if cons.max_ttft_s is None
            else "--max-ttft-s"
        )
        prompt = ctx.workload.inference.prompt_tokens if ctx.workload.inference else 0
        out.append(
            f"serving wait: the first token must come within {ceiling:g} s when all {users} "
            f"user(s) send a {prompt}-token prompt at once ({how}); slower ones are 'too_slow'"
        )
    out.append(
        "notebooks (Colab, Kaggle, Studio Lab) are never recommended for serving: sessions "
        "end and there is no endpoint; they are listed 'to try it out' (try_only)"
    )
    return out


def _job(ctx: PlanContext) -> list[str]:
    cons = ctx.constraints
    value = cons.value_of_time_usd_per_hour
    default = " (default)" if value == DEFAULT_VALUE_OF_TIME_USD_PER_HOUR else ""
    out: list[str] = []
    if cons.deadline_hours is None:
        out.append(
            f"no deadline given: a job must finish within {DEFAULT_JOB_WINDOW_HOURS / 24:g} "
            "calendar days (the job window); longer options are 'impractical' "
            "(--deadline-hours to set one)"
        )
    out.append(
        f"waiting is worth ${value:g}/h{default} (--value-of-time): the recommendation "
        "minimises cost + that value x the calendar hours to finish; 0 gives the pure cheapest"
    )
    out.append(
        "an owned machine's cost for a one-off job is the share of the hours it uses (energy + "
        "depreciation and colocation of those hours); the purchase is shown beside it"
    )
    out.append(
        f"break-even of a machine to buy: against the cheapest usable rental that finishes "
        f"within {COMPARABLE_TIME_FACTOR:g}x the machine's time"
    )
    return out


def plan_assumptions(ctx: PlanContext, allow_q: bool) -> list[str]:
    job, cons, econ = ctx.job, ctx.constraints, ctx.catalog.economics
    out = [f"job: {job.description}"]
    out += _serving(ctx) if job.kind is JobKind.SERVING else _job(ctx)
    if cons.months is None:
        out.append(f"horizon {job.months:g} months (default; --months)")
    out.append(
        "quantization allowed: the highest precision that fits and is fast enough (the speed "
        "floor, the deadline or the job window); said per option when lowered"
        if allow_q
        else "quantization not allowed: the workload's precision only"
    )
    if ctx.workload.hardware is not None or ctx.workload.devices != 1:
        out.append("the workload's hardware/devices are ignored: the planner chooses per option")
    out.append(
        f"owning: electricity ${econ.electricity_usd_per_kwh:.3f}/kWh "
        f"({econ.electricity.source}, {econ.electricity.as_of}), PUE {econ.pue:g} (data centre) "
        f"/ {econ.pue_office:g} (office); colocation ${econ.colocation_usd_per_kw_month:g}"
        "/kW-month for servers" + (" (on)" if cons.colocation is not False else " (off)")
    )
    out.append(
        "owning is shown as cash out (purchase + energy + colocation over the horizon), value "
        f"left (book value: straight-line depreciation over {econ.depreciation_years:g} years, "
        f"{econ.depreciation.source}, {econ.depreciation.as_of}) and net cost = cash out - value "
        "left; the net cost ranks owned options"
    )
    if job.kind is JobKind.SERVING:
        out.append(
            "break-even of a machine to buy: against the cheapest rental that is itself usable "
            "(fast enough to serve); 'never' when the rent is below the electricity, when it "
            "would need more hours than a month has, or beyond the useful life"
        )
    if cons.spot:
        out.append("spot prices shown next to on-demand; spot can be interrupted")
    return out
