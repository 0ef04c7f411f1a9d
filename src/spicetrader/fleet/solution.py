"""Read a solved fleet program back into purchases, assignments, months and a typical week."""

from __future__ import annotations

from collections import defaultdict

from spicetrader.fleet.candidates import Candidates
from spicetrader.fleet.milp import Demand, Solved
from spicetrader.fleet.models import Assignment, MonthUse, Purchase, WeekHour
from spicetrader.units import HOURS_PER_MONTH

__all__ = ["assignments", "months", "purchases", "purchases_of", "week"]

_EPS = 1e-7


def purchases_of(solved: Solved) -> dict[str, int]:
    """Machines bought per system id (only those bought)."""
    out = {}
    for var, value in zip(solved.problem.variables, solved.values, strict=True):
        if var.kind == "n" and var.system is not None and round(value) > 0:
            out[var.system] = round(value)
    return out


def _machine_hours(solved: Solved, cand: Candidates, demand: Demand) -> dict[str, float]:
    """Hours each system runs over the horizon (all its machines together)."""
    hours: dict[str, float] = defaultdict(float)
    for var, value in zip(solved.problem.variables, solved.values, strict=True):
        if var.kind in ("u", "j") and var.system is not None and value > _EPS:
            weight = len(demand.month_types[var.month_type or 0].months)
            per_unit = cand.fits[var.workload or 0].owned[var.system].hours_per_unit
            hours[var.system] += value * (1.0 if var.kind == "u" else per_unit) * weight
    return hours


def purchases(solved: Solved, cand: Candidates, demand: Demand) -> tuple[Purchase, ...]:
    bought = purchases_of(solved)
    used = _machine_hours(solved, cand, demand)
    users: dict[str, set[str]] = defaultdict(set)
    for var, value in zip(solved.problem.variables, solved.values, strict=True):
        if var.kind in ("u", "j") and var.system is not None and value > _EPS:
            users[var.system].add(cand.fits[var.workload or 0].workload.name)
    out = []
    for sid, count in sorted(bought.items()):
        m = cand.machines[sid]
        horizon = m.horizon_months
        energy = m.owner.energy_usd(used[sid])
        colocation = count * m.owner.colocation_usd_per_month * horizon
        value_left = count * m.value_left_usd
        cash = count * m.purchase_usd + energy + colocation
        capacity = count * HOURS_PER_MONTH * horizon
        out.append(
            Purchase(
                system=sid,
                name=m.name,
                tier=m.tier.value,
                count=count,
                purchase_usd=m.purchase_usd,
                price_as_of=m.price_as_of,
                cash_out_usd=cash,
                value_left_usd=value_left,
                net_cost_usd=cash - value_left,
                used_hours=used[sid],
                utilisation=used[sid] / capacity if capacity else 0.0,
                workloads=tuple(sorted(users[sid])),
            )
        )
    return tuple(out)


def assignments(
    solved: Solved, cand: Candidates, demand: Demand, rent_factor: float = 1.0
) -> tuple[Assignment, ...]:
    owned: dict[int, float] = defaultdict(float)
    rented: dict[int, float] = defaultdict(float)
    systems: dict[int, set[str]] = defaultdict(set)
    for var, value in zip(solved.problem.variables, solved.values, strict=True):
        if var.workload is None or value <= _EPS:
            continue
        weight = len(demand.month_types[var.month_type or 0].months)
        if var.kind in ("u", "j"):
            owned[var.workload] += value * weight
            systems[var.workload].add(var.system or "")
        elif var.kind in ("r", "q"):
            rented[var.workload] += value * weight
    horizon = sum(len(t.months) for t in demand.month_types)
    out = []
    for w in (*demand.serving, *demand.jobs):
        fits = cand.fits[w]
        total = owned[w] + rented[w]
        rental = fits.rental if rented[w] > _EPS else None
        precision_owned = None
        if systems[w]:
            precision_owned = fits.owned[sorted(systems[w])[0]].precision
        out.append(
            Assignment(
                workload=fits.workload.name,
                kind="serving" if w in demand.serving else "jobs",
                demand_per_month=total / horizon,
                owned_share=owned[w] / total if total > 0 else 0.0,
                owned_on=tuple(sorted(systems[w])),
                rental=rental.option_id if rental else None,
                rental_name=rental.name if rental else None,
                rented_per_month=rented[w] / horizon,
                rent_usd=rented[w] * (rental.usd_per_unit * rent_factor if rental else 0.0),
                precision_owned=precision_owned,
                precision_rented=rental.precision if rental else None,
            )
        )
    return tuple(out)


def months(
    solved: Solved, cand: Candidates, demand: Demand, rent_factor: float = 1.0
) -> tuple[MonthUse, ...]:
    """Owned and rented machine-hours, and the rent paid, month by month."""
    per_type: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for var, value in zip(solved.problem.variables, solved.values, strict=True):
        if var.workload is None or value <= _EPS:
            continue
        fits = cand.fits[var.workload]
        row = per_type[var.month_type or 0]
        if var.kind == "u":
            row[0] += value
        elif var.kind == "j" and var.system is not None:
            row[0] += value * fits.owned[var.system].hours_per_unit
        elif var.kind in ("r", "q") and fits.rental is not None:
            row[1] += value * (1.0 if var.kind == "r" else fits.rental.hours_per_unit)
            row[2] += value * fits.rental.usd_per_unit * rent_factor
    out: list[MonthUse] = []
    for t, mtype in enumerate(demand.month_types):
        owned_h, rented_h, usd = per_type[t]
        out.extend(
            MonthUse(month=m, owned_hours=owned_h, rented_hours=rented_h, rent_usd=usd)
            for m in mtype.months
        )
    return tuple(sorted(out, key=lambda m: m.month))


def week(solved: Solved, demand: Demand) -> tuple[WeekHour, ...]:
    """Serving instances needed and served on owned machines, hour by hour of a typical week
    (the most common kind of month)."""
    typical = max(range(len(demand.month_types)), key=lambda t: len(demand.month_types[t].months))
    owned_in_block: dict[int, float] = defaultdict(float)
    for var, value in zip(solved.problem.variables, solved.values, strict=True):
        if var.kind == "u" and var.month_type == typical and var.block is not None:
            owned_in_block[var.block] += value / demand.blocks[var.block].hours_per_month
    hours: list[WeekHour] = []
    for b, block in enumerate(demand.blocks):
        need = sum(block.demand) * demand.factor
        hours.extend(
            WeekHour(hour=h, demand=need, owned=min(need, owned_in_block[b]))
            for h in block.hours_of_week
        )
    return tuple(sorted(hours, key=lambda h: h.hour))
