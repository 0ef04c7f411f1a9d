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


def test_table_has_the_picks_first_then_a_section_per_tier() -> None:
    result = runner.invoke(app, ["plan", "llama-3-8b", "--usage-hours-per-month", "200"])
    assert result.exit_code == 0, result.output
    out = result.output
    titles = ("Picks", "Recommended:", "Cheapest:", "Buy a server", "Buy a Mac",
              "Rent cloud GPUs", "Free and low-cost")  # fmt: skip
    positions = [out.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "serve 200 h/month" in out
    assert "Free: free:" in out  # a notebook to try it out, never the recommendation
    assert "to try it out" in out


def test_json_carries_picks_beside_the_recommendation() -> None:
    result = runner.invoke(app, ["plan", "llama-3-8b", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    options = {o["id"]: o for o in data["options"]}
    picks = data["picks"]
    assert picks["recommended"]["option"] == data["recommendation"]["option"]
    assert set(picks) <= {"recommended", "cheapest", "fastest", "best_owned", "best_rental",
                          "free_to_try"}  # fmt: skip
    for name, pick in picks.items():
        assert pick["reason"]
        status = options[pick["option"]]["status"]
        assert status == ("try_only" if name == "free_to_try" else "ok")
    assert options[picks["best_rental"]["option"]]["tier"] == "rent"
    assert options[picks["best_owned"]["option"]]["tier"] in {"buy", "mac"}
    assert options[picks["recommended"]["option"]]["tier"] != "free"  # serving: no notebook
    statuses = {"ok", "too_slow", "impractical", "does_not_fit", "over_budget",
                "misses_deadline", "try_only"}  # fmt: skip
    assert {o["status"] for o in data["options"]} <= statuses


def test_users_set_the_batch_and_the_per_user_speed() -> None:
    one = json.loads(runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent", "--json"]).stdout)
    result = runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent", "--users", "16", "--json"])
    assert result.exit_code == 0, result.output
    many = json.loads(result.stdout)
    assert many["workload"]["inference"]["batch"] == 16
    speeds = {o["id"]: o["per_user_tokens_per_s"] for o in one["options"]}
    for option in many["options"]:
        assert option["estimate"]["inference"]["batch"] == 16
        # sixteen users share the memory bandwidth: none sees more than one user alone
        if (
            option["precision"]
            == next(o for o in one["options"] if o["id"] == option["id"])["precision"]
        ):
            assert option["per_user_tokens_per_s"] <= speeds[option["id"]] * (1 + 1e-9)
    assert any("16 concurrent user" in a for a in many["assumptions"])


def test_value_of_time_zero_is_the_pure_cheapest() -> None:
    args = ["plan", "sdxl", "--task", "image", "--images", "10000", "--json"]
    default = json.loads(runner.invoke(app, args).stdout)
    cheapest = json.loads(runner.invoke(app, [*args, "--value-of-time", "0"]).stdout)
    ok = [o for o in cheapest["options"] if o["status"] == "ok"]
    net = {o["id"]: (o["ownership"] or {}).get("net_cost_usd", o["cost_usd"]) for o in ok}
    assert net[cheapest["recommendation"]["option"]] == min(net.values())
    # at the default $1/h, 10k images are not left to days of free notebook sessions
    best = next(o for o in default["options"] if o["id"] == default["recommendation"]["option"])
    assert (best["calendar_hours"] or best["hours"]) < 24


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
        (["plan", "llama-3-8b", "--users", "0"], "users must be between 1"),
        (["plan", "llama-3-8b", "--task", "finetune", "--users", "4"], "--users applies to"),
        (["plan", "llama-3-8b", "--value-of-time", "-1"], "value_of_time_usd_per_hour"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Error:" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output
