"""Model architectures: the shape of a transformer language model, as data.

An :class:`Architecture` holds the config values that decide parameter counts, KV cache size and
attention FLOPs. The counting itself lives in :mod:`spicetrader.models.params` (one function per
family concept); the methods here are thin, exact-integer wrappers around it.

Field names follow the Hugging Face ``config.json`` vocabulary where one exists:
``layers`` = num_hidden_layers, ``hidden`` = hidden_size, ``heads`` = num_attention_heads,
``kv_heads`` = num_key_value_heads, ``ffn_hidden`` = intermediate_size,
``moe_ffn_hidden`` = moe_intermediate_size, MLA ranks = q_lora_rank / kv_lora_rank / ...

Diffusion pipelines live in :mod:`spicetrader.models.diffusion_arch` (re-exported here).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from spicetrader.models import params
from spicetrader.models.diffusion_arch import Denoiser, DiffusionArchitecture
from spicetrader.models.fields import AS_OF, DATE, ID, Frozen, License, NonNeg, Pos

__all__ = [
    "Architecture",
    "Denoiser",
    "DiffusionArchitecture",
    "License",
    "NormKind",
    "PositionKind",
    "normalise_name",
]


class NormKind(StrEnum):
    RMSNORM = "rmsnorm"
    LAYERNORM = "layernorm"


class PositionKind(StrEnum):
    ROPE = "rope"
    LEARNED = "learned"  # a learned table of position embeddings (gpt2, opt)
    ALIBI = "alibi"  # no parameters (bloom, mpt)


class Architecture(Frozen):
    """A decoder-only transformer language model (dense or mixture-of-experts)."""

    id: Annotated[str, Field(min_length=1, pattern=ID)]
    name: Annotated[str, Field(min_length=1)]
    family: Annotated[str, Field(min_length=1)]
    aliases: tuple[str, ...] = ()
    layers: Pos
    hidden: Pos
    heads: Pos
    kv_heads: Pos
    head_dim: Pos
    ffn_hidden: Pos
    vocab: Pos
    tied_embeddings: bool = False
    gated_ffn: bool = True
    experts: Pos = 1
    experts_per_token: Pos = 1
    shared_experts: NonNeg = 0
    moe_ffn_hidden: Pos | None = None  # each routed expert's intermediate size (default ffn_hidden)
    shared_ffn_hidden: Pos | None = None  # per shared expert (default moe_ffn_hidden)
    shared_expert_gate: bool = False  # qwen2_moe: a hidden->1 sigmoid gate on the shared expert
    # Layers with a dense FFN in an MoE: leading ones (first_k_dense_replace) or interleaved ones
    # (Llama 4 Maverick, interleave_moe_layer_step 2); counts do not depend on where they sit.
    dense_layers: NonNeg = 0
    max_context: Pos
    sliding_window: Pos | None = None
    sliding_window_layers: NonNeg = 0  # how many layers use the window (the rest attend globally)
    norm: NormKind = NormKind.RMSNORM
    norm_bias: bool = False  # LayerNorm with a bias vector
    norms_per_layer: Pos = 2
    qk_norm: bool = False  # per-head RMSNorm on q and k (qwen3)
    embedding_norm: bool = False  # a norm right after the token embedding (bloom)
    qkv_bias: bool = False
    attn_out_bias: bool = False
    mlp_bias: bool = False
    router_bias: bool = False
    attention_sinks: bool = False  # gpt-oss: one learned sink logit per head and layer
    attn_output_gate: bool = False  # qwen3-next: q_proj also emits a sigmoid gate (2x q width)
    # Hybrid models (qwen3_next): layers whose token mixer is a Gated DeltaNet (linear attention,
    # a fixed-size state instead of a KV cache); the rest use softmax attention. Sizes follow the
    # config names linear_num_key_heads / linear_num_value_heads / linear_*_head_dim.
    linear_attention_layers: NonNeg = 0
    linear_key_heads: Pos | None = None
    linear_value_heads: Pos | None = None
    linear_key_head_dim: Pos | None = None
    linear_value_head_dim: Pos | None = None
    linear_conv_kernel: Pos = 4
    parallel_attention: bool = False  # attention and MLP read the same input (falcon, gpt-j/neox)
    position: PositionKind = PositionKind.ROPE
    position_embeddings: NonNeg = 0  # rows of a learned position table (opt: max positions + 2)
    q_lora_rank: Pos | None = None  # MLA (deepseek-v2/v3)
    kv_lora_rank: Pos | None = None
    qk_rope_head_dim: Pos | None = None
    qk_nope_head_dim: Pos | None = None
    v_head_dim: Pos | None = None
    native_precision: str = "bf16"  # the format the weights were released in
    # A vision encoder + projector shipped in the same checkpoint (Gemma 3, Llama 4, Mistral
    # Small 3.1): weights held in memory, never part of a text token's compute. Not in
    # total_params(); weight_bytes() adds it at 16 bits (engines keep vision towers unquantized).
    vision_params: NonNeg = 0
    released: Annotated[str, Field(pattern=DATE)] | None = None  # first release of the weights
    license: License | None = None
    gguf_weight_bytes: NonNeg | None = None  # exact, when imported from a GGUF file
    gguf_precision: str | None = None
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=AS_OF)]
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> Architecture:
        if self.heads % self.kv_heads:
            raise ValueError(
                f"heads ({self.heads}) must be a multiple of kv_heads ({self.kv_heads})"
            )
        if self.experts_per_token > self.experts:
            raise ValueError("experts_per_token cannot exceed experts")
        if self.experts == 1 and (self.shared_experts or self.dense_layers):
            raise ValueError(
                "shared_experts and dense_layers only apply to MoE models (experts > 1)"
            )
        if self.dense_layers > self.layers:
            raise ValueError("dense_layers cannot exceed layers")
        linear = (self.linear_key_heads, self.linear_value_heads, self.linear_key_head_dim,
                  self.linear_value_head_dim)  # fmt: skip
        if self.linear_attention_layers and any(v is None for v in linear):
            raise ValueError("linear_attention_layers needs the four linear_* head sizes")
        if self.linear_attention_layers >= self.layers:
            raise ValueError("linear_attention_layers must leave at least one attention layer")
        if self.layers % (self.layers - self.linear_attention_layers):
            raise ValueError("layers must be a multiple of the softmax-attention layers")
        if self.sliding_window_layers > self.layers - self.linear_attention_layers:
            raise ValueError("sliding_window_layers cannot exceed the softmax-attention layers")
        if self.sliding_window_layers > self.layers:
            raise ValueError("sliding_window_layers cannot exceed layers")
        if self.sliding_window_layers and self.sliding_window is None:
            raise ValueError("sliding_window_layers needs a sliding_window")
        mla = (self.kv_lora_rank, self.qk_rope_head_dim, self.qk_nope_head_dim, self.v_head_dim)
        if any(v is not None for v in mla) and any(v is None for v in mla):
            raise ValueError(
                "MLA needs all of kv_lora_rank, qk_rope_head_dim, qk_nope_head_dim, v_head_dim"
            )
        if self.q_lora_rank is not None and self.kv_lora_rank is None:
            raise ValueError("q_lora_rank is only meaningful for MLA (set kv_lora_rank too)")
        if self.position is PositionKind.LEARNED and not self.position_embeddings:
            raise ValueError("learned positions need position_embeddings (rows of the table)")
        return self

    # --- shape helpers -------------------------------------------------------------------
    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    @property
    def mla(self) -> params.MlaDims | None:
        """MLA sizes, or None for standard multi-head / grouped-query attention."""
        if (
            self.kv_lora_rank is None
            or self.qk_rope_head_dim is None
            or self.qk_nope_head_dim is None
            or self.v_head_dim is None
        ):
            return None
        return params.MlaDims(
            self.q_lora_rank, self.kv_lora_rank, self.qk_rope_head_dim,
            self.qk_nope_head_dim, self.v_head_dim,
        )  # fmt: skip

    @property
    def linear_attention(self) -> params.LinearAttentionDims | None:
        """Gated DeltaNet sizes, or None when every layer uses softmax attention."""
        if (
            not self.linear_attention_layers
            or self.linear_key_heads is None
            or self.linear_value_heads is None
            or self.linear_key_head_dim is None
            or self.linear_value_head_dim is None
        ):
            return None
        return params.LinearAttentionDims(
            self.linear_key_heads, self.linear_value_heads, self.linear_key_head_dim,
            self.linear_value_head_dim, self.linear_conv_kernel,
        )  # fmt: skip

    @property
    def attention_layers(self) -> int:
        """Layers with softmax attention (and a KV cache)."""
        return self.layers - self.linear_attention_layers

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.is_moe else 0

    @property
    def expert_ffn_hidden(self) -> int:
        return self.moe_ffn_hidden or self.ffn_hidden

    # --- counts (exact integers) -----------------------------------------------------------
    @property
    def _counts(self) -> params.ParamCounts:
        return params.count_params(self)

    def total_params(self) -> int:
        """All parameters (an untied lm_head counted once, a tied one not at all)."""
        return self._counts.total

    def active_params(self) -> int:
        """Parameters used per token: dense parts, shared experts, ``experts_per_token`` experts."""
        return self._counts.active

    def embedding_params(self) -> int:
        """The input token embedding (plus a learned position table); see lm_head_params()."""
        return self._counts.embedding

    def lm_head_params(self) -> int:
        """The output projection when it is NOT tied to the embedding, else 0."""
        return self._counts.lm_head

    def kv_cache_elements_per_token(self) -> int:
        """K and V elements cached for one token over all layers (MLA: the compressed latent)."""
        return params.kv_cache_elements_per_token(self)

    def attention_flops_per_token(self, context: int) -> float:
        """Score and value matmul FLOPs for one token attending ``context`` keys (forward)."""
        return params.attention_flops_per_token(self, context)


def normalise_name(name: str) -> str:
    """Lower case, ``_``/space -> ``-``: the form names and aliases are compared in."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())
