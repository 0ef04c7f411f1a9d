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
