"""MoE inference terms that depend on tokens per expert (grouped-GEMM prefill cost) and the
latency of tensor-parallel all-reduces across nodes (NCCL's trees: intra-node levels over the
device link, inter-node levels over the network)."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from archs import transformer
from hypothesis import given, settings
from hypothesis import strategies as st
from patching import patched

from spicetrader.catalog.schema import Vendor
from spicetrader.costmodel import estimate, inference, moe
from spicetrader.costmodel.memory import prefill_chunk_tokens
from spicetrader.costmodel.moe import (
    grouped_gemm_half_tokens,
    moe_engine_rows,
    moe_vendor_rows,
    routed_width_half,
)
from spicetrader.costmodel.moe_inference import (
    grouped_gemm_factor,
    prefill_tokens_per_expert,
    tokens_per_expert,
)
from spicetrader.costmodel.roofline import ComputeDtype
from spicetrader.spec.workload import Engine

_arch = transformer


def _half_tokens(value: float) -> AbstractContextManager[None]:
    return patched(inference, "grouped_gemm_half_tokens", lambda *_a: value)


def test_one_token_reaches_each_of_its_experts_alone() -> None:
    """A decoded token goes to k experts, one token each."""
    for name in ("mixtral-8x7b", "qwen3-30b-a3b", "gpt-oss-20b", "deepseek-v3"):
        assert tokens_per_expert(_arch(name), 1) == pytest.approx(1.0)


def test_a_large_chunk_spreads_k_over_e_of_its_tokens_to_each_expert() -> None:
    """Every expert is touched by a 512-token llama.cpp micro-batch: Qwen3-30B-A3B (top-8 of
    128) gives each expert 512 x 8 / 128 = 32 tokens, gpt-oss-20b (top-4 of 32) 64, Mixtral
    (top-2 of 8) 128."""
    assert tokens_per_expert(_arch("qwen3-30b-a3b"), 512) == pytest.approx(32.0, rel=1e-3)
    assert tokens_per_expert(_arch("gpt-oss-20b"), 512) == pytest.approx(64.0, rel=1e-6)
    assert tokens_per_expert(_arch("mixtral-8x7b"), 512) == pytest.approx(128.0, rel=1e-6)


def test_prefill_chunks_follow_the_engines_defaults() -> None:
    """llama.cpp processes a prompt in n_ubatch = 512 micro-batches (ollama too); vLLM and
    SGLang in chunked-prefill budgets of 8,192 tokens; a short prompt is one chunk."""
    assert prefill_chunk_tokens(Engine.LLAMA_CPP, 4096) == 512
    assert prefill_chunk_tokens(Engine.OLLAMA, 4096) == 512
    assert prefill_chunk_tokens(Engine.VLLM, 32_768) == 8192
    assert prefill_chunk_tokens(Engine.SGLANG, 100) == 100
    arch = _arch("deepseek-v3")
    assert prefill_tokens_per_expert(arch, Engine.VLLM, 32_768) == pytest.approx(256.0, rel=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    model=st.sampled_from(["mixtral-8x7b", "qwen3-30b-a3b", "gpt-oss-120b", "deepseek-v3"]),
    tokens=st.integers(min_value=1, max_value=1 << 16),
)
def test_tokens_per_expert_never_exceed_the_tokens_and_grow_with_them(
    model: str, tokens: int
) -> None:
    arch = _arch(model)
    per = tokens_per_expert(arch, tokens)
    assert 1.0 - 1e-9 <= per <= tokens + 1e-9
    assert tokens_per_expert(arch, tokens * 2) >= per - 1e-9


def test_grouped_gemm_factor_halves_the_rate_at_half_tokens() -> None:
    assert grouped_gemm_factor(64.0, 0.0) == 1.0
    assert grouped_gemm_factor(64.0, 64.0) == pytest.approx(2.0)
    assert grouped_gemm_factor(256.0, 64.0) == pytest.approx(1.25)


def test_engine_rows_carry_the_half_tokens_and_forks_read_their_kernels_row() -> None:
    rows = moe_engine_rows()
    assert "*" in rows
    assert grouped_gemm_half_tokens(Engine.OLLAMA) == grouped_gemm_half_tokens(Engine.LLAMA_CPP)
    sglang = rows.get("sglang") or rows["vllm"]
    assert grouped_gemm_half_tokens(Engine.SGLANG) == sglang.grouped_gemm_half_tokens
    assert grouped_gemm_half_tokens(Engine.TRANSFORMERS) == rows["*"].grouped_gemm_half_tokens


def test_a_vendors_row_is_read_first_then_the_engines_row_of_any_vendor() -> None:
    """llama.cpp's grouped expert kernels differ per backend (Metal, CUDA, HIP): an
    accelerator's vendor row wins, ollama reads llama.cpp's, a vendor without a row falls back
    to the engine's ``*`` row."""
    from spicetrader.catalog.load import load_catalog

    accelerators = load_catalog().accelerators
    rows = moe_vendor_rows()
    assert all(vendor in {v.value for v in Vendor} | {"*"} for _, vendor in rows)
    for (engine, vendor), row in rows.items():
        if engine != "llama.cpp" or vendor == "*":
            continue
        accel = next(a for a in accelerators.values() if a.vendor.value == vendor)
        assert grouped_gemm_half_tokens(Engine.LLAMA_CPP, accel) == row.grouped_gemm_half_tokens
        assert grouped_gemm_half_tokens(Engine.OLLAMA, accel) == row.grouped_gemm_half_tokens
    tpu = accelerators["tpu-v5e"]
    assert ("llama.cpp", tpu.vendor.value) not in rows
    assert (
        grouped_gemm_half_tokens(Engine.LLAMA_CPP, tpu)
        == rows[("llama.cpp", "*")].grouped_gemm_half_tokens
    )
    assert (
        grouped_gemm_half_tokens(Engine.LLAMA_CPP)
        == rows[("llama.cpp", "*")].grouped_gemm_half_tokens
    )


def test_the_vendor_row_sets_the_prefill_of_its_vendors_chips_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A larger half-token value on Apple's row slows an MoE prefill on an M2 Ultra and leaves
    the same prefill on an RTX 4090 (NVIDIA: the ``*`` row) as it was."""
    rows = dict(moe_vendor_rows())
    base = rows[("llama.cpp", "*")]

    def estimate_with(apple_half: float) -> tuple[float, float]:
        table = {
            **rows,
            ("llama.cpp", "apple"): base.model_copy(
                update={"vendor": "apple", "grouped_gemm_half_tokens": apple_half}
            ),
        }
        table.pop(("llama.cpp", "nvidia"), None)
        monkeypatch.setattr(moe, "moe_vendor_rows", lambda: table)
        speeds = []
        for hardware in ("m2-ultra-76c", "rtx-4090"):
            spec = {**_llama_cpp("qwen3-30b-a3b", "q4_k_m", 512, 1), "hardware": hardware}
            result = estimate(spec).inference
            assert result is not None
            speeds.append(result.prefill_tokens_per_s)
        return speeds[0], speeds[1]

    apple_fast, nvidia_a = estimate_with(0.0)
    apple_slow, nvidia_b = estimate_with(128.0)
    assert apple_slow < apple_fast
    assert nvidia_a == pytest.approx(nvidia_b)


def test_the_routed_token_overhead_is_read_per_vendor_and_costs_narrow_experts_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``w0`` (``routed_width_half``) is a per-token-slot cost in hidden units of expert width:
    raising it on Apple's row slows an M2 Ultra prefill of Qwen3-30B-A3B (768-wide experts) by
    more than one of Mixtral (14,336-wide), and leaves the RTX 4090 (NVIDIA's row) alone."""
    rows = dict(moe_vendor_rows())
    base = rows[("llama.cpp", "*")]

    def prefill(model: str, precision: str, hardware: str, width: float) -> float:
        table = {
            **rows,
            ("llama.cpp", "apple"): base.model_copy(
                update={"vendor": "apple", "routed_width_half": width}
            ),
        }
        monkeypatch.setattr(moe, "moe_vendor_rows", lambda: table)
        spec = {**_llama_cpp(model, precision, 512, 1), "hardware": hardware}
        result = estimate(spec).inference
        assert result is not None
        return result.prefill_tokens_per_s

    assert routed_width_half(Engine.OLLAMA) == routed_width_half(Engine.LLAMA_CPP)
    narrow = prefill("qwen3-30b-a3b", "q4_k_m", "m2-ultra-76c", 0.0) / prefill(
        "qwen3-30b-a3b", "q4_k_m", "m2-ultra-76c", 1000.0
    )
    wide = prefill("mixtral-8x7b", "q4_0", "m2-ultra-76c", 0.0) / prefill(
        "mixtral-8x7b", "q4_0", "m2-ultra-76c", 1000.0
    )
    assert narrow > wide > 1.0
    assert prefill("qwen3-30b-a3b", "q4_k_m", "rtx-4090", 0.0) == pytest.approx(
        prefill("qwen3-30b-a3b", "q4_k_m", "rtx-4090", 1000.0)
    )


def _llama_cpp(model: str, precision: str, prompt: int, output: int) -> dict[str, object]:
    return {
        "model": model,
        "task": "inference",
        "precision": precision,
        "engine": "llama.cpp",
        "hardware": "rtx-4090",
        "devices": 1,
        "inference": {"batch": 1, "prompt_tokens": prompt, "output_tokens": output},
    }


def test_grouped_gemm_cost_slows_moe_prefill_only() -> None:
    """The term slows an MoE prefill, leaves its decode (weights-bound) and any dense model
    alone."""
    moe_prefill = _llama_cpp("qwen3-30b-a3b", "q4_k_m", 512, 1)
    moe_decode = _llama_cpp("qwen3-30b-a3b", "q4_k_m", 0, 128)
    dense = _llama_cpp("llama-3-8b", "q4_k_m", 512, 1)
    with _half_tokens(0.0):
        base_pp = estimate(moe_prefill).inference
        base_tg = estimate(moe_decode).inference
        base_dense = estimate(dense).inference
    with _half_tokens(64.0):
        slow_pp = estimate(moe_prefill).inference
        slow_tg = estimate(moe_decode).inference
        slow_dense = estimate(dense).inference
    assert base_pp is not None
    assert slow_pp is not None
    assert base_tg is not None
    assert slow_tg is not None
    assert base_dense is not None
    assert slow_dense is not None
    assert slow_pp.prefill_tokens_per_s is not None
    assert base_pp.prefill_tokens_per_s is not None
    assert slow_pp.prefill_tokens_per_s < 0.8 * base_pp.prefill_tokens_per_s
    assert slow_tg.decode_tokens_per_s == pytest.approx(base_tg.decode_tokens_per_s)
    assert slow_dense.prefill_tokens_per_s == pytest.approx(base_dense.prefill_tokens_per_s)


def _deepseek(tensor: int) -> dict[str, object]:
    return {
        "model": "deepseek-r1",
        "task": "inference",
        "precision": "fp8",
        "engine": "sglang",
        "hardware": "h200-sxm",
        "devices": tensor,
        "parallelism": {"tensor": tensor},
        "inference": {"batch": 1, "prompt_tokens": 128, "output_tokens": 128},
    }


def test_tensor_parallel_across_two_nodes_pays_one_network_level() -> None:
    """TP 16 over two 8-GPU nodes: NCCL's tree crosses the network once (log2 2 = 1 level) and
    NVLink three times (log2 8), not four network levels (log2 16). Per token, 2 x 61
    all-reduces each pay one network latency L on top of 8 GPUs' (and half the weights per GPU
    less): the step grows by less than 122 L; four network levels would add 4 x 122 L."""
    from spicetrader.costmodel.efficiency import interconnect_row

    network_s = interconnect_row(None).allreduce_latency_us * 1e-6
    one_node = estimate(_deepseek(8))
    two_nodes = estimate(_deepseek(16))
    assert any("spans 2 nodes" in a for a in two_nodes.assumptions)
    assert one_node.inference is not None
    assert two_nodes.inference is not None
    step_8 = 1.0 / one_node.inference.decode_tokens_per_s
    step_16 = 1.0 / two_nodes.inference.decode_tokens_per_s
    assert 0.25 * 122 * network_s < step_16 - step_8 < 122 * network_s


def test_ubatch_sets_the_prefill_pass_of_every_engine() -> None:
    """inference.ubatch_tokens replaces the engine's pass (llama.cpp -ub 2048: four times the
    default 512), never beyond the prompt; unset, the engine's default stands."""
    assert prefill_chunk_tokens(Engine.LLAMA_CPP, 4096, 2048) == 2048
    assert prefill_chunk_tokens(Engine.VLLM, 32_768, 2048) == 2048
    assert prefill_chunk_tokens(Engine.LLAMA_CPP, 300, 2048) == 300
    assert prefill_chunk_tokens(Engine.LLAMA_CPP, 4096, None) == 512
    qwen = _arch("qwen3-30b-a3b")  # top-8 of 128: 2048 x 8 / 128 = 128 tokens per expert
    assert prefill_tokens_per_expert(qwen, Engine.LLAMA_CPP, 2048, 2048) == pytest.approx(
        128.0, rel=1e-6
    )
    assert prefill_tokens_per_expert(qwen, Engine.LLAMA_CPP, 2048) == pytest.approx(32.0, rel=1e-3)


def _qwen_prefill(ubatch: int | None, model: str = "qwen3-30b-a3b") -> float:
    section: dict[str, object] = {"batch": 1, "prompt_tokens": 4096, "output_tokens": 1}
    if ubatch is not None:
        section["ubatch_tokens"] = ubatch
    workload = {**_llama_cpp(model, "q4_k_m", 4096, 1), "inference": section}
    speed = estimate(workload).inference
    assert speed is not None
    assert speed.prefill_tokens_per_s is not None
    return speed.prefill_tokens_per_s


def test_default_ubatch_is_llama_cpps_512() -> None:
    """Leaving the field out is llama.cpp's own default, n_ubatch = 512 (common/common.h)."""
    assert _qwen_prefill(None) == pytest.approx(_qwen_prefill(512))


@settings(max_examples=15, deadline=None)
@given(small=st.sampled_from([64, 128, 256, 512, 1024]), factor=st.sampled_from([2, 4, 8]))
def test_a_larger_pass_never_slows_a_prefill(small: int, factor: int) -> None:
    """More tokens per forward pass: more tokens per expert (MoE) and fewer passes, each
    streaming the weights and paying the per-pass costs (dense and MoE alike)."""
    with _half_tokens(64.0):
        assert _qwen_prefill(small * factor) >= _qwen_prefill(small) * (1 - 1e-9)
        dense = _qwen_prefill(small * factor, "llama-3-8b")
        assert dense >= _qwen_prefill(small, "llama-3-8b") * (1 - 1e-9)


def test_mxfp4_without_fp4_tensor_cores_runs_at_the_bf16_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gpt-oss's MXFP4 experts on an MI300X or H100 (FP8 but no FP4 tensor cores) are
    dequantized to BF16 in the matmul (W4A16, the format's fallback in precisions.csv): a
    compute-bound prefill runs at the BF16 peak, half the FP8 one (MI300X 1307 vs 2615 TFLOP/s,
    H100 SXM 989 vs 1979), and says nothing of an FP8 rate."""

    def prefill(hardware: str) -> tuple[float, list[str]]:
        workload = {
            "model": "gpt-oss-20b", "task": "inference", "precision": "mxfp4",
            "engine": "vllm", "hardware": hardware, "devices": 1,
            "inference": {"batch": 16, "prompt_tokens": 4096, "output_tokens": 1},
        }  # fmt: skip
        result = estimate(workload)
        assert result.inference is not None
        assert result.inference.prefill_tokens_per_s is not None
        return result.inference.prefill_tokens_per_s, result.assumptions

    # the peak alone: no weight-unpacking time (roofline.dequant_s_per_flop, which a BF16
    # weight-only path pays and an FP8 one does not)
    consts = inference.speed_constants().model_copy(update={"dequant_vector_share": 0.0})
    monkeypatch.setattr(inference, "speed_constants", lambda: consts)
    for hardware in ("mi300x", "h100-sxm"):
        bf16, notes = prefill(hardware)
        assert not any("fp8 peak" in note for note in notes)
        with monkeypatch.context() as patch:
            patch.setattr(inference, "_matmul_dtype", lambda _setup: ComputeDtype.FP8)
            fp8, _ = prefill(hardware)
        assert fp8 / bf16 == pytest.approx(2.0, rel=0.15)


def test_llama_cpp_compute_buffer_is_reserved_per_ubatch() -> None:
    """llama.cpp reserves its compute graph for one n_ubatch micro-batch: every term (logits,
    scores, FFN intermediates) is per token of it, so -ub 2048 reserves four times -ub 512 once
    the context holds 2048 tokens; the spec's ubatch_tokens reaches the memory estimate."""
    from spicetrader.costmodel.memory_activations import llama_cpp_compute_buffer_bytes

    arch = _arch("qwen3-30b-a3b")
    wide = llama_cpp_compute_buffer_bytes(arch, 4096, 1, 2048)
    assert wide == pytest.approx(4 * llama_cpp_compute_buffer_bytes(arch, 4096, 1, 512))
    base = _llama_cpp("qwen3-30b-a3b", "q4_k_m", 4096, 1)
    big = {**base, "inference": {"batch": 1, "prompt_tokens": 4096, "output_tokens": 1,
                                 "ubatch_tokens": 2048}}  # fmt: skip
    assert estimate(big).memory.activations_gb > estimate(base).memory.activations_gb


def test_superseded_cases_calibrate_no_moe_row() -> None:
    """A case whose llama.cpp kernels a later release replaced (its ``superseded`` key names
    the change, its notes the evidence) is listed in no row of ``moe_engines.csv``: those rows
    describe the current kernels (bench/fit_efficiency.py leaves such cases out of their fit)."""
    import json
    from pathlib import Path

    cases_path = Path(__file__).resolve().parents[2] / "bench" / "data" / "cases.jsonl"
    cases = [json.loads(line) for line in cases_path.read_text().splitlines() if line.strip()]
    superseded = {c["id"] for c in cases if c.get("superseded")}
    assert superseded
    for case in cases:
        if case["id"] in superseded:
            assert "ERA NOTE" in case["notes"]
    for row in moe_vendor_rows().values():
        listed = set(row.calibration.rsplit(":", 1)[-1].strip().split(";"))
        assert not listed & superseded, row
