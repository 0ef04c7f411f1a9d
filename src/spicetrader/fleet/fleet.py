"""``fleet()``: a team's compute plan — what to own for the base load, what to rent for peaks.

Steps: plan each workload once (fits and speeds from the cost model), place serving on a typical
week and jobs on the months, build the mixed-integer program (``fleet/milp.py``), solve it, and
solve it again for the two simple strategies (rent everything, own everything) and for
sensitivity (rental prices +-30 %, demand +-50 %, and where the buy decision changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from spicetrader.errors import InputError
from spicetrader.fleet import solution
from spicetrader.fleet.candidates import Candidates, Planner, gather
from spicetrader.fleet.milp import (
    MIP_REL_GAP,
    WHAT_IF_GAP,
    Demand,
    Solved,
    build,
    month_types,
    solve,
)
from spicetrader.fleet.models import BreakPoint, FleetPlan, Scenario, Strategy
from spicetrader.fleet.team import Location, Team, parse_team
from spicetrader.fleet.weekly import activity, blocks

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["fleet", "plan_fleet"]

_PLACES = {
    Location.OFFICE: "an office (office PUE, no rent)",
    Location.COLOCATION: "a colocation facility (datacentre PUE, rent per kW)",
}
SCENARIOS = (
    ("rental prices -30%", 0.7, 1.0),
    ("rental prices +30%", 1.3, 1.0),
    ("demand -50%", 1.0, 0.5),
    ("demand +50%", 1.0, 1.5),
)
GROWTH = (1.25, 1.5, 2.0, 3.0)  # demand factors tried for the next change up
SHRINK = (0.75, 0.5, 0.25)  # and down
BISECTIONS = 3


def fleet(
    team: Team | Mapping[str, Any],
    catalog: Catalog | None = None,
    *,
    planner: Planner | None = None,
) -> FleetPlan:
    """Plan a team's compute over its horizon (see ``docs/fleet.md``).

    ``team`` is a :class:`~spicetrader.fleet.team.Team` or the mapping of a team file;
    ``planner`` defaults to :func:`spicetrader.planner.plan`. Raises InputError for a bad team,
    a workload that fits nothing allowed, or a team no plan can cover within its budget.
    """
    spec = parse_team(dict(team) if isinstance(team, Mapping) else team)
    if catalog is None:
        from spicetrader.catalog.load import load_catalog

        catalog = load_catalog()
    if planner is None:
        from spicetrader.planner import plan as default_planner

        planner = default_planner
    return plan_fleet(spec, gather(spec, catalog, planner))


def plan_fleet(spec: Team, cand: Candidates) -> FleetPlan:
    """The fleet for ``spec`` given what each workload can run on (``cand``): the pure part of
    :func:`fleet`, separate so that it can be checked by hand on small made-up candidates."""
    _check_reachable(cand)
    demand = _demand(spec, cand)
    solver = _Solver(cand, spec.budget_usd, demand)
    rent_all = solver.solve(demand.factor, allow_owned=False)
    own_all = solver.solve(demand.factor, allow_rent=False)
    best = solver.solve(demand.factor)
    if best is None:
        raise InputError(_why_infeasible(spec, cand))
    for other in (rent_all, own_all):  # the optimum is never worse than a simple strategy
        if other is not None and other.objective_usd < best.objective_usd:
            best = other
    base = solution.purchases_of(best)
    return FleetPlan(
        horizon_months=spec.horizon_months,
        total_usd=best.objective_usd,
        purchases=solution.purchases(best, cand, demand),
        assignments=solution.assignments(best, cand, demand),
        months=solution.months(best, cand, demand),
        week=solution.week(best, demand),
        strategies=(
            _strategy("fleet", best, None),
            _strategy("rent_everything", rent_all, _why_not_rent(cand)),
            _strategy("own_everything", own_all, _why_not_own(cand, spec.budget_usd)),
        ),
        sensitivity=tuple(_scenario(solver, base, *s) for s in SCENARIOS),
        break_points=_break_points(solver),
        assumptions=_assumptions(spec),
        prices_as_of=cand.prices_as_of,
    )


class _Solver:
    """Solves the fleet's program for a demand factor and rental-price factor, remembering
    each answer (sensitivity and break points ask for the same ones again)."""

    def __init__(self, cand: Candidates, budget: float | None, demand: Demand) -> None:
        self.cand = cand
        self.budget = budget
        self.demand = demand
        self._memo: dict[tuple[float, float, bool, bool], Solved | None] = {}

    def solve(
        self,
        factor: float,
        *,
        rent_factor: float = 1.0,
        allow_owned: bool = True,
        allow_rent: bool = True,
    ) -> Solved | None:
        key = (factor, rent_factor, allow_owned, allow_rent)
        if key not in self._memo:
            what_if = factor != 1.0 or rent_factor != 1.0
            try:
                prob = build(
                    self.cand,
                    replace(self.demand, factor=factor),
                    budget_usd=self.budget,
                    rent_factor=rent_factor,
                    allow_owned=allow_owned,
                    allow_rent=allow_rent,
                )
            except InputError:  # a workload with nowhere to run under this strategy
                self._memo[key] = None
            else:
                self._memo[key] = solve(prob, gap=WHAT_IF_GAP if what_if else MIP_REL_GAP)
        return self._memo[key]

    def buys(self, factor: float) -> dict[str, int] | None:
        solved = self.solve(factor)
        return solution.purchases_of(solved) if solved else None


def _demand(team: Team, cand: Candidates) -> Demand:
    serving = tuple(i for i, f in enumerate(cand.fits) if f.workload.serving is not None)
    jobs = tuple(i for i, f in enumerate(cand.fits) if f.workload.jobs is not None)
    acts = [activity(cand.fits[i].workload.serving) for i in serving]  # type: ignore[arg-type]
    counts = [
        tuple(cand.fits[i].workload.jobs.count_in_month(m) for i in jobs)  # type: ignore[union-attr]
        for m in range(1, team.horizon_months + 1)
    ]
    return Demand(
        blocks=blocks(acts),
        month_types=month_types(counts, team.horizon_months),
        serving=serving,
        jobs=jobs,
    )


def _check_reachable(cand: Candidates) -> None:
    for fits in cand.fits:
        if fits.owned or fits.rental is not None:
            continue
        item = fits.workload
        where = "owned hardware (private)" if item.private else "the allowed tiers and providers"
        detail = "; ".join(fits.reasons[:3])
        raise InputError(
            f"workload {item.name!r} fits nothing on {where}"
            + (f" ({detail})" if detail else "")
            + "; allow more tiers, a smaller precision, or drop its deadline"
        )


def _why_infeasible(team: Team, cand: Candidates) -> str:
    owned_only = [f.workload.name for f in cand.fits if f.rental is None]
    text = "no plan covers every workload"
    if team.budget_usd is not None:
        text += f" within the budget of ${team.budget_usd:,.0f}"
    if owned_only:
        text += f"; these can only run on owned machines: {', '.join(owned_only)}"
    return text


def _why_not_rent(cand: Candidates) -> str | None:
    names = [f.workload.name for f in cand.fits if f.rental is None]
    return f"cannot rent: {', '.join(names)}" if names else None


def _why_not_own(cand: Candidates, budget: float | None) -> str | None:
    names = [f.workload.name for f in cand.fits if not f.owned]
    if names:
        return f"no machine to buy fits: {', '.join(names)}"
    return "over the budget" if budget is not None else None


def _strategy(name: str, solved: Solved | None, why: str | None) -> Strategy:
    if solved is None:
        return Strategy(name=name, total_usd=None, purchases={}, why_impossible=why)
    return Strategy(
        name=name, total_usd=solved.objective_usd, purchases=solution.purchases_of(solved)
    )


def _scenario(
    solver: _Solver, base: dict[str, int], label: str, rent_factor: float, demand_factor: float
) -> Scenario:
    solved = solver.solve(demand_factor, rent_factor=rent_factor)
    buys = solution.purchases_of(solved) if solved else {}
    return Scenario(
        label=label,
        rent_factor=rent_factor,
        demand_factor=demand_factor,
        total_usd=solved.objective_usd if solved else None,
        purchases=buys,
        same_decision=solved is not None and buys == base,
    )


def _break_points(solver: _Solver) -> tuple[BreakPoint, ...]:
    """The nearest demand factors below and above today's (1.0) at which what to buy changes,
    each found on a grid and then by bisection."""
    base = solver.buys(1.0)
    points = []
    for grid in (GROWTH, SHRINK):
        inside = 1.0
        for factor in grid:
            buys = solver.buys(factor)
            if buys is not None and buys != base:
                points.append(_bisect(solver, inside, factor, base or {}, buys))
                break
            inside = factor
    return tuple(points)


def _bisect(
    solver: _Solver, inside: float, outside: float, base: dict[str, int], changed: dict[str, int]
) -> BreakPoint:
    for _ in range(BISECTIONS):
        mid = (inside + outside) / 2
        buys = solver.buys(mid)
        if buys == base:
            inside = mid
        else:
            outside, changed = mid, buys or {}
    below, above = (base, changed) if outside > 1.0 else (changed, base)
    return _break_point(solver.demand, outside, below, above)


def _break_point(
    demand: Demand, factor: float, below: dict[str, int], above: dict[str, int]
) -> BreakPoint:
    serving = sum(
        sum(b.demand_hours_per_month(slot) for b in demand.blocks)
        for slot in range(len(demand.serving))
    )
    horizon = sum(len(t.months) for t in demand.month_types)
    jobs = sum(sum(t.jobs) * len(t.months) for t in demand.month_types) / max(horizon, 1)
    return BreakPoint(
        demand_factor=factor,
        serving_hours_per_month=serving * factor,
        jobs_per_month=jobs * factor,
        purchases_below=below,
        purchases_above=above,
    )


def _assumptions(team: Team) -> tuple[str, ...]:
    return (
        "machines are bought at the start of the horizon; their cost is the net cost of "
        "ownership: depreciation over the horizon (straight line) + energy + colocation, "
        "with the value left at the end credited",
        "a machine serves one workload at a time; a serving workload needs one machine "
        "for each hour it is up, sized for its peak concurrent users",
        "jobs are split freely into the hours serving leaves free in each month, and each job "
        "runs at the speed the cost model estimates for one machine",
        "rentals have no capacity limit: each workload rents its cheapest usable offer",
        f"owned machines live in {_PLACES[team.location]}",
        "serving given as hours a month runs on weekdays from 09:00",
    )
