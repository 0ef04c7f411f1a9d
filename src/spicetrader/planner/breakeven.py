"""Buy versus rent for one owned option: which rental it is compared with, and the break-even.

The rental is the cheapest *usable* comparable one: its status is ok (fast enough to serve, within
the job window, the deadline and the budget), on-demand, and for a job it finishes within
:data:`COMPARABLE_TIME_FACTOR` times the owned option's hours (a rental that is far slower does
not do the same work). Renting is billed per hour; owning costs ``F`` a month (depreciation +
colocation) plus ``e`` per hour of energy. The formulas are in ``planner/economics.py``; this
module decides when they give no usable figure and says why, in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import RentReference
from spicetrader.planner.economics import Ownership, break_even_hours_per_month, break_even_months
from spicetrader.planner.models import Job, JobKind, OptionStatus, PlanOption
from spicetrader.planner.ranking import measured_first
from spicetrader.units import HOURS_PER_MONTH

__all__ = ["COMPARABLE_TIME_FACTOR", "BreakEven", "break_even", "comparable_rental"]

# A job's rental is comparable with an owned option when it takes at most this many times the
# owned option's hours (stated in every plan's assumptions).
COMPARABLE_TIME_FACTOR = 2.0


def _money(usd: float) -> str:
    """Hourly rates: cents matter below a dollar (an electricity bill of $0.013/h)."""
    return f"${usd:,.3f}" if usd < 1 else f"${usd:,.2f}"


def comparable_rental(
    rentals: Sequence[PlanOption], job: Job, hours: float
) -> RentReference | None:
    """The cheapest usable on-demand rental that does the owned option's work (``hours``),
    among those a measurement backs when there are some (as the recommendation chooses)."""
    usable = [
        o
        for o in rentals
        if o.tier is Tier.RENT
        and not o.spot
        and o.status is OptionStatus.OK
        and o.cost_usd is not None
        and o.price_usd_per_hour
        and o.hours is not None
        and (job.kind is JobKind.SERVING or o.hours <= COMPARABLE_TIME_FACTOR * hours)
    ]
    if not usable:
        return None
    best = min(measured_first(usable), key=lambda o: (o.cost_usd, o.id))
    cost = best.cost_usd or 0.0
    return RentReference(
        option_id=best.id, cost_usd=cost, billed_hours=cost / (best.price_usd_per_hour or 1.0)
    )


@dataclass(frozen=True, slots=True)
class BreakEven:
    """Hours of use a month above which owning is cheaper, months until the purchase has paid
    for itself at the job's use; ``never`` says why a figure is missing."""

    rent_usd_per_hour: float | None
    hours_per_month: float | None
    months: float | None
    never: str | None


def break_even(
    owner: Ownership,
    rent: RentReference | None,
    billed_hours: float,
    usage_hours_per_month: float,
) -> BreakEven:
    """Break-even of ``owner`` against ``rent`` (the rental's cost of the same ``billed_hours``
    of this machine's work). No figure above the hours of a month, nor beyond the useful life."""
    if rent is None:
        return BreakEven(None, None, None, "no usable rental does the same work to compare with")
    if billed_hours <= 0:
        return BreakEven(None, None, None, "the job takes no time")
    rent_per_hour = rent.cost_usd / billed_hours
    energy = owner.energy_usd_per_hour
    hours = break_even_hours_per_month(owner, rent_per_hour)
    if hours is None:
        why = (
            f"renting {rent.option_id} costs {_money(rent_per_hour)} for an hour of this "
            f"machine's work, less than its electricity ({_money(energy)}/h)"
        )
        return BreakEven(rent_per_hour, None, None, why)
    if hours > HOURS_PER_MONTH:
        why = (
            f"against {rent.option_id} it would need {hours:,.0f} h of use a month "
            f"(a month has {HOURS_PER_MONTH:g})"
        )
        return BreakEven(rent_per_hour, None, None, why)
    months = break_even_months(owner, rent_per_hour, usage_hours_per_month)
    if months is None:
        why = (
            f"at {usage_hours_per_month:g} h/month renting {rent.option_id} stays cheaper "
            f"(owning wins above {hours:,.0f} h/month)"
        )
        return BreakEven(rent_per_hour, hours, None, why)
    life = owner.depreciation_years * 12
    if months > life:
        why = (
            f"at {usage_hours_per_month:g} h/month it would take {months:,.0f} months to pay "
            f"for itself against {rent.option_id}, beyond its {owner.depreciation_years:g}-year "
            "useful life"
        )
        return BreakEven(rent_per_hour, hours, None, why)
    return BreakEven(rent_per_hour, hours, months, None)
