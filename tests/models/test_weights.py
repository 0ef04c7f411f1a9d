"""Weight bytes per format, against published file sizes and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicetrader.models.arch import Architecture
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import resolve_model
from spicetrader.models.weights import effective_bits_per_weight, weight_bytes


def _llm(model_id: str) -> Architecture:
    arch = resolve_model(model_id)
    assert isinstance(arch, Architecture)
    return arch


@pytest.mark.parametrize(
    ("model_id", "precision", "published_gb"),
    [
        # TheBloke/Llama-2-7B-GGUF README: Q4_K_M 4.08 GB, Q4_0 3.83 GB, Q8_0 7.16 GB
        ("llama-2-7b", "q4_k_m", 4.08),
        ("llama-2-7b", "q4_0", 3.83),
        ("llama-2-7b", "q8_0", 7.16),
        # localmodels/Llama-2-13B-ggml README: q4_K_M 7.87 GB, q3_K_M 6.31 GB
        ("llama-2-13b", "q4_k_m", 7.87),
        ("llama-2-13b", "q3_k_m", 6.31),
        # openai/gpt-oss-20b checkpoint (MXFP4 experts + BF16 rest): 13.8 GB
        ("gpt-oss-20b", "mxfp4", 13.8),
    ],
)
def test_weight_bytes_match_published_files(
    model_id: str, precision: str, published_gb: float
) -> None:
    seen = weight_bytes(_llm(model_id), resolve_precision(precision)) / 1e9
    assert seen == pytest.approx(published_gb, rel=0.02), f"we see {seen:.3f} GB"


def test_fp16_is_two_bytes_per_parameter() -> None:
    arch = _llm("llama-3-8b")
    assert weight_bytes(arch, resolve_precision("fp16")) == 2 * arch.total_params()
    assert weight_bytes(arch, resolve_precision("fp32")) == 4 * arch.total_params()


def test_gptq_keeps_embeddings_and_head_in_fp16() -> None:
    arch = _llm("llama-2-7b")
    gptq = resolve_precision("gptq-4bit")
    head_and_embedding = arch.embedding_params() + arch.lm_head_params()
    linear = arch.total_params() - head_and_embedding - (2 * 32 + 1) * 4096  # minus norms
    expected = linear * gptq.bits_per_weight / 8 + (head_and_embedding + 65 * 4096) * 2
    assert weight_bytes(arch, gptq) == pytest.approx(expected)


def test_q4_k_m_mix_is_above_base_bits() -> None:
    bits = effective_bits_per_weight(_llm("llama-2-7b"), resolve_precision("q4_k_m"))
    assert 4.5 < bits < 5.0


FORMATS_BY_BITS = ["q2_k", "q3_k_m", "q4_0", "q4_k_m", "q5_k_m", "q6_k", "q8_0", "fp16", "fp32"]


@given(
    model_id=st.sampled_from(["llama-2-7b", "mistral-7b", "gpt2", "falcon-7b", "qwen2.5-7b"]),
    pair=st.lists(st.sampled_from(FORMATS_BY_BITS), min_size=2, max_size=2, unique=True),
)
def test_weight_bytes_monotone_in_bits(model_id: str, pair: list[str]) -> None:
    low, high = sorted(pair, key=FORMATS_BY_BITS.index)
    arch = _llm(model_id)
    assert weight_bytes(arch, resolve_precision(low)) < weight_bytes(arch, resolve_precision(high))


@given(bpw=st.floats(2.0, 7.9))
def test_exl2_weight_bytes_grow_with_bpw(bpw: float) -> None:
    arch = _llm("llama-2-7b")
    lower = weight_bytes(arch, resolve_precision(f"exl2-{bpw:.2f}"))
    higher = weight_bytes(arch, resolve_precision(f"exl2-{bpw + 0.1:.2f}"))
    assert lower < higher


def test_vision_encoder_weights_stay_16_bit_and_out_of_gguf() -> None:
    gemma = resolve_model("gemma-3-27b")
    assert isinstance(gemma, Architecture)
    text_only = gemma.model_copy(update={"vision_params": 0})
    for name in ("bf16", "fp8", "awq-4bit"):
        fmt = resolve_precision(name)
        extra = weight_bytes(gemma, fmt) - weight_bytes(text_only, fmt)
        assert extra == 2 * 423_060_336, name
    q4 = resolve_precision("q4_k_m")  # llama.cpp keeps the vision tower in a separate mmproj
    assert weight_bytes(gemma, q4) == weight_bytes(text_only, q4)
