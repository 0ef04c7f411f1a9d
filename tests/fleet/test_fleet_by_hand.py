"""Small fleets whose answer can be worked by hand (depreciation + energy vs price x hours)."""

from __future__ import annotations

import pytest
from fleet_fakes import HORIZON, candidates, fits, jobs, machine, serving, team

from spicetrader.errors import InputError
from spicetrader.fleet.fleet import plan_fleet
from spicetrader.units import HOURS_PER_MONTH

BOX = 6000.0  # $6,000, 1 kW: $100/month depreciation over 5 years, $0.10 an hour of energy


def test_an_always_on_service_above_break_even_is_owned() -> None:
    spec = team(serving("chat", HOURS_PER_MONTH))
    box = machine("box", BOX)
    cand = candidates([box], [fits(spec.workloads[0], {"box": 1.0}, rent_usd=1.0)])
    plan = plan_fleet(spec, cand)
    hours = HOURS_PER_MONTH * HORIZON
    own = BOX / 5 + hours * 0.10  # a year of depreciation + 8,760 h x $0.10
    assert plan.total_usd == pytest.approx(own)
    assert own < hours * 1.0  # renting at $1/h costs more
    assert [(p.system, p.count) for p in plan.purchases] == [("box", 1)]
    assert plan.purchases[0].utilisation == pytest.approx(1.0)
    assert plan.purchases[0].value_left_usd == pytest.approx(BOX * 4 / 5)
    assert plan.strategy("rent_everything").total_usd == pytest.approx(hours * 1.0)


def test_a_rare_job_is_rented() -> None:
    spec = team(jobs("eval", months=[6]))
    cand = candidates(
        [machine("box", BOX)], [fits(spec.workloads[0], {"box": 10.0}, rent_usd=20.0)]
    )
    plan = plan_fleet(spec, cand)
    assert plan.purchases == ()
    assert plan.total_usd == pytest.approx(20.0)  # one job at $20
    assert plan.assignments[0].owned_share == 0.0
    assert plan.strategy("own_everything").total_usd == pytest.approx(BOX / 5 + 10 * 0.10)


def test_a_private_workload_is_never_rented() -> None:
    spec = team(serving("secret", 100.0, private=True))
    cand = candidates([machine("box", BOX)], [fits(spec.workloads[0], {"box": 1.0}, rent_usd=0.01)])
    cand.fits[0].rental = None  # the planner offers no rental to a private workload
    plan = plan_fleet(spec, cand)
    assert plan.assignments[0].owned_share == pytest.approx(1.0)
    assert plan.assignments[0].rental is None
    assert plan.strategy("rent_everything").total_usd is None


def test_two_services_at_the_same_hours_need_two_machines() -> None:
    office = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start_hour": 9, "end_hour": 18}]
    spec = team(
        serving("a", profile=office, private=True), serving("b", profile=office, private=True)
    )
    box = machine("box", BOX)
    cand = candidates([box], [fits(w, {"box": 1.0}, rent_usd=None) for w in spec.workloads])
    assert plan_fleet(spec, cand).purchases[0].count == 2


def test_a_day_service_and_a_night_service_share_one_machine() -> None:
    day = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start_hour": 9, "end_hour": 18}]
    night = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start_hour": 19, "end_hour": 23}]
    spec = team(
        serving("day", profile=day, private=True), serving("night", profile=night, private=True)
    )
    cand = candidates(
        [machine("box", BOX)], [fits(w, {"box": 1.0}, rent_usd=None) for w in spec.workloads]
    )
    assert plan_fleet(spec, cand).purchases[0].count == 1


def test_jobs_fill_the_hours_serving_leaves() -> None:
    # serving 9-18 on weekdays leaves 730 - 195.5 h a month: 10 jobs of 50 h fit beside it
    office = [{"days": ["mon", "tue", "wed", "thu", "fri"], "start_hour": 9, "end_hour": 18}]
    spec = team(serving("chat", profile=office, private=True), jobs("train", per_month=10))
    cand = candidates(
        [machine("box", BOX)],
        [
            fits(spec.workloads[0], {"box": 1.0}, rent_usd=None),
            fits(spec.workloads[1], {"box": 50.0}, rent_usd=100.0),
        ],
    )
    plan = plan_fleet(spec, cand)
    assert plan.purchases[0].count == 1
    train = plan.assignments[1]
    assert train.owned_share == pytest.approx(1.0)  # $5 of energy a job beats $100 rented


def test_the_budget_caps_purchases() -> None:
    spec = team(serving("chat", HOURS_PER_MONTH), budget_usd=1000)
    cand = candidates([machine("box", BOX)], [fits(spec.workloads[0], {"box": 1.0}, 1.0)])
    plan = plan_fleet(spec, cand)
    assert plan.purchases == ()
    assert plan.strategy("own_everything").total_usd is None


def test_a_workload_that_fits_nothing_is_named() -> None:
    spec = team(serving("huge", 100.0))
    cand = candidates([machine("box", BOX)], [fits(spec.workloads[0], {}, rent_usd=None)])
    with pytest.raises(InputError, match="'huge' fits nothing"):
        plan_fleet(spec, cand)


def test_a_private_team_over_budget_says_why() -> None:
    spec = team(serving("secret", 100.0, private=True), budget_usd=100)
    cand = candidates([machine("box", BOX)], [fits(spec.workloads[0], {"box": 1.0}, None)])
    with pytest.raises(InputError, match=r"within the budget of \$100.*secret"):
        plan_fleet(spec, cand)


def test_the_break_point_is_where_a_second_machine_pays() -> None:
    # jobs of 100 h at $150 rented vs $10 of energy owned: one box holds 7.3 jobs a month;
    # a second box ($100 depreciation + energy) pays once the overflow passes ~0.7 jobs/month.
    spec = team(jobs("train", per_month=6))
    cand = candidates([machine("box", BOX)], [fits(spec.workloads[0], {"box": 100.0}, 150.0)])
    plan = plan_fleet(spec, cand)
    assert plan.purchases[0].count == 1
    first = plan.break_points[0]
    assert first.purchases_below == {"box": 1}
    assert first.purchases_above == {"box": 2}
    # by hand: overflow k jobs a month costs 150k rented or 100 + 10k owned -> k > 0.714
    assert first.jobs_per_month == pytest.approx(7.3 + 100 / 140, abs=0.15)
