"""A job with no deadline: the recommendation prefers options that finish within 30 calendar
days, so "cheapest" never means a free tier spread over months of weekly quotas."""

from __future__ import annotations

from planner_fakes import run_plan

from spicetrader.planner.constraints import DEFAULT_JOB_WINDOW_HOURS
from spicetrader.planner.models import OptionStatus

# toy-3b on 3e9 tokens: ~38 h on a rented H100, ~288 h on two T4s = ~10 weeks of Kaggle quota
LONG_JOB = {"model": "toy-3b", "task": "finetune", "finetune": {"tokens": 3e9}}


def test_free_tier_spread_over_months_is_listed_impractical() -> None:
    p = run_plan(LONG_JOB)
    kaggle = p.option("free:kaggle-t4x2")
    assert kaggle.fits
    assert not kaggle.feasible
    assert kaggle.status is OptionStatus.IMPRACTICAL
    assert "30-day job window" in (kaggle.status_reason or "")
    assert kaggle.finish_hours is not None
    assert kaggle.finish_hours > DEFAULT_JOB_WINDOW_HOURS  # waits for weekly quotas
    assert kaggle.calendar_hours is not None
    assert kaggle.hours is not None
    assert kaggle.calendar_hours > kaggle.hours
    best = p.option(p.recommendation.option or "")
    assert best.finish_hours is not None
    assert best.finish_hours <= DEFAULT_JOB_WINDOW_HOURS
    assert "finish within 30 days" in p.recommendation.why
    assert any("30 calendar days" in a for a in p.assumptions)
    # no option that can be chosen takes longer than the window
    assert all((o.finish_hours or 0) <= DEFAULT_JOB_WINDOW_HOURS for o in p.options if o.feasible)


def test_the_recommendation_weighs_waiting_at_the_value_of_time() -> None:
    for value in (0.0, 1.0, 50.0):
        p = run_plan(LONG_JOB, value_of_time_usd_per_hour=value)
        best = p.option(p.recommendation.option or "")
        scores = {
            o.id: (o.rank_cost_usd or 0.0) + value * (o.finish_hours or 0.0)
            for o in p.options
            if o.feasible
        }
        assert scores[best.id] == min(scores.values())


def test_an_explicit_deadline_replaces_the_default_window() -> None:
    # any option meets it; with no value on waiting the cheapest wins, free
    p = run_plan(LONG_JOB, deadline_hours=1e6, value_of_time_usd_per_hour=0)
    best = p.option(p.recommendation.option or "")
    assert best.cost_usd == 0
    assert p.option("free:kaggle-t4x2").status is OptionStatus.OK
    assert "--value-of-time 0" in p.recommendation.why


def test_when_nothing_finishes_in_the_window_nothing_is_recommended_and_it_says_why() -> None:
    p = run_plan({**LONG_JOB, "finetune": {"tokens": 1e13}}, only="free")
    assert p.recommendation.option is None
    assert "no option finishes within the 30-day job window" in p.recommendation.why
    assert not p.picks


def test_serving_has_no_window() -> None:
    p = run_plan({"model": "toy-7b"})
    assert not any("calendar days" in a for a in p.assumptions)
