"""config.json readers for the LayerNorm-era families: gpt2, falcon (incl. RefinedWeb), mpt,
gpt_neox, opt, bloom. Keys and defaults follow transformers' ``configuration_<family>.py``
(mpt: MosaicML's ``configuration_mpt.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spicetrader.errors import InputError
from spicetrader.models.arch import NormKind, PositionKind
from spicetrader.models.hf_keys import HfConfig
from spicetrader.models.hf_modern import decoder

__all__ = ["read_bloom", "read_falcon", "read_gpt2", "read_gpt_neox", "read_mpt", "read_opt"]


def read_gpt2(c: HfConfig) -> dict[str, Any]:
    hidden = c.get_int("n_embd", "hidden_size")
    heads = c.get_int("n_head", "num_attention_heads")
    positions = c.get_int("n_positions", "max_position_embeddings", default=1024)
    return {
        "layers": c.get_int("n_layer", "num_hidden_layers"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": heads,
        "head_dim": hidden // heads,
        "ffn_hidden": c.get_int("n_inner", default=4 * hidden),
        "vocab": c.get_int("vocab_size"),
        "tied_embeddings": c.get_bool("tie_word_embeddings", True),
        "gated_ffn": False,
        "max_context": positions,
        "norm": NormKind.LAYERNORM,
        "norm_bias": True,
        "qkv_bias": True,
        "attn_out_bias": True,
        "mlp_bias": True,
        "position": PositionKind.LEARNED,
        "position_embeddings": positions,
    }


def read_falcon(c: HfConfig) -> dict[str, Any]:
    hidden = c.get_int("hidden_size", "n_embed")
    heads = c.get_int("num_attention_heads", "n_head")
    new_arch = c.get_bool("new_decoder_architecture", False)
    parallel = c.get_bool("parallel_attn", True)
    if new_arch:
        kv = c.get_int("num_kv_heads", "n_head_kv", default=heads)
        norms = c.get_int("num_ln_in_parallel_attn", default=2)
    else:
        kv = 1 if c.get_bool("multi_query", True) else heads
        norms = 1 if parallel else 2
    bias = c.get_bool("bias", False)
    return {
        "layers": c.get_int("num_hidden_layers", "n_layer"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": kv,
        "head_dim": hidden // heads,
        "ffn_hidden": c.get_int("ffn_hidden_size", default=4 * hidden),
        "vocab": c.get_int("vocab_size"),
        "tied_embeddings": c.get_bool("tie_word_embeddings", True),
        "gated_ffn": False,
        "max_context": c.get_int("max_position_embeddings", default=2048),
        "norm": NormKind.LAYERNORM,
        "norm_bias": True,
        "norms_per_layer": norms,
        "qkv_bias": bias,
        "attn_out_bias": bias,
        "mlp_bias": bias,
        "parallel_attention": parallel or new_arch,
        "position": PositionKind.ALIBI if c.get_bool("alibi", False) else PositionKind.ROPE,
    }


def read_mpt(c: HfConfig) -> dict[str, Any]:
    hidden = c.get_int("d_model")
    heads = c.get_int("n_heads")
    bias = not c.get_bool("no_bias", True)
    attn = c.data.get("attn_config") or {}
    alibi = bool(attn.get("alibi", True)) if isinstance(attn, Mapping) else True
    ffn = c.data.get("ffn_config") or {}
    ratio = c.data.get("expansion_ratio", ffn.get("expansion_ratio", 4) if ffn else 4)
    if not isinstance(ratio, int | float) or ratio <= 0:
        raise InputError(f"config.json: expansion_ratio must be a positive number, got {ratio!r}")
    return {
        "layers": c.get_int("n_layers"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": heads,
        "head_dim": hidden // heads,
        "ffn_hidden": int(ratio * hidden),
        "vocab": c.get_int("vocab_size"),
        "tied_embeddings": True,
        "gated_ffn": False,
        "max_context": c.get_int("max_seq_len", default=2048),
        "norm": NormKind.LAYERNORM,
        "norm_bias": bias,
        "qkv_bias": bias,
        "attn_out_bias": bias,
        "mlp_bias": bias,
        "position": PositionKind.ALIBI if alibi else PositionKind.ROPE,
    }


def read_gpt_neox(c: HfConfig) -> dict[str, Any]:
    core = decoder(c)
    bias = c.get_bool("attention_bias", True)
    return {
        **core,
        "gated_ffn": False,
        "norm": NormKind.LAYERNORM,
        "norm_bias": True,
        "qkv_bias": bias,
        "attn_out_bias": bias,
        "mlp_bias": True,
        "parallel_attention": c.get_bool("use_parallel_residual", True),
    }


def read_opt(c: HfConfig) -> dict[str, Any]:
    hidden = c.get_int("hidden_size")
    heads = c.get_int("num_attention_heads")
    if c.get_int("word_embed_proj_dim", default=hidden) != hidden:
        raise InputError("OPT configs with word_embed_proj_dim != hidden_size are not supported")
    positions = c.get_int("max_position_embeddings", default=2048)
    bias = c.get_bool("enable_bias", True)
    return {
        "layers": c.get_int("num_hidden_layers"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": heads,
        "head_dim": hidden // heads,
        "ffn_hidden": c.get_int("ffn_dim"),
        "vocab": c.get_int("vocab_size"),
        "tied_embeddings": c.get_bool("tie_word_embeddings", True),
        "gated_ffn": False,
        "max_context": positions,
        "norm": NormKind.LAYERNORM,
        "norm_bias": True,
        "qkv_bias": bias,
        "attn_out_bias": bias,
        "mlp_bias": bias,
        "position": PositionKind.LEARNED,
        "position_embeddings": positions + 2,
    }


def read_bloom(c: HfConfig) -> dict[str, Any]:
    hidden = c.get_int("hidden_size", "n_embed")
    heads = c.get_int("n_head", "num_attention_heads")
    return {
        "layers": c.get_int("n_layer", "num_hidden_layers"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": heads,
        "head_dim": hidden // heads,
        "ffn_hidden": 4 * hidden,
        "vocab": c.get_int("vocab_size"),
        "tied_embeddings": True,
        "gated_ffn": False,
        "max_context": c.get_int("seq_length", default=2048),
        "norm": NormKind.LAYERNORM,
        "norm_bias": True,
        "embedding_norm": True,
        "qkv_bias": True,
        "attn_out_bias": True,
        "mlp_bias": True,
        "position": PositionKind.ALIBI,
    }
