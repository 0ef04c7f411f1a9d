"""Inference speed: pinned to the roofline and to the physics of decode, batching, TP and PP."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spicetrader.catalog.load import load_catalog
from spicetrader.catalog.schema import Interconnect
from spicetrader.costmodel import estimate
from spicetrader.costmodel.context import Setup
from spicetrader.costmodel.inference import (
    inference_speed,
    moe_touched_fraction,
    streamed_params,
    streamed_weight_bytes,
)
from spicetrader.costmodel.roofline import parse_compute_dtype, peak_flops
from spicetrader.errors import SpiceError
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import resolve_model
from spicetrader.models.weights import weight_bytes
from spicetrader.spec.estimate import MemoryBreakdown
from spicetrader.spec.workload import Engine, Parallelism, Workload

MODELS = ["llama-3-8b", "llama-2-7b", "llama-2-13b", "mistral-7b", "mixtral-8x7b", "llama-3-70b"]
HARDWARE = [
    "rtx-3090",
    "rtx-4090",
    "a100-sxm-80gb",
    "h100-sxm",
    "l4",
    "t4",
    "m2-ultra-76c",
    "m3-max-40c",
    "mi300x",
    "rtx-a6000",
]


def _estimate(**kw: Any) -> dict[str, Any]:
    spec = {"task": "inference", "engine": "llama.cpp", **kw}
    return estimate(spec).to_dict()


@settings(max_examples=60, deadline=None)
@given(
    experts=st.integers(min_value=2, max_value=256),
    k=st.integers(min_value=1, max_value=16),
    tokens=st.integers(min_value=1, max_value=100_000),
)
def test_moe_touches_between_k_over_e_and_all_experts(experts: int, k: int, tokens: int) -> None:
    assume(k <= experts)
    share = moe_touched_fraction(experts, k, tokens)
    assert k / experts - 1e-12 <= share <= 1.0
    assert moe_touched_fraction(experts, k, tokens + 1) >= share
    assert moe_touched_fraction(experts, k, 1) == pytest.approx(k / experts)


def test_moe_decode_streams_only_the_active_experts_at_batch_one() -> None:
    arch = resolve_model("mixtral-8x7b")
    lookup_only = arch.embedding_params()
    assert streamed_params(arch, 1) == pytest.approx(arch.active_params() - lookup_only)
    assert streamed_params(arch, 100_000) == pytest.approx(arch.total_params() - lookup_only)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    model=st.sampled_from(MODELS),
    hardware=st.sampled_from(HARDWARE),
    precision=st.sampled_from(["fp16", "q8_0", "q4_k_m", "q4_0"]),
    prompt=st.integers(min_value=1, max_value=8192),
    output=st.integers(min_value=1, max_value=4096),
    batch=st.sampled_from([1, 4, 32]),
)
def test_no_estimate_exceeds_the_roofline(
    model: str, hardware: str, precision: str, prompt: int, output: int, batch: int
) -> None:
    try:
        est = _estimate(
            model=model,
            hardware=hardware,
            precision=precision,
            inference={"batch": batch, "prompt_tokens": prompt, "output_tokens": output},
        )
    except SpiceError:
        assume(False)
        return
    assume(est["fits"])
    arch, fmt = resolve_model(model), resolve_precision(precision)
    accel = load_catalog().accelerator(hardware)
    # decode <= bandwidth / bytes that must be read per step (weights streamed + KV cache)
    per_step = streamed_weight_bytes(arch, weight_bytes(arch, fmt), batch)
    decode = est["inference"]["decode_tokens_per_s"]
    assert decode <= accel.mem_bw_gbs * 1e9 / per_step * (1 + 1e-9)
    # prefill <= the fastest peak the chip has for this dtype / FLOPs per token
    peak = peak_flops(accel, parse_compute_dtype(fmt.compute_dtype), fp16_accumulate=True)
    flops = 2 * streamed_params(arch, 1)
    assert est["inference"]["prefill_tokens_per_s"] <= peak.flops_per_s / flops * (1 + 1e-9)
    assert est["bound"] in ("memory-bandwidth", "compute", "interconnect")
    assert est["assumptions"]


def test_batching_raises_throughput_not_the_per_sequence_speed() -> None:
    runs = [
        _estimate(
            model="llama-3-8b",
            hardware="a100-sxm-80gb",
            precision="fp16",
            engine="vllm",
            inference={"batch": b, "prompt_tokens": 512, "output_tokens": 256},
        )["inference"]
        for b in (1, 8, 64)
    ]
    throughputs = [r["throughput_tokens_per_s"] for r in runs]
    decodes = [r["decode_tokens_per_s"] for r in runs]
    assert throughputs == sorted(throughputs)
    assert throughputs[-1] > 4 * throughputs[0]
    assert decodes == sorted(decodes, reverse=True)


def test_longer_context_slows_decode() -> None:
    short, long = (
        _estimate(
            model="llama-3-8b",
            hardware="rtx-4090",
            precision="q4_k_m",
            inference={"batch": 1, "prompt_tokens": p, "output_tokens": 256},
        )
        for p in (128, 6000)
    )
    assert long["inference"]["decode_tokens_per_s"] < short["inference"]["decode_tokens_per_s"]


def test_layer_split_gives_one_stream_no_speed_up() -> None:
    one = _estimate(model="llama-3-8b", hardware="rtx-4090", precision="q4_k_m")
    two = _estimate(
        model="llama-3-8b",
        hardware="rtx-4090",
        precision="q4_k_m",
        devices=2,
        parallelism={"pipeline": 2},
    )
    assert two["inference"]["decode_tokens_per_s"] <= one["inference"]["decode_tokens_per_s"]


def _tp_setup(interconnect: Interconnect, gbs: float) -> Setup:
    accel = (
        load_catalog()
        .accelerator("h100-sxm")
        .model_copy(update={"interconnect": interconnect, "interconnect_gbs": gbs})
    )
    workload = Workload.model_validate(
        {
            "model": "llama-3-70b",
            "hardware": "h100-sxm",
            "precision": "bf16",
            "engine": "vllm",
            "devices": 4,
        }
    )
    return Setup(
        workload=workload,
        arch=resolve_model("llama-3-70b"),
        accel=accel,
        fmt=resolve_precision("bf16"),
        engine=Engine.VLLM,
        parallel=Parallelism(tensor=4),
        devices=4,
        nodes=1,
        capacity_gb=80.0,
        kv_bytes_per_element=2.0,
    )


def test_tensor_parallel_over_pcie_is_slower_than_over_nvlink() -> None:
    memory = MemoryBreakdown(per_device_gb=40.0, capacity_gb=80.0, weights_gb=36.0)
    nvlink = inference_speed(_tp_setup(Interconnect.NVLINK, 450.0), 1, memory).inference
    pcie = inference_speed(_tp_setup(Interconnect.PCIE, 63.0), 1, memory).inference
    assert nvlink is not None
    assert pcie is not None
    assert pcie.decode_tokens_per_s is not None
    assert nvlink.decode_tokens_per_s is not None
    assert pcie.decode_tokens_per_s < nvlink.decode_tokens_per_s
    assert pcie.prefill_tokens_per_s is not None
    assert nvlink.prefill_tokens_per_s is not None
    assert pcie.prefill_tokens_per_s < nvlink.prefill_tokens_per_s


def test_tensor_parallel_speeds_up_decode_on_nvlink() -> None:
    one = _estimate(
        model="llama-3-70b",
        hardware="h100-sxm",
        precision="bf16",
        engine="vllm",
        devices=2,
        parallelism={"tensor": 2},
    )
    four = _estimate(
        model="llama-3-70b",
        hardware="h100-sxm",
        precision="bf16",
        engine="vllm",
        devices=4,
        parallelism={"tensor": 4},
    )
    assert four["inference"]["decode_tokens_per_s"] > one["inference"]["decode_tokens_per_s"]


def test_unmeasured_families_say_low_confidence() -> None:
    # vLLM on RDNA3 (Radeon): no case backs it (the MI300X/CDNA3 row is fitted since 2026-11-26)
    est = _estimate(model="llama-3-8b", hardware="rx-7900-xtx", precision="fp16", engine="vllm")
    assert est["confidence"] == "low"
    assert any("no measurement backs" in a for a in est["assumptions"])


def test_ttft_is_prefill_plus_one_decode_step() -> None:
    inf = _estimate(
        model="llama-3-8b",
        hardware="rtx-4090",
        precision="q4_k_m",
        inference={"batch": 1, "prompt_tokens": 1000, "output_tokens": 10},
    )["inference"]
    expected = 1000 / inf["prefill_tokens_per_s"] + 1 / inf["decode_tokens_per_s"]
    assert inf["ttft_s"] == pytest.approx(expected)
