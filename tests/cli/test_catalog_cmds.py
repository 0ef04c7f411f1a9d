"""The catalog commands through the real entry point (typer's CliRunner on the app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spicetrader.catalog.files import CatalogFile
from spicetrader.catalog.load import write_user_rows
from spicetrader.catalog.schema import Offer
from spicetrader.cli.app import app

runner = CliRunner()


def _json(*args: str) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.output


def test_hardware_list_json_filters_by_vendor_and_memory() -> None:
    rows = _json("hardware", "list", "--vendor", "AMD", "--min-memory-gb", "200")
    assert isinstance(rows, list)
    assert {r["id"] for r in rows} == {"mi325x", "mi355x"}
    assert all({"id", "source", "as_of"} <= r.keys() for r in rows)


def test_hardware_list_table_lists_every_accelerator() -> None:
    result = runner.invoke(app, ["hardware", "list"])
    assert result.exit_code == 0
    for ident in ("h100-sxm", "rtx-4090", "m4-max-40c", "tpu-v6e", "gaudi3"):
        assert ident in result.stdout


def test_hardware_show_resolves_common_spellings() -> None:
    row = _json("hardware", "show", "M2 Ultra 76-core")
    assert isinstance(row, dict)
    assert row["id"] == "m2-ultra-76c"
    assert row["memory_configs_gb"] == [64, 128, 192]
    assert row["source"]
    assert row["as_of"]
    table = runner.invoke(app, ["hardware", "show", "RTX 4090"])
    assert table.exit_code == 0
    assert "fp16_acc16_tflops" in table.stdout


def test_unknown_and_ambiguous_names_exit_2_with_one_clear_line() -> None:
    out = _fails("hardware", "show", "h1000")
    assert "unknown hardware 'h1000'" in out
    assert "h100-sxm" in out
    assert "a100-sxm-80gb" in _fails("hardware", "show", "a100")
    assert "accepted: nvidia" in _fails("hardware", "list", "--vendor", "nvdia")
    assert "unknown provider" in _fails("offers", "--provider", "nowhere")
    assert "min_gpus" in _fails("offers", "--min-gpus", "0")


def test_offers_sorted_by_price_per_gpu_hour_with_as_of() -> None:
    rows = _json("offers", "--gpu", "a100", "--min-gpus", "8")
    assert isinstance(rows, list)
    assert rows
    per_gpu = [r["price_usd_per_gpu_hour"] for r in rows]
    assert per_gpu == sorted(per_gpu)
    assert all(r["accelerator"].startswith("a100-") and r["count"] >= 8 for r in rows)
    assert all(r["as_of"] and r["source"] for r in rows)


def test_offers_spot_and_max_price() -> None:
    rows = _json("offers", "--spot", "--max-price", "2")
    assert isinstance(rows, list)
    assert rows
    assert all(r["spot_price_usd_per_hour"] is not None for r in rows)
    assert all(r["spot_price_usd_per_hour"] <= 2 for r in rows)


def test_offers_table_shows_the_snapshot_note() -> None:
    result = runner.invoke(app, ["offers", "--provider", "lambda"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "bundled snapshot" in result.stdout
    assert "lambda:gpu_1x_h100_pcie" in result.stdout


def test_offers_include_the_users_own_rows(spice_home: Path) -> None:
    mine = Offer(
        id="mycloud:h100x8", provider="mycloud", instance_type="h100x8", accelerator="h100-sxm",
        count=8, price_usd_per_hour=8.0, source="quote", as_of="2026-11-20",
    )  # fmt: skip
    write_user_rows(spice_home / "catalog", CatalogFile.OFFERS, [mine])
    rows = _json("offers", "--gpu", "H100 SXM", "--min-gpus", "8")
    assert isinstance(rows, list)
    assert rows[0]["id"] == "mycloud:h100x8"


def test_bad_user_file_is_one_line_naming_the_file(spice_home: Path) -> None:
    folder = spice_home / "catalog"
    folder.mkdir()
    (folder / "systems.csv").write_text("id,name\nx,y\n")
    out = _fails("systems")
    assert "systems.csv:1" in out
    assert "header" in out


@pytest.mark.parametrize(("command", "ident"), [("systems", "dgx-h100"),
                                                ("free-tiers", "colab-free")])  # fmt: skip
def test_systems_and_free_tiers(command: str, ident: str) -> None:
    rows = _json(command)
    assert isinstance(rows, list)
    assert ident in {r["id"] for r in rows}
    assert all({"id", "source", "as_of"} <= r.keys() for r in rows)
    table = runner.invoke(app, [command], env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert ident in table.stdout
