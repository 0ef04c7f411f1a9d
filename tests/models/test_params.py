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
    # 2025 releases: the safetensors totals of the HF checkpoints (text-only models).
    "qwen3-4b": 4_022_468_096,
    "qwen3-8b": 8_190_735_360,
    "qwen3-14b": 14_768_307_200,
    "qwen3-32b": 32_762_123_264,
    "qwen3-30b-a3b": 30_532_122_624,
    "qwen3-235b-a22b": 235_093_634_560,
    "gemma-3-1b": 999_885_952,
    "mistral-small-3-24b": 23_572_403_200,
    "phi-4": 14_659_507_200,
    "smollm3-3b": 3_075_098_624,
    "kimi-k2": 1_026_408_232_448,
    "deepseek-r1": 671_026_419_200,  # without the MTP module, as deepseek-v3
    "deepseek-v3.1": 671_026_419_200,
    "deepseek-r1-distill-qwen-1.5b": 1_777_088_000,
    "deepseek-r1-distill-qwen-7b": 7_615_616_512,
    "deepseek-r1-distill-qwen-14b": 14_770_033_664,
    "deepseek-r1-distill-qwen-32b": 32_763_876_352,
    "deepseek-r1-distill-llama-8b": 8_030_261_248,
    "deepseek-r1-distill-llama-70b": 70_553_706_496,
    # Read 2026-12-03: HF safetensors totals (Hub API / safetensors index metadata).
    "seed-oss-36b": 36_151_104_512,
    "phi-4-mini": 3_836_021_760,
    # The Qwen3 2507 updates ship their base model's tensors: the Hub reports the same totals.
    "qwen3-4b-2507": 4_022_468_096,
    "qwen3-30b-a3b-2507": 30_532_122_624,
    "qwen3-coder-30b-a3b": 30_532_122_624,
    "qwen3-235b-a22b-2507": 235_093_634_560,
    # Kimi K2 0905 and Thinking: K2-Instruct's config shape, so K2's count (the Thinking
    # checkpoint's packed INT4 tensors do not tally as parameters one to one).
    "kimi-k2-0905": 1_026_408_232_448,
    "kimi-k2-thinking": 1_026_408_232_448,
    # Read 2026-12-04: DeepSeek-V2-Lite (and -Chat), the Hub's total, as chatllm.cpp's loader
    # also prints for the DeepSeek-V2-Lite architecture ("with 15706484224 ... parameters").
    "deepseek-v2-lite": 15_706_484_224,
}

# Multimodal checkpoints: the safetensors total = language model (the formula) + vision tower.
# Gemma 3 and Mistral Small 3.1 vision counts are computed from their vision configs (notes);
# Llama 4's is one figure that must explain both Scout's and Maverick's totals.
PINNED_WITH_VISION = {
    "gemma-3-4b": 4_300_079_472,
    "gemma-3-12b": 12_187_325_040,
    "gemma-3-27b": 27_432_406_640,
    "mistral-small-3.1-24b": 24_011_361_280,
    "llama-4-scout": 108_641_793_536,
    "llama-4-maverick": 401_583_781_376,
}

# Checkpoints that also ship a multi-token-prediction layer (Qwen3.5 / 3.6): safetensors total =
# language model + vision tower + MTP layer, each counted by hand below.
PINNED_WITH_VISION_AND_MTP = {"qwen3.6-35b-a3b": 35_951_822_704, "qwen3.6-27b": 27_781_427_952}

# Tied-embedding models whose safetensors file stores the lm_head again (one more vocab x hidden).
PINNED_STORED_TWICE = {"qwen3-0.6b": 751_632_384, "qwen3-1.7b": 2_031_739_904}

# Where no exact total is published: model-card figures (billions), total and active, and how
# many vocab x hidden tables the card's active count leaves out (GLM and Qwen3-Next count
# neither the input embedding nor the output layer as active).
MODEL_CARD_B = {
    "qwen3-coder-480b-a35b": (480.0, 35.0, 0),
    "glm-4.5": (355.0, 32.0, 2),
    "glm-4.5-air": (106.0, 12.0, 2),
    "llama-4-scout": (109.0 - 0.87, 17.0, 0),  # the card's 109B includes the vision encoder
    "llama-4-maverick": (400.0, 17.0, 0),
    "qwen3-next-80b-a3b": (80.0, 3.0, 2),
    "glm-4.7": (355.0, 32.0, 2),
    "minimax-m2": (230.0, 10.0, 2),  # 228.7B; "10B activated" leaves out both 200K-vocab tables
    "qwen3.6-35b-a3b": (35.0, 3.0, 0),  # "35B-A3B": 34.7B language model, 3.45B active
}


def _llm(model_id: str) -> Architecture:
    arch = resolve_model(model_id)
    assert isinstance(arch, Architecture)
    return arch


@pytest.mark.parametrize(("model_id", "expected"), sorted(PINNED_TOTAL.items()))
def test_total_params_match_published(model_id: str, expected: int) -> None:
    seen = _llm(model_id).total_params()
    assert seen == expected, f"{model_id}: we see {seen:,}, expected {expected:,}"


@pytest.mark.parametrize(("model_id", "expected"), sorted(PINNED_WITH_VISION.items()))
def test_multimodal_totals_match_published(model_id: str, expected: int) -> None:
    arch = _llm(model_id)
    assert arch.vision_params > 0
    seen = arch.total_params() + arch.vision_params
    assert seen == expected, f"{model_id}: we see {seen:,}, expected {expected:,}"


def test_llama_4_scout_and_maverick_share_one_vision_encoder() -> None:
    assert _llm("llama-4-scout").vision_params == _llm("llama-4-maverick").vision_params


@pytest.mark.parametrize(("model_id", "expected"), sorted(PINNED_STORED_TWICE.items()))
def test_tied_checkpoints_storing_the_head_twice(model_id: str, expected: int) -> None:
    arch = _llm(model_id)
    assert arch.tied_embeddings
    seen = arch.total_params() + arch.embedding_params()
    assert seen == expected, f"{model_id}: we see {seen:,}, expected {expected:,}"


@pytest.mark.parametrize(("model_id", "card"), sorted(MODEL_CARD_B.items()))
def test_new_moe_counts_match_model_cards(model_id: str, card: tuple[float, float, int]) -> None:
    total_b, active_b, tables_left_out = card
    arch = _llm(model_id)
    assert arch.total_params() / 1e9 == pytest.approx(total_b, rel=0.01)
    # Cards (and names like "A3B") round active counts to whole billions.
    active = arch.active_params() - tables_left_out * arch.vocab * arch.hidden
    assert round(active / 1e9) == active_b


def _qwen3_5_vision_tower(out_hidden: int) -> int:
    """The Qwen3.5 ViT by hand (vision_config: depth 27, hidden 1152, intermediate 4304, 16
    heads, patch 16, temporal patch 2, 2304 learned positions, 2x2 spatial merge, no deepstack):
    patch conv + bias, positions, 27 pre-norm blocks (LayerNorms, qkv/proj/fc1/fc2 with biases),
    and the merger (LayerNorm, fc1 4v -> 4v, fc2 4v -> out)."""
    v, inner = 1152, 4304
    block = 2 * 2 * v + (v * 3 * v + 3 * v) + (v * v + v) + (v * inner + inner) + (inner * v + v)
    merged = 4 * v
    merger = 2 * v + (merged * merged + merged) + (merged * out_hidden + out_hidden)
    return (3 * 2 * 16 * 16 * v + v) + 2304 * v + 27 * block + merger


def _qwen3_5_mtp_layer(arch: Architecture) -> int:
    """The one multi-token-prediction layer the checkpoints ship (left out of total_params): a
    gated-attention decoder layer (q doubled for the gate, q/k norms, two norms) with the
    model's FFN, the 2h -> h fc and three norms (pre-fc embedding / hidden, final)."""
    h, q = arch.hidden, arch.heads * arch.head_dim
    attention = h * 2 * q + 2 * h * arch.kv_heads * arch.head_dim + q * h + 2 * arch.head_dim
    if arch.experts > 1:
        assert arch.moe_ffn_hidden is not None
        assert arch.shared_ffn_hidden is not None
        ffn = (arch.experts * 3 * h * arch.moe_ffn_hidden + h * arch.experts
               + 3 * h * arch.shared_ffn_hidden + h)  # fmt: skip
    else:
        ffn = 3 * h * arch.ffn_hidden
    return attention + ffn + 2 * h + 2 * h * h + 3 * h


@pytest.mark.parametrize(("model_id", "published"), sorted(PINNED_WITH_VISION_AND_MTP.items()))
def test_qwen3_6_explains_its_safetensors_total(model_id: str, published: int) -> None:
    # Published (HF safetensors.total) = language model + vision tower + the MTP layer.
    arch = _llm(model_id)
    assert arch.vision_params == _qwen3_5_vision_tower(out_hidden=arch.hidden)
    seen = arch.total_params() + arch.vision_params + _qwen3_5_mtp_layer(arch)
    assert seen == published, f"{model_id}: we see {seen:,}, expected {published:,}"


def test_minimax_m2_total_with_its_full_width_qk_norms() -> None:
    # MiniMax-M2 normalises the whole q and k projections (qk_norm_type "per_layer"): 48 x 128
    # + 8 x 128 weights a layer where the qk_norm formula counts 2 x head_dim. Published total:
    # 228,689,764,864 (HF safetensors; llama.cpp's model_n_params of the GGUF conversion agrees).
    arch = _llm("minimax-m2")
    full_width = arch.heads * arch.head_dim + arch.kv_heads * arch.head_dim
    seen = arch.total_params() + arch.layers * (full_width - 2 * arch.head_dim)
    assert seen == 228_689_764_864, f"we see {seen:,}"


def test_same_tensors_different_context_rows() -> None:
    # The 2507 / 0905 / Thinking rows change what a plan reads (context, weight format), not shape.
    pairs = [
        ("qwen3-4b", "qwen3-4b-2507"),
        ("qwen3-30b-a3b", "qwen3-30b-a3b-2507"),
        ("qwen3-30b-a3b", "qwen3-coder-30b-a3b"),
        ("qwen3-235b-a22b", "qwen3-235b-a22b-2507"),
        ("kimi-k2", "kimi-k2-0905"),
        ("kimi-k2", "kimi-k2-thinking"),
        ("glm-4.6", "glm-4.7"),
    ]
    for base_id, update_id in pairs:
        base, update = _llm(base_id), _llm(update_id)
        assert base.kv_cache_elements_per_token() == update.kv_cache_elements_per_token()
        assert base.active_params() == update.active_params(), update_id
    assert _llm("qwen3-30b-a3b-2507").max_context == 262_144 > _llm("qwen3-30b-a3b").max_context
    assert _llm("kimi-k2-thinking").native_precision == "int4-g32"


def test_qwen3_model_card_non_embedding_counts() -> None:
    # Qwen3 cards: 0.44B / 1.4B / 3.6B / 6.95B / 13.2B / 31.2B non-embedding parameters.
    card = {"qwen3-0.6b": 0.44, "qwen3-1.7b": 1.4, "qwen3-4b": 3.6, "qwen3-8b": 6.95,
            "qwen3-14b": 13.2, "qwen3-32b": 31.2}  # fmt: skip
    for model_id, billions in card.items():
        arch = _llm(model_id)
        non_embedding = arch.total_params() - arch.embedding_params() - arch.lm_head_params()
        assert non_embedding / 1e9 == pytest.approx(billions, rel=0.03), model_id


def test_interleaved_dense_layers_count_like_leading_ones() -> None:
    # Maverick: 24 MoE + 24 dense layers; per-layer counts do not depend on the order.
    maverick = _llm("llama-4-maverick")
    h, dense_ffn, expert_ffn, experts = 5120, 16384, 8192, 128
    moe_minus_dense = (experts + 1) * 3 * h * expert_ffn + h * experts - 3 * h * dense_ffn
    scout_like = maverick.model_copy(update={"dense_layers": 0})
    assert scout_like.total_params() - maverick.total_params() == 24 * moe_minus_dense


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


def test_every_bundled_model_has_release_date_and_licence() -> None:
    for model in list_models():
        assert model.released is not None, model.id
        assert model.license is not None, model.id
        assert model.released[:4] <= model.as_of[:4], f"{model.id}: released after it was read"


def test_every_pinned_id_is_bundled() -> None:
    ids = {m.id for m in list_models()}
    pinned = {*PINNED_TOTAL, *PINNED_WITH_VISION, *PINNED_STORED_TWICE, *MODEL_CARD_B,
              *PINNED_WITH_VISION_AND_MTP}  # fmt: skip
    assert pinned <= ids, pinned - ids


def test_every_2025_language_model_is_pinned() -> None:
    """A new row must come with its published count (exact, or the model card's)."""
    pinned = {*PINNED_TOTAL, *PINNED_WITH_VISION, *PINNED_STORED_TWICE, *MODEL_CARD_B,
              *PINNED_WITH_VISION_AND_MTP, "gpt-oss-20b", "gpt-oss-120b", "glm-4.6"}  # fmt: skip
    recent = {m.id for m in list_models() if isinstance(m, Architecture)
              and (m.released or "") >= "2025"}  # fmt: skip
    assert recent <= pinned, recent - pinned


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


def test_hybrid_linear_attention_counts_and_cache() -> None:
    arch = _llm("qwen3-next-80b-a3b")
    # One Gated DeltaNet mixer, by hand: in_proj_qkvz 2048 x (2*2048 + 2*4096), in_proj_ba
    # 2048 x 64, depthwise conv 8192 x 4, dt_bias + A_log 2 x 32, norm 128, out_proj 4096 x 2048.
    delta_net = 2048 * 12288 + 2048 * 64 + 8192 * 4 + 64 + 128 + 4096 * 2048
    # One gated softmax attention: q (+gate) 2048 x 8192, k, v 2048 x 512, o 4096 x 2048, q/k norms.
    gated_attention = 2048 * 8192 + 2 * 2048 * 512 + 4096 * 2048 + 2 * 256
    full = arch.model_copy(update={"linear_attention_layers": 0})
    assert full.total_params() - arch.total_params() == 36 * (gated_attention - delta_net)
    # Only the 12 softmax layers cache keys and values.
    assert arch.kv_cache_elements_per_token() == 2 * 12 * 2 * 256
    # Attention FLOPs: only softmax layers grow with the context.
    grow = arch.attention_flops_per_token(20_000) - arch.attention_flops_per_token(10_000)
    assert grow == 4 * 12 * 16 * 256 * 10_000
