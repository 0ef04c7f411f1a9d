"""The recommendation (and the best owned / best rental picks) rest on measured speeds: an option
whose estimate no calibration case backs is recommended only when nothing measured is usable."""

from __future__ import annotations

import pytest

from spicetrader.catalog.load import load_catalog
from spicetrader.planner import plan
from spicetrader.planner.models import OptionStatus, Plan, PlanOption


def _low(option: PlanOption) -> bool:  # outside the calibrated region: no case backs it
    return not option.estimate.calibrated


@pytest.fixture(scope="module")
def team_70b() -> Plan:
    return plan(
        {"model": "llama-3-70b"}, load_catalog(), users=10, usage_hours_per_month=176, months=36
    )


def test_a_measured_option_is_recommended_when_one_is_usable(team_70b: Plan) -> None:
    ok = [o for o in team_70b.options if o.status is OptionStatus.OK]
    assert any(_low(o) for o in ok)  # the case this rule is about: some usable option is a guess
    measured = [o for o in ok if not _low(o)]
    assert measured
    chosen = team_70b.option(team_70b.recommendation.option or "")
    assert not _low(chosen)
    assert "no measurement backs" in team_70b.recommendation.why


def test_best_owned_and_best_rental_are_measured_when_they_can_be(team_70b: Plan) -> None:
    ok = [o for o in team_70b.options if o.status is OptionStatus.OK]
    for name, tiers in (("best_owned", {"buy", "mac"}), ("best_rental", {"rent"})):
        pick = team_70b.picks.get(name)  # type: ignore[call-overload]
        if pick is None:
            continue
        candidates = [o for o in ok if o.tier.value in tiers]
        if any(not _low(o) for o in candidates):
            assert not _low(team_70b.option(pick.option))
