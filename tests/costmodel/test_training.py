"""Training speed: FLOPs per token from the papers, time linear in tokens, MFU within physics."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.costmodel.training import adapter_params, flops_per_token, size_factor
from spicetrader.errors import SpiceError
from spicetrader.models.registry import resolve_model
from spicetrader.spec.workload import Method


def _train(**kw: Any) -> dict[str, Any]:
    return estimate({"precision": "bf16", **kw}).to_dict()


def test_full_training_is_six_n_plus_palm_attention() -> None:
    arch = resolve_model("llama-3-8b")
    # multiplied parameters: everything but the (untied) input embedding lookup
    n = arch.total_params() - arch.embedding_params()
    seq = 4096
    attention = 12 * arch.layers * arch.heads * arch.head_dim * seq  # PaLM appendix B
    model, hardware = flops_per_token(arch, Method.FULL, seq, False, 0)
    assert model == pytest.approx(6 * n + attention)
    assert hardware == model
    _, with_recompute = flops_per_token(arch, Method.FULL, seq, True, 0)
    assert with_recompute == pytest.approx(8 * n + attention * 4 / 3)


def test_lora_skips_the_weight_gradients_of_the_base() -> None:
    arch = resolve_model("llama-3-8b")
    n = arch.total_params() - arch.embedding_params()
    full, _ = flops_per_token(arch, Method.FULL, 2048, False, 16)
    lora, _ = flops_per_token(arch, Method.LORA, 2048, False, 16)
    attention = 3 * arch.attention_flops_per_token(2048)
    assert lora == pytest.approx(4 * n + attention + 6 * adapter_params(arch, 16))
    assert lora < full


def test_small_models_reach_a_lower_share_of_peak() -> None:
    assert size_factor(768, 200) < size_factor(4096, 200) < size_factor(8192, 200) < 1


def test_training_time_is_linear_in_tokens() -> None:
    base = {
        "model": "llama-3-8b",
        "task": "pretrain",
        "hardware": "h100-sxm",
        "devices": 8,
        "engine": "fsdp",
        "parallelism": {"data": 8, "zero": 3},
    }
    one = _train(**base, pretrain={"tokens": 1e10, "seq_len": 4096})["training"]
    three = _train(**base, pretrain={"tokens": 3e10, "seq_len": 4096})["training"]
    assert three["total_hours"] == pytest.approx(3 * one["total_hours"])
    assert three["device_hours"] == pytest.approx(8 * three["total_hours"])
    assert three["tokens_per_s"] == pytest.approx(one["tokens_per_s"])


def test_pretrain_defaults_to_twenty_tokens_per_parameter() -> None:
    est = _train(
        model="mpt-1b", task="pretrain", hardware="a100-sxm-80gb", devices=8, engine="fsdp"
    )
    arch = resolve_model("mpt-1b")
    assert est["training"]["tokens"] == pytest.approx(20 * arch.total_params(), rel=1e-6)


def test_crossing_the_network_costs_more_than_staying_in_the_node() -> None:
    base = {
        "model": "mpt-7b",
        "task": "pretrain",
        "hardware": "a100-sxm-80gb",
        "devices": 16,
        "engine": "fsdp",
        "parallelism": {"data": 16, "zero": 3},
        "pretrain": {"tokens": 1e10, "seq_len": 2048, "global_batch_tokens": 65536},
    }
    inside = _train(**base)["training"]  # 16 on one "node" is treated as 2 nodes of 8
    spread = _train(**{**base, "nodes": 4})["training"]
    assert spread["tokens_per_s_per_device"] <= inside["tokens_per_s_per_device"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(["mpt-125m", "mpt-1b", "mpt-7b", "llama-3-8b", "gpt2", "mistral-7b"]),
    hardware=st.sampled_from(["a100-sxm-80gb", "h100-sxm", "rtx-4090", "mi300x", "l4"]),
    method=st.sampled_from(["full", "lora", "qlora"]),
    seq=st.sampled_from([512, 2048, 8192]),
)
def test_mfu_and_flops_stay_below_peak(model: str, hardware: str, method: str, seq: int) -> None:
    precision = "nf4" if method == "qlora" else "bf16"
    try:
        est = estimate(
            {
                "model": model,
                "task": "finetune",
                "hardware": hardware,
                "precision": precision,
                "finetune": {"method": method, "seq_len": seq, "tokens": 1e8},
            }
        ).to_dict()
    except SpiceError:
        assume(False)
        return
    assume(est["fits"])
    training = est["training"]
    accel = load_catalog().accelerator(hardware)
    assert 0 < training["mfu"] <= 1
    assert training["tflops_per_device"] <= accel.fp16_tflops * (1 + 1e-9)
    assert training["total_hours"] == pytest.approx(1e8 / training["tokens_per_s"] / 3600)
