"""config.json readers for the 2025-26 families: gemma3 / gemma3_text, llama4, glm4_moe,
kimi_k2, smollm3, mistral3, qwen3_next, qwen3_5 / qwen3_5_moe. Multimodal configs (gemma3, llama4,
mistral3, qwen3_5) nest the language model under ``text_config``; keys and defaults follow
transformers' ``configuration_<family>.py``.

Vision towers: Gemma 3's SigLIP encoder is counted from its ``vision_config`` (see
:func:`siglip_params`); the Llama 4, Mistral 3 and Qwen3.5 vision towers are not read
(``vision_params`` stays 0 for those imports; the bundled Llama 4 and Mistral rows carry them).
"""

from __future__ import annotations

from typing import Any

from spicetrader.models.hf_keys import HfConfig
from spicetrader.models.hf_modern import (
    decoder,
    read_deepseek,
    read_llama,
    read_mistral,
    read_qwen3,
)

__all__ = [
    "read_gemma3", "read_gemma3_text", "read_glm4_moe", "read_kimi_k2", "read_llama4",
    "read_mistral3", "read_qwen3_5", "read_qwen3_next", "read_smollm3", "siglip_params",
]  # fmt: skip

GEMMA3_PATTERN = 6  # transformers Gemma3TextConfig: five local layers to one global


def _text(c: HfConfig) -> HfConfig:
    """The language-model part: ``text_config`` when the config nests one."""
    nested = c.data.get("text_config")
    return HfConfig(nested, c.model_type) if isinstance(nested, dict) else c


def _local_layers(c: HfConfig, layers: int, local_name: str, pattern: int) -> int:
    """Layers of ``local_name`` type in ``layer_types``, else all but every ``pattern``-th."""
    layer_types = c.data.get("layer_types")
    if isinstance(layer_types, list) and layer_types:
        return sum(1 for t in layer_types if t == local_name)
    return layers - layers // pattern


def read_gemma3_text(c: HfConfig) -> dict[str, Any]:
    core = decoder(c, tied=True)
    pattern = c.get_int("sliding_window_pattern", default=GEMMA3_PATTERN)
    local = _local_layers(c, core["layers"], "sliding_attention", pattern)
    window = c.get_opt_int("sliding_window")
    return {
        **core, "norms_per_layer": 4, "qk_norm": True, "sliding_window": window,
        "sliding_window_layers": local if window else 0,
    }  # fmt: skip


def siglip_params(vision: HfConfig, text_hidden: int) -> int:
    """A SigLIP vision tower [hidden_size, intermediate_size, num_hidden_layers, patch_size,
    image_size, num_channels] plus Gemma 3's projector (``hidden x text_hidden`` and a norm).

    Per layer: q/k/v/o with biases, two LayerNorms (weight + bias), fc1/fc2 with biases; a patch
    convolution with bias, a learned position table, a final LayerNorm (transformers
    ``SiglipVisionTransformer``; ``Gemma3MultiModalProjector``).
    """
    h = vision.get_int("hidden_size")
    inner = vision.get_int("intermediate_size")
    patch = vision.get_int("patch_size")
    positions = (vision.get_int("image_size") // patch) ** 2
    per_layer = 4 * (h * h + h) + 2 * 2 * h + (h * inner + inner) + (inner * h + h)
    channels = vision.get_int("num_channels", default=3)
    tower = channels * patch * patch * h + h + positions * h + 2 * h
    tower += vision.get_int("num_hidden_layers") * per_layer
    return tower + h * text_hidden + h


def read_gemma3(c: HfConfig) -> dict[str, Any]:
    fields = read_gemma3_text(_text(c))
    vision = c.data.get("vision_config")
    if isinstance(vision, dict):
        fields["vision_params"] = siglip_params(HfConfig(vision, "siglip"), fields["hidden"])
    return fields


def read_llama4(c: HfConfig) -> dict[str, Any]:
    """Llama 4 text model: MoE every ``interleave_moe_layer_step``-th layer (routed experts of
    ``intermediate_size`` + one shared), dense layers of ``intermediate_size_mlp``; chunked
    attention (``attention_chunk_size``) on the RoPE layers, modelled as a window."""
    t = _text(c)
    core = read_llama(t)
    layers = core["layers"]
    step = t.get_int("interleave_moe_layer_step", default=1)
    chunk = t.get_opt_int("attention_chunk_size")
    no_rope = t.data.get("no_rope_layers")
    chunked = sum(1 for flag in no_rope if flag) if isinstance(no_rope, list) and no_rope else 0
    return {
        **core, "ffn_hidden": t.get_int("intermediate_size_mlp"),
        "moe_ffn_hidden": t.get_int("intermediate_size"),
        "experts": t.get_int("num_local_experts"),
        "experts_per_token": t.get_int("num_experts_per_tok", default=1),
        "shared_experts": 1, "dense_layers": layers - layers // step,
        "sliding_window": chunk, "sliding_window_layers": chunked if chunk else 0,
    }  # fmt: skip


def read_glm4_moe(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    experts = c.get_int("n_routed_experts")
    return {
        **core, "qkv_bias": c.get_bool("attention_bias", False),
        "qk_norm": c.get_bool("use_qk_norm", False), "experts": experts,
        "experts_per_token": c.get_int("num_experts_per_tok"),
        "moe_ffn_hidden": c.get_int("moe_intermediate_size"),
        "shared_experts": c.get_int("n_shared_experts", default=0),
        "dense_layers": c.get_int("first_k_dense_replace", default=0),
        "router_bias": True,  # e_score_correction_bias (noaux_tc routing)
    }  # fmt: skip


def read_kimi_k2(c: HfConfig) -> dict[str, Any]:
    """Kimi K2 ships DeepSeek-V3's layout under its own model_type."""
    return read_deepseek(c)


def read_smollm3(c: HfConfig) -> dict[str, Any]:
    """Llama layout; NoPE layers have no parameters of their own."""
    return {**read_llama(c), "tied_embeddings": c.get_bool("tie_word_embeddings", True)}


def read_mistral3(c: HfConfig) -> dict[str, Any]:
    """Mistral Small 3.1/3.2: a Mistral text model under ``text_config`` (vision not read)."""
    return read_mistral(_text(c))


def _hybrid(c: HfConfig, core: dict[str, Any]) -> dict[str, Any]:
    """The Gated DeltaNet / gated-attention fields shared by qwen3_next and qwen3_5."""
    layers = core["layers"]
    layer_types = c.data.get("layer_types")
    if isinstance(layer_types, list) and layer_types:
        linear = sum(1 for t in layer_types if t == "linear_attention")
    else:
        linear = layers - layers // c.get_int("full_attention_interval", default=4)
    return {
        "attn_output_gate": c.get_bool("attn_output_gate", True),
        "linear_attention_layers": linear,
        "linear_key_heads": c.get_int("linear_num_key_heads"),
        "linear_value_heads": c.get_int("linear_num_value_heads"),
        "linear_key_head_dim": c.get_int("linear_key_head_dim"),
        "linear_value_head_dim": c.get_int("linear_value_head_dim"),
        "linear_conv_kernel": c.get_int("linear_conv_kernel_dim", default=4),
    }


def _sparse_moe(c: HfConfig) -> dict[str, Any]:
    shared = c.get_opt_int("shared_expert_intermediate_size")
    return {
        "experts": c.get_int("num_experts"),
        "experts_per_token": c.get_int("num_experts_per_tok"),
        "moe_ffn_hidden": c.get_int("moe_intermediate_size"),
        "shared_experts": 1 if shared else 0, "shared_ffn_hidden": shared,
        "shared_expert_gate": bool(shared),
        "dense_layers": len(c.data.get("mlp_only_layers") or []),
    }  # fmt: skip


def read_qwen3_5(c: HfConfig) -> dict[str, Any]:
    """Qwen3.5 (dense or MoE, ``text_config``): Qwen3-Next's hybrid layers; the MoE variants'
    ``intermediate_size`` may be absent (every layer sparse)."""
    t = _text(c)
    moe = t.get_opt_int("num_experts") is not None
    if moe and t.data.get("intermediate_size") is None:
        t = HfConfig({**t.data, "intermediate_size": t.get_int("moe_intermediate_size")}, "qwen3_5")
    core = read_qwen3(t)
    return {**core, **_hybrid(t, core), **(_sparse_moe(t) if moe else {})}


def read_qwen3_next(c: HfConfig) -> dict[str, Any]:
    """Qwen3-Next: Gated DeltaNet on three of every four layers (``full_attention_interval``),
    gated softmax attention on the rest, sparse MoE with a gated shared expert."""
    core = read_qwen3(c)
    return {**core, **_hybrid(c, core), **_sparse_moe(c)}
