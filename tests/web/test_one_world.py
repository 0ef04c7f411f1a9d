"""One spicetrader at every edge: ``spicetrader.plan()`` with no context, ``spice plan --json``
and ``POST /api/plan`` plan the same world — the user's live-price snapshot and their own quote
in a temporary ``SPICETRADER_HOME`` — give the same answer, and say only what they used."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import spicetrader
from spicetrader.catalog.load import load_catalog
from spicetrader.cli.app import app
from spicetrader.sources.quotes import add_offer_quote
from spicetrader.sources.snapshot import write_snapshot
from spicetrader.web.app import create_app

LAMBDA_H100 = "lambda:gpu_1x_h100_sxm5"
MINE = "rent:internal:1x-h100-sxm"


def _world(home: Path, days_old: int = 3) -> str:
    """A snapshot re-pricing lambda's 1x H100 at $1.11/h, and a $0.01/h quote of the user's."""
    bundled = next(o for o in load_catalog().offers if o.id == LAMBDA_H100)
    taken = datetime.now(UTC) - timedelta(days=days_old, hours=1)
    row = bundled.model_copy(update={"price_usd_per_hour": 1.11, "as_of": taken.date().isoformat()})
    write_snapshot(home, [row], {"providers": [{"provider": "lambda", "status": "ok"}]}, taken)
    quote = {"provider": "internal", "accelerator": "h100-sxm", "count": 1,
             "price_usd_per_hour": 0.01, "as_of": "2026-11-20"}  # fmt: skip
    add_offer_quote(home, quote, load_catalog())
    return taken.date().isoformat()


def _library() -> dict[str, Any]:
    return spicetrader.plan("llama-3-8b", only="rent").to_dict()


def _cli() -> dict[str, Any]:
    result = CliRunner().invoke(app, ["plan", "llama-3-8b", "--only", "rent", "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _http() -> dict[str, Any]:
    with TestClient(create_app()) as client:
        response = client.post("/api/plan", json={"model": "llama-3-8b", "only": ["rent"]})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _answer(plan: dict[str, Any]) -> dict[str, Any]:
    return {
        "recommendation": plan["recommendation"],
        "options": [(o["id"], o["price_usd_per_hour"], o["cost_usd"]) for o in plan["options"]],
        "prices": plan["prices"],
        "prices_as_of": plan["prices_as_of"],
    }


def test_library_cli_and_web_plan_the_same_world(spice_home: Path) -> None:
    taken = _world(spice_home)
    library, cli, http = _library(), _cli(), _http()
    assert _answer(library) == _answer(cli) == _answer(http)

    # the quote at $0.01/h is there and wins; the snapshot re-priced lambda's H100
    options = {o["id"]: o for o in library["options"]}
    assert options[MINE]["price_usd_per_hour"] == 0.01
    assert library["recommendation"]["option"] == MINE
    assert options[f"rent:{LAMBDA_H100}"]["price_usd_per_hour"] == pytest.approx(1.11)

    prices = library["prices"]
    assert (prices["origin"], prices["age_days"], prices["quotes"]) == ("snapshot", 3, 1)
    assert prices["description"] == (
        f"prices as of {taken} (3 days old, live snapshot) + 1 of your own quotes"
    )


def test_the_price_note_says_bundled_when_nothing_else_was_used() -> None:
    for plan in (_library(), _cli(), _http()):
        assert plan["prices"]["origin"] == "bundled"
        assert plan["prices"]["quotes"] == 0
        assert plan["prices"]["description"].endswith("bundled catalog)")  # no quotes claimed
        assert MINE not in {o["id"] for o in plan["options"]}


def test_a_given_context_is_what_the_plan_uses(spice_home: Path, tmp_path: Path) -> None:
    _world(spice_home)
    elsewhere = spicetrader.Context.load(tmp_path / "empty-home", hub=False)
    assert elsewhere.prices.origin.value == "bundled"
    assert elsewhere.fetch_config is None
    plan = spicetrader.plan("llama-3-8b", elsewhere, only="rent")
    assert plan.prices == elsewhere.prices
    assert MINE not in {o.id for o in plan.options}
    mine = spicetrader.Context.load()
    assert mine.home == spice_home
    assert mine.prices.quotes == 1
    assert spicetrader.plan("llama-3-8b", mine, only="rent").recommendation.option == MINE


def test_the_web_never_asks_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the web app called the Hugging Face Hub")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", no_network)
    with TestClient(create_app()) as client:
        response = client.post(
            "/api/estimate", json={"model": "nobody-xyz/nothing-abc", "hardware": "t4"}
        )
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"] == "ModelNotServedError"  # an UnknownNameError, with the CLI
    assert response.json()["kind"] == "model"


def test_the_fleet_plans_the_same_world_in_library_and_cli(spice_home: Path) -> None:
    import yaml

    _world(spice_home)
    team_file = Path(__file__).resolve().parents[2] / "examples" / "team.yaml"
    team = yaml.safe_load(team_file.read_text(encoding="utf-8"))
    library = spicetrader.fleet(team).to_dict()
    result = CliRunner().invoke(app, ["fleet", str(team_file), "--json"])
    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)
    assert cli["total_usd"] == pytest.approx(library["total_usd"])
    assert cli["purchases"] == library["purchases"]
    bundled = spicetrader.fleet(team, load_catalog()).to_dict()  # a Catalog alone: no quotes
    assert library["total_usd"] <= bundled["total_usd"]  # a $0.01/h H100 can only help
