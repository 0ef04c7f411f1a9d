"""The real app (nothing injected) plans with the user's prices, like ``spice plan``: a quote
added to the temp ``SPICETRADER_HOME`` is a rent option; the plan says where prices came from."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from spicetrader.catalog.load import load_catalog
from spicetrader.sources.quotes import add_offer_quote
from spicetrader.web.app import create_app


def _plan(body: dict[str, object]) -> dict[str, object]:
    with TestClient(create_app()) as client:
        response = client.post("/api/plan", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, object] = response.json()
    return data


def test_real_app_says_its_prices_are_bundled_without_a_snapshot() -> None:
    data = _plan({"model": "llama-3-8b", "only": ["rent"]})
    prices = data["prices"]
    assert isinstance(prices, dict)
    assert prices["origin"] == "bundled"


def test_real_app_plans_with_the_users_own_quote(spice_home: Path) -> None:
    quote = {"provider": "internal", "accelerator": "H100 SXM", "count": 1,
             "price_usd_per_hour": 0.01, "as_of": "2026-11-20"}  # fmt: skip
    add_offer_quote(spice_home, quote, load_catalog())
    data = _plan({"model": "llama-3-8b", "only": ["rent"], "min_decode_tokens_per_s": 10})
    options = data["options"]
    assert isinstance(options, list)
    mine = [o for o in options if o["id"] == "rent:internal:1x-h100-sxm"]
    assert len(mine) == 1
    assert mine[0]["price_usd_per_hour"] == 0.01
    recommendation = data["recommendation"]
    assert isinstance(recommendation, dict)
    assert recommendation["option"] == "rent:internal:1x-h100-sxm"
