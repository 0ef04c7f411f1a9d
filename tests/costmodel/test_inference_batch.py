"""Batched inference: throughput pays for the prefill, KV reads are not hidden under compute-bound
GEMMs, and saturated serving stays under the roofline."""

from __future__ import annotations

from typing import Any

import pytest

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.costmodel.inference import StepTime
from spicetrader.models.arch import Architecture
from spicetrader.models.registry import resolve_model
from spicetrader.spec.estimate import Bound


def _inference(**kw: Any) -> dict[str, Any]:
    spec = {"task": "inference", **kw}
    return dict(estimate(spec).to_dict()["inference"])


def _llama8b_h100(batch: int | str, prompt: int, output: int, **kw: Any) -> dict[str, Any]:
    return _inference(
        model="llama-3.1-8b",
        precision="fp8",
        engine=kw.pop("engine", "tensorrt-llm"),
        hardware="h100-sxm",
        inference={"batch": batch, "prompt_tokens": prompt, "output_tokens": output},
        **kw,
    )


def test_step_time_sums_the_gemm_and_attention_rooflines() -> None:
    step = StepTime(
        memory_s=1.0,
        compute_s=3.0,
        comm_s=0.1,
        overhead_s=0.2,
        attn_memory_s=2.0,
        attn_compute_s=0.5,
    )
    # each kernel at its own bound, one after the other: 3 (GEMMs) + 2 (attention) + 0.3
    assert step.total_s == pytest.approx(5.3)
    assert step.bound is Bound.COMPUTE  # 3.5 s compute-bound against 3.0 s memory-bound
    kv_heavy = StepTime(
        memory_s=1.0, compute_s=1.5, comm_s=0.0, overhead_s=0.0, attn_memory_s=2.0, attn_compute_s=0
    )
    assert kv_heavy.bound is Bound.MEMORY_BANDWIDTH


@pytest.mark.parametrize(("batch", "prompt", "output"), [(64, 2048, 128), (256, 128, 2048)])
def test_throughput_is_output_over_prefill_plus_decode(
    batch: int, prompt: int, output: int
) -> None:
    inf = _llama8b_h100(batch, prompt, output)
    prefill_s = batch * prompt / inf["prefill_tokens_per_s"]
    decode_s = output / inf["decode_tokens_per_s"]
    assert inf["throughput_tokens_per_s"] == pytest.approx(batch * output / (prefill_s + decode_s))


def test_longer_prompts_lower_the_throughput_at_the_same_output() -> None:
    short, long = (_llama8b_h100(64, p, 128)["throughput_tokens_per_s"] for p in (128, 2048))
    assert long < short


def test_kv_reads_are_not_hidden_under_compute_bound_gemms() -> None:
    """At batch 512 the GEMMs are compute-bound; a longer context still costs at least its extra
    KV bytes at the datasheet bandwidth (the attention kernel streams them separately)."""
    batch, output = 512, 2
    arch = resolve_model("llama-3.1-8b")
    assert isinstance(arch, Architecture)
    accel = load_catalog().accelerators["h100-sxm"]
    kv_per_token = arch.kv_cache_elements_per_token() * 2  # fp16 KV (the default)
    # short contexts: weights + KV stream faster than the GEMM FLOPs run, so a single
    # max(bytes, FLOPs) roofline over the whole step would hide the extra KV entirely
    short, long = (_llama8b_h100(batch, p, output)["decode_tokens_per_s"] for p in (16, 64))
    extra_s = 1 / long - 1 / short
    floor_s = batch * kv_per_token * (64 - 16) / (accel.mem_bw_gbs * 1e9)
    assert extra_s >= floor_s * (1 - 1e-9)


@pytest.mark.parametrize("engine", ["tensorrt-llm", "vllm"])
@pytest.mark.parametrize(("prompt", "output"), [(128, 128), (128, 2048), (2048, 128)])
def test_saturated_throughput_stays_under_the_compute_roofline(
    engine: str, prompt: int, output: int
) -> None:
    arch = resolve_model("llama-3.1-8b")
    assert isinstance(arch, Architecture)
    accel = load_catalog().accelerators["h100-sxm"]
    assert accel.fp8_tflops is not None
    saturated = _llama8b_h100("max", prompt, output, engine=engine)
    single = _llama8b_h100(1, prompt, output, engine=engine)
    # every generated token costs at least 2 x active params FLOPs (its prompt share on top)
    flops_per_output_token = 2 * arch.active_params() * (1 + prompt / output)
    assert saturated["throughput_tokens_per_s"] * flops_per_output_token <= (
        accel.fp8_tflops * 1e12
    )
    assert saturated["throughput_tokens_per_s"] > single["throughput_tokens_per_s"]
    assert saturated["batch"] > 1


def test_moe_without_a_case_is_outside_the_calibrated_region_and_dense_is_not() -> None:
    from spicetrader.costmodel import estimate
    from spicetrader.costmodel.region import calibrated

    spec = {"hardware": "h100-sxm", "engine": "tensorrt-llm", "precision": "bf16"}
    assert ("inference", "tensorrt-llm", "hopper", "moe") not in calibrated()
    assert ("inference", "tensorrt-llm", "hopper", "dense") in calibrated()
    moe = estimate({**spec, "model": "mixtral-8x7b", "devices": 2})
    dense = estimate({**spec, "model": "llama-3-8b"})
    assert moe.fits
    assert moe.confidence == "low"
    assert any("outside the calibrated region" in a for a in moe.assumptions)
    assert not any("outside the calibrated region" in a for a in dense.assumptions)


def test_long_time_to_first_token_is_flagged() -> None:
    from spicetrader.costmodel import estimate
    from spicetrader.costmodel.region import LONG_TTFT_S

    spec = {"model": "llama-3-8b", "hardware": "rtx-4090", "precision": "q4_k_m"}
    long = estimate({**spec, "inference": {"batch": 32, "prompt_tokens": 4000}})
    short = estimate({**spec, "inference": {"batch": 1, "prompt_tokens": 500}})
    assert long.inference is not None
    assert short.inference is not None
    assert long.inference.ttft_s > LONG_TTFT_S > short.inference.ttft_s
    assert any("long time to first token" in a for a in long.assumptions)
    assert not any("long time to first token" in a for a in short.assumptions)
