"""Ranking, the (time, cost) Pareto set and the recommendation.

An option is *feasible* when it fits, meets the deadline and stays within the budget. The
recommendation is the cheapest feasible option when a deadline is given (or no constraint), and
the fastest feasible option when only a budget is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spicetrader.planner.constraints import DEFAULT_MIN_DECODE_TOKENS_PER_S, PlanConstraints, Tier
from spicetrader.planner.context import Miss
from spicetrader.planner.models import PlanOption, Recommendation

__all__ = ["Point", "dominates", "pareto_front", "rank_key", "recommend"]


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
    """Sort key: fitting options first, then by cost, then by time."""
    cost = option.cost_usd if option.cost_usd is not None else float("inf")
    hours = option.hours if option.hours is not None else float("inf")
    return (0 if option.fits else 1, cost, hours, option.id)


def _money(usd: float) -> str:
    return f"${usd:,.0f}" if usd >= 100 else f"${usd:,.2f}"


def _speed(option: PlanOption) -> str:
    if option.request_s is not None:
        return f"{option.request_s:,.1f} s per request, {option.hours or 0.0:g} h/month"
    return f"{option.hours or 0.0:,.1f} h"


def _decode(option: PlanOption) -> float:
    speed = option.estimate.inference
    return (speed.decode_tokens_per_s or 0.0) if speed is not None else 0.0


def _choosable(options: Sequence[PlanOption]) -> list[PlanOption]:
    return [
        o
        for o in options
        if o.fits
        and o.tier is not Tier.REFERENCE
        and o.hours is not None
        and o.cost_usd is not None
        and o.time is not None
    ]


def recommend(
    options: Sequence[PlanOption],
    constraints: PlanConstraints,
    misses: Sequence[Miss] = (),
    *,
    window_hours: float | None = None,
) -> Recommendation:
    """The overall recommendation with a short reason (or why nothing can be recommended).

    ``misses`` (configurations that do not fit) explain "nothing fits". ``window_hours``: for a
    job without a deadline, prefer the options that finish within this many calendar hours
    (the cheapest of those), and fall back to the cheapest overall when none does.
    """
    fitting = _choosable(options)
    if not fitting:
        return Recommendation(option=None, why=_nothing_fits(misses, constraints.tiers))
    feasible = [o for o in fitting if o.feasible]
    if not feasible:
        return Recommendation(option=None, why=_why_infeasible(fitting, constraints))
    if constraints.budget_usd is not None and constraints.deadline_hours is None:
        best = min(feasible, key=lambda o: (o.time, o.cost_usd, o.id))
        why = (
            f"the fastest option within the budget of {_money(constraints.budget_usd)}: "
            f"{_speed(best)} for {_money(best.cost_usd or 0.0)}"
        )
        return Recommendation(option=best.id, why=why)
    timely: list[PlanOption] = []
    if window_hours is not None and constraints.deadline_hours is None:
        timely = [o for o in feasible if (o.finish_hours or 0.0) <= window_hours]
    best = min(timely or feasible, key=lambda o: (o.cost_usd, o.time, o.id))
    what = f"{_money(best.cost_usd or 0.0)}, {_speed(best)}"
    if constraints.deadline_hours is not None:
        why = f"the cheapest option that meets the deadline of {constraints.deadline_hours:g} h"
    elif timely and window_hours is not None:
        why = f"the cheapest option that fits and finishes within {window_hours / 24:g} days"
    elif window_hours is not None:
        why = (
            f"the cheapest option that fits (none finishes within {window_hours / 24:g} days; "
            "--deadline-hours to choose by time)"
        )
    else:
        why = "the cheapest option that fits"
    if any(o.fast_enough is False for o in fitting):  # cheaper ones were too slow to serve
        minimum = constraints.min_decode_tokens_per_s or DEFAULT_MIN_DECODE_TOKENS_PER_S
        why += f" and decodes at least {minimum:g} tokens/s per user"
    if constraints.budget_usd is not None:
        why += f" within the budget of {_money(constraints.budget_usd)}"
    return Recommendation(option=best.id, why=f"{why} ({what})")


def _why_infeasible(fitting: Sequence[PlanOption], constraints: PlanConstraints) -> str:
    parts: list[str] = []
    budget = constraints.budget_usd
    if budget is not None and not any(o.within_budget for o in fitting):
        cheapest = min(fitting, key=lambda o: (o.cost_usd or 0.0, o.id))
        cost = cheapest.cost_usd or 0.0
        parts.append(
            f"budget too small: the cheapest option, {cheapest.id}, costs {_money(cost)}, "
            f"{_money(cost - budget)} over the budget of {_money(budget)}"
        )
    deadline = constraints.deadline_hours
    if deadline is not None and not any(o.meets_deadline for o in fitting):
        fastest = min(fitting, key=lambda o: (o.hours or 0.0, o.id))
        parts.append(
            f"no option meets the deadline of {deadline:g} h: the fastest, {fastest.id}, "
            f"takes {fastest.hours or 0.0:,.1f} h"
        )
    if any(o.fast_enough is False for o in fitting) and not any(o.fast_enough for o in fitting):
        fastest = max(fitting, key=lambda o: (_decode(o), o.id))
        parts.append(
            f"every option that fits is too slow to serve: the fastest, {fastest.id}, decodes "
            f"{_decode(fastest):,.1f} tokens/s per user; lower --min-tokens-per-s (0: no "
            "minimum), or choose a smaller model or precision"
        )
    if not parts:
        parts.append(
            "no option meets the deadline, the budget and the serving speed together: "
            "relax one of them (--deadline-hours, --budget-usd, --min-tokens-per-s)"
        )
    return "; ".join(parts)


def _nothing_fits(misses: Sequence[Miss], tiers: frozenset[Tier]) -> str:
    if not misses:
        chosen = ", ".join(sorted(t.value for t in tiers))
        return f"nothing fits: no hardware in the tiers considered ({chosen}) can run it"

    closest = min(misses, key=lambda m: (m.needs_gb / max(m.memory_gb, 1e-9), m.id))
    hints = list(dict.fromkeys(s for m in misses for s in m.suggestions))[:2]
    hints += [
        "more devices (a bigger instance or server)",
        "a smaller precision (--allow-quantization, --precision q4_k_m)",
        "another tier (--only)",
    ]
    return (
        f"nothing fits: the closest, {closest.id}, needs {closest.needs_gb:,.1f} GB "
        f"and has {closest.memory_gb:,.1f} GB; what would help: " + "; ".join(hints)
    )
