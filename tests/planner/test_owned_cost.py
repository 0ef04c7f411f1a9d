"""Owned cost people can read (cash out, value left, net; a one-off job's share of the hours)
and the break-even against a usable rental, "never" with why instead of impossible figures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from planner_fakes import OWNER, SYSTEMS, run_plan

from spicetrader.planner.breakeven import break_even
from spicetrader.planner.context import RentReference
from spicetrader.planner.models import OptionStatus


def test_cash_out_value_left_and_net_by_hand() -> None:
    # a year of 100 h a month: 60,000 + 1,200 h x 0.15 + 12 x 200 = 62,580 cash out
    assert OWNER.cash_out_usd(1_200, 12) == pytest.approx(62_580)
    assert OWNER.book_value_usd(12) == pytest.approx(48_000)  # 60,000 - 12 x 1,000
    assert OWNER.net_cost_usd(1_200, 12) == pytest.approx(14_580)
    assert OWNER.book_value_usd(90) == 0  # past the useful life: nothing left, never negative


def test_a_one_off_job_pays_for_the_hours_it_uses() -> None:
    # 12 minutes: (1,000 + 200) x 0.2 / 730 + 0.2 x 0.15, not 12 months of depreciation
    assert OWNER.hours_share_usd(0.2) == pytest.approx(1_200 * 0.2 / 730 + 0.03)


def test_never_when_the_rent_is_below_the_electricity() -> None:
    rent = RentReference(option_id="rent:x", cost_usd=0.10 * 100, billed_hours=100)
    even = break_even(OWNER, rent, 100, 160)
    assert even.hours_per_month is None
    assert "less than its electricity" in (even.never or "")


def test_never_when_it_needs_more_hours_than_a_month_has() -> None:
    # 1,200 / (1.50 - 0.15) = 889 h a month > 730
    rent = RentReference(option_id="rent:x", cost_usd=150, billed_hours=100)
    even = break_even(OWNER, rent, 100, 160)
    assert even.hours_per_month is None
    assert "889 h" in (even.never or "")
    assert "a month has 730" in (even.never or "")


def test_never_beyond_the_useful_life_and_figures_within_it() -> None:
    # rent 5.15/h: break-even 1,200 / 5 = 240 h/month; at 300 h: 60,000 / (300 x 5 - 200) = 46
    # months, within 60; at 250 h: 60,000 / 1,050 = 57; at 245 h: 60,000 / 1,025 = 58.5
    rent = RentReference(option_id="rent:x", cost_usd=515, billed_hours=100)
    even = break_even(OWNER, rent, 100, 300)
    assert even.hours_per_month == pytest.approx(240)
    assert even.months == pytest.approx(60_000 / 1_300)
    assert even.never is None
    slow = break_even(OWNER, rent, 100, 241)  # 60,000 / (241 x 5 - 200) = 59.8: just within
    assert slow.months == pytest.approx(60_000 / (241 * 5 - 200))
    # 200 h: 60,000 / (200 x 5 - 200) = 75 months, beyond the 60-month life
    assert "beyond its 5-year useful life" in (break_even(OWNER, rent, 100, 200).never or "")
    below = break_even(OWNER, rent, 100, 40)  # 40 x 5 = 200 saved = the colocation: never
    assert below.months is None
    assert "stays cheaper" in (below.never or "")


@given(st.floats(0.01, 100), st.floats(1, 730))
def test_no_break_even_figure_above_a_month_or_beyond_the_life(rent: float, use: float) -> None:
    even = break_even(OWNER, RentReference("rent:x", rent * 10, 10), 10, use)
    assert even.hours_per_month is None or even.hours_per_month <= 730
    assert even.months is None or even.months <= 60
    assert (even.months is None) == (even.never is not None)


def test_a_short_job_on_a_server_costs_its_hours_not_a_year() -> None:
    spec = {"model": "toy-1b", "task": "finetune", "finetune": {"tokens": 1e7}}
    p = run_plan(spec)
    dgx = p.option("buy:dgx-h100")
    own = dgx.ownership
    assert own is not None
    assert dgx.hours is not None
    assert dgx.hours < 1
    assert own.job_share_usd == dgx.cost_usd
    system = next(s for s in SYSTEMS if s.id == "dgx-h100")
    fixed = system.price_usd / 60 + system.power_max_w / 1000 * 150
    energy = system.power_typical_w / 1000 * 0.10 * 1.5
    assert dgx.cost_usd == pytest.approx(dgx.hours * (fixed / 730 + energy))
    assert dgx.cost_usd < 100 < own.net_cost_usd  # a year of depreciation is the net cost
    assert own.purchase_usd == system.price_usd  # shown beside it
    assert dgx.rank_cost_usd == own.net_cost_usd  # and the net cost ranks it
    assert p.option(p.recommendation.option or "").tier.value != "buy"


def test_every_break_even_names_a_usable_rental() -> None:
    for spec in ({"model": "toy-70b"}, {"model": "toy-7b"}, {"model": "toy-3b", "task": "finetune",
                 "finetune": {"tokens": 1e8}}):  # fmt: skip
        p = run_plan(spec)
        for option in p.options:
            own = option.ownership
            if own is None or own.versus_rent_option is None:
                continue
            rental = p.option(own.versus_rent_option)
            assert rental.status is OptionStatus.OK
            if p.job.kind.value != "serving":
                assert (rental.hours or 0) <= 2 * (option.hours or 0)
