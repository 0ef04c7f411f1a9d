"""Economics against hand-computed examples, and its invariants as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from planner_fakes import OWNER

from spicetrader.planner.economics import (
    Ownership,
    break_even_hours_per_month,
    break_even_months,
    colocation_usd_per_month,
    depreciation_usd_per_month,
    energy_cost_usd,
)


def test_energy_is_kw_times_hours_times_price_times_pue() -> None:
    assert energy_cost_usd(1_000, 10, 0.15, 1.5) == pytest.approx(2.25)
    # a DGX H100 at 8.5 kW typical for a 730-h month at 0.1648 USD/kWh, PUE 1.58
    assert energy_cost_usd(8_500, 730, 0.1648, 1.58) == pytest.approx(1615.68, abs=0.01)


def test_depreciation_and_colocation() -> None:
    assert depreciation_usd_per_month(60_000, 5) == pytest.approx(1_000)
    assert depreciation_usd_per_month(300_000, 6) == pytest.approx(300_000 / 72)
    assert colocation_usd_per_month(10.2, 150) == pytest.approx(1_530)


def test_ownership_per_month_and_for_a_job() -> None:
    assert OWNER.fixed_usd_per_month == pytest.approx(1_200)
    assert OWNER.energy_usd_per_hour == pytest.approx(0.15)
    assert OWNER.usd_per_month(100) == pytest.approx(1_215)
    assert OWNER.cost_usd(hours=100, months=12) == pytest.approx(14_415)
    assert OWNER.cumulative_cash_usd(months=10, usage_hours_per_month=400) == pytest.approx(62_600)


def test_office_machine_pays_no_colocation() -> None:
    office = Ownership(3_600, 500, 800, 0.2, 1.0, 3, None)
    assert office.colocation_usd_per_month == 0
    assert office.fixed_usd_per_month == pytest.approx(100)
    assert office.energy_usd_per_hour == pytest.approx(0.1)


def test_break_even_hand_computed() -> None:
    # renting the same work costs 2.15 USD/h: margin 2.00 USD/h over energy
    assert break_even_hours_per_month(OWNER, 2.15) == pytest.approx(600)
    # at 400 h/month buying saves 400 x 2.00 - 200 = 600 USD a month: 60,000 / 600 = 100 months
    assert break_even_months(OWNER, 2.15, 400) == pytest.approx(100)


def test_no_break_even_when_renting_is_cheaper_than_the_electricity() -> None:
    assert break_even_hours_per_month(OWNER, 0.15) is None
    assert break_even_hours_per_month(OWNER, 0.10) is None
    # the saving does not even cover colocation: never pays back
    assert break_even_months(OWNER, 0.5, 100) is None


owners = st.builds(
    Ownership,
    purchase_usd=st.floats(100, 1e6),
    power_typical_w=st.floats(10, 20_000),
    provisioned_w=st.floats(10, 30_000),
    electricity_usd_per_kwh=st.floats(0.01, 1.0),
    pue=st.floats(1.0, 2.5),
    depreciation_years=st.floats(1, 10),
    colocation_usd_per_kw_month=st.none() | st.floats(0, 500),
)


@given(owners, st.floats(0.01, 500), st.floats(1, 730), st.floats(1, 730), st.floats(1, 60))
def test_more_usage_never_makes_buying_relatively_dearer(
    owner: Ownership, rent: float, u1: float, u2: float, months: float
) -> None:
    low, high = sorted((u1, u2))

    def ratio(usage: float) -> float:
        return owner.cost_usd(usage * months, months) / (rent * usage * months)

    assert ratio(high) <= ratio(low) * (1 + 1e-9)


@given(owners, st.floats(0.01, 500), st.floats(1, 730), st.floats(1, 730))
def test_break_even_months_shrink_with_usage(
    owner: Ownership, rent: float, u1: float, u2: float
) -> None:
    low, high = sorted((u1, u2))
    at_low = break_even_months(owner, rent, low)
    at_high = break_even_months(owner, rent, high)
    if at_low is not None:
        assert at_high is not None
        assert at_high <= at_low * (1 + 1e-9)


@given(owners, st.floats(0.01, 500))
def test_at_the_break_even_owning_and_renting_cost_the_same(owner: Ownership, rent: float) -> None:
    hours = break_even_hours_per_month(owner, rent)
    if hours is None:
        assert rent <= owner.energy_usd_per_hour
    else:
        assert owner.usd_per_month(hours) == pytest.approx(rent * hours, rel=1e-6)
