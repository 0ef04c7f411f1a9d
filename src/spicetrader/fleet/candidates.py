"""What each workload can run on: owned machines that fit it and the cheapest usable rental.

One :func:`spicetrader.planner.plan` per distinct (workload, job) gives every fit and speed from
the cost model (the planner estimates each hardware configuration once); workloads that repeat
the same spec share it. Free notebook tiers are no fleet capacity and are not asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spicetrader.fleet.team import Location, Team, TeamWorkload
from spicetrader.planner.constraints import PlanConstraints, Tier
from spicetrader.planner.economics import Ownership
from spicetrader.planner.ranking import measured_first

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.catalog.schema import System
    from spicetrader.planner.models import Plan, PlanOption

__all__ = [
    "Candidates",
    "Machine",
    "OwnedFit",
    "Planner",
    "RentalFit",
    "WorkloadFits",
    "gather",
    "prune",
]

Planner = Callable[..., "Plan"]
_OWNED_TIERS = (Tier.BUY, Tier.MAC)


@dataclass(frozen=True, slots=True)
class Machine:
    """A system the team could buy, with its cost over the horizon."""

    system_id: str
    name: str
    tier: Tier
    purchase_usd: float
    price_as_of: str
    owner: Ownership
    horizon_months: float

    @property
    def depreciation_usd(self) -> float:
        """Straight-line depreciation over the horizon (never more than the price)."""
        return min(self.purchase_usd, self.owner.depreciation_usd_per_month * self.horizon_months)

    @property
    def value_left_usd(self) -> float:
        """Book value at the end of the horizon (straight line over the useful life)."""
        return self.purchase_usd - self.depreciation_usd

    @property
    def fixed_usd(self) -> float:
        """Net cost of owning one over the horizon before energy: depreciation + colocation."""
        return self.depreciation_usd + self.owner.colocation_usd_per_month * self.horizon_months


@dataclass(frozen=True, slots=True)
class OwnedFit:
    """Workload on an owned machine: machine-hours per unit of demand (an instance-hour of
    serving, or one job)."""

    system_id: str
    hours_per_unit: float
    precision: str
    option_id: str


@dataclass(frozen=True, slots=True)
class RentalFit:
    """The cheapest usable rental for a workload: USD and hours per unit of demand."""

    option_id: str
    name: str
    usd_per_unit: float
    hours_per_unit: float
    precision: str
    as_of: str


@dataclass(slots=True)
class WorkloadFits:
    workload: TeamWorkload
    owned: dict[str, OwnedFit] = field(default_factory=dict)
    rental: RentalFit | None = None
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Candidates:
    machines: Mapping[str, Machine]
    fits: tuple[WorkloadFits, ...]
    prices_as_of: str


def gather(team: Team, catalog: Catalog, planner: Planner) -> Candidates:
    """Plan each distinct workload once and collect its owned fits and its cheapest rental."""
    machines: dict[str, Machine] = {}
    plans: dict[str, Plan] = {}
    fits = []
    as_of = ""
    for item in team.workloads:
        workload = item.workload
        cons = _constraints(team, item)
        key = f"{workload.model_dump_json()}|{cons!r}"
        if key not in plans:
            plans[key] = planner(workload, catalog, cons)
        plan = plans[key]
        as_of = max(as_of, plan.prices_as_of)
        fits.append(_fits(team, item, plan, catalog, machines))
    return prune(Candidates(machines=machines, fits=tuple(fits), prices_as_of=as_of))


def prune(cand: Candidates) -> Candidates:
    """Drop machines another machine beats on every count: no dearer to buy or to own, runs
    every workload the first runs, each at least as fast and for no more energy. An optimal
    fleet never needs a dominated machine (swap it for its better), and the program shrinks."""
    keep = {
        sid: m
        for sid, m in cand.machines.items()
        if not any(_beats(cand, other, sid) for other in cand.machines if other != sid)
    }
    for fits in cand.fits:
        fits.owned = {sid: f for sid, f in fits.owned.items() if sid in keep}
    return Candidates(machines=keep, fits=cand.fits, prices_as_of=cand.prices_as_of)


def _beats(cand: Candidates, better: str, worse: str) -> bool:
    b, w = cand.machines[better], cand.machines[worse]
    if b.purchase_usd > w.purchase_usd or b.fixed_usd > w.fixed_usd:
        return False
    strict = b.purchase_usd < w.purchase_usd or b.fixed_usd < w.fixed_usd
    eb, ew = b.owner.energy_usd_per_hour, w.owner.energy_usd_per_hour
    for fits in cand.fits:
        fw = fits.owned.get(worse)
        if fw is None:
            continue
        fb = fits.owned.get(better)
        if fb is None or fb.hours_per_unit > fw.hours_per_unit:
            return False
        if fb.hours_per_unit * eb > fw.hours_per_unit * ew:
            return False
        strict = strict or fb.hours_per_unit < fw.hours_per_unit
    return strict or better < worse  # identical machines: keep one


def _constraints(team: Team, item: TeamWorkload) -> PlanConstraints:
    jobs = item.jobs
    return PlanConstraints(
        only=item.allowed_tiers,
        private=item.private,
        spot=team.spot and Tier.RENT in item.allowed_tiers,
        months=float(team.horizon_months),
        deadline_hours=jobs.deadline_hours if jobs else None,
        tokens=jobs.tokens if jobs else None,
        images=jobs.images if jobs else None,
        usage_hours_per_month=(
            item.serving.hours_per_month if item.serving and item.serving.hours_per_month else None
        ),
        colocation=team.location is Location.COLOCATION,
        users=item.serving.peak_users if item.serving else 1,
    )


def usable(option: PlanOption) -> bool:
    """The plan's own verdict: fits, fast enough for its users, within the deadline and the
    job window (status ok)."""
    from spicetrader.planner.models import OptionStatus

    return option.status is OptionStatus.OK and option.hours is not None


def _fits(
    team: Team, item: TeamWorkload, plan: Plan, catalog: Catalog, machines: dict[str, Machine]
) -> WorkloadFits:
    out = WorkloadFits(workload=item)
    systems = {s.id: s for s in catalog.systems}
    serving = item.serving is not None
    for option in plan.options:
        if not usable(option) and option.tier in _OWNED_TIERS and option.fits:
            out.reasons.append(f"{option.id}: {_why_not(option)}")
    ok = [o for o in plan.options if usable(o)]
    # as the plan's own recommendation: guesses (low confidence) only where nothing measured runs
    owned = measured_first([o for o in ok if o.tier in _OWNED_TIERS])
    rented = measured_first([o for o in ok if o.tier is Tier.RENT])
    for option in (*owned, *rented):
        if option.hours is None:
            continue
        per_unit = 1.0 if serving else option.hours
        if option.tier in _OWNED_TIERS:
            system = systems.get(option.id.split(":", 1)[1])
            if system is None:  # this machine (local) is already owned: not a purchase
                continue
            for alike in _same_speed_larger(system, catalog):
                machines.setdefault(alike.id, _machine(team, alike, option.tier, catalog))
                out.owned.setdefault(
                    alike.id, OwnedFit(alike.id, per_unit, option.precision, option.id)
                )
        elif option.tier is Tier.RENT and _provider_allowed(team, option):
            price = option.price_usd_per_hour or 0.0
            usd = price if serving else (option.cost_usd or 0.0)
            if out.rental is None or usd < out.rental.usd_per_unit:
                out.rental = RentalFit(
                    option.id, option.name, usd, per_unit, option.precision, option.as_of
                )
    return out


def _why_not(option: PlanOption) -> str:
    return option.status_reason or option.status.value.replace("_", " ")


def _provider_allowed(team: Team, option: PlanOption) -> bool:
    return team.providers is None or (option.provider or "") in team.providers


def _same_speed_larger(system: System, catalog: Catalog) -> list[System]:
    """The system, and for a Mac the same chip with more memory (the planner lists only the
    smallest configuration that fits; a larger one runs it at the same speed)."""
    from spicetrader.catalog.schema import SystemKind

    if system.kind is not SystemKind.MAC:
        return [system]
    return [
        s
        for s in catalog.systems
        if s.kind is SystemKind.MAC
        and s.accelerator == system.accelerator
        and s.memory_gb >= system.memory_gb
    ]


def _machine(team: Team, system: System, tier: Tier, catalog: Catalog) -> Machine:
    econ = catalog.economics
    colocated = team.location is Location.COLOCATION
    owner = Ownership(
        purchase_usd=system.price_usd,
        power_typical_w=system.power_typical_w,
        provisioned_w=system.power_max_w,
        electricity_usd_per_kwh=team.electricity_usd_per_kwh or econ.electricity_usd_per_kwh,
        pue=econ.pue if colocated else econ.pue_office,
        depreciation_years=econ.depreciation_years,
        colocation_usd_per_kw_month=econ.colocation_usd_per_kw_month if colocated else None,
    )
    return Machine(
        system_id=system.id,
        name=system.name,
        tier=tier,
        purchase_usd=system.price_usd,
        price_as_of=system.price_as_of,
        owner=owner,
        horizon_months=float(team.horizon_months),
    )
