"""`spice models ...` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from spicetrader.cli.app import app

runner = CliRunner()


def test_models_list_json_has_every_row_with_source() -> None:
    result = runner.invoke(app, ["models", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    by_id = {row["id"]: row for row in rows}
    assert by_id["llama-2-7b"]["total_params"] == 6_738_415_616
    assert by_id["mixtral-8x7b"]["active_params"] < by_id["mixtral-8x7b"]["total_params"]
    assert all(row["source"] and row["as_of"] for row in rows)
    assert "sdxl" in by_id
    assert by_id["sdxl"]["kind"] == "diffusion"


def test_models_list_family_filter_and_table() -> None:
    result = runner.invoke(app, ["models", "list", "--json", "--family", "mpt"])
    assert {row["id"] for row in json.loads(result.stdout)} >= {"mpt-7b", "mpt-70b"}
    assert all(row["family"] == "mpt" for row in json.loads(result.stdout))
    table = runner.invoke(app, ["models", "list"])
    assert table.exit_code == 0
    assert "mpt-7b" in table.stdout


def test_models_show_json_by_alias() -> None:
    result = runner.invoke(app, ["models", "show", "meta-llama/Meta-Llama-3-8B-Instruct", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "llama-3-8b"
    assert data["as_of"]
    assert data["source"].startswith("https://")
    assert data["total_params"] == 8_030_261_248
    assert data["kv_cache_bytes_per_token_fp16"] == 2 * 65_536
    assert data["weights_gb"]["bf16"] == 2 * 8_030_261_248 / 1e9
    assert data["weights_gb"]["q4_k_m"] < data["weights_gb"]["q8_0"] < data["weights_gb"]["bf16"]


def test_models_show_table_and_diffusion() -> None:
    result = runner.invoke(app, ["models", "show", "llama-2-7b"])
    assert result.exit_code == 0
    assert "6,738,415,616" in result.stdout
    assert "q4_k_m" in result.stdout
    sd = runner.invoke(app, ["models", "show", "sd-1.5"])
    assert sd.exit_code == 0
    assert "GFLOPs/step" in sd.stdout


def test_models_show_config_json_path(tmp_path: Path) -> None:
    config = {"model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
              "num_attention_heads": 2, "num_key_value_heads": 1, "num_hidden_layers": 2,
              "vocab_size": 10}  # fmt: skip
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = runner.invoke(app, ["models", "show", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total_params"] == 1352


def test_unknown_model_exits_2_with_suggestions() -> None:
    result = runner.invoke(app, ["models", "show", "llama-2-8b"])
    assert result.exit_code == 2
    assert "unknown model 'llama-2-8b'" in result.stderr
    assert "llama-2-7b" in result.stderr
    assert "Traceback" not in result.output


def test_bad_config_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"model_type": "t5"}))
    result = runner.invoke(app, ["models", "show", str(path)])
    assert result.exit_code == 2
    assert "unsupported config.json model_type 't5'" in result.stderr


def _listed(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["models", "list", "--json", *args])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_models_list_newest_release_first_by_default() -> None:
    rows = _listed()
    dates = [str(row["released"]) for row in rows]
    assert dates == sorted(dates, reverse=True)
    # A 2025 release comes before a 2019 one; GPT-2 is among the last.
    ids = [row["id"] for row in rows]
    assert ids.index("qwen3-8b") < ids.index("llama-3-8b") < ids.index("gpt2")


def test_models_list_other_orders() -> None:
    oldest = [str(row["released"]) for row in _listed("--sort", "oldest")]
    assert oldest == sorted(oldest)
    by_name = [str(row["id"]) for row in _listed("--sort", "name")]
    assert by_name == sorted(by_name)
    by_size = [int(str(row["total_params"])) for row in _listed("--sort", "params")]
    assert by_size == sorted(by_size, reverse=True)
    bad = runner.invoke(app, ["models", "list", "--sort", "popularity"])
    assert bad.exit_code == 2


def test_models_show_every_bundled_model() -> None:
    from spicetrader.models.registry import list_models

    for model in list_models():
        result = runner.invoke(app, ["models", "show", model.id, "--json"])
        assert result.exit_code == 0, (model.id, result.output)
        data = json.loads(result.stdout)
        assert data["id"] == model.id
        assert data["released"], model.id
        assert data["license"], model.id


def test_models_show_names_new_architecture_features() -> None:
    maverick = runner.invoke(app, ["models", "show", "meta-llama/Llama-4-Maverick-17B-128E"])
    assert maverick.exit_code == 0, maverick.output
    assert "128 experts + 1 shared, 1 per token; 24 dense layers" in maverick.stdout
    assert "vision encoder: 871,932,416" in maverick.stdout
    kimi = runner.invoke(app, ["models", "show", "kimi-k2"])
    assert "MLA: kv latent 512" in kimi.stdout
    gemma = runner.invoke(app, ["models", "show", "gemma-3-27b-it"])
    assert "sliding window 1,024 tokens on 52 of 62 layers" in gemma.stdout
    hybrid = runner.invoke(app, ["models", "show", "Qwen/Qwen3-Next-80B-A3B-Instruct"])
    assert "hybrid: 36 Gated DeltaNet layers (no KV cache), 12 softmax-attention" in hybrid.stdout
    wan = runner.invoke(app, ["models", "show", "Wan-AI/Wan2.1-T2V-14B"])
    assert "video: per step for a 81-frame clip (VAE time stride 4)" in wan.stdout
