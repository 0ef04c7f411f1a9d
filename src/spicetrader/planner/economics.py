"""Economics of owning hardware versus renting it: pure functions of plain numbers.

The model is the usual total-cost-of-ownership (TCO) arithmetic, e.g. as laid out in
SemiAnalysis' "AI cloud TCO model" and in cloud-vs-on-prem comparisons such as
https://www.aiinframap.com/tools/chips/h100-vs-h200-vs-b200-tco :

- energy (USD) = typical power (kW) x hours of use x electricity price (USD/kWh) x PUE,
  where PUE (power usage effectiveness, The Green Grid, 2007) scales IT power to facility power;
- colocation (USD/month) = provisioned power (kW) x colocation price (USD per kW-month), the way
  wholesale colocation is billed (see ``systems_and_costs.csv``: COLO-PSEO, ENCOR);
- depreciation (USD/month) = purchase price / (useful life in years x 12), straight line, the
  method hyperscalers report in their 10-K filings (useful lives of 5-6 years).

Renting is billed per hour of use. Break-even compares the two for the same work: buying has a
fixed monthly cost (depreciation + colocation) and a running cost per hour (energy); renting only
a price per hour. All functions are pure; money in USD, time in hours or months.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from spicetrader.units import HOURS_PER_MONTH, WATTS_PER_KW

__all__ = [
    "Ownership",
    "break_even_hours_per_month",
    "break_even_months",
    "colocation_usd_per_month",
    "depreciation_usd_per_month",
    "energy_cost_usd",
]

MONTHS_PER_YEAR = 12.0


def energy_cost_usd(power_w: float, hours: float, usd_per_kwh: float, pue: float) -> float:
    """Electricity bill for running at ``power_w`` for ``hours``: kW x h x USD/kWh x PUE."""
    return power_w / WATTS_PER_KW * hours * usd_per_kwh * pue


def depreciation_usd_per_month(purchase_usd: float, years: float) -> float:
    """Straight-line depreciation: the purchase price spread evenly over the useful life."""
    return purchase_usd / (years * MONTHS_PER_YEAR)


def colocation_usd_per_month(power_kw: float, usd_per_kw_month: float) -> float:
    """Colocation rent: provisioned kW x USD per kW-month."""
    return power_kw * usd_per_kw_month


@dataclass(frozen=True, slots=True)
class Ownership:
    """The cost parameters of one machine you own.

    ``colocation_usd_per_kw_month`` is ``None`` when the machine sits in your own office (no
    rent for space and power delivery); colocation is billed on ``provisioned_w`` (the machine's
    maximum draw), energy on ``power_typical_w``.
    """

    purchase_usd: float
    power_typical_w: float
    provisioned_w: float
    electricity_usd_per_kwh: float
    pue: float
    depreciation_years: float
    colocation_usd_per_kw_month: float | None = None

    @property
    def depreciation_usd_per_month(self) -> float:
        return depreciation_usd_per_month(self.purchase_usd, self.depreciation_years)

    @property
    def colocation_usd_per_month(self) -> float:
        if self.colocation_usd_per_kw_month is None:
            return 0.0
        return colocation_usd_per_month(
            self.provisioned_w / WATTS_PER_KW, self.colocation_usd_per_kw_month
        )

    @property
    def fixed_usd_per_month(self) -> float:
        """What owning costs each month whether it runs or not: depreciation + colocation."""
        return self.depreciation_usd_per_month + self.colocation_usd_per_month

    @property
    def energy_usd_per_hour(self) -> float:
        """The running cost of one hour of use."""
        return energy_cost_usd(self.power_typical_w, 1.0, self.electricity_usd_per_kwh, self.pue)

    def energy_usd(self, hours: float) -> float:
        return energy_cost_usd(self.power_typical_w, hours, self.electricity_usd_per_kwh, self.pue)

    def usd_per_month(self, usage_hours_per_month: float) -> float:
        """Cost per month of ownership at a given use: fixed costs + energy for the hours used."""
        return self.fixed_usd_per_month + self.energy_usd(usage_hours_per_month)

    def cost_usd(self, hours: float, months: float) -> float:
        """Cost of owning for ``months`` and running ``hours`` in them (depreciation, not cash)."""
        return self.fixed_usd_per_month * months + self.energy_usd(hours)

    def book_value_usd(self, months: float) -> float:
        """What is left of the purchase after ``months`` of straight-line depreciation (the value
        a buyer keeps; 0 once the useful life is over)."""
        return max(0.0, self.purchase_usd - self.depreciation_usd_per_month * months)

    def cash_out_usd(self, hours: float, months: float) -> float:
        """Cash spent owning for ``months`` and running ``hours``: purchase + energy + rent."""
        return self.purchase_usd + self.energy_usd(hours) + self.colocation_usd_per_month * months

    def net_cost_usd(self, hours: float, months: float) -> float:
        """Cost of ownership: cash out - the book value left at the end."""
        return self.cash_out_usd(hours, months) - self.book_value_usd(months)

    def hours_share_usd(self, hours: float) -> float:
        """A one-off job's share: energy + the depreciation and colocation of the calendar hours
        it occupies the machine (a month = 730 h)."""
        return self.fixed_usd_per_month * hours / HOURS_PER_MONTH + self.energy_usd(hours)

    def cumulative_cash_usd(self, months: float, usage_hours_per_month: float) -> float:
        """Cash spent after ``months``: the purchase up front, then running costs each month."""
        running = self.colocation_usd_per_month + self.energy_usd(usage_hours_per_month)
        return self.purchase_usd + months * running


def break_even_hours_per_month(owner: Ownership, rent_usd_per_hour: float) -> float | None:
    """Hours of use per month above which owning costs less per month than renting.

    Owning costs ``F + e*h`` a month (F fixed, e energy per hour), renting ``r*h``; they are equal
    at ``h = F / (r - e)``. ``rent_usd_per_hour`` is the rental cost of the work one hour of the
    owned machine does. ``None`` when renting is cheaper at any use (``r <= e``).
    """
    margin = rent_usd_per_hour - owner.energy_usd_per_hour
    if margin <= 0:
        return None
    return _finite(owner.fixed_usd_per_month / margin)


def break_even_months(
    owner: Ownership, rent_usd_per_hour: float, usage_hours_per_month: float
) -> float | None:
    """Months after which the purchase has paid for itself against renting, in cash.

    Cash owning: ``P + m*(C + e*h)``; renting: ``m*r*h``; equal at ``m = P / (h*(r - e) - C)``.
    ``None`` when owning never catches up at this use.
    """
    saving_per_month = (
        usage_hours_per_month * (rent_usd_per_hour - owner.energy_usd_per_hour)
        - owner.colocation_usd_per_month
    )
    if saving_per_month <= 0:
        return None
    return _finite(owner.purchase_usd / saving_per_month)


def _finite(value: float) -> float | None:
    """A break-even so far away that it overflows is no break-even."""
    return value if math.isfinite(value) else None
