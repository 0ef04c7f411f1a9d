"""The memory model pinned to published facts and exact arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spicetrader.costmodel import estimate
from spicetrader.costmodel.memory_kv import KV_BYTES_PER_ELEMENT, kv_cache_bytes, kv_tensor_share
from spicetrader.costmodel.memory_lora import lora_params
from spicetrader.costmodel.memory_training import OPTIMIZER_STATE_BYTES
from spicetrader.models.registry import resolve_model
from spicetrader.spec.workload import KvCacheFormat, Optimizer

REPO_CASES = Path(__file__).resolve().parents[2] / "bench" / "data" / "cases.jsonl"


def test_llama2_7b_fp16_weights_are_13_48_gb() -> None:
    # 6,738,415,616 parameters x 2 bytes (Touvron et al. 2023; HF model card "7B")
    est = estimate({"model": "llama-2-7b", "hardware": "a100-sxm-80gb", "precision": "fp16"})
    assert est.memory.weights_gb == pytest.approx(13.48, abs=0.01)


def test_llama2_7b_kv_cache_at_4096_fp16_is_2_gib() -> None:
    arch = resolve_model("llama-2-7b")
    # 2 (K,V) x 32 layers x 4096 hidden x 2 bytes x 4096 tokens
    assert kv_cache_bytes(arch, 4096, 1, 2.0) == 2 * 32 * 4096 * 2 * 4096


@pytest.mark.parametrize(
    ("fmt", "ratio"),
    [(KvCacheFormat.FP8, 0.5), (KvCacheFormat.Q8_0, 8.5 / 16), (KvCacheFormat.Q4_0, 4.5 / 16)],
)
def test_kv_formats_scale_by_their_bits(fmt: KvCacheFormat, ratio: float) -> None:
    arch = resolve_model("llama-3-8b")
    fp16 = kv_cache_bytes(arch, 8192, 4, KV_BYTES_PER_ELEMENT[KvCacheFormat.FP16])
    assert kv_cache_bytes(arch, 8192, 4, KV_BYTES_PER_ELEMENT[fmt]) == pytest.approx(fp16 * ratio)


def test_gqa_kv_cache_llama3_8b() -> None:
    # 8 KV heads of 128: 2 x 32 x 8 x 128 x 2 B = 131072 B per token
    arch = resolve_model("llama-3-8b")
    assert kv_cache_bytes(arch, 1, 1, 2.0) == 131072


def test_sliding_window_caps_the_cache() -> None:
    arch = resolve_model("mistral-7b")  # 4096-token window on all 32 layers
    assert arch.sliding_window == 4096
    assert kv_cache_bytes(arch, 32768, 1, 2.0) == kv_cache_bytes(arch, 4096, 1, 2.0)


def test_kv_heads_replicate_beyond_their_count() -> None:
    assert kv_tensor_share(8, 2) == 0.5
    assert kv_tensor_share(8, 16) == 1 / 8  # one head per rank, replicated


def test_lora_params_llama3_8b_rank16_all_linear() -> None:
    # per layer: q 16(4096+4096) + k,v 2x16(4096+1024) + o 16(4096+4096)
    #            + gate,up 2x16(4096+14336) + down 16(14336+4096)
    per_layer = 16 * (8192 + 2 * 5120 + 8192 + 3 * 18432)
    assert lora_params(resolve_model("llama-3-8b"), 16) == 32 * per_layer == 41_943_040


def test_full_finetune_adamw_is_16_bytes_per_param() -> None:
    # ZeRO paper sec. 3.1: 2 (fp16 weights) + 2 (grads) + 12 (fp32 master, m, v) per parameter
    est = estimate(
        {
            "model": "llama-2-7b",
            "hardware": "h100-sxm",
            "task": "finetune",
            "precision": "bf16",
            "engine": "transformers",
            "finetune": {"method": "full", "optimizer": "adamw"},
        }
    )
    params = resolve_model("llama-2-7b").total_params()
    m = est.memory
    states = m.weights_gb + m.gradients_gb + m.optimizer_gb
    assert states == pytest.approx(16 * params / 1e9, rel=1e-3)
    assert not est.fits  # 108 GB of states on an 80 GB card


def test_optimizer_state_sizes() -> None:
    assert OPTIMIZER_STATE_BYTES[Optimizer.ADAMW] == 8
    assert OPTIMIZER_STATE_BYTES[Optimizer.ADAMW_8BIT] == 2
    assert OPTIMIZER_STATE_BYTES[Optimizer.SGD] == OPTIMIZER_STATE_BYTES[Optimizer.LION] == 4


def test_zero3_shards_weights_over_data_ranks() -> None:
    base = {
        "model": "llama-2-70b",
        "hardware": "h100-sxm",
        "task": "pretrain",
        "precision": "bf16",
        "engine": "fsdp",
    }
    one = estimate({**base, "devices": 8, "parallelism": {"zero": 3}})
    two = estimate({**base, "devices": 16, "nodes": 2, "parallelism": {"zero": 3}})
    assert one.memory.weights_gb == pytest.approx(2 * two.memory.weights_gb, rel=1e-6)
    params = resolve_model("llama-2-70b").total_params()
    assert one.memory.weights_gb == pytest.approx(params * 2 / 8 / 1e9, abs=0.001)


def test_apple_wires_two_thirds_of_16_gb() -> None:
    est = estimate({"model": "llama-3.2-1b", "hardware": "m1-8c", "memory_gb": 16})
    assert est.memory.capacity_gb == pytest.approx(16 * 2**30 / 1e9 * 0.6667, rel=1e-3)
    assert any("iogpu.wired_limit_mb" in a for a in est.assumptions)


def test_vllm_uses_90_percent_of_memory() -> None:
    est = estimate(
        {"model": "llama-3-8b", "hardware": "h100-sxm", "engine": "vllm", "precision": "bf16"}
    )
    assert est.memory.capacity_gb == pytest.approx(80 * 2**30 / 1e9 * 0.9, rel=1e-3)


def _cases(metric: str) -> list[dict[str, object]]:
    text = REPO_CASES.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [r for r in rows if r["metric"] == metric]


def test_every_published_fit_is_answered_right() -> None:
    cases = _cases("fits")
    assert len(cases) >= 10
    wrong = [c["id"] for c in cases if estimate(c["workload"]).fits is not c["value"]]  # type: ignore[arg-type]
    assert wrong == []


@pytest.mark.parametrize("case_id", ["C136", "C138", "C140", "C141"])
def test_torchtune_peak_memory_within_20_percent(case_id: str) -> None:
    # LoRA / QLoRA rows of torchtune's README table (the full-FT rows mix configs, see docs)
    case = next(c for c in _cases("memory.per_device_gb") if c["id"] == case_id)
    predicted = estimate(case["workload"]).memory.per_device_gb  # type: ignore[arg-type]
    assert predicted == pytest.approx(case["value"], rel=0.20)


def test_strix_halo_gives_its_gpu_96_of_128_gib() -> None:
    # the usual setting measured on a 128 GB Ryzen AI Max+ 395 (nix-amd-ai PR #96): GTT total
    # 103,079,215,104 B = 96 GiB; the cost model counts that share of the 128 GiB as usable
    est = estimate(
        {"model": "llama-3-8b", "hardware": "ryzen-ai-max-395", "memory_gb": 128,
         "engine": "llama.cpp", "precision": "q4_k_m"}
    )  # fmt: skip
    assert est.memory.capacity_gb <= 103_079_215_104 / 1e9 + 1e-6
    assert est.memory.capacity_gb > 0.7 * 103_079_215_104 / 1e9
    assert any("integrated GPU sharing system RAM" in a for a in est.assumptions)
