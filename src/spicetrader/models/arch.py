"""Model architectures: the shape of a transformer (or a diffusion pipeline), as data.

An :class:`Architecture` holds the config values that decide parameter counts, KV cache size and
attention FLOPs. The counting itself lives in :mod:`spicetrader.models.params` (one function per
family concept); the methods here are thin, exact-integer wrappers around it.

Field names follow the Hugging Face ``config.json`` vocabulary where one exists:
``layers`` = num_hidden_layers, ``hidden`` = hidden_size, ``heads`` = num_attention_heads,
``kv_heads`` = num_key_value_heads, ``ffn_hidden`` = intermediate_size,
``moe_ffn_hidden`` = moe_intermediate_size, MLA ranks = q_lora_rank / kv_lora_rank / ...
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from spicetrader.errors import InputError
from spicetrader.models import params

__all__ = [
    "Architecture",
    "Denoiser",
    "DiffusionArchitecture",
    "License",
    "NormKind",
    "PositionKind",
]

# ISO date (YYYY-MM or YYYY-MM-DD); "n/a" for architectures built at run time (inline, imported).
_AS_OF = r"^(\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|n/a)$"
_ID = r"^[a-z0-9][a-z0-9._+-]*$"
_DATE = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"  # a release date, YYYY-MM[-DD]

Pos = Annotated[int, Field(ge=1)]
NonNeg = Annotated[int, Field(ge=0)]


class NormKind(StrEnum):
    RMSNORM = "rmsnorm"
    LAYERNORM = "layernorm"


class PositionKind(StrEnum):
    ROPE = "rope"
    LEARNED = "learned"  # a learned table of position embeddings (gpt2, opt)
    ALIBI = "alibi"  # no parameters (bloom, mpt)


class License(StrEnum):
    """The licence family the weights are released under (what a buyer needs to know first).

    ``apache-2.0`` / ``mit`` / ``modified-mit``: permissive (Kimi K2's MIT asks large products
    to show the name); ``llama`` / ``gemma`` / ``qwen`` / ``deepseek``: the vendor's own
    community licence (commercial use allowed, with an acceptable-use policy and, for Llama, a
    700M-monthly-user cap); ``openrail``: responsible-AI licences with use restrictions (BLOOM,
    Stable Diffusion 1/2/XL); ``stability-community``: free below USD 1M annual revenue (SD 3.5);
    ``non-commercial``: research or non-commercial use only (LLaMA 1, OPT-175B, FLUX.1 [dev]);
    ``other``: read the model card (notes say which).
    """

    APACHE_2 = "apache-2.0"
    MIT = "mit"
    MODIFIED_MIT = "modified-mit"
    LLAMA = "llama"
    GEMMA = "gemma"
    QWEN = "qwen"
    DEEPSEEK = "deepseek"
    OPENRAIL = "openrail"
    STABILITY_COMMUNITY = "stability-community"
    NON_COMMERCIAL = "non-commercial"
    OTHER = "other"


class Denoiser(StrEnum):
    UNET = "unet"
    DIT = "dit"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Architecture(_Frozen):
    """A decoder-only transformer language model (dense or mixture-of-experts)."""

    id: Annotated[str, Field(min_length=1, pattern=_ID)]
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
    released: Annotated[str, Field(pattern=_DATE)] | None = None  # first release of the weights
    license: License | None = None
    gguf_weight_bytes: NonNeg | None = None  # exact, when imported from a GGUF file
    gguf_precision: str | None = None
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=_AS_OF)]
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


class DiffusionArchitecture(_Frozen):
    """A latent diffusion pipeline: a denoiser run once per step, text encoder(s), a VAE."""

    id: Annotated[str, Field(min_length=1, pattern=_ID)]
    name: Annotated[str, Field(min_length=1)]
    family: Annotated[str, Field(min_length=1)]
    aliases: tuple[str, ...] = ()
    denoiser: Denoiser
    denoiser_params: Pos
    text_encoder_params: Pos
    vae_params: Pos
    reference_resolution: Annotated[int, Field(ge=64)]
    latent_downsample: Pos = 8  # VAE spatial factor (latent = pixels / 8)
    denoiser_gflops_per_step: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    attention_fraction: Annotated[float, Field(ge=0, le=1)] = 0.0
    gflops_estimated: bool = False  # True: per-step GFLOPs computed/estimated, not published
    cfg: bool = True
    text_encoder_gflops: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    vae_decode_gflops: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    default_steps: Pos
    # Video: the clip length (in frames) the per-step and VAE GFLOPs are given for, and the VAE's
    # temporal compression (Wan-VAE: 4; latent frames = 1 + (frames - 1) / 4). 1 and 1: images.
    reference_frames: Pos = 1
    temporal_compression: Pos = 1
    native_precision: str = "fp16"
    released: Annotated[str, Field(pattern=_DATE)] | None = None
    license: License | None = None
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=_AS_OF)]
    notes: str = ""

    @model_validator(mode="after")
    def _check_video(self) -> DiffusionArchitecture:
        if (self.reference_frames - 1) % self.temporal_compression:
            raise ValueError("reference_frames must be 1 + a multiple of temporal_compression")
        return self

    @property
    def is_moe(self) -> bool:
        return False

    @property
    def is_video(self) -> bool:
        return self.reference_frames > 1

    def total_params(self) -> int:
        return self.denoiser_params + self.text_encoder_params + self.vae_params

    def latent_frames(self, frames: int | None = None) -> int:
        """Latent frames the denoiser sees for a ``frames``-frame clip (causal video VAE: the
        first frame alone, then one latent per ``temporal_compression`` frames; Wan 2.1 report,
        arXiv:2503.20314, sec. 3.1). Images: 1."""
        n = self.reference_frames if frames is None else frames
        if n < 1 or (n > 1 and not self.is_video):
            raise InputError(f"frames must be >= 1 (1 for an image model like {self.id}), got {n}")
        return 1 + (n - 1 + self.temporal_compression - 1) // self.temporal_compression

    def _token_ratio(self, resolution: int, frames: int | None) -> float:
        area = (resolution / self.reference_resolution) ** 2
        return area * self.latent_frames(frames) / self.latent_frames()

    def denoiser_gflops_per_step_at(self, resolution: int, frames: int | None = None) -> float:
        """One denoiser forward pass (batch 1, no CFG) at ``resolution`` x ``resolution`` px
        (for video: a clip of ``frames`` frames, default ``reference_frames``).

        Convolutions and linear layers scale with the number of latent tokens (exponent 1);
        self-attention over the latent tokens scales with its square (exponent 2). The split is
        ``attention_fraction`` of the reference FLOPs (Peebles & Xie 2023, "Scalable Diffusion
        Models with Transformers", section 3: Gflops grow with tokens; the quadratic term is the
        attention score/value matmuls). Video DiTs attend over all frames' tokens at once (Wan:
        full 3D attention), so frames count as tokens.
        """
        ratio = self._token_ratio(resolution, frames)
        base = self.denoiser_gflops_per_step
        return base * ((1.0 - self.attention_fraction) * ratio + self.attention_fraction * ratio**2)

    def vae_decode_gflops_at(self, resolution: int, frames: int | None = None) -> float:
        """VAE decode of one image (or clip): convolutional, linear in the pixels decoded."""
        area = (resolution / self.reference_resolution) ** 2
        self.latent_frames(frames)  # validates ``frames``
        n = self.reference_frames if frames is None else frames
        return self.vae_decode_gflops * area * n / self.reference_frames


def normalise_name(name: str) -> str:
    """Lower case, ``_``/space -> ``-``: the form names and aliases are compared in."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())
