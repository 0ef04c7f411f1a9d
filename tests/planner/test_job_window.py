"""A job with no deadline: the recommendation prefers options that finish within 30 calendar
days, so "cheapest" never means a free tier spread over months of weekly quotas."""

from __future__ import annotations

from planner_fakes import run_plan

from spicetrader.planner.constraints import DEFAULT_JOB_WINDOW_HOURS

# toy-3b on 3e9 tokens: ~38 h on a rented H100, ~288 h on two T4s = ~10 weeks of Kaggle quota
LONG_JOB = {"model": "toy-3b", "task": "finetune", "finetune": {"tokens": 3e9}}


def test_free_tier_spread_over_months_is_listed_but_not_recommended() -> None:
    p = run_plan(LONG_JOB)
    kaggle = p.option("free:kaggle-t4x2")
    assert kaggle.feasible
    assert kaggle.finish_hours is not None
    assert kaggle.finish_hours > DEFAULT_JOB_WINDOW_HOURS  # waits for weekly quotas
    assert kaggle.calendar_hours is not None
    assert kaggle.hours is not None
    assert kaggle.calendar_hours > kaggle.hours
    best = p.option(p.recommendation.option or "")
    assert best.finish_hours is not None
    assert best.finish_hours <= DEFAULT_JOB_WINDOW_HOURS
    timely = [o for o in p.options if o.feasible and (o.finish_hours or 0) <= 720]
    assert best.cost_usd == min(o.cost_usd or 0.0 for o in timely)
    assert "finishes within 30 days" in p.recommendation.why
    assert any("30 calendar days" in a for a in p.assumptions)


def test_an_explicit_deadline_replaces_the_default_window() -> None:
    p = run_plan(LONG_JOB, deadline_hours=1e6)  # any option meets it: the cheapest wins, free
    best = p.option(p.recommendation.option or "")
    assert best.cost_usd == 0
    assert "deadline of" in p.recommendation.why


def test_when_nothing_finishes_in_the_window_the_cheapest_is_still_named() -> None:
    p = run_plan({**LONG_JOB, "finetune": {"tokens": 1e13}}, only="free")
    assert p.recommendation.option is not None
    assert "none finishes within 30 days" in p.recommendation.why


def test_serving_has_no_window() -> None:
    p = run_plan({"model": "toy-7b"})
    assert not any("calendar days" in a for a in p.assumptions)
