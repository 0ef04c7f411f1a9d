"""The fleet plan: what to buy, what to rent for which workload, and the simple strategies beside.

``FleetPlan.to_dict()`` is the JSON of ``spice fleet --json``, ``POST /api/fleet`` and the
Python API (documented in ``docs/fleet.md``). Money in USD over the whole horizon unless a
field says otherwise.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Assignment",
    "BreakPoint",
    "FleetPlan",
    "MonthUse",
    "Purchase",
    "Scenario",
    "Strategy",
    "WeekHour",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Purchase(_Frozen):
    """Machines of one system to buy at the start of the horizon."""

    system: str
    name: str
    tier: str
    count: int
    purchase_usd: float  # each
    price_as_of: str
    cash_out_usd: float  # purchases + energy + colocation over the horizon
    value_left_usd: float  # book value at the end (straight-line depreciation)
    net_cost_usd: float  # cash out - value left: what the plan minimises
    used_hours: float  # over the horizon, all machines of this system together
    utilisation: float  # used hours / (count x hours in the horizon)
    workloads: tuple[str, ...]


class Assignment(_Frozen):
    """Where one workload runs: its demand, the share on owned machines, its rental."""

    workload: str
    kind: str  # "serving" (instance-hours) or "jobs"
    demand_per_month: float  # average over the horizon, in instance-hours or jobs
    owned_share: float  # 0..1 of the demand done on owned machines
    owned_on: tuple[str, ...]  # system ids
    rental: str | None  # the rental option id used for the rest (or None)
    rental_name: str | None
    rented_per_month: float  # average instance-hours or jobs rented a month
    rent_usd: float  # over the horizon
    precision_owned: str | None
    precision_rented: str | None


class MonthUse(_Frozen):
    month: int
    owned_hours: float
    rented_hours: float
    rent_usd: float


class WeekHour(_Frozen):
    """A typical week: instance-hours of serving demand in each hour, and owned capacity."""

    hour: int  # 0 = Monday 00:00
    demand: float
    owned: float


class Strategy(_Frozen):
    """One way to cover everything: the optimised fleet, renting all, or owning all."""

    name: str  # "fleet", "rent_everything", "own_everything"
    total_usd: float | None  # None: impossible under the rules
    purchases: dict[str, int]
    why_impossible: str | None = None


class Scenario(_Frozen):
    """The plan re-solved with rental prices or demand scaled."""

    label: str  # e.g. "rental prices -30%"
    rent_factor: float
    demand_factor: float
    total_usd: float | None
    purchases: dict[str, int]
    same_decision: bool


class BreakPoint(_Frozen):
    """Where the buy decision changes as demand grows or shrinks."""

    demand_factor: float
    serving_hours_per_month: float
    jobs_per_month: float
    purchases_below: dict[str, int]
    purchases_above: dict[str, int]


class FleetPlan(_Frozen):
    horizon_months: int
    total_usd: float
    purchases: tuple[Purchase, ...]
    assignments: tuple[Assignment, ...]
    months: tuple[MonthUse, ...]
    week: tuple[WeekHour, ...]
    strategies: tuple[Strategy, ...]
    sensitivity: tuple[Scenario, ...]
    break_points: tuple[BreakPoint, ...]
    assumptions: tuple[str, ...]
    prices_as_of: str

    def strategy(self, name: str) -> Strategy:
        for s in self.strategies:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def __repr__(self) -> str:
        buys = ", ".join(f"{p.count}x {p.system}" for p in self.purchases) or "nothing"
        return (
            f"FleetPlan(horizon_months={self.horizon_months}, total_usd={self.total_usd:,.0f}, "
            f"buy={buys}, workloads={len(self.assignments)})"
        )
