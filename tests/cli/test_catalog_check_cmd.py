"""``spice catalog check`` through the CLI, and the ``stale`` flag of plan options in --json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from spicetrader.catalog.files import CatalogFile
from spicetrader.catalog.load import load_catalog, write_user_rows
from spicetrader.catalog.schema import Offer
from spicetrader.cli.app import app

runner = CliRunner()


def test_check_of_the_bundled_snapshot_counts_every_offer() -> None:
    result = runner.invoke(app, ["catalog", "check", "--bundled", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["offers"] == len(load_catalog().offers) >= 400
    assert sum(p["offers"] for p in data["providers"]) == data["offers"]
    assert len(data["providers"]) >= 15
    assert sum(a["offers"] for a in data["ages"]) == data["offers"]
    assert data["stale_offers"] == []  # measured against the snapshot's own date
    assert data["undocumented_sources"] == []


def test_check_human_view_and_a_later_reference_date() -> None:
    text = runner.invoke(app, ["catalog", "check", "--bundled"], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "Offers by provider" in text.stdout
    assert "stale" in text.stdout
    later = runner.invoke(app, ["catalog", "check", "--bundled", "--as-of", "2028-01-01", "--json"])
    data = json.loads(later.stdout)
    assert len(data["stale_offers"]) == data["offers"]
    bad = runner.invoke(app, ["catalog", "check", "--as-of", "soon"])
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output


def test_plan_json_marks_a_stale_quote_and_not_a_fresh_one(spice_home: Path) -> None:
    today = date.today().isoformat()
    old = Offer(
        id="mine:old",
        provider="mine",
        instance_type="old",
        accelerator="h100-sxm",
        count=1,
        price_usd_per_hour=0.5,
        source="quote",
        as_of="2020-01-15",
    )
    new = old.model_copy(update={"id": "mine:new", "instance_type": "new", "as_of": today})
    write_user_rows(spice_home / "catalog", CatalogFile.OFFERS, [old, new])
    result = runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent", "--json"])
    assert result.exit_code == 0, result.output
    options = {o["id"]: o for o in json.loads(result.stdout)["options"]}
    assert options["rent:mine:old"]["stale"] is True
    assert options["rent:mine:new"]["stale"] is False
