"""Parameter counts pinned to published figures (nanoGPT style: we see X, expected Y)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicetrader.models.arch import Architecture
from spicetrader.models.registry import list_models, resolve_model

# Published / reference counts (HF safetensors metadata, papers, model cards).
PINNED_TOTAL = {
    "llama-2-7b": 6_738_415_616,
    "llama-2-70b": 68_976_648_192,
    "llama-3-8b": 8_030_261_248,
    "mistral-7b": 7_241_732_096,
    "mixtral-8x7b": 46_702_792_704,
    "gpt2": 124_439_808,
    "llama-3.1-405b": 405_853_388_800,
    "tinyllama-1.1b": 1_100_048_384,
    "qwen2.5-7b": 7_615_616_512,
    "deepseek-v3": 671_026_419_200,
    "gemma-2-9b": 9_241_705_984,
    "phi-3-mini": 3_821_079_552,
    "falcon-7b": 6_921_720_704,
    "bloom-176b": 176_247_271_424,
    "mpt-7b": 6_649_286_656,
}


def _llm(model_id: str) -> Architecture:
    arch = resolve_model(model_id)
    assert isinstance(arch, Architecture)
    return arch


@pytest.mark.parametrize(("model_id", "expected"), sorted(PINNED_TOTAL.items()))
def test_total_params_match_published(model_id: str, expected: int) -> None:
    seen = _llm(model_id).total_params()
    assert seen == expected, f"{model_id}: we see {seen:,}, expected {expected:,}"


def test_mixtral_active_params() -> None:
    # 46,702,792,704 total minus 32 layers x 6 idle experts x 3 x 4096 x 14336.
    arch = _llm("mixtral-8x7b")
    assert arch.active_params() == 46_702_792_704 - 32 * 6 * 3 * 4096 * 14336
    assert arch.active_params() == 12_879_925_248


@pytest.mark.parametrize(
    ("model_id", "total_b", "active_b"),
    [("gpt-oss-20b", 20.91, 3.61), ("gpt-oss-120b", 116.83, 5.13), ("qwen3-30b-a3b", 30.5, 3.3),
     ("deepseek-v3", 671.0, 37.0)],
)  # fmt: skip
def test_moe_counts_match_model_cards(model_id: str, total_b: float, active_b: float) -> None:
    arch = _llm(model_id)
    assert arch.total_params() / 1e9 == pytest.approx(total_b, rel=0.005)
    # gpt-oss model cards count active parameters without the input embedding.
    active = arch.active_params() - (arch.embedding_params() if arch.family == "gpt_oss" else 0)
    assert active / 1e9 == pytest.approx(active_b, rel=0.02)


def test_kv_cache_elements_per_token() -> None:
    assert _llm("llama-2-7b").kv_cache_elements_per_token() == 2 * 32 * 4096 == 262_144
    assert _llm("llama-3-8b").kv_cache_elements_per_token() == 2 * 32 * 8 * 128 == 65_536
    # MLA caches the 512-d latent plus the 64-d rope key per layer.
    assert _llm("deepseek-v3").kv_cache_elements_per_token() == 61 * (512 + 64)


def test_attention_flops_per_token() -> None:
    arch = _llm("llama-2-7b")
    assert arch.attention_flops_per_token(1000) == 4 * 32 * 32 * 128 * 1000
    # Mistral's 4096 window caps every layer's context.
    mistral = _llm("mistral-7b")
    assert mistral.attention_flops_per_token(10_000) == mistral.attention_flops_per_token(4096)


def test_embedding_and_lm_head() -> None:
    llama = _llm("llama-2-7b")
    assert llama.embedding_params() == llama.lm_head_params() == 32000 * 4096
    gpt2 = _llm("gpt2")  # tied head, learned positions
    assert gpt2.lm_head_params() == 0
    assert gpt2.embedding_params() == (50257 + 1024) * 768


def test_every_bundled_model_has_source_and_date() -> None:
    for model in list_models():
        assert model.source.startswith(("http", "https")), model.id
        assert model.as_of[:2] in ("19", "20"), model.id
        assert model.total_params() > 0


@given(
    layers=st.integers(1, 64),
    heads_per_kv=st.sampled_from([1, 2, 4, 8]),
    kv_heads=st.integers(1, 8),
    head_dim=st.sampled_from([32, 64, 128]),
    experts=st.integers(1, 16),
    data=st.data(),
)
def test_active_never_exceeds_total(
    layers: int, heads_per_kv: int, kv_heads: int, head_dim: int, experts: int, data: st.DataObject
) -> None:
    k = data.draw(st.integers(1, experts))
    heads = kv_heads * heads_per_kv
    arch = Architecture(
        id="prop", name="prop", family="llama", layers=layers, hidden=heads * head_dim,
        heads=heads, kv_heads=kv_heads, head_dim=head_dim, ffn_hidden=4 * heads * head_dim,
        vocab=1000, experts=experts, experts_per_token=k, max_context=2048, source="test",
        as_of="2025-01",
    )  # fmt: skip
    assert 0 < arch.active_params() <= arch.total_params()
    assert (arch.active_params() == arch.total_params()) == (k == experts)
