"""Expert parallelism as a workload field (``parallelism.expert``): validated against the
model's experts and the tensor x data grid, read by the memory and the speed model, and the
all-to-all across nodes sent once per remote node (DeepEP/HybridEP, DeepSeek-V3 sec. 3.2.2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from spicetrader.cli.app import app
from spicetrader.costmodel import estimate
from spicetrader.costmodel.training_comm import remote_nodes_reached
from spicetrader.errors import NotSupportedError


def _qwen3(devices: int, hardware: str = "h100-sxm", **parallel: int) -> dict[str, object]:
    """Megatron pre-training of Qwen3-30B-A3B (128 experts, top-8) in FP8, one sequence of
    4,096 tokens per micro-batch."""
    return estimate({
        "model": "qwen3-30b-a3b", "task": "pretrain", "engine": "megatron",
        "hardware": hardware, "devices": devices, "precision": "fp8",
        "parallelism": {"data": devices // parallel.get("tensor", 1), **parallel},
        "pretrain": {"seq_len": 4096, "global_batch_tokens": 256 * 4096, "micro_batch": 1},
    }).to_dict()  # fmt: skip


def _moe_note(est: dict[str, object]) -> str:
    return next(a for a in est["assumptions"] if a.startswith("MoE:"))  # type: ignore[attr-defined]


def test_a_stated_expert_parallel_size_is_used_and_said() -> None:
    """16 H100s in two nodes: inferred, EP stays inside one node (8); stated, it is 16."""
    assert _moe_note(_qwen3(16)).startswith("MoE: expert parallel 8 over")
    assert _moe_note(_qwen3(16, expert=16)).startswith("MoE: expert parallel 16 over")


def test_more_expert_parallel_ranks_hold_fewer_experts() -> None:
    """Qwen3-30B-A3B's routed experts are ~29B of its 30.5B parameters: splitting them 16 ways
    instead of 8 takes their weights per GPU from 1/8 to 1/16."""
    eight = _qwen3(16, expert=8)["memory"]["weights_gb"]  # type: ignore[index]
    sixteen = _qwen3(16, expert=16)["memory"]["weights_gb"]  # type: ignore[index]
    assert sixteen < eight


def test_expert_parallel_must_divide_the_experts_and_the_grid() -> None:
    with pytest.raises(NotSupportedError, match="must divide"):
        _qwen3(16, expert=3)
    with pytest.raises(NotSupportedError, match="must divide"):
        _qwen3(8, expert=16)
    # MoE parallel folding: EP may span the tensor-parallel ranks (tensor x data = 16)
    assert _moe_note(_qwen3(16, tensor=2, expert=16)).startswith("MoE: expert parallel 16")


def test_expert_parallel_needs_an_moe_model_in_training() -> None:
    with pytest.raises(NotSupportedError, match="needs an MoE model"):
        estimate({"model": "llama-3-8b", "task": "pretrain", "hardware": "h100-sxm",
                  "devices": 8, "parallelism": {"expert": 8}})  # fmt: skip
    with pytest.raises(NotSupportedError, match="training"):
        estimate({"model": "qwen3-30b-a3b", "hardware": "h100-sxm", "devices": 8,
                  "engine": "vllm", "precision": "bf16", "parallelism": {"expert": 8}})  # fmt: skip


def test_remote_nodes_reached_by_a_token() -> None:
    """Two nodes, top-8: a token misses the other node only if all 8 copies stay home,
    (1/2)^8; one node: none; many nodes: at most k."""
    assert remote_nodes_reached(2, 8) == pytest.approx(1 - 0.5**8)
    assert remote_nodes_reached(1, 8) == 0.0
    assert remote_nodes_reached(1000, 8) < 8


@given(nodes=st.integers(2, 512), copies=st.integers(1, 64))
def test_a_token_reaches_no_more_nodes_than_it_has_copies_or_there_are(
    nodes: int, copies: int
) -> None:
    reached = remote_nodes_reached(nodes, copies)
    assert 0 < reached <= min(copies, nodes - 1) + 1e-9
    assert remote_nodes_reached(nodes, copies + 1) >= reached


def test_expert_parallel_across_nodes_costs_more_than_inside_one() -> None:
    """The same 16 B200s: EP 8 keeps the all-to-all on NVLink, EP 16 sends part of it over
    the network, so a step's MoE all-to-all takes longer."""

    def a2a_ms(note: str) -> float:
        return float(note.split("per 1000 tokens ")[1].split(" ms")[0])

    inside = a2a_ms(_moe_note(_qwen3(16, "b200", expert=8)))
    across = a2a_ms(_moe_note(_qwen3(16, "b200", expert=16)))
    assert across > inside


def test_cli_expert_parallel_flag() -> None:
    args = ["estimate", "qwen3-30b-a3b", "--task", "pretrain", "--engine", "megatron",
            "--hardware", "h100-sxm", "--devices", "16", "--precision", "fp8",
            "--expert-parallel", "16", "--json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["workload"]["parallelism"]["expert"] == 16
    bad = CliRunner().invoke(app, [*args[:-3], "--expert-parallel", "5"])
    assert bad.exit_code == 2
    assert "must divide" in bad.output


def test_web_api_takes_the_expert_parallel_size_and_answers_a_bad_one_with_4xx() -> None:
    from fastapi.testclient import TestClient

    from spicetrader.web.app import create_app

    workload = {"model": "qwen3-30b-a3b", "task": "pretrain", "engine": "megatron",
                "hardware": "h100-sxm", "devices": 16, "precision": "fp8",
                "parallelism": {"expert": 16}}  # fmt: skip
    with TestClient(create_app()) as client:
        good = client.post("/api/estimate", json=workload)
        bad = client.post("/api/estimate", json={**workload, "parallelism": {"expert": 5}})
    assert good.status_code == 200, good.text
    assert any(a.startswith("MoE: expert parallel 16") for a in good.json()["assumptions"])
    assert 400 <= bad.status_code < 500
    assert "must divide" in bad.text
