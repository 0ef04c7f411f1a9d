"""``spice plan`` / ``spice estimate`` / ``spice offers`` with the real-world sources at the edge:
a live-price snapshot and an own quote in the temp ``SPICETRADER_HOME`` (written with the sources
package's own writers), this machine's ``probe.json``, the serving speed minimum, and Hugging
Face models from a hand-built offline cache (the recorded TinyLlama config)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from spicetrader.catalog.load import load_catalog
from spicetrader.cli.app import app
from spicetrader.sources.probe import ProbedDevice, ProbeResult, save_probe
from spicetrader.sources.probe_detect import DetectedDevice, HostInfo
from spicetrader.sources.quotes import add_offer_quote
from spicetrader.sources.snapshot import write_snapshot

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hf"
LAMBDA_H100 = "lambda:gpu_1x_h100_sxm5"


def _plan(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["plan", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _option(data: dict[str, Any], option_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in data["options"] if o["id"] == option_id)
    return found


def _snapshot(home: Path, price: float, days_old: int) -> datetime:
    """A snapshot covering lambda with one re-priced H100 row, taken ``days_old`` days ago."""
    bundled = next(o for o in load_catalog().offers if o.id == LAMBDA_H100)
    taken = datetime.now(UTC) - timedelta(days=days_old, hours=1)
    row = bundled.model_copy(
        update={"price_usd_per_hour": price, "as_of": taken.date().isoformat()}
    )
    meta = {"providers": [{"provider": "lambda", "status": "ok"}]}
    write_snapshot(home, [row], meta, taken)
    return taken


# --- live prices and own quotes -------------------------------------------------------------


def test_without_a_snapshot_the_plan_says_bundled_prices() -> None:
    data = _plan("llama-3-8b", "--only", "rent")
    assert data["prices"]["origin"] == "bundled"
    assert _option(data, f"rent:{LAMBDA_H100}")["price_usd_per_hour"] == pytest.approx(
        next(o for o in load_catalog().offers if o.id == LAMBDA_H100).price_usd_per_hour
    )


def test_a_snapshot_changes_rent_prices_and_their_date(spice_home: Path) -> None:
    taken = _snapshot(spice_home, price=1.11, days_old=6)
    data = _plan("llama-3-8b", "--only", "rent")
    h100 = _option(data, f"rent:{LAMBDA_H100}")
    assert h100["price_usd_per_hour"] == pytest.approx(1.11)
    assert h100["as_of"] == taken.date().isoformat()
    assert h100["cost_usd"] == pytest.approx(1.11 * data["job"]["usage_hours_per_month"] * 12)
    # the snapshot covers lambda: its other bundled rows are gone, other providers stay
    providers = {o["provider"] for o in data["options"] if o["tier"] == "rent"}
    assert "lambda" in providers
    assert len(providers) > 1
    assert [o["id"] for o in data["options"] if o.get("provider") == "lambda"] == [
        f"rent:{LAMBDA_H100}"
    ]
    assert data["prices"]["origin"] == "snapshot"
    assert data["prices"]["age_days"] == 6
    oldest, _, newest = data["prices_as_of"].partition("..")
    assert oldest <= taken.date().isoformat() <= newest + "-31"  # a month-only date ends its month

    text = runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent"], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert f"as of {taken.date().isoformat()} (6 days old, live snapshot)" in text.stdout


def test_an_own_quote_is_a_rent_option(spice_home: Path) -> None:
    quote = {"provider": "internal", "accelerator": "H100 SXM", "count": 1,
             "price_usd_per_hour": 0.01, "as_of": "2026-11-20"}  # fmt: skip
    add_offer_quote(spice_home, quote, load_catalog())
    data = _plan("llama-3-8b", "--only", "rent")
    mine = _option(data, "rent:internal:1x-h100-sxm")
    assert mine["price_usd_per_hour"] == 0.01
    assert mine["as_of"] == "2026-11-20"
    assert data["prices"]["quotes"] == 1
    assert data["recommendation"]["option"] == mine["id"]  # far below any cloud H100


def test_offers_list_shows_snapshot_rows_and_quotes(spice_home: Path) -> None:
    _snapshot(spice_home, price=1.11, days_old=2)
    quote = {"provider": "internal", "accelerator": "h100-sxm", "count": 8,
             "price_usd_per_hour": 9.0, "as_of": "2026-11-20"}  # fmt: skip
    add_offer_quote(spice_home, quote, load_catalog())
    result = runner.invoke(app, ["offers", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows[LAMBDA_H100]["price_usd_per_hour"] == pytest.approx(1.11)
    assert rows["internal:8x-h100-sxm"]["price_usd_per_hour"] == 9.0
    table = runner.invoke(app, ["offers", "--provider", "internal"], env={"COLUMNS": "250"})
    assert "2 days old, live snapshot" in " ".join(table.stdout.split())  # the title may wrap
    assert "internal:8x-h100-sxm" in table.stdout


# --- this machine ---------------------------------------------------------------------------


def _probe(home: Path, name: str, catalog_id: str, memory_gb: float) -> None:
    host = HostInfo("Linux", "x86_64", "Test CPU", 16, 32, 64.0)
    device = ProbedDevice(DetectedDevice("nvidia", name, memory_gb), catalog_id)
    result = ProbeResult(host=host, devices=(device,))
    save_probe(home, result, [], {"mem_bw": 0.83}, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))


def test_this_machine_from_probe_json_is_a_buy_option(spice_home: Path) -> None:
    _probe(spice_home, "NVIDIA GeForce RTX 4090", "rtx-4090", 24.0)
    data = _plan("llama-3-8b")
    mine = _option(data, "local:this-machine")
    assert mine["tier"] == "buy"
    assert (mine["hardware"], mine["devices"], mine["as_of"]) == ("rtx-4090", 1, "2026-11-20")
    assert mine["fits"] is True
    assert mine["ownership"]["purchase_usd"] == 0.0
    assert (
        0
        < mine["cost_usd"]
        < min(o["cost_usd"] for o in data["options"] if o["tier"] == "rent" and o["cost_usd"])
    )
    assert any("memory bandwidth 83%" in n for n in mine["notes"])
    text = runner.invoke(app, ["plan", "llama-3-8b", "--only", "buy"], env={"COLUMNS": "250"})
    assert "local:this-machine" in text.stdout


def test_without_probe_json_there_is_no_local_option() -> None:
    data = _plan("llama-3-8b", "--only", "buy")
    assert "local:this-machine" not in {o["id"] for o in data["options"]}


# --- serving speed minimum ------------------------------------------------------------------


def _decode(option: dict[str, Any]) -> float:
    speed: float = option["estimate"]["inference"]["decode_tokens_per_s"]
    return speed


def test_min_tokens_per_s_marks_slow_options_and_keeps_them_listed() -> None:
    default = _plan("llama-3-70b", "--only", "mac")
    fitting = [o for o in default["options"] if o["fits"]]
    slow = [o for o in fitting if _decode(o) < 10]
    assert slow  # the cheap Macs serve a 70B model at a few tokens/s
    assert all(o["fast_enough"] is False and not o["feasible"] for o in slow)
    best = _option(default, default["recommendation"]["option"])
    assert _decode(best) >= 10

    # no decode floor and no first-token limit: the cheapest Mac that fits is recommended
    relaxed = _plan("llama-3-70b", "--only", "mac", "--min-tokens-per-s", "0", "--max-ttft-s", "0")
    cheapest = min(fitting, key=lambda o: (o["cost_usd"], o["id"]))
    assert relaxed["recommendation"]["option"] == cheapest["id"]
    assert cheapest in slow


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-tokens-per-s", "-3"], "min_decode_tokens_per_s must be between 0"),
        (["--task", "finetune", "--min-tokens-per-s", "20"], "applies to serving"),
    ],
)
def test_bad_min_tokens_per_s_exits_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["plan", "llama-3-8b", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr


# --- Hugging Face models ----------------------------------------------------------------------


@pytest.fixture
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An offline Hugging Face cache holding the recorded TinyLlama config under another repo
    name (TinyLlama's own name is a catalog alias and would never reach the Hub)."""
    import huggingface_hub.constants

    repo_dir = tmp_path / "models--acme-test--tiny-chat"
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text("0" * 40)
    snapshot = repo_dir / "snapshots" / ("0" * 40)
    snapshot.mkdir(parents=True)
    shutil.copy(FIXTURES / "TinyLlama-1.1B-Chat-v1.0.config.json", snapshot / "config.json")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return tmp_path


@pytest.mark.usefixtures("hf_cache")
def test_estimate_and_plan_a_hub_model_offline_from_the_cache() -> None:
    result = runner.invoke(app, ["estimate", "acme-test/tiny-chat", "--hardware", "t4", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["fits"] is True
    assert data["memory"]["weights_gb"] == pytest.approx(2.2, rel=0.03)  # 1.1e9 params, fp16
    planned = _plan("acme-test/tiny-chat", "--only", "rent,free")
    assert planned["recommendation"]["option"] is not None


def test_tinyllama_by_its_hub_name_estimates_on_a_t4() -> None:
    args = ["estimate", "TinyLlama/TinyLlama-1.1B-Chat-v1.0", "--hardware", "t4"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "fits" in result.stdout


@pytest.mark.usefixtures("hf_cache")
@pytest.mark.parametrize("command", ["estimate", "plan"])
def test_unknown_hub_model_offline_is_one_clear_line_exit_2(command: str) -> None:
    args = [command, "nobody-xyz/nothing-abc"] + (
        ["--hardware", "t4"] if command == "estimate" else []
    )
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: config.json of nobody-xyz/nothing-abc is not in the Hugging")
    assert "Traceback" not in result.output
