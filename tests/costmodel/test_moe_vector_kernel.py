"""Below ``vector_below_tokens`` tokens in a forward pass an engine runs the routed experts as a
matrix-vector product per token-slot (llama.cpp on Metal: ``mul_mv_id`` below
``ne21_mm_id_min = 32``), each slot reading its expert's weights: the pass reads ``tokens x k``
experts, not the touched experts once, and pays no grouped-GEMM tile cost."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from archs import transformer
from hypothesis import given, settings
from hypothesis import strategies as st
from patching import patched

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate, inference
from spicetrader.costmodel.moe import (
    active_routed_params,
    moe_vendor_rows,
    reads_per_slot,
    routed_params,
    routed_params_read,
    vector_below_tokens,
)
from spicetrader.spec.workload import Engine

_arch = transformer


def _grouped_only() -> AbstractContextManager[None]:
    """As if every pass ran the grouped kernel (``vector_below_tokens`` 0)."""
    return patched(inference, "reads_per_slot", lambda *_a: False)


def _half_tokens(value: float) -> AbstractContextManager[None]:
    return patched(inference, "grouped_gemm_half_tokens", lambda *_a: value)


def test_gpt_oss_20b_slots_against_touched_experts() -> None:
    """gpt-oss-20b routes each token to 4 of 32 experts: 4 sequences decoded together make 16
    slots where 32 x (1 - (7/8)^4) = 13.2 experts are touched; an 8-token prompt 32 slots where
    21.0 are; one token 4 either way."""
    arch = _arch("gpt-oss-20b")
    one_expert = routed_params(arch) / arch.experts
    assert routed_params_read(arch, 4, per_slot=True) / one_expert == pytest.approx(16.0)
    assert routed_params_read(arch, 4) / one_expert == pytest.approx(13.2, abs=0.05)
    assert routed_params_read(arch, 8, per_slot=True) / one_expert == pytest.approx(32.0)
    assert routed_params_read(arch, 8) / one_expert == pytest.approx(21.0, abs=0.05)
    assert routed_params_read(arch, 1, per_slot=True) == pytest.approx(routed_params_read(arch, 1))


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(["gpt-oss-20b", "qwen3-30b-a3b", "mixtral-8x7b", "deepseek-v2-lite"]),
    tokens=st.integers(min_value=1, max_value=4096),
)
def test_slots_never_read_less_than_the_touched_experts(name: str, tokens: int) -> None:
    """``tokens x k / E >= 1 - (1 - k/E)^tokens`` (Bernoulli's inequality), equal at one token;
    a dense model reads no routed weights either way."""
    arch = _arch(name)
    slots = routed_params_read(arch, tokens, per_slot=True)
    touched = routed_params_read(arch, tokens)
    assert slots >= touched * (1 - 1e-12)
    assert slots == pytest.approx(tokens * active_routed_params(arch))
    assert routed_params_read(_arch("llama-3-8b"), tokens, per_slot=True) == 0.0


def test_llama_cpp_on_metal_switches_at_32_tokens_and_other_backends_never() -> None:
    """The dispatch rule is data (moe_engines.csv): 32 for llama.cpp's Apple row (ollama reads
    it), 0 for every other row."""
    rows = moe_vendor_rows()
    assert rows[("llama.cpp", "apple")].vector_below_tokens == 32
    others = [row for key, row in rows.items() if key != ("llama.cpp", "apple")]
    assert others
    assert all(row.vector_below_tokens == 0 for row in others)
    accels = load_catalog().accelerators
    apple, nvidia = accels["m2-ultra-76c"], accels["rtx-4090"]
    assert vector_below_tokens(Engine.OLLAMA, apple) == 32
    assert reads_per_slot(Engine.LLAMA_CPP, apple, 31)
    assert not reads_per_slot(Engine.LLAMA_CPP, apple, 32)
    assert not reads_per_slot(Engine.LLAMA_CPP, nvidia, 1)
    assert not reads_per_slot(Engine.VLLM, apple, 1)


def _spec(batch: int, prompt: int, hardware: str = "m2-ultra-76c") -> dict[str, object]:
    return {
        "model": "gpt-oss-20b",
        "task": "inference",
        "precision": "mxfp4",
        "engine": "llama.cpp",
        "hardware": hardware,
        "devices": 1,
        "inference": {"batch": batch, "prompt_tokens": prompt, "output_tokens": 32},
    }


def _decode_step_s(batch: int, hardware: str = "m2-ultra-76c") -> float:
    speed = estimate(_spec(batch, 512, hardware)).inference
    assert speed is not None
    return 1.0 / speed.decode_tokens_per_s


def test_metal_decode_steps_grow_with_the_slots_not_the_touched_experts() -> None:
    """On an M2 Ultra four sequences' step reads 16 experts per layer, not 13.2: slower than the
    grouped read of the same batch, while one sequence's step is the same either way; CUDA
    (no vector threshold) reads the touched experts."""
    with _grouped_only():
        grouped_1, grouped_4 = _decode_step_s(1), _decode_step_s(4)
    slots_1, slots_4 = _decode_step_s(1), _decode_step_s(4)
    assert slots_1 == pytest.approx(grouped_1)
    assert slots_4 > grouped_4 * 1.05
    cuda_4 = _decode_step_s(4, "rtx-4090")
    with _grouped_only():
        assert _decode_step_s(4, "rtx-4090") == pytest.approx(cuda_4)


def test_a_short_metal_prompt_pays_its_bytes_not_the_grouped_tile_cost() -> None:
    """An 8-token prompt runs the vector kernel: no grouped-GEMM factor, so its speed does not
    depend on the half tokens; a 64-token prompt runs the grouped kernel and does."""

    def prefill(prompt: int) -> float:
        speed = estimate(_spec(1, prompt)).inference
        assert speed is not None
        assert speed.prefill_tokens_per_s is not None
        return speed.prefill_tokens_per_s

    with _half_tokens(0.0):
        short_free, long_free = prefill(8), prefill(64)
    with _half_tokens(64.0):
        short_tiles, long_tiles = prefill(8), prefill(64)
    assert short_tiles == pytest.approx(short_free)
    assert long_tiles < 0.8 * long_free


def test_the_estimate_says_when_slots_are_read_one_by_one() -> None:
    """The assumption is stated where it applies (Metal, batch < 32), and only there."""
    metal = estimate(_spec(4, 512)).assumptions
    assert any("reads 16 experts' weights per layer" in a for a in metal)
    cuda = estimate(_spec(4, 512, "rtx-4090")).assumptions
    assert not any("matrix-vector product per token-slot" in a for a in cuda)
    large = estimate(_spec(32, 512)).assumptions
    assert not any("matrix-vector product per token-slot" in a for a in large)
