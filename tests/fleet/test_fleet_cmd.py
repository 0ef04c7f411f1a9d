"""``spice fleet`` through the real entry point, on the bundled catalog and cost model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from spicetrader.cli.app import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "team.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    result = runner.invoke(app, ["fleet", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_the_example_team_gets_buys_rentals_strategies_and_sensitivity(
    example: dict[str, Any],
) -> None:
    assert {a["workload"] for a in example["assignments"]} == {"team-chat", "finetune", "eval-70b"}
    assert [s["name"] for s in example["strategies"]] == [
        "fleet",
        "rent_everything",
        "own_everything",
    ]
    assert len(example["sensitivity"]) == 4
    assert len(example["months"]) == 12
    assert len(example["week"]) == 168


def test_the_fleet_never_costs_more_than_a_simple_strategy(example: dict[str, Any]) -> None:
    for strategy in example["strategies"]:
        if strategy["total_usd"] is not None:
            assert example["total_usd"] <= strategy["total_usd"] + 1e-6
        else:
            assert strategy["why_impossible"]


def test_a_private_chat_is_never_rented(tmp_path: Path) -> None:
    team = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    team["workloads"][0]["private"] = True
    result = runner.invoke(app, ["fleet", _write(tmp_path, team), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    chat = next(a for a in data["assignments"] if a["workload"] == "team-chat")
    assert chat["rental"] is None
    assert chat["owned_share"] == pytest.approx(1.0)
    assert set(chat["owned_on"]) <= {p["system"] for p in data["purchases"]}
    rent_all = next(s for s in data["strategies"] if s["name"] == "rent_everything")
    assert rent_all["total_usd"] is None
    assert "team-chat" in rent_all["why_impossible"]


def test_the_total_is_the_owned_net_cost_plus_the_rent(example: dict[str, Any]) -> None:
    owned = sum(p["net_cost_usd"] for p in example["purchases"])
    rent = sum(a["rent_usd"] for a in example["assignments"])
    assert example["total_usd"] == pytest.approx(owned + rent, rel=1e-6)
    assert rent == pytest.approx(sum(m["rent_usd"] for m in example["months"]), rel=1e-6)


def test_the_quarterly_evaluation_runs_only_in_its_months(example: dict[str, Any]) -> None:
    busy = {m["month"] for m in example["months"] if m["rented_hours"] + m["owned_hours"] > 0}
    quarter_ends = {3, 6, 9, 12}
    rent_in = {m["month"]: m["rent_usd"] for m in example["months"]}
    eval_rent = [rent_in[m] for m in quarter_ends]
    other = [rent_in[m] for m in set(range(1, 13)) - quarter_ends]
    assert busy >= quarter_ends
    assert min(eval_rent) >= max(other)  # the evaluation adds to the rent in its months


def test_owned_cost_is_net_of_the_value_left(example: dict[str, Any]) -> None:
    for p in example["purchases"]:
        assert p["net_cost_usd"] == pytest.approx(p["cash_out_usd"] - p["value_left_usd"])
        assert 0 < p["value_left_usd"] < p["count"] * p["purchase_usd"]


def test_the_table_shows_every_section_and_charts_are_written(tmp_path: Path) -> None:
    result = runner.invoke(app, ["fleet", str(EXAMPLE), "--chart", str(tmp_path / "team.png")])
    assert result.exit_code == 0, result.output
    for heading in ("Fleet plan over 12 months", "Buy", "Workloads", "Side by side", "Sensitivity"):
        assert heading in result.stdout
    for name in ("team-week.png", "team-months.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG_MAGIC)


def _write(tmp_path: Path, team: dict[str, Any]) -> str:
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump(team), encoding="utf-8")
    return str(path)


def test_a_bad_field_names_the_workload_and_the_field(tmp_path: Path) -> None:
    team = {"workloads": [{"name": "chat", "workload": {"model": "llama-3-8b"},
                           "serving": {"hours_per_month": -5}}]}  # fmt: skip
    result = runner.invoke(app, ["fleet", _write(tmp_path, team)])
    assert result.exit_code == 2
    assert "workload 'chat': serving.hours_per_month" in result.stderr
    assert "Traceback" not in result.output


def test_a_private_workload_too_big_for_anything_to_buy_is_named(tmp_path: Path) -> None:
    team = {
        "workloads": [
            {
                "name": "giant",
                "workload": {"model": "llama-3.1-405b", "precision": "bf16"},
                "serving": {"hours_per_month": 100},
                "private": True,
                "tiers": ["mac"],
            }
        ]
    }
    result = runner.invoke(app, ["fleet", _write(tmp_path, team)])
    assert result.exit_code == 2
    assert "workload 'giant' fits nothing on owned hardware (private)" in result.stderr
