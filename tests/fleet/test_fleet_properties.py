"""Invariants of the fleet program on random small teams (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from fleet_fakes import candidates, fits, jobs, machine, serving, team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spicetrader.errors import InputError
from spicetrader.fleet.fleet import plan_fleet
from spicetrader.fleet.milp import build, solve

PRICES = st.floats(min_value=500, max_value=50_000)
HOURS = st.floats(min_value=0.5, max_value=200)
RENT = st.none() | st.floats(min_value=0.05, max_value=500)


@st.composite
def small_teams(draw: st.DrawFn) -> tuple[Any, Any]:
    n_machines = draw(st.integers(1, 3))
    machines = [
        machine(f"m{i}", draw(PRICES), draw(st.floats(50, 3000))) for i in range(n_machines)
    ]
    items: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 4))):
        private = draw(st.booleans())
        if draw(st.booleans()):
            start = draw(st.integers(0, 22))
            slot = {"start_hour": start, "end_hour": draw(st.integers(start + 1, 24))}
            items.append(serving(f"s{i}", profile=[slot], private=private))
        else:
            items.append(jobs(f"j{i}", per_month=draw(st.floats(0.1, 20)), private=private))
    spec = team(*items)
    wfits = []
    for item in spec.workloads:
        owned = {
            m.system_id: (1.0 if item.serving else draw(HOURS))
            for m in machines
            if draw(st.booleans())
        }
        rent = None if item.private else draw(RENT)
        wfits.append(fits(item, owned, rent, rent_hours=draw(HOURS)))
    return spec, candidates(machines, wfits)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_teams())
def test_fleet_covers_demand_and_never_costs_more_than_a_simple_strategy(case: Any) -> None:
    spec, cand = case
    nowhere = [f for f in cand.fits if not f.owned and f.rental is None]
    if nowhere:  # a workload with nowhere to run is named, never planned
        with pytest.raises(InputError, match="fits nothing"):
            plan_fleet(spec, cand)
        return
    plan = plan_fleet(spec, cand)
    for strategy in plan.strategies:
        if strategy.total_usd is not None:
            assert plan.total_usd <= strategy.total_usd + 1e-6
    for a, f in zip(plan.assignments, (cand.fits[i] for i in _order(cand)), strict=True):
        assert 0.0 <= a.owned_share <= 1.0 + 1e-9
        if f.workload.private:
            assert a.rental is None
            assert a.owned_share == pytest.approx(1.0)
        assert set(a.owned_on) <= set(f.owned)
    for p in plan.purchases:
        assert 0.0 <= p.utilisation <= 1.0 + 1e-6
        assert p.net_cost_usd == pytest.approx(p.cash_out_usd - p.value_left_usd)


def _order(cand: Any) -> list[int]:
    serving = [i for i, f in enumerate(cand.fits) if f.workload.serving]
    return serving + [i for i, f in enumerate(cand.fits) if f.workload.jobs]


@settings(max_examples=20, deadline=None)
@given(small_teams())
def test_owned_capacity_holds_in_every_block_and_month(case: Any) -> None:
    spec, cand = case
    from spicetrader.fleet.fleet import _demand

    demand = _demand(spec, cand)
    try:
        prob = build(cand, demand, budget_usd=None)
    except InputError:
        return
    solved = solve(prob)
    if solved is None:
        return
    for coeffs, upper in zip(prob.rows, prob.row_upper, strict=True):
        used = sum(v * solved.values[j] for j, v in coeffs.items())
        assert used <= upper + 1e-6
