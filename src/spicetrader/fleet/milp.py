"""The fleet as a mixed-integer program: build the matrices, solve with HiGHS, return the values.

Variables (all in one column vector ``x``):

- ``n[s]``       integer: machines of owned system ``s`` bought at the start of the horizon;
- ``u[w,s,t,b]`` hours a month serving workload ``w`` runs on ``s`` in block ``b`` of a week,
                 in months of type ``t`` (months whose demand is alike are one type);
- ``r[w,t,b]``   instance-hours a month serving workload ``w`` rents in block ``b``;
- ``j[w,s,t]``   jobs a month of workload ``w`` run on ``s``; ``q[w,t]`` jobs rented.

Minimise  sum_s n_s (depreciation + colocation over the horizon)
        + sum_t months_t [ sum u e_s + sum j H_ws e_s + sum r p_w + sum q c_w ]
where ``e_s`` is the energy cost of an hour on ``s``, ``H_ws`` the hours a job takes on ``s``,
``p_w`` the cheapest usable rental's price per instance-hour and ``c_w`` its cost per job;
subject to

- demand covered:   sum_s u + r = d_wb (serving)  and  sum_s j + q = k_wt (jobs);
- block capacity:   sum_w u[w,s,t,b] <= n_s h_b   (a machine serves one workload at a time);
- month capacity:   sum u + sum j H_ws <= n_s 730 (jobs fill the hours serving leaves);
- budget:           sum_s n_s price_s <= budget.

The standard facility-location / capacity-expansion form (e.g. Pochet & Wolsey, *Production
Planning by Mixed Integer Programming*, 2006); solved by ``scipy.optimize.milp`` (HiGHS).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from spicetrader.errors import InputError
from spicetrader.fleet.candidates import Candidates
from spicetrader.fleet.weekly import Block
from spicetrader.units import HOURS_PER_MONTH

__all__ = ["Demand", "MonthType", "Problem", "Solved", "Var", "build", "solve"]

MAX_MACHINES_PER_SYSTEM = 1000
MIP_REL_GAP = 1e-4  # stop within 0.01 % of the optimum
WHAT_IF_GAP = 1e-3  # sensitivity and break points: within 0.1 %


@dataclass(frozen=True, slots=True)
class MonthType:
    """Months with the same job counts: ``jobs[w]`` per job workload, ``months`` their numbers."""

    months: tuple[int, ...]
    jobs: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Demand:
    """What the team needs: serving by block and jobs by month type, scaled by ``factor``."""

    blocks: tuple[Block, ...]
    month_types: tuple[MonthType, ...]
    serving: tuple[int, ...]  # indices into Candidates.fits of serving workloads
    jobs: tuple[int, ...]  # indices of job workloads
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class Var:
    """One column: its kind (n, u, r, j, q) and indices (system id, workload, type, block)."""

    kind: str
    system: str | None = None
    workload: int | None = None
    month_type: int | None = None
    block: int | None = None


@dataclass(slots=True)
class Problem:
    variables: list[Var] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    rows: list[dict[int, float]] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)

    def add(self, var: Var, cost: float, upper: float = math.inf) -> int:
        self.variables.append(var)
        self.cost.append(cost)
        self.upper.append(upper)
        return len(self.variables) - 1

    def constrain(self, coeffs: dict[int, float], lower: float, upper: float) -> None:
        self.rows.append(coeffs)
        self.row_lower.append(lower)
        self.row_upper.append(upper)


@dataclass(frozen=True, slots=True)
class Solved:
    problem: Problem
    values: tuple[float, ...]
    objective_usd: float


def build(
    cand: Candidates,
    demand: Demand,
    *,
    budget_usd: float | None,
    rent_factor: float = 1.0,
    allow_owned: bool = True,
    allow_rent: bool = True,
) -> Problem:
    """The program for ``demand`` (see the module docstring)."""
    prob = Problem()
    n = {}
    for sid, machine in cand.machines.items():
        upper = float(MAX_MACHINES_PER_SYSTEM) if allow_owned else 0.0
        if budget_usd is not None and machine.purchase_usd > 0:
            upper = min(upper, math.floor(budget_usd / machine.purchase_usd))
        n[sid] = prob.add(Var("n", system=sid), machine.fixed_usd, upper)
    block_use: dict[tuple[str, int, int], dict[int, float]] = {}
    month_use: dict[tuple[str, int], dict[int, float]] = {}
    for t, mtype in enumerate(demand.month_types):
        weight = float(len(mtype.months))
        for w in demand.serving:
            fits = cand.fits[w]
            slot = demand.serving.index(w)
            for b, block in enumerate(demand.blocks):
                need = block.demand_hours_per_month(slot) * demand.factor
                if need <= 0:
                    continue
                cover: dict[int, float] = {}
                for sid, fit in fits.owned.items():
                    energy = cand.machines[sid].owner.energy_usd_per_hour * fit.hours_per_unit
                    col = prob.add(Var("u", sid, w, t, b), weight * energy)
                    cover[col] = 1.0
                    block_use.setdefault((sid, t, b), {})[col] = 1.0
                    month_use.setdefault((sid, t), {})[col] = fit.hours_per_unit
                if fits.rental is not None and allow_rent:
                    price = fits.rental.usd_per_unit * rent_factor
                    cover[prob.add(Var("r", None, w, t, b), weight * price)] = 1.0
                _cover(prob, cover, need, fits.workload.name)
        for slot, w in enumerate(demand.jobs):
            fits = cand.fits[w]
            count = mtype.jobs[slot] * demand.factor
            if count <= 0:
                continue
            cover = {}
            for sid, fit in fits.owned.items():
                energy = cand.machines[sid].owner.energy_usd_per_hour * fit.hours_per_unit
                col = prob.add(Var("j", sid, w, t), weight * energy)
                cover[col] = 1.0
                month_use.setdefault((sid, t), {})[col] = fit.hours_per_unit
            if fits.rental is not None and allow_rent:
                cost = fits.rental.usd_per_unit * rent_factor
                cover[prob.add(Var("q", None, w, t), weight * cost)] = 1.0
            _cover(prob, cover, count, fits.workload.name)
    for (sid, _t, b), use in block_use.items():
        prob.constrain({**use, n[sid]: -demand.blocks[b].hours_per_month}, -math.inf, 0.0)
    for (sid, _t), use in month_use.items():
        prob.constrain({**use, n[sid]: -HOURS_PER_MONTH}, -math.inf, 0.0)
    if budget_usd is not None:
        spend = {n[s]: m.purchase_usd for s, m in cand.machines.items()}
        prob.constrain(spend, -math.inf, budget_usd)
    return prob


def _cover(prob: Problem, cover: dict[int, float], need: float, name: str) -> None:
    if not cover:
        raise InputError(f"workload {name!r} has nowhere to run under these rules")
    prob.constrain(cover, need, need)


def solve(prob: Problem, time_limit_s: float = 10.0, gap: float = MIP_REL_GAP) -> Solved | None:
    """Solve with HiGHS; ``None`` when no plan meets every constraint (infeasible)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    rows, cols, vals = [], [], []
    for i, coeffs in enumerate(prob.rows):
        for j, v in coeffs.items():
            rows.append(i)
            cols.append(j)
            vals.append(v)
    shape = (len(prob.rows), len(prob.variables))
    matrix = coo_array((vals, (rows, cols)), shape=shape).tocsr()
    integrality = np.array([1 if v.kind == "n" else 0 for v in prob.variables])
    result = milp(
        c=np.array(prob.cost),
        integrality=integrality,
        bounds=Bounds(np.zeros(len(prob.variables)), np.array(prob.upper)),
        constraints=[LinearConstraint(matrix, np.array(prob.row_lower), np.array(prob.row_upper))],
        # presolve off: HiGHS's presolve prints a debug line to stdout when it maps a solution
        # back (it would corrupt --json); these programs are small and solve as fast without it
        options={"time_limit": time_limit_s, "mip_rel_gap": gap, "disp": False, "presolve": False},
    )
    if result.x is None:
        if result.status in (2, 3):  # infeasible / unbounded
            return None
        raise InputError(f"the fleet optimiser stopped without a plan ({_status(result.status)})")
    values = tuple(float(v) for v in result.x)
    return Solved(problem=prob, values=values, objective_usd=float(result.fun))


def _status(code: int) -> str:
    return {
        1: "time limit reached; try fewer workloads or a shorter horizon",
        4: "numerical trouble in the solver",
    }.get(code, f"solver status {code}")


def month_types(jobs: Sequence[tuple[float, ...]], horizon: int) -> tuple[MonthType, ...]:
    """Group months 1..horizon by their job counts (``jobs[m-1]`` per job workload)."""
    groups: dict[tuple[float, ...], list[int]] = {}
    for month in range(1, horizon + 1):
        groups.setdefault(jobs[month - 1], []).append(month)
    return tuple(MonthType(months=tuple(ms), jobs=key) for key, ms in groups.items())
