"""Offload and CPU-only through the CLI entry point; library = CLI = web for one offload case."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from spicetrader.catalog.load import load_catalog
from spicetrader.cli.app import app
from spicetrader.costmodel import estimate
from spicetrader.web.app import create_app

runner = CliRunner()
FLAGS = ["estimate", "llama-3-70b", "--hardware", "rtx-4090", "--precision", "q4_k_m",
         "--gpu-layers", "auto", "--cpu", "ryzen-9-7950x", "--host-memory-gb", "64"]  # fmt: skip
WORKLOAD = {
    "model": "llama-3-70b",
    "hardware": "rtx-4090",
    "precision": "q4_k_m",
    "offload": {"gpu_layers": "auto", "cpu": "ryzen-9-7950x", "host_memory_gb": 64},
}


def test_human_view_says_where_the_time_goes() -> None:
    result = runner.invoke(app, FLAGS)
    assert result.exit_code == 0, result.output
    assert "offloaded to CPU RAM" in result.output
    assert "decode per token: GPU" in result.output


def test_cpu_only_through_the_cli() -> None:
    args = ["estimate", "llama-3-8b", "--hardware", "ryzen-9-9950x", "--memory-gb", "64", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["fits"] is True
    assert data["workload"]["engine"] == "llama.cpp"
    assert "offload" not in data


def test_bad_gpu_layers_is_a_one_line_error() -> None:
    result = runner.invoke(app, [*FLAGS[:-6], "--gpu-layers", "many"])
    assert result.exit_code == 2
    assert "--gpu-layers" in result.output


def test_library_cli_and_web_agree() -> None:
    library = estimate(WORKLOAD).to_dict()
    cli = json.loads(runner.invoke(app, [*FLAGS, "--json"]).output)
    with TestClient(create_app(catalog=load_catalog())) as client:
        web = client.post("/api/estimate", json=WORKLOAD).json()
    assert cli["offload"] == library["offload"] == web["offload"]
    assert cli["inference"] == library["inference"] == web["inference"]
