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
