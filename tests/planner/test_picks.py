"""The named picks: each is what its name says among the options that can be chosen, and the
recommendation is one of them."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from planner_fakes import run_plan

from spicetrader.planner.constraints import ON_PREM_TIERS, Tier
from spicetrader.planner.models import JobKind, OptionStatus, PickName, PlanOption

models = st.sampled_from(["toy-1b", "toy-3b", "toy-7b", "toy-70b"])
specs = st.one_of(
    models.map(lambda m: {"model": m}),
    st.builds(
        lambda m, t: {"model": m, "task": "finetune", "finetune": {"tokens": t}},
        models,
        st.floats(1e6, 1e10),
    ),
)


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


def test_the_reason_says_what_was_traded() -> None:
    p = run_plan({"model": "toy-3b", "task": "finetune", "finetune": {"tokens": 1e8}})
    rec = p.picks[PickName.RECOMMENDED]
    assert p.picks[PickName.CHEAPEST].option != rec.option  # free is cheapest, not recommended
    assert "more than the cheapest" in rec.reason
    assert "x faster" in rec.reason
