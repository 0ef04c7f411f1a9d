"""The buy and mac tiers label used-market and discontinued purchase prices."""

from __future__ import annotations

import spicetrader


def test_used_market_and_discontinued_prices_are_labelled() -> None:
    plan = spicetrader.plan({"model": "llama-3-8b"})
    used = plan.option("buy:budget-rtx-3090-used-1x")
    assert any(n.startswith("used market: 880-950 USD") for n in used.notes)
    strix = plan.option("buy:framework-desktop-395-128gb")
    assert strix.hardware == "ryzen-ai-max-395"
    assert not any("used market" in n for n in strix.notes)
    old_mac = plan.option("mac:mac-studio-m2-ultra-76c-64gb")  # the smallest that fits
    assert any("no longer sold new" in n for n in old_mac.notes)
    assert old_mac.stale  # a 2023 list price


def test_a_pick_no_longer_sold_new_says_so_before_you_choose() -> None:
    """The labels reach the short list a person reads before buying (render/plan_picks.caveats),
    not only the option's notes: a recommended Mac whose configuration Apple withdrew is bought
    used or refurbished."""
    from datetime import date

    from spicetrader.render.plan_picks import caveats

    plan = spicetrader.plan({"model": "llama-3-8b"})
    today = date(2026, 12, 3)
    old_mac = plan.option("mac:mac-studio-m2-ultra-76c-64gb")
    assert any("no longer sold new" in c for c in caveats(old_mac, today))
    used = plan.option("buy:budget-rtx-3090-used-1x")
    assert any(c.startswith("used market:") for c in caveats(used, today))
    strix = plan.option("buy:framework-desktop-395-128gb")
    assert not any("no longer sold new" in c or "used market" in c for c in caveats(strix, today))


def test_a_machine_no_longer_sold_new_is_listed_not_picked() -> None:
    """DeepSeek-R1 at Q4 fits the 512 GB Mac Studio, which Apple withdrew in March 2026: its
    cost is a last list price nobody asks today. The table keeps it (status ok, labelled); the
    picks choose among what can be bought new or rented, and the recommendation says which
    withdrawn machine would have cost less."""
    from spicetrader.planner.models import OptionStatus

    plan = spicetrader.plan({"model": "deepseek-r1"})
    mac = plan.option("mac:mac-studio-m3-ultra-80c-512gb")
    assert not mac.sold_new
    assert mac.status is OptionStatus.OK
    picked = {pick.option for pick in plan.picks.values()}
    assert mac.id not in picked
    on_sale = [o for o in plan.options if o.status is OptionStatus.OK and o.sold_new]
    assert on_sale
    assert all(o.sold_new for o in (plan.option(p) for p in picked))
    cheaper = [o for o in on_sale if (o.rank_cost_usd or 0) < (mac.rank_cost_usd or 0)]
    assert not cheaper  # the case this rule is about: the withdrawn Mac is the cheapest
    assert f"{mac.id} would cost less" in plan.recommendation.why
