"""config.json readers for llama-style decoders (RMSNorm, rotary, gated FFN) and their MoE and
MLA relatives: llama, mistral, mixtral, qwen2/qwen2_moe/qwen3/qwen3_moe, gemma/gemma2, phi3,
deepseek_v2/v3, gpt_oss. Keys and defaults follow transformers' ``configuration_<family>.py``.
"""

from __future__ import annotations

from typing import Any

from spicetrader.models.hf_keys import HfConfig

__all__ = [
    "decoder", "read_deepseek", "read_gemma", "read_gemma2", "read_gpt_oss", "read_llama",
    "read_mistral", "read_mixtral", "read_phi3", "read_qwen2", "read_qwen2_moe", "read_qwen3",
    "read_qwen3_moe",
]  # fmt: skip


def decoder(c: HfConfig, *, tied: bool = False) -> dict[str, Any]:
    """The llama-style core shared by most families."""
    hidden = c.get_int("hidden_size")
    heads = c.get_int("num_attention_heads")
    return {
        "layers": c.get_int("num_hidden_layers"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": c.get_int("num_key_value_heads", default=heads),
        "head_dim": c.get_int("head_dim", default=hidden // heads),
        "ffn_hidden": c.get_int("intermediate_size"),
        "vocab": c.get_int("vocab_size"),
        "tied_embeddings": c.get_bool("tie_word_embeddings", tied),
        "max_context": c.get_int("max_position_embeddings", default=2048),
    }


def window(c: HfConfig, layers: int, share: float = 1.0) -> dict[str, Any]:
    window = c.get_opt_int("sliding_window")
    if window is None or not c.get_bool("use_sliding_window", True):
        return {}
    return {"sliding_window": window, "sliding_window_layers": int(layers * share)}


def read_llama(c: HfConfig) -> dict[str, Any]:
    bias = c.get_bool("attention_bias", False)
    return {
        **decoder(c),
        "qkv_bias": bias,
        "attn_out_bias": bias,
        "mlp_bias": c.get_bool("mlp_bias", False),
    }


def read_mistral(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    return {**core, **window(c, core["layers"])}


def read_mixtral(c: HfConfig) -> dict[str, Any]:
    return {
        **read_mistral(c),
        "experts": c.get_int("num_local_experts"),
        "experts_per_token": c.get_int("num_experts_per_tok"),
    }


def read_qwen2(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    return {**core, "qkv_bias": True, **window(c, core["layers"])}


def read_qwen2_moe(c: HfConfig) -> dict[str, Any]:
    shared = c.get_opt_int("shared_expert_intermediate_size")
    return {
        **read_qwen2(c),
        "experts": c.get_int("num_experts"),
        "experts_per_token": c.get_int("num_experts_per_tok"),
        "moe_ffn_hidden": c.get_int("moe_intermediate_size"),
        "shared_experts": 1 if shared else 0,
        "shared_ffn_hidden": shared,
        "shared_expert_gate": bool(shared),
    }


def read_qwen3(c: HfConfig) -> dict[str, Any]:
    bias = c.get_bool("attention_bias", False)
    core = decoder(c)
    return {
        **core,
        "qk_norm": True,
        "qkv_bias": bias,
        "attn_out_bias": bias,
        **window(c, core["layers"]),
    }


def read_qwen3_moe(c: HfConfig) -> dict[str, Any]:
    return {
        **read_qwen3(c),
        "experts": c.get_int("num_experts"),
        "experts_per_token": c.get_int("num_experts_per_tok"),
        "moe_ffn_hidden": c.get_int("moe_intermediate_size"),
    }


def read_gemma(c: HfConfig) -> dict[str, Any]:
    return decoder(c, tied=True)


def read_gemma2(c: HfConfig) -> dict[str, Any]:
    core = decoder(c, tied=True)
    return {**core, "norms_per_layer": 4, **window(c, core["layers"], share=0.5)}


def read_phi3(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    return {**core, **window(c, core["layers"])}


def read_deepseek(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    v_dim = c.get_int("v_head_dim")
    experts = c.get_int("n_routed_experts", default=1)
    moe = experts > 1
    return {
        **core,
        "head_dim": v_dim,
        "kv_heads": core["heads"],
        "q_lora_rank": c.get_opt_int("q_lora_rank"),
        "kv_lora_rank": c.get_int("kv_lora_rank"),
        "qk_rope_head_dim": c.get_int("qk_rope_head_dim"),
        "qk_nope_head_dim": c.get_int("qk_nope_head_dim"),
        "v_head_dim": v_dim,
        "experts": experts,
        "experts_per_token": c.get_int("num_experts_per_tok", default=1),
        "shared_experts": c.get_int("n_shared_experts", default=0) if moe else 0,
        "moe_ffn_hidden": c.get_opt_int("moe_intermediate_size"),
        "dense_layers": c.get_int("first_k_dense_replace", default=0) if moe else 0,
        "router_bias": moe and c.data.get("topk_method") == "noaux_tc",
    }


def read_gpt_oss(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    layer_types = c.data.get("layer_types") or []
    sliding = sum(1 for t in layer_types if t == "sliding_attention") if layer_types else 0
    window = c.get_opt_int("sliding_window")
    return {**core, "experts": c.get_int("num_local_experts"),
            "experts_per_token": c.get_int("num_experts_per_tok", "experts_per_token"),
            "qkv_bias": True, "attn_out_bias": True, "mlp_bias": True, "router_bias": True,
            "attention_sinks": True, "sliding_window": window,
            "sliding_window_layers": sliding if window else 0,
            "native_precision": "mxfp4"}  # fmt: skip
