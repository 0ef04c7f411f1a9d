"""Constraints: contradictions and impossible values are clear InputErrors."""

from __future__ import annotations

import pytest

from spicetrader.errors import InputError
from spicetrader.planner import PlanConstraints, Tier
from spicetrader.planner.constraints import parse_tiers


def test_parse_tiers() -> None:
    assert parse_tiers("buy, Mac") == {Tier.BUY, Tier.MAC}
    with pytest.raises(InputError, match="accepted: buy, free, mac, rent"):
        parse_tiers("buy,cloud")
    with pytest.raises(InputError, match="cannot be chosen"):
        parse_tiers("reference")
    with pytest.raises(InputError, match="names no tier"):
        parse_tiers(" , ")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"deadline_hours": 0}, "deadline_hours must be a positive number"),
        ({"deadline_hours": -3}, "deadline_hours must be a positive number"),
        ({"months": 0}, "months must be a positive number"),
        ({"usage_hours_per_month": 800}, "at most 730"),
        ({"budget_usd": -1}, "budget_usd must be zero or more"),
        ({"images": 0}, "images must be at least 1"),
        ({"private": True, "only": "rent"}, "--private keeps the work on your own hardware"),
        ({"private": True, "only": "rent,free"}, "drop --private or choose buy/mac"),
        ({"spot": True, "private": True}, "--spot prices rentals"),
        ({"spot": True, "only": "buy,mac"}, "--spot prices rentals"),
        ({"colour": "red"}, "unknown plan constraint"),
    ],
)
def test_contradictions_raise(kw: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        PlanConstraints.of(**kw)  # type: ignore[arg-type]


def test_private_keeps_only_on_prem_tiers() -> None:
    assert PlanConstraints(private=True).tiers == {Tier.BUY, Tier.MAC}
    assert PlanConstraints.of(only="buy,rent", private=True).tiers == {Tier.BUY}
    assert PlanConstraints.of(only=["rent"]).tiers == {Tier.RENT}
