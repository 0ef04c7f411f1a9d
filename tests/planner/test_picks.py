"""The named picks say what they trade (that each is what its name says is a property in
``test_plan_properties.py``)."""

from __future__ import annotations

from planner_fakes import run_plan

from spicetrader.planner.models import PickName


def test_the_reason_says_what_was_traded() -> None:
    p = run_plan({"model": "toy-3b", "task": "finetune", "finetune": {"tokens": 1e8}})
    rec = p.picks[PickName.RECOMMENDED]
    assert p.picks[PickName.CHEAPEST].option != rec.option  # free is cheapest, not recommended
    assert "more than the cheapest" in rec.reason
    assert "x faster" in rec.reason
