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
