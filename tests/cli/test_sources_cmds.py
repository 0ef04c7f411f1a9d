"""``spice offers refresh|add``, ``spice probe``, ``spice launch`` through the real entry point."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from optional_deps import require
from spicetrader.cli.app import app

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ITEMS = {
    k: v
    for k, v in json.loads((FIXTURES / "gpuhunt" / "items.json").read_text()).items()
    if not k.startswith("_")
}


class FakeFetcher:
    """Stands in for GpuhuntFetcher: recorded items, chosen providers failing."""

    failing: frozenset[str] = frozenset()

    def __init__(self) -> None:
        self.providers = tuple(ITEMS)

    def check(self, names: Sequence[str]) -> tuple[str, ...]:
        return tuple(n.lower() for n in names)

    def __call__(self, provider: str) -> Sequence[Mapping[str, Any]]:
        if provider in self.failing:
            raise TimeoutError("catalog download timed out")
        return ITEMS[provider]


@pytest.fixture
def fake_gpuhunt(monkeypatch: pytest.MonkeyPatch) -> type[FakeFetcher]:
    class Fetcher(FakeFetcher):
        pass

    monkeypatch.setattr("spicetrader.sources.gpuhunt_fetch.GpuhuntFetcher", Fetcher)
    return Fetcher


def test_refresh_writes_snapshot_and_plans_use_it(
    spice_home: Path, fake_gpuhunt: type[FakeFetcher]
) -> None:
    result = runner.invoke(app, ["offers", "refresh", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["failed"] == []
    assert data["offers"] == 9
    assert data["unmapped_gpus"] == {"A16": 1, "RadeonProV520": 1}
    assert len(list((spice_home / "snapshots").glob("offers-*.csv"))) == 1


def test_partial_refresh_warns_and_exits_0(
    spice_home: Path, fake_gpuhunt: type[FakeFetcher]
) -> None:
    fake_gpuhunt.failing = frozenset({"gcp"})
    result = runner.invoke(app, ["offers", "refresh"])
    assert result.exit_code == 0
    assert "partial refresh; failed: gcp" in result.stderr
    assert "gcp: failed" in result.stdout


def test_all_failed_exits_1_and_writes_nothing(
    spice_home: Path, fake_gpuhunt: type[FakeFetcher]
) -> None:
    fake_gpuhunt.failing = frozenset(ITEMS)
    result = runner.invoke(app, ["offers", "refresh", "--provider", "aws"])
    assert result.exit_code == 1
    assert "every provider failed" in result.stderr
    assert not (spice_home / "snapshots").exists()


def test_refresh_unknown_provider_is_exit_2(spice_home: Path) -> None:
    require("gpuhunt")
    result = runner.invoke(app, ["offers", "refresh", "--provider", "lamda"])
    assert result.exit_code == 2
    assert "unknown provider 'lamda'" in result.stderr
    assert "lambdalabs" in result.stderr


def test_offers_add(spice_home: Path) -> None:
    args = ["offers", "add", "--provider", "acme", "--gpu", "H100 SXM", "--count", "8",
            "--price-usd-per-hour", "14", "--spot-price", "9", "--as-of", "2026-11-26"]  # fmt: skip
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    offer = json.loads(result.stdout)
    assert (offer["id"], offer["accelerator"]) == ("acme:8x-h100-sxm", "h100-sxm")
    assert 'accelerator = "h100-sxm"' in (spice_home / "offers.toml").read_text()


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--gpu", "H900", "--price-usd-per-hour", "1"], "unknown hardware 'H900'"),
        (["--gpu", "t4", "--price-usd-per-hour", "-1"], "price_usd_per_hour"),
    ],
)
def test_offers_add_bad_input_is_exit_2(spice_home: Path, flags: list[str], words: str) -> None:
    result = runner.invoke(app, ["offers", "add", "--provider", "acme", "--count", "1", *flags])
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not (spice_home / "offers.toml").exists()


def test_probe_without_gpu_says_so(spice_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_command(args: Sequence[str]) -> str:
        raise FileNotFoundError(args[0])

    monkeypatch.setattr("spicetrader.sources.probe_detect.load_nvml", lambda: None)
    monkeypatch.setattr("spicetrader.sources.probe_detect.run_command", no_command)
    monkeypatch.setattr("platform.system", lambda: "Linux")
    result = runner.invoke(app, ["probe"])
    assert result.exit_code == 0
    assert "No GPU or other accelerator found" in result.stdout
    assert (spice_home / "probe.json").is_file()


def test_probe_bench_json(spice_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from spicetrader.sources import bench

    quick = bench.bench_steps
    monkeypatch.setattr(bench, "bench_steps", lambda: quick(quick=True, use_torch=False))
    result = runner.invoke(app, ["probe", "--bench", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [m["metric"] for m in data["measurements"]][:2] == ["mem_bw_gbs", "matmul_tflops"]
    assert json.loads((spice_home / "probe.json").read_text())["measurements"]


def test_launch_from_a_fresh_plan(spice_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "task.yaml"
    plan = runner.invoke(app, ["plan", "llama-3-8b", "--json", "--only", "rent"])
    assert plan.exit_code == 0, plan.stderr
    option = next(o for o in json.loads(plan.stdout)["options"]
                  if o["provider"] == "lambda" and o["fits"])  # fmt: skip
    result = runner.invoke(app, ["launch", "llama-3-8b", "--option", option["id"],
                                 "--to", "skypilot", "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    task = yaml.safe_load(out.read_text())
    assert task["resources"]["cloud"] == "lambda"
    assert task["resources"]["instance_type"] == option["id"].removeprefix("rent:lambda:")
    assert task["envs"] == {"MODEL_ID": "meta-llama/Meta-Llama-3-8B-Instruct"}  # chat: instruct
    assert option["precision"] == "bf16"
    assert "--dtype bfloat16" in task["run"]


def test_launch_for_a_team_serves_the_planned_concurrency(spice_home: Path, tmp_path: Path) -> None:
    plan = runner.invoke(app, ["plan", "llama-3-70b", "--users", "10", "--json", "--only", "rent"])
    assert plan.exit_code == 0, plan.stderr
    data = json.loads(plan.stdout)
    chosen = next(o for o in data["options"] if o["id"] == data["recommendation"]["option"])
    batch = chosen["estimate"]["workload"]["inference"]["batch"]
    assert batch == 10
    out = tmp_path / "task.yaml"
    result = runner.invoke(app, ["launch", "llama-3-70b", "--users", "10", "--option",
                                 chosen["id"], "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    run = out.read_text()
    # the server takes as many concurrent sequences as the plan sized it for
    assert f"--parallel {batch}" in run or f"--max-num-seqs {batch}" in run
    bad = runner.invoke(app, ["launch", "llama-3-70b", "--users", "0", "--option", chosen["id"],
                              "-o", str(out)])  # fmt: skip
    assert bad.exit_code == 2


def test_launch_from_saved_plan_json(spice_home: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps({
        "workload": {"model": "meta-llama/Llama-3.1-8B", "task": "inference", "precision": "bf16"},
        "options": [{"id": "rent:aws:g5.xlarge", "tier": "rent", "hardware": "a10g",
                     "devices": 1, "precision": "bf16", "fits": True, "provider": "aws",
                     "sources": ["aws:g5.xlarge"], "as_of": "2026-11",
                     "estimate": {"workload": {"engine": "vllm"}}}],
    }))  # fmt: skip
    out = tmp_path / "svc.dstack.yml"
    result = runner.invoke(app, ["launch", "--plan", str(saved), "--option", "rent:aws:g5.xlarge",
                                 "--to", "dstack", "-o", str(out), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["target"] == "dstack"
    assert yaml.safe_load(out.read_text())["resources"]["gpu"] == "A10G:1"


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (["--option", "rent:lambda:gpu_1x_a1O", "--to", "skypilot"], "rent:lambda:gpu_1x_a10"),
        (["--option", "rent:lambda:gpu_1x_a10", "--to", "slurm"], "unknown launch target"),
    ],
)
def test_launch_bad_option_or_target_is_exit_2(
    spice_home: Path, tmp_path: Path, flags: list[str], words: str
) -> None:
    out = tmp_path / "x.yaml"
    result = runner.invoke(app, ["launch", "llama-3-8b", *flags, "-o", str(out)])
    assert result.exit_code == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
