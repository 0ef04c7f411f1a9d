"""Invariants of plan() over the fake catalog, for many workloads and constraints."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from planner_fakes import run_plan

from spicetrader.planner import Tier
from spicetrader.planner.constraints import ON_PREM_TIERS
from spicetrader.planner.models import JobKind, OptionStatus, PickName, PlanOption
from spicetrader.planner.ranking import Point, dominates

models = st.sampled_from(["toy-1b", "toy-3b", "toy-7b", "toy-13b", "toy-70b", "toy-400b"])
specs = st.one_of(
    models.map(lambda m: {"model": m}),
    st.builds(
        lambda m, t: {"model": m, "task": "finetune", "finetune": {"tokens": t}},
        models,
        st.floats(1e6, 1e10),
    ),
    st.builds(
        lambda m, n: {"model": m, "task": "image", "image": {"images": n}},
        models,
        st.integers(1, 10**6),
    ),
)


@settings(max_examples=40, deadline=None)
@given(specs, st.floats(0, 1e5), st.floats(0, 1e5))
def test_a_larger_budget_never_removes_a_feasible_option(
    spec: dict[str, Any], b1: float, b2: float
) -> None:
    low, high = sorted((b1, b2))
    feasible_low = {o.id for o in run_plan(spec, budget_usd=low).options if o.feasible}
    feasible_high = {o.id for o in run_plan(spec, budget_usd=high).options if o.feasible}
    assert feasible_low <= feasible_high


@settings(max_examples=40, deadline=None)
@given(specs, st.none() | st.floats(0.5, 1e4), st.none() | st.floats(0, 1e5), st.booleans())
def test_every_option_shown_as_possible_fits_and_pareto_is_sound(
    spec: dict[str, Any], deadline: float | None, budget: float | None, spot: bool
) -> None:
    kw: dict[str, Any] = {"budget_usd": budget, "spot": spot}
    if spec.get("task") is not None:
        kw["deadline_hours"] = deadline
    p = run_plan(spec, **kw)
    for o in p.options:
        if o.feasible:
            assert o.fits
            assert o.estimate.fits
            assert o.hours is not None
            assert o.cost_usd is not None
        if not o.fits:
            assert o.cost_usd is None or o.tier is Tier.REFERENCE
    points = [
        Point(o.id, o.time or 0, o.rank_cost_usd or 0)
        for o in p.options
        if o.feasible and o.tier is not Tier.REFERENCE
    ]
    front = {pt.id for pt in points if pt.id in p.pareto}
    assert front == set(p.pareto)
    for member in (pt for pt in points if pt.id in front):
        assert not any(dominates(q, member) for q in points)
    if p.recommendation.option is not None:
        chosen = p.option(p.recommendation.option)
        assert chosen.feasible
        assert chosen.status is OptionStatus.OK
        assert chosen.tier is not Tier.REFERENCE
    for o in p.options:  # ok never violates the job window (or the deadline)
        window = deadline if deadline is not None and spec.get("task") else 720.0
        if o.status is OptionStatus.OK and p.job.kind is not JobKind.SERVING:
            assert (o.finish_hours or 0) <= window
        assert (o.status is OptionStatus.OK) == o.feasible
        if o.ownership is not None:  # no break-even figure above the hours of a month
            hours = o.ownership.break_even_hours_per_month
            assert hours is None or hours <= 730
            if hours is not None or o.ownership.break_even_months is not None:
                assert o.ownership.versus_rent_option is not None
                assert p.option(o.ownership.versus_rent_option).feasible


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["toy-7b", "toy-13b", "toy-70b"]), st.floats(1, 730), st.floats(1, 730))
def test_more_usage_never_makes_buying_relatively_dearer(model: str, u1: float, u2: float) -> None:
    low, high = sorted((u1, u2))

    def ratios(usage: float) -> dict[str, float]:
        p = run_plan({"model": model}, usage_hours_per_month=usage)
        rent = min(o.cost_usd or 0 for o in p.by_tier(Tier.RENT))
        return {
            o.id: (o.cost_usd or 0) / rent
            for o in p.options
            if o.tier in (Tier.BUY, Tier.MAC) and o.fits
        }

    at_low, at_high = ratios(low), ratios(high)
    assert at_low.keys() == at_high.keys()
    for key, ratio in at_high.items():
        assert ratio <= at_low[key] * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["toy-1b", "toy-70b"]),
    st.floats(5e-324, 1e18),
    st.floats(5e-324, 120),
    st.floats(5e-324, 730),
    st.none() | st.floats(0, 1e12),
    st.none() | st.floats(5e-324, 1e7),
)
def test_extreme_but_valid_constraints_give_a_plan_with_strict_json(
    model: str,
    tokens: float,
    months: float,
    usage: float,
    budget: float | None,
    deadline: float | None,
) -> None:
    p = run_plan({"model": model}, tokens=tokens, months=months, usage_hours_per_month=usage,
                 budget_usd=budget, deadline_hours=deadline)  # fmt: skip
    json.dumps(p.to_dict(), allow_nan=False)  # raises on inf/nan: every number is finite
    for o in p.options:
        if o.feasible:
            assert o.fits


def _time(option: PlanOption) -> float:
    return (option.request_s if option.request_s is not None else option.finish_hours) or 0.0


@settings(max_examples=30, deadline=None)
@given(specs, st.sampled_from([0.0, 1.0, 25.0]), st.integers(1, 32))
def test_each_pick_is_what_its_name_says(spec: dict[str, Any], value: float, users: int) -> None:
    kw: dict[str, Any] = {"value_of_time_usd_per_hour": value}
    if "task" not in spec:
        kw["users"] = users
    p = run_plan(spec, **kw)
    ok = [o for o in p.options if o.status is OptionStatus.OK and o.tier is not Tier.REFERENCE]
    picks = p.picks
    if p.recommendation.option is None:
        assert PickName.RECOMMENDED not in picks
    else:
        assert picks[PickName.RECOMMENDED].option == p.recommendation.option
    if not ok:
        assert set(picks) <= {PickName.FREE_TO_TRY}
        return
    cost = {o.id: o.rank_cost_usd or 0.0 for o in ok}
    assert cost[picks[PickName.CHEAPEST].option] == min(cost.values())
    fastest = p.option(picks[PickName.FASTEST].option)
    assert _time(fastest) == min(_time(o) for o in ok)
    for name, tiers in ((PickName.BEST_OWNED, ON_PREM_TIERS), (PickName.BEST_RENTAL, {Tier.RENT})):
        chosen = [o for o in ok if o.tier in tiers]
        assert (name in picks) == bool(chosen)
        if chosen:
            assert p.option(picks[name].option).tier in tiers
    free = picks.get(PickName.FREE_TO_TRY)
    if free is not None:
        option = p.option(free.option)
        assert option.tier is Tier.FREE
        serving = p.job.kind is JobKind.SERVING
        assert option.status is (OptionStatus.TRY_ONLY if serving else OptionStatus.OK)
    for name, pick in picks.items():
        if name is not PickName.FREE_TO_TRY:
            assert p.option(pick.option).status is OptionStatus.OK
        assert pick.reason
