"""Made-up candidates for the fleet program: machines and fits with round numbers, so that
every answer can be worked by hand."""

from __future__ import annotations

from typing import Any

from spicetrader.fleet.candidates import Candidates, Machine, OwnedFit, RentalFit, WorkloadFits
from spicetrader.fleet.team import Team, TeamWorkload
from spicetrader.planner.constraints import Tier
from spicetrader.planner.economics import Ownership

HORIZON = 12


def machine(sid: str, purchase: float, power_w: float = 1000.0, years: float = 5.0) -> Machine:
    """A machine in an office: electricity $0.10/kWh, PUE 1.0, no colocation."""
    owner = Ownership(
        purchase_usd=purchase,
        power_typical_w=power_w,
        provisioned_w=power_w,
        electricity_usd_per_kwh=0.10,
        pue=1.0,
        depreciation_years=years,
    )
    return Machine(sid, sid, Tier.BUY, purchase, "2026-11", owner, float(HORIZON))


def team(*workloads: dict[str, Any], **settings: Any) -> Team:
    return Team.model_validate(
        {"horizon_months": HORIZON, "workloads": list(workloads), **settings}
    )


def serving(name: str, hours: float | None = None, **kw: Any) -> dict[str, Any]:
    demand = {"hours_per_month": hours} if hours is not None else {"profile": kw.pop("profile")}
    return {"name": name, "workload": {"model": "llama-3-8b"}, "serving": demand, **kw}


def jobs(name: str, private: bool = False, **demand: Any) -> dict[str, Any]:
    return {
        "name": name,
        "workload": {"model": "mistral-7b", "task": "finetune"},
        "jobs": demand,
        "private": private,
    }


def fits(
    item: TeamWorkload,
    owned: dict[str, float],
    rent_usd: float | None,
    rent_hours: float = 1.0,
) -> WorkloadFits:
    """``owned``: system id -> hours per unit of demand; ``rent_usd``: USD per unit."""
    out = WorkloadFits(workload=item)
    for sid, hours in owned.items():
        out.owned[sid] = OwnedFit(sid, hours, "bf16", f"buy:{sid}")
    if rent_usd is not None:
        out.rental = RentalFit("rent:x", "x", rent_usd, rent_hours, "bf16", "2026-11")
    return out


def candidates(machines: list[Machine], workload_fits: list[WorkloadFits]) -> Candidates:
    return Candidates(
        machines={m.system_id: m for m in machines},
        fits=tuple(workload_fits),
        prices_as_of="2026-11",
    )
