"""Ranking, the (time, cost) Pareto set and the recommendation.

An option may be recommended when its status is ok (``planner/status.py``: it fits, is no
notebook for serving, is fast enough, finishes within the deadline or the 30-day job window and
stays within the budget). The recommendation is the lowest cost plus the value of the calendar
time waited (owned machines: the net cost of ownership); with only a budget, the fastest within
it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spicetrader.planner.constraints import PlanConstraints, Tier
from spicetrader.planner.context import Miss
from spicetrader.planner.models import Job, JobKind, OptionStatus, PlanOption, Recommendation
from spicetrader.planner.why_none import nothing_fits, why_infeasible
from spicetrader.planner.words import money, speed_words

__all__ = [
    "Point",
    "choosable",
    "dominates",
    "measured_first",
    "money",
    "pareto_front",
    "rank_key",
    "recommend",
    "score",
    "speed_words",
    "waiting_hours",
]


@dataclass(frozen=True, slots=True)
class Point:
    """An option as (time, cost); ``time`` is hours to finish, or seconds per request when
    serving (every serving option runs the same hours a month)."""

    id: str
    time: float
    cost_usd: float


def dominates(a: Point, b: Point) -> bool:
    """``a`` is at least as good as ``b`` in both and strictly better in one."""
    return (
        a.time <= b.time
        and a.cost_usd <= b.cost_usd
        and (a.time < b.time or a.cost_usd < b.cost_usd)
    )


def pareto_front(points: Sequence[Point]) -> tuple[str, ...]:
    """Ids of the points no other point dominates (minimising time and cost), fastest first.

    Sort by (time, cost) and sweep: a point is on the front when it is cheaper than every point
    before it (an exact duplicate of the last front point is kept too). O(n log n).
    """
    ordered = sorted(points, key=lambda p: (p.time, p.cost_usd, p.id))
    front: list[Point] = []
    for point in ordered:
        last = front[-1] if front else None
        if last is None or point.cost_usd < last.cost_usd:
            front.append(point)  # cheaper than everything faster
        elif (point.time, point.cost_usd) == (last.time, last.cost_usd):
            front.append(point)  # an exact tie with a front point
    return tuple(p.id for p in front)


def rank_key(option: PlanOption) -> tuple[int, float, float, str]:
    """Sort key: options that can be chosen first, then the others that fit, then those that
    do not; within each, by the cost that ranks them, then by time."""
    cost = option.rank_cost_usd if option.rank_cost_usd is not None else float("inf")
    hours = option.hours if option.hours is not None else float("inf")
    group = 0 if option.feasible else 1 if option.fits else 2
    return (group, cost, hours, option.id)


def waiting_hours(option: PlanOption, job: Job) -> float:
    """Calendar hours the user waits for the result: a job's finish time; 0 when serving (every
    serving option runs the same hours)."""
    if job.kind is JobKind.SERVING:
        return 0.0
    return option.finish_hours or 0.0


def score(option: PlanOption, job: Job, value_of_time_usd_per_hour: float) -> float:
    """What the recommendation minimises: the ranking cost + the value of the time waited."""
    cost = option.rank_cost_usd if option.rank_cost_usd is not None else float("inf")
    return cost + value_of_time_usd_per_hour * waiting_hours(option, job)


def choosable(options: Sequence[PlanOption]) -> list[PlanOption]:
    """Options that fit and are priced (the scale reference is never a choice)."""
    return [
        o
        for o in options
        if o.fits
        and o.tier is not Tier.REFERENCE
        and o.hours is not None
        and o.cost_usd is not None
        and o.time is not None
    ]


def measured_first(options: Sequence[PlanOption]) -> list[PlanOption]:
    """The options whose speed a measurement backs (the estimate is inside the calibrated
    region: a published case of its engine x chip family x architecture), when there are some;
    else all of them."""
    measured = [o for o in options if o.estimate.calibrated]
    return measured or list(options)


def on_sale_first(options: Sequence[PlanOption]) -> list[PlanOption]:
    """The options one can buy new or rent, when there are some; else all of them. A machine
    no longer sold new is priced at its last list price, which no seller may ask today: it is
    listed, not picked, unless nothing else does the job."""
    on_sale = [o for o in options if o.sold_new]
    return on_sale or list(options)


def recommend(
    options: Sequence[PlanOption],
    constraints: PlanConstraints,
    job: Job,
    misses: Sequence[Miss] = (),
    *,
    window_hours: float | None = None,
) -> Recommendation:
    """The overall recommendation with a short reason (or why nothing can be recommended).

    Among the options whose status is ok: with only a budget, the fastest within it; otherwise
    the lowest cost (owned: net cost of ownership) plus the value of the calendar time a job
    takes (``constraints.value_of_time_usd_per_hour``; 0 = the pure cheapest). ``misses``
    (configurations that do not fit) explain "nothing fits"; ``window_hours`` is the job window.
    An option whose speed no measurement backs (outside the calibrated region: no published case
    of its engine x chip family x architecture) is recommended only when no measured option is
    ok: users act on the recommendation, and such an estimate can be off by half
    (docs/accuracy.md).
    """
    fitting = choosable(options)
    if not fitting:
        return Recommendation(option=None, why=nothing_fits(misses, constraints.tiers))
    usable = [o for o in fitting if o.status is OptionStatus.OK]
    if not usable:
        return Recommendation(option=None, why=why_infeasible(fitting, constraints, job))
    ok = on_sale_first(measured_first(usable))
    if constraints.budget_usd is not None and constraints.deadline_hours is None:
        best = min(ok, key=lambda o: (o.time, o.rank_cost_usd, o.id))
        why = (
            f"the fastest option within the budget of {money(constraints.budget_usd)}: "
            f"{speed_words(best)} for {money(best.rank_cost_usd or 0.0)}"
        )
        return Recommendation(option=best.id, why=why)
    value = constraints.value_of_time_usd_per_hour

    def rank(o: PlanOption) -> tuple[float, float, str]:
        return score(o, job, value), o.time or 0.0, o.id

    best = min(ok, key=rank)
    what = f"{money(best.rank_cost_usd or 0.0)}, {speed_words(best)}"
    if job.kind is JobKind.SERVING:
        why = "the lowest cost among the options fast enough to serve"
        if any(o.tier is Tier.FREE for o in fitting):
            why += " (notebooks are for trying it out: no endpoint)"
    elif value > 0:
        limit = (
            f"the deadline of {constraints.deadline_hours:g} h"
            if constraints.deadline_hours is not None
            else f"{(window_hours or 0.0) / 24:g} days"
        )
        why = (
            f"the lowest cost plus waiting at ${value:g}/h (--value-of-time) among the options "
            f"that finish within {limit}"
        )
    else:
        why = "the cheapest option that finishes in time (--value-of-time 0)"
    if constraints.budget_usd is not None:
        why += f", within the budget of {money(constraints.budget_usd)}"
    why = f"{why} ({what})"
    passed = min(measured_first(usable), key=rank)
    if passed is not best and not passed.sold_new:  # a machine no longer sold would have won
        why += (
            f"; {passed.id} would cost less, but it is no longer sold new (its last list "
            "price, used or refurbished only)"
        )
    if min(usable, key=rank) not in (best, passed):  # a guess would have won
        why += (
            "; options whose speed no measurement backs (no case of that engine and chip) "
            "are not recommended"
        )
    return Recommendation(option=best.id, why=why)
