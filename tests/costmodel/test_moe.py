"""MoE mechanism: experts touched per step, bytes from active toward total with the batch,
router FLOPs, routed-token overhead, expert parallelism, MoE layer latency."""

from __future__ import annotations

import pytest
from archs import transformer
from hypothesis import given, settings
from hypothesis import strategies as st

from spicetrader.costmodel import estimate
from spicetrader.costmodel.inference import streamed_params
from spicetrader.costmodel.moe import (
    active_routed_params,
    expert_parallel,
    moe_engine_rows,
    moe_layer_overhead_us,
    routed_overhead,
    routed_params,
    router_flops_per_token,
    touched_fraction,
)
from spicetrader.spec.workload import Engine

_arch = transformer


def test_one_token_touches_k_of_e_experts() -> None:
    """One token picks k experts: the expected share touched is exactly k/E (Switch/GShard)."""
    assert touched_fraction(256, 8, 1) == pytest.approx(8 / 256)
    assert touched_fraction(8, 2, 1) == pytest.approx(0.25)
    # Mixtral at batch 16: 1 - (3/4)^16 = 99.0 % of the experts
    assert touched_fraction(8, 2, 16) == pytest.approx(1 - 0.75**16)


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(["mixtral-8x7b", "qwen3-30b-a3b", "deepseek-v3", "gpt-oss-120b"]),
    batch=st.integers(min_value=1, max_value=4096),
)
def test_bytes_per_step_move_from_active_toward_total_with_the_batch(
    model: str, batch: int
) -> None:
    arch = _arch(model)
    one = streamed_params(arch, 1)
    many = streamed_params(arch, batch)
    more = streamed_params(arch, batch * 2)
    total = arch.total_params() - arch.embedding_params()
    assert one <= many <= more <= total + 1
    assert one == pytest.approx(arch.active_params() - arch.embedding_params(), rel=1e-6)


def test_deepseek_v3_reads_almost_all_experts_at_batch_256() -> None:
    """256 experts, top-8: at batch 256 only (1 - 8/256)^256 = 0.03 % of experts stay idle."""
    arch = _arch("deepseek-v3")
    routed = routed_params(arch)
    read = streamed_params(arch, 256)
    idle = arch.total_params() - arch.embedding_params() - read
    assert idle == pytest.approx(routed * (1 - 8 / 256) ** 256, rel=1e-6)


def test_routed_params_of_k_experts_are_active_minus_the_dense_part() -> None:
    """DeepSeek-V3: 671B total, 37B active (report sec. 2): the routed experts hold ~654B."""
    arch = _arch("deepseek-v3")
    assert routed_params(arch) / 1e9 == pytest.approx(654, rel=0.02)
    assert active_routed_params(arch) == pytest.approx(routed_params(arch) * 8 / 256)


def test_router_flops_are_two_hidden_times_experts_per_moe_layer() -> None:
    arch = _arch("mixtral-8x7b")
    assert router_flops_per_token(arch) == 2 * 4096 * 8 * 32
    assert router_flops_per_token(_arch("llama-3-8b")) == 0.0


def test_routed_overhead_shrinks_with_expert_width() -> None:
    """The per-token routing cost is relatively smaller for wide experts (Mixtral: 14,336)
    than for narrow ones (Qwen3-30B-A3B: 768)."""
    wide, narrow = _arch("mixtral-8x7b"), _arch("qwen3-30b-a3b")
    assert routed_overhead(wide, 10_000) == pytest.approx(1 + 10_000 / 14_336)
    assert routed_overhead(narrow, 10_000) > routed_overhead(wide, 10_000)
    assert routed_overhead(_arch("llama-3-8b"), 10_000) == 1.0


def test_expert_parallel_stays_inside_a_node_and_divides_both() -> None:
    arch = _arch("qwen3-30b-a3b")  # 128 experts
    assert expert_parallel(arch, 8, 8) == 8
    assert expert_parallel(arch, 64, 8) == 8
    assert expert_parallel(arch, 6, 8) == 2
    assert expert_parallel(_arch("llama-3-8b"), 8, 8) == 1


def test_moe_training_is_slower_per_active_flop_than_dense() -> None:
    """Megatron-Bridge: Qwen3-30B-A3B (3.3B active) reaches ~120-240 model TFLOP/s per H100,
    Llama-3-8B ~740: per active-parameter FLOP, the MoE must come out slower."""
    common = {
        "task": "pretrain", "engine": "megatron", "hardware": "h100-sxm", "devices": 8,
        "precision": "bf16", "pretrain": {"seq_len": 4096, "global_batch_tokens": 2**21},
        "parallelism": {"data": 8},
    }  # fmt: skip
    moe = estimate({**common, "model": "qwen3-30b-a3b"})
    dense = estimate({**common, "model": "llama-3-8b"})
    assert moe.training is not None
    assert dense.training is not None
    assert moe.training.mfu < dense.training.mfu
    assert any("expert parallel 8" in a for a in moe.assumptions)


def test_moe_layer_latency_is_data_and_forks_fall_back_to_their_kernels_row() -> None:
    """ollama runs llama.cpp's kernels; SGLang reads its own row, else vLLM's."""
    rows = moe_engine_rows()
    assert "*" in rows
    sglang = rows.get("sglang") or rows["vllm"]
    assert moe_layer_overhead_us(Engine.SGLANG) == sglang.layer_overhead_us
    assert moe_layer_overhead_us(Engine.OLLAMA) == moe_layer_overhead_us(Engine.LLAMA_CPP)


def test_moe_layer_latency_slows_decode_of_an_moe_only() -> None:
    """The per-MoE-layer latency is paid once per MoE layer per step: a dense model's decode is
    unaffected, an MoE decode at batch 1 is slower than its bytes alone allow."""
    from spicetrader.costmodel import inference

    spec = {
        "precision": "fp8", "engine": "sglang", "hardware": "h200-sxm", "devices": 8,
        "parallelism": {"tensor": 8}, "inference": {"batch": 1, "prompt_tokens": 128},
    }  # fmt: skip
    original = inference.moe_layer_overhead_us
    try:
        inference.moe_layer_overhead_us = lambda *_a: 0.0  # type: ignore[assignment]
        fast = estimate({**spec, "model": "deepseek-v3"}).inference
        dense_fast = estimate({**spec, "model": "llama-3-70b"}).inference
        inference.moe_layer_overhead_us = lambda *_a: 400.0  # type: ignore[assignment]
        slow = estimate({**spec, "model": "deepseek-v3"}).inference
        dense_slow = estimate({**spec, "model": "llama-3-70b"}).inference
    finally:
        inference.moe_layer_overhead_us = original  # type: ignore[assignment]
    assert fast is not None and slow is not None  # noqa: PT018
    assert dense_fast is not None and dense_slow is not None  # noqa: PT018
    step = 1 / slow.decode_tokens_per_s - 1 / fast.decode_tokens_per_s
    assert step == pytest.approx(58 * 400e-6, rel=1e-6)  # 58 MoE layers of DeepSeek-V3
    assert dense_slow.decode_tokens_per_s == pytest.approx(dense_fast.decode_tokens_per_s)


def test_tensor_parallel_across_nodes_pays_the_network() -> None:
    """TP 16 over two 8-GPU H100 nodes: the per-layer all-reduces cross InfiniBand (NCCL
    latency ~50 us per tree level against NVLink's ~10), so one stream decodes slower than
    the same model at TP 8 x PP 2, whose only inter-node traffic is one hop per token."""
    spec = {
        "model": "deepseek-v3", "precision": "fp8", "engine": "sglang", "hardware": "h100-sxm",
        "devices": 16, "inference": {"batch": 1, "prompt_tokens": 128, "output_tokens": 256},
    }  # fmt: skip
    across = estimate({**spec, "parallelism": {"tensor": 16}})
    split = estimate({**spec, "parallelism": {"tensor": 8, "pipeline": 2}})
    assert across.inference is not None
    assert split.inference is not None
    assert across.inference.decode_tokens_per_s < split.inference.decode_tokens_per_s
    assert any("spans 2 nodes" in a for a in across.assumptions)
    assert not any("spans" in a for a in split.assumptions)
