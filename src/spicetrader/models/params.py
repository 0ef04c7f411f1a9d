"""Parameter counting, one function per family concept, in exact integers.

Each formula names the config fields it uses (Hugging Face ``config.json`` names in brackets) and
matches the tensors of the reference implementation (``transformers/models/<family>/modeling_*``):

- attention: q/k/v/o projections ``hidden x heads*head_dim`` (q, o) and ``hidden x
  kv_heads*head_dim`` (k, v each; grouped-query attention, Ainslie et al. 2023); optional biases
  (qwen2 ``q/k/v`` bias, gpt2/opt/bloom/gpt-oss all biases); MLA low-rank projections
  (DeepSeek-V2 paper, arXiv:2405.04434, section 2.1: q_a/q_b, kv_a (+ rope key), kv_b, o).
- FFN: gated (SwiGLU, Shazeer 2020: gate, up, down = 3 matrices) or plain (up, down = 2).
- MoE: ``experts`` copies of the FFN with ``moe_ffn_hidden``, a router ``hidden x experts``,
  optional shared experts (DeepSeekMoE) and a shared-expert gate (qwen2_moe).
- norms: RMSNorm = one weight vector; LayerNorm with bias = two.
- embeddings: ``vocab x hidden``; an untied lm_head another ``vocab x hidden``; learned positions
  ``position_embeddings x hidden`` (gpt2: 1024 rows; opt: max positions + 2 offset rows).

- Gated DeltaNet (linear attention, Yang et al. 2024, arXiv:2412.06464; HF
  ``Qwen3NextGatedDeltaNet``): ``in_proj_qkvz hidden x (2*key_dim + 2*value_dim)``, ``in_proj_ba
  hidden x 2*value_heads``, a depthwise ``conv1d`` over the q/k/v channels, per-head ``dt_bias`` and
  ``A_log``, a gated RMSNorm over ``value_head_dim``, ``out_proj value_dim x hidden``.

DeepSeek-V3's router ``e_score_correction_bias`` (one value per expert, stored in the checkpoint) is
counted as a router bias: 671,026,419,200 = the published count without the MTP module.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from spicetrader.errors import InputError

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = [
    "EXPERT_ROLES",
    "LINEAR_ROLES",
    "LinearAttentionDims",
    "MlaDims",
    "ParamCounts",
    "Role",
    "TensorGroup",
    "attention_flops_per_token",
    "count_params",
    "global_groups",
    "kv_cache_elements_per_token",
    "layer_groups",
    "layer_plan",
]


class Role(StrEnum):
    """What a group of weights does; weight formats treat roles differently."""

    ATTN_Q = "attn_q"
    ATTN_K = "attn_k"
    ATTN_V = "attn_v"
    ATTN_OUT = "attn_output"
    ATTN_LATENT = "attn_latent"  # MLA down/up projections (q_a, q_b, kv_a, kv_b)
    FFN_UP = "ffn_up"  # gate + up of a dense FFN
    FFN_DOWN = "ffn_down"
    EXPERT_UP = "expert_up"  # gate + up of all routed experts of a layer
    EXPERT_DOWN = "expert_down"
    SHARED_UP = "shared_up"
    SHARED_DOWN = "shared_down"
    ROUTER = "router"
    VECTOR = "vector"  # norms, biases, attention sinks: 1-D tensors, never quantized
    EMBEDDING = "embedding"
    POSITION = "position"
    LM_HEAD = "lm_head"


LINEAR_ROLES = frozenset(
    {
        Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_OUT, Role.ATTN_LATENT, Role.FFN_UP,
        Role.FFN_DOWN, Role.EXPERT_UP, Role.EXPERT_DOWN, Role.SHARED_UP, Role.SHARED_DOWN,
    }
)  # fmt: skip
EXPERT_ROLES = frozenset({Role.EXPERT_UP, Role.EXPERT_DOWN})


@dataclass(frozen=True, slots=True)
class TensorGroup:
    """``params`` weights of one role; ``row`` = the input dimension (GGUF block divisibility)."""

    role: Role
    params: int
    row: int


@dataclass(frozen=True, slots=True)
class MlaDims:
    """Multi-head latent attention sizes (DeepSeek-V2/V3 config names)."""

    q_lora_rank: int | None
    kv_lora_rank: int
    qk_rope_head_dim: int
    qk_nope_head_dim: int
    v_head_dim: int


@dataclass(frozen=True, slots=True)
class LinearAttentionDims:
    """Gated DeltaNet sizes (qwen3_next config names, ``linear_*``)."""

    key_heads: int
    value_heads: int
    key_head_dim: int
    value_head_dim: int
    conv_kernel: int

    @property
    def key_dim(self) -> int:
        return self.key_heads * self.key_head_dim

    @property
    def value_dim(self) -> int:
        return self.value_heads * self.value_head_dim


@dataclass(frozen=True, slots=True)
class ParamCounts:
    total: int
    active: int
    embedding: int
    lm_head: int


def _norm(arch: Architecture, size: int) -> int:
    """One norm over ``size`` features: RMSNorm weight, or LayerNorm weight + bias."""
    return size * (2 if arch.norm_bias else 1)


def attention_groups(arch: Architecture) -> list[TensorGroup]:
    """Self-attention of one layer [num_attention_heads, num_key_value_heads, head_dim]."""
    h = arch.hidden
    if arch.mla is not None:
        return _mla_groups(arch, arch.mla)
    q_out = arch.heads * arch.head_dim
    kv_out = arch.kv_heads * arch.head_dim
    q_proj = q_out * (2 if arch.attn_output_gate else 1)  # qwen3-next: query and its gate
    vectors = 0
    if arch.qkv_bias:
        vectors += q_out + 2 * kv_out
    if arch.attn_out_bias:
        vectors += h
    if arch.qk_norm:
        vectors += 2 * arch.head_dim
    if arch.attention_sinks:
        vectors += arch.heads
    groups = [
        TensorGroup(Role.ATTN_Q, h * q_proj, h),
        TensorGroup(Role.ATTN_K, h * kv_out, h),
        TensorGroup(Role.ATTN_V, h * kv_out, h),
        TensorGroup(Role.ATTN_OUT, q_out * h, q_out),
    ]
    if vectors:
        groups.append(TensorGroup(Role.VECTOR, vectors, vectors))
    return groups


def _mla_groups(arch: Architecture, m: MlaDims) -> list[TensorGroup]:
    """Multi-head latent attention [q_lora_rank, kv_lora_rank, qk_rope_head_dim, qk_nope_head_dim,
    v_head_dim] (DeepSeek-V2, arXiv:2405.04434, eq. 9-19; HF ``DeepseekV3Attention``)."""
    h, n = arch.hidden, arch.heads
    qk_dim = m.qk_nope_head_dim + m.qk_rope_head_dim
    groups: list[TensorGroup] = []
    vectors = m.kv_lora_rank  # kv_a_layernorm
    if m.q_lora_rank is None:
        groups.append(TensorGroup(Role.ATTN_Q, h * n * qk_dim, h))
    else:
        groups.append(TensorGroup(Role.ATTN_LATENT, h * m.q_lora_rank, h))  # q_a_proj
        groups.append(TensorGroup(Role.ATTN_LATENT, m.q_lora_rank * n * qk_dim, m.q_lora_rank))
        vectors += m.q_lora_rank  # q_a_layernorm
    kv_a = h * (m.kv_lora_rank + m.qk_rope_head_dim)  # kv_a_proj_with_mqa
    kv_b = m.kv_lora_rank * n * (m.qk_nope_head_dim + m.v_head_dim)
    groups += [
        TensorGroup(Role.ATTN_LATENT, kv_a, h),
        TensorGroup(Role.ATTN_LATENT, kv_b, m.kv_lora_rank),
        TensorGroup(Role.ATTN_OUT, n * m.v_head_dim * h, n * m.v_head_dim),
        TensorGroup(Role.VECTOR, vectors, vectors),
    ]
    return groups


def linear_attention_groups(arch: Architecture, d: LinearAttentionDims) -> list[TensorGroup]:
    """One Gated DeltaNet token mixer (see the module notes)."""
    h = arch.hidden
    conv_channels = 2 * d.key_dim + d.value_dim  # q, k, v go through the short convolution
    vectors = conv_channels * d.conv_kernel + 2 * d.value_heads + d.value_head_dim
    return [
        TensorGroup(Role.ATTN_LATENT, h * (2 * d.key_dim + 2 * d.value_dim), h),  # in_proj_qkvz
        TensorGroup(Role.ATTN_LATENT, h * 2 * d.value_heads, h),  # in_proj_ba
        TensorGroup(Role.ATTN_OUT, d.value_dim * h, d.value_dim),
        TensorGroup(Role.VECTOR, vectors, vectors),
    ]


def ffn_params(arch: Architecture, inner: int) -> tuple[int, int, int]:
    """(gate+up weights, down weights, biases) of one FFN with ``inner`` hidden units.

    Gated (SwiGLU/GeGLU): gate and up ``hidden x inner`` each; plain: one up matrix.
    """
    up = (2 if arch.gated_ffn else 1) * arch.hidden * inner
    down = inner * arch.hidden
    bias = ((2 if arch.gated_ffn else 1) * inner + arch.hidden) if arch.mlp_bias else 0
    return up, down, bias


def ffn_groups(arch: Architecture, moe: bool) -> list[TensorGroup]:
    """The feed-forward part of one layer: dense, or routed + shared experts and the router."""
    h = arch.hidden
    if not moe:
        up, down, bias = ffn_params(arch, arch.ffn_hidden)
        groups = [
            TensorGroup(Role.FFN_UP, up, h),
            TensorGroup(Role.FFN_DOWN, down, arch.ffn_hidden),
        ]
        return groups + ([TensorGroup(Role.VECTOR, bias, bias)] if bias else [])
    inner = arch.expert_ffn_hidden
    up, down, bias = ffn_params(arch, inner)
    e = arch.experts
    vectors = e * bias + (e if arch.router_bias else 0) + (h if arch.shared_expert_gate else 0)
    groups = [
        TensorGroup(Role.EXPERT_UP, e * up, h),
        TensorGroup(Role.EXPERT_DOWN, e * down, inner),
        TensorGroup(Role.ROUTER, h * e, h),  # [num_local_experts / n_routed_experts]
    ]
    if arch.shared_experts:
        shared_inner = (arch.shared_ffn_hidden or inner) * arch.shared_experts
        s_up, s_down, s_bias = ffn_params(arch, shared_inner)
        vectors += s_bias
        groups += [
            TensorGroup(Role.SHARED_UP, s_up, h),
            TensorGroup(Role.SHARED_DOWN, s_down, shared_inner),
        ]
    return groups + ([TensorGroup(Role.VECTOR, vectors, vectors)] if vectors else [])


def layer_groups(arch: Architecture, moe: bool, linear: bool = False) -> list[TensorGroup]:
    """All weights of one decoder layer (dense FFN when ``moe`` is False; a Gated DeltaNet
    instead of softmax attention when ``linear`` is True and the model has one)."""
    norms = TensorGroup(Role.VECTOR, arch.norms_per_layer * _norm(arch, arch.hidden), arch.hidden)
    dims = arch.linear_attention
    mixer = linear_attention_groups(arch, dims) if linear and dims else attention_groups(arch)
    return [*mixer, *ffn_groups(arch, moe), norms]


def is_moe_layer(arch: Architecture, index: int) -> bool:
    """Layer ``index`` has routed experts (dense layers counted as leading ones)."""
    return arch.is_moe and index >= arch.layers - arch.moe_layers


def is_linear_layer(arch: Architecture, index: int) -> bool:
    """Layer ``index`` uses linear attention: hybrids put softmax attention on every
    ``layers / attention_layers``-th layer (qwen3-next: full_attention_interval 4)."""
    if not arch.linear_attention_layers:
        return False
    return (index + 1) % (arch.layers // arch.attention_layers) != 0


@lru_cache(maxsize=512)
def layer_plan(arch: Architecture) -> tuple[tuple[int, bool, bool], ...]:
    """(count, moe, linear) for each kind of layer the model has."""
    kinds: dict[tuple[bool, bool], int] = {}
    for i in range(arch.layers):
        key = (is_moe_layer(arch, i), is_linear_layer(arch, i))
        kinds[key] = kinds.get(key, 0) + 1
    return tuple((n, moe, linear) for (moe, linear), n in sorted(kinds.items()))


def global_groups(arch: Architecture) -> list[TensorGroup]:
    """Weights outside the layers: embeddings, lm_head, final (and embedding) norm."""
    h = arch.hidden
    groups = [TensorGroup(Role.EMBEDDING, arch.vocab * h, h)]
    if arch.position_embeddings:
        groups.append(TensorGroup(Role.POSITION, arch.position_embeddings * h, h))
    if not arch.tied_embeddings:
        groups.append(TensorGroup(Role.LM_HEAD, arch.vocab * h, h))
    vectors = _norm(arch, h) * (2 if arch.embedding_norm else 1)
    groups.append(TensorGroup(Role.VECTOR, vectors, h))
    return groups


@lru_cache(maxsize=512)
def count_params(arch: Architecture) -> ParamCounts:
    total = sum(g.params for g in global_groups(arch))
    for n, moe, linear in layer_plan(arch):
        total += n * sum(g.params for g in layer_groups(arch, moe, linear))
    unused = 0
    if arch.moe_layers:
        routed = sum(g.params for g in ffn_groups(arch, moe=True) if g.role in EXPERT_ROLES)
        routed += arch.experts * ffn_params(arch, arch.expert_ffn_hidden)[2]  # expert biases
        idle = arch.experts - arch.experts_per_token
        unused = arch.moe_layers * routed * idle // arch.experts
    embedding = arch.vocab * arch.hidden + arch.position_embeddings * arch.hidden
    lm_head = 0 if arch.tied_embeddings else arch.vocab * arch.hidden
    return ParamCounts(total=total, active=total - unused, embedding=embedding, lm_head=lm_head)


def kv_cache_elements_per_token(arch: Architecture) -> int:
    """K and V elements cached per token over all layers.

    Standard/GQA: ``2 * layers * kv_heads * head_dim`` (llama-2-7b: 2*32*32*128 = 262,144).
    MLA: the compressed latent plus the shared rope key, ``layers * (kv_lora_rank +
    qk_rope_head_dim)`` (DeepSeek-V2 paper, Table 1; what vLLM/SGLang cache).
    """
    if arch.mla is not None:
        return arch.layers * (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim)
    # Linear-attention layers keep a fixed-size state, not a per-token cache.
    return 2 * arch.attention_layers * arch.kv_heads * arch.head_dim


def attention_flops_per_token(arch: Architecture, context: int) -> float:
    """Forward FLOPs of the score (QK^T) and value (AV) matmuls for one query token attending
    ``context`` keys, all layers: ``2 * heads * d_qk * ctx + 2 * heads * d_v * ctx`` per layer,
    i.e. ``4 * layers * heads * head_dim * context`` for standard attention (Hoffmann et al. 2022,
    "Chinchilla", Appendix F: "key @ query logits" and "softmax @ value reduction"). Layers with a
    sliding window attend at most ``sliding_window`` keys.
    """
    if context < 0:
        raise InputError(f"context must be >= 0 tokens, got {context}")
    m = arch.mla
    if m is not None:
        per_key = 2 * arch.heads * (m.qk_nope_head_dim + m.qk_rope_head_dim + m.v_head_dim)
    else:
        per_key = 4 * arch.heads * arch.head_dim
    windowed = arch.sliding_window_layers
    window_ctx = min(context, arch.sliding_window) if arch.sliding_window else context
    softmax = per_key * ((arch.attention_layers - windowed) * context + windowed * window_ctx)
    d = arch.linear_attention
    if d is None:
        return float(softmax)
    # Gated DeltaNet: per head, the rank-1 state update and the read-out touch the
    # key_head_dim x value_head_dim state about four times (two multiply-adds each).
    per_layer = 8 * d.value_heads * d.key_head_dim * d.value_head_dim
    return float(softmax + arch.linear_attention_layers * per_layer)
