"""``spice estimate`` through the real entry point (typer's CliRunner on the app)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from spicetrader.cli.app import app

runner = CliRunner()


def test_human_view_shows_memory_speeds_bound_assumptions() -> None:
    args = ["estimate", "llama-3-8b", "--hardware", "rtx-4090", "--precision", "q4_k_m",
            "--prompt", "512", "--output", "128"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "fits" in out
    assert "memory per device" in out
    assert "weights" in out
    assert "decode" in out
    assert "bound:" in out
    assert "assumptions:" in out


def test_json_is_the_estimate() -> None:
    result = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "rtx-4090",
                                 "--batch", "max", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["fits"] is True
    assert data["workload"]["inference"]["batch"] == "max"
    assert data["inference"]["batch"] > 1
    assert set(data["memory"]) >= {"per_device_gb", "capacity_gb", "weights_gb", "kv_cache_gb"}


def test_finetune_flags() -> None:
    args = ["estimate", "mistral-7b", "--task", "finetune", "--method", "qlora",
            "--hardware", "t4", "--tokens", "5e7", "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["workload"]["finetune"]["method"] == "qlora"
    assert data["workload"]["precision"] == "nf4"
    assert data["training"]["tokens"] == 5e7


def test_not_fitting_shows_what_would_fit(tmp_path: Path) -> None:
    result = runner.invoke(app, ["estimate", "llama-2-70b", "--hardware", "rtx-4090",
                                 "--precision", "q4_0"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "does NOT fit" in result.output
    assert "2 x rtx-4090" in result.output


def test_file_plus_flags_override(tmp_path: Path) -> None:
    spec = tmp_path / "w.yaml"
    spec.write_text("model: llama-3-8b\nhardware: rtx-4090\ninference:\n  prompt_tokens: 100\n")
    result = runner.invoke(app, ["estimate", "-f", str(spec), "--hardware", "rtx-3090",
                                 "--output", "64", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    wl = json.loads(result.output)["workload"]
    assert wl["hardware"] == "rtx-3090"
    assert wl["inference"]["prompt_tokens"] == 100
    assert wl["inference"]["output_tokens"] == 64


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("model: llama-3-8b\nhardware: rtx-4090\ninference:\n  batch: [1, 2\n")
    result = runner.invoke(app, ["estimate", "-f", str(spec)])
    assert result.exit_code == 2
    assert "line 5" in result.output or "line 4" in result.output
    assert "Traceback" not in result.output


def test_json_syntax_error_names_the_line(tmp_path: Path) -> None:
    spec = tmp_path / "bad.json"
    spec.write_text('{\n  "model": "llama-3-8b",\n  "hardware": rtx-4090\n}\n')
    result = runner.invoke(app, ["estimate", "-f", str(spec)])
    assert result.exit_code == 2
    assert "line 3" in result.output


def test_unknown_hardware_exit_2_with_suggestions() -> None:
    result = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "rtx-4909"])
    assert result.exit_code == 2
    assert "rtx-4090" in result.output
    assert "Traceback" not in result.output


def test_impossible_combination_exit_2() -> None:
    result = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "h100-sxm",
                                 "--engine", "vllm", "--precision", "q4_k_m"])  # fmt: skip
    assert result.exit_code == 2
    assert "cannot be loaded by vllm" in result.output


def test_bad_batch_and_misplaced_flags_exit_2() -> None:
    bad = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "t4", "--batch", "lots"])
    assert bad.exit_code == 2
    assert "'max'" in bad.output
    misplaced = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "t4", "--method",
                                    "lora"])  # fmt: skip
    assert misplaced.exit_code == 2
    assert "--method applies to task finetune" in misplaced.output


def test_schema_rejects_negative_numbers_exit_2() -> None:
    result = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "t4", "--devices", "0"])
    assert result.exit_code == 2
    assert "devices" in result.output


def test_no_model_exit_2() -> None:
    result = runner.invoke(app, ["estimate", "--hardware", "t4"])
    assert result.exit_code == 2
    assert "give a model" in result.output


def test_ubatch_flag_sets_the_prefill_pass_and_speeds_up_moe_prefill() -> None:
    """--ubatch writes inference.ubatch_tokens; for an MoE prompt it raises the tokens each
    expert sees per pass (Qwen3-30B-A3B: 32 at llama.cpp's 512, 128 at 2048), which speeds up
    a backend whose grouped expert GEMMs pay for few tokens (CUDA: moe_engines.csv)."""
    base = ["estimate", "qwen3-30b-a3b", "--hardware", "rtx-4090", "--precision", "q4_k_m",
            "--prompt", "2048", "--output", "1", "--json"]  # fmt: skip
    default = runner.invoke(app, base)
    wide = runner.invoke(app, [*base, "--ubatch", "2048"])
    assert default.exit_code == 0, default.output
    assert wide.exit_code == 0, wide.output
    assert "ubatch_tokens" not in json.loads(default.output)["workload"]["inference"]
    data = json.loads(wide.output)
    assert data["workload"]["inference"]["ubatch_tokens"] == 2048
    slow = json.loads(default.output)["inference"]["prefill_tokens_per_s"]
    assert data["inference"]["prefill_tokens_per_s"] > slow
    misplaced = runner.invoke(app, ["estimate", "mistral-7b", "--task", "finetune",
                                    "--hardware", "a100-sxm-80gb", "--ubatch", "1024"])  # fmt: skip
    assert misplaced.exit_code == 2
    assert "--ubatch applies to task inference" in misplaced.output


def test_pretrain_takes_a_micro_batch_and_states_the_one_it_chose() -> None:
    """``--micro-batch`` reaches a pre-training workload (Megatron's --micro-batch-size); left
    out, the estimate says which one it took."""
    base = ["estimate", "qwen3-30b-a3b", "--task", "pretrain", "--hardware", "b200",
            "--devices", "8", "--tokens", "1e9", "--json"]  # fmt: skip
    stated = runner.invoke(app, [*base, "--micro-batch", "2"])
    assert stated.exit_code == 0, stated.output
    data = json.loads(stated.stdout)
    assert data["workload"]["pretrain"]["micro_batch"] == 2
    assert not any(a.startswith("micro-batch ") for a in data["assumptions"])
    auto = json.loads(runner.invoke(app, base).stdout)
    note = next(a for a in auto["assumptions"] if a.startswith("micro-batch "))
    assert "(auto" in note
