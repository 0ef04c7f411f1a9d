"""The assembled estimate: defaults written back, never runnable when it does not fit, JSON."""

from __future__ import annotations

import json

import pytest

from spicetrader.costmodel import estimate
from spicetrader.spec.estimate import Bound, Estimate
from spicetrader.spec.workload import Workload


def test_defaults_are_filled_and_noted() -> None:
    est = estimate({"model": "llama-3-8b", "hardware": "rtx-4090"})
    wl = est.workload
    assert (wl.precision, wl.engine and wl.engine.value) == ("q4_k_m", "llama.cpp")
    assert wl.parallelism is not None
    assert wl.memory_gb == 24
    assert any("q4_k_m" in a and "default" in a for a in est.assumptions)
    assert any("engine llama.cpp" in a for a in est.assumptions)


def test_datacenter_default_is_bf16_on_vllm_with_tensor_parallel() -> None:
    est = estimate({"model": "llama-3-70b", "hardware": "h100-sxm", "devices": 8})
    wl = est.workload
    assert wl.precision == "bf16"
    assert wl.engine is not None
    assert wl.engine.value == "vllm"
    assert wl.parallelism is not None
    assert wl.parallelism.tensor == 8
    assert est.fits


def test_a_fitting_estimate_has_speeds_and_a_bound() -> None:
    est = estimate({"model": "llama-3-8b", "hardware": "rtx-4090", "precision": "q4_k_m"})
    assert est.fits
    assert est.inference is not None
    assert est.inference.decode_tokens_per_s is not None
    assert est.inference.decode_tokens_per_s > 0
    assert est.bound in (Bound.MEMORY_BANDWIDTH, Bound.COMPUTE, Bound.INTERCONNECT)
    assert est.memory.per_device_gb <= est.memory.capacity_gb


def test_not_fitting_is_never_runnable() -> None:
    est = estimate({"model": "llama-2-70b", "hardware": "rtx-4090", "precision": "fp16"})
    assert not est.fits
    assert est.bound is Bound.MEMORY_CAPACITY
    assert est.inference is None
    assert est.training is None
    assert est.image is None
    assert est.memory.per_device_gb > est.memory.capacity_gb
    assert est.memory.weights_gb == pytest.approx(138.0, rel=0.01)
    assert est.suggestions


def test_suggestions_are_real_fits() -> None:
    est = estimate({"model": "llama-2-70b", "hardware": "rtx-4090", "precision": "q4_0"})
    assert not est.fits
    first = est.suggestions[0]
    assert first.startswith("2 x rtx-4090")  # 38.9 GB of weights over two 24 GB cards
    two = estimate(
        {"model": "llama-2-70b", "hardware": "rtx-4090", "precision": "q4_0", "devices": 2}
    )
    assert two.fits


def test_smaller_precision_suggested() -> None:
    est = estimate({"model": "llama-3-8b", "hardware": "rtx-3070", "precision": "q8_0"})
    assert not est.fits
    assert any(s.startswith("precision q") for s in est.suggestions)


def test_batch_max_is_the_largest_batch_that_fits() -> None:
    spec = {
        "model": "llama-3-8b",
        "hardware": "rtx-4090",
        "precision": "q4_k_m",
        "engine": "llama.cpp",
        "inference": {"prompt_tokens": 1024, "output_tokens": 1024},
    }
    est = estimate({**spec, "inference": {**spec["inference"], "batch": "max"}})  # type: ignore[dict-item]
    assert est.fits
    assert est.inference is not None
    assert est.inference.batch is not None
    b = est.inference.batch
    assert b > 1
    at = estimate({**spec, "inference": {**spec["inference"], "batch": b}})  # type: ignore[dict-item]
    over = estimate({**spec, "inference": {**spec["inference"], "batch": b + 1}})  # type: ignore[dict-item]
    assert at.fits
    assert not over.fits
    assert est.workload.inference is not None
    assert est.workload.inference.batch == "max"


def test_vllm_batch_max_is_capped_at_max_num_seqs() -> None:
    est = estimate(
        {
            "model": "llama-3.2-1b",
            "hardware": "h100-sxm",
            "engine": "vllm",
            "precision": "bf16",
            "inference": {"batch": "max"},
        }
    )
    assert est.inference is not None
    assert est.inference.batch == 256


def test_max_context_is_capped_at_the_model() -> None:
    est = estimate({"model": "llama-2-7b", "hardware": "h100-sxm", "precision": "q4_k_m"})
    assert est.inference is not None
    assert est.inference.max_context_tokens == 4096


def test_max_context_is_what_fits() -> None:
    est = estimate({"model": "llama-3.1-8b", "hardware": "rtx-4090", "precision": "q8_0"})
    inf = est.inference
    assert inf is not None
    assert inf.max_context_tokens is not None
    assert 10_000 < inf.max_context_tokens < 131_072  # ~8.5 GB weights, 131 KB/token of KV
    longer = estimate(
        {
            "model": "llama-3.1-8b",
            "hardware": "rtx-4090",
            "precision": "q8_0",
            "inference": {"prompt_tokens": inf.max_context_tokens + 1, "output_tokens": 0},
        }
    )
    assert not longer.fits


def test_pretrain_tokens_default_to_20_per_parameter() -> None:
    est = estimate({"model": "mpt-125m", "hardware": "a100-sxm-80gb", "task": "pretrain"})
    assert est.workload.pretrain is not None
    assert est.workload.pretrain.tokens is not None
    assert est.workload.pretrain.tokens == pytest.approx(20 * 125e6, rel=0.1)


def test_training_picks_the_smallest_zero_stage_that_fits() -> None:
    est = estimate(
        {
            "model": "llama-2-7b",
            "hardware": "a100-sxm-40gb",
            "devices": 8,
            "task": "finetune",
            "precision": "bf16",
            "engine": "deepspeed",
            "finetune": {"method": "full"},
        }
    )
    par = est.workload.parallelism
    assert est.fits
    assert par is not None
    assert par.zero in (1, 2, 3)
    assert par.data == 8
    assert any("ZeRO stage" in a for a in est.assumptions)


def test_image_estimate() -> None:
    est = estimate({"model": "sdxl", "hardware": "rtx-4090", "task": "image"})
    assert est.fits
    assert est.image is not None
    assert est.image.seconds_per_image > 0
    assert est.workload.engine is not None
    assert est.workload.engine.value == "diffusers"


def test_json_round_trip() -> None:
    est = estimate(
        {
            "model": "mistral-7b",
            "hardware": "t4",
            "task": "finetune",
            "finetune": {"method": "qlora", "tokens": 5e7},
        }
    )
    data = json.loads(json.dumps(est.to_dict()))
    again = Estimate.model_validate(data)
    assert again.to_dict() == est.to_dict()
    # the filled workload is itself a valid input that estimates the same (only the
    # "(default)" notes go, since nothing is left to default)
    redo = estimate(data["workload"]).to_dict()
    redo_notes, notes = redo.pop("assumptions"), data.pop("assumptions")
    assert redo == data
    assert set(redo_notes) == {a for a in notes if "(default" not in a}


def test_accepts_a_typed_workload() -> None:
    wl = Workload(model="llama-3-8b", hardware="rtx-4090")
    assert estimate(wl).to_dict() == estimate(wl.to_dict()).to_dict()


def test_inline_architecture_gpt3_175b() -> None:
    spec = {
        "model": {
            "name": "gpt-175b",
            "layers": 96,
            "hidden": 12288,
            "heads": 96,
            "vocab": 51200,
            "gated_ffn": False,
        },
        "hardware": "h100-sxm",
        "devices": 8,
        "precision": "fp16",
        "engine": "vllm",
    }
    est = estimate(spec)
    # 12 x layers x hidden^2 (+ embeddings) = 174.6e9 params (Brown et al. 2020: 175B), fp16 / TP 8
    assert est.memory.weights_gb == pytest.approx(175e9 * 2 / 8 / 1e9, rel=0.01)
    assert est.fits
