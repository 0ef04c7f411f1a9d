"""``spice plan`` through the real entry point (typer's CliRunner on the app), real catalog and
cost model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spicetrader.cli.app import app

runner = CliRunner()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_json_is_the_plan_with_every_option_and_its_estimate() -> None:
    result = runner.invoke(app, ["plan", "llama-3-8b", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"workload", "options", "recommendation", "pareto", "prices_as_of"}
    tiers = {o["tier"] for o in data["options"]}
    assert tiers >= {"buy", "mac", "rent", "free"}
    ids = {o["id"] for o in data["options"]}
    assert data["recommendation"]["option"] in ids
    assert set(data["pareto"]) <= ids
    for option in data["options"]:
        assert option["estimate"]["fits"] == option["fits"] or option["tier"] == "free"
        if option["feasible"]:
            assert option["fits"] is True
            assert option["estimate"]["fits"] is True
        if option["tier"] == "rent":
            assert option["price_usd_per_hour"] > 0
            assert option["as_of"]


def test_table_has_a_section_per_tier_and_a_recommendation() -> None:
    result = runner.invoke(app, ["plan", "llama-3-8b", "--usage-hours-per-month", "200"])
    assert result.exit_code == 0, result.output
    for title in ("Buy a server", "Buy a Mac", "Rent cloud GPUs", "Free and low-cost",
                  "Pareto set", "Recommendation", "serve 200 h/month"):  # fmt: skip
        assert title in result.output


def test_finetune_deadline_and_budget_from_a_workload_file(tmp_path: Path) -> None:
    spec = tmp_path / "job.yaml"
    spec.write_text("model: llama-3-8b\ntask: finetune\nfinetune:\n  tokens: 1.0e8\n")
    args = ["plan", "-f", str(spec), "--deadline-hours", "10", "--budget-usd", "500", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["workload"]["task"] == "finetune"
    best = next(o for o in data["options"] if o["id"] == data["recommendation"]["option"])
    assert best["hours"] <= 10
    assert best["cost_usd"] <= 500
    assert "deadline" in data["recommendation"]["why"]


def test_inference_token_volume_and_private(tmp_path: Path) -> None:
    result = runner.invoke(app, ["plan", "llama-3-8b", "--tokens", "1e7", "--private", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {o["tier"] for o in data["options"]} <= {"buy", "mac"}
    assert data["job"]["kind"] == "tokens"


def test_chart_writes_two_png_files(tmp_path: Path) -> None:
    target = tmp_path / "plan.png"
    result = runner.invoke(app, ["plan", "llama-3-8b", "--chart", str(target), "--json"])
    assert result.exit_code == 0, result.output
    for name in ("plan-breakeven.png", "plan-cost-time.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG_MAGIC)
        assert len(data) > 10_000  # a drawn chart, not an empty canvas


def test_unwritable_chart_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["plan", "llama-3-8b", "--chart", str(blocker / "x.png")])
    assert result.exit_code == 2, result.output
    assert "cannot write the charts" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["plan", "llama-3-8b", "--task", "finetune", "--deadline-hours", "0"],
         "deadline_hours must be a positive number"),
        (["plan", "llama-3-8b", "--only", "cloud"], "unknown tier 'cloud'"),
        (["plan", "llama-3-8b", "--private", "--only", "rent"], "--private"),
        (["plan", "llama-3-8b", "--deadline-hours", "5"], "applies to a job with an end"),
        (["plan", "llama-3-8b", "--months", "-1"], "months must be a positive number"),
        (["plan", "nonsense-model-xyz"], "unknown model"),
        (["plan"], "give a model"),
        (["plan", "llama-3-8b", "--task", "dance"], "task"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
