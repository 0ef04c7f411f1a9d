"""The answer's cards and table against the agreed plan JSON (planner picks with reasons, an
option's status and its reason, the owned option's net cost), with an injected planner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browserkit import DESKTOP, NEEDS_CHROMIUM, Page, serve

from spicetrader.web.app import create_app

pytestmark = NEEDS_CHROMIUM


class _Picked:
    """The fake plan with the fields of the agreed contract: picks with reasons, a status and its
    reason per option, the owned option's net cost."""

    def __init__(self, plan: Any) -> None:
        self.plan = plan

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.plan.to_dict())
        opts = {o["tier"]: o for o in data["options"]}
        for o in data["options"]:
            o["status"], o["status_reason"] = "ok", None
        opts["mac"]["status"] = "over_budget"
        opts["mac"]["status_reason"] = "costs $6,599, over the budget of $5,000 (--budget-usd)"
        opts["free"]["status"] = "try_only"
        own = opts["buy"]["ownership"]
        own.update(
            cash_out_usd=3600.0,
            value_left_usd=2900.0,
            net_cost_usd=700.0,
            break_even_never_reason=None,
        )
        data["picks"] = {
            "recommended": {"option": opts["rent"]["id"], "reason": "cheapest that fits"},
            "cheapest": {"option": opts["rent"]["id"], "reason": "lowest cost"},
            "best_owned": {"option": opts["buy"]["id"], "reason": "lowest net cost to own"},
            "free_to_try": {"option": opts["free"]["id"], "reason": "a notebook to try it"},
        }
        data["recommendation"] = {"option": opts["rent"]["id"], "why": "cheapest that fits"}
        return data


@pytest.fixture(scope="module")
def picked_url() -> Iterator[str]:
    from webfakes import fake_estimate, fake_models, fake_plan, small_catalog

    def planner(workload: Any, catalog: Any, constraints: Any) -> _Picked:
        return _Picked(fake_plan(workload, catalog, constraints))

    app = create_app(
        catalog=small_catalog(), estimator=fake_estimate, planner=planner, models=fake_models
    )
    yield from serve(app)


def test_picks_statuses_and_net_cost_are_shown(browser: Any, picked_url: str) -> None:
    page = Page(browser, picked_url, DESKTOP, dark=False)
    try:
        page.open(models=2)
        plan = page.plan(lambda: page.pg.click("#submit"))
        pg = page.pg
        cards = pg.locator("#picks .pick")
        picks = plan["picks"]
        # one card per option, its labels merged, in the order recommended, cheapest, ...
        assert cards.count() == 3
        assert cards.nth(0).get_attribute("data-option") == picks["recommended"]["option"]
        assert cards.nth(0).locator(".tag").all_inner_texts() == ["Recommended", "Cheapest"]
        assert cards.nth(0).locator(".reason").inner_text() == "cheapest that fits"
        assert cards.nth(1).get_attribute("data-option") == picks["best_owned"]["option"]
        assert "$700 net" in cards.nth(1).inner_text()
        assert "worth about $2,900" in cards.nth(1).inner_text()
        assert cards.nth(2).locator(".tag").all_inner_texts() == ["Free to try"]
        mac = pg.locator("#options tr[data-tier=mac]")
        assert mac.locator(".badge").inner_text() == "over budget"
        assert mac.locator(".why").inner_text() == "costs $6,599, over the budget of $5,000"
        free = pg.locator("#options tr[data-tier=free] .badge")
        assert free.inner_text() == "to try it out"
        assert page.problems == []
    finally:
        page.close()
