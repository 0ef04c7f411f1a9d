"""KV cache memory.

Per token and layer a transformer caches one key and one value vector per KV head:
``2 x kv_heads x head_dim`` elements (Pope et al. 2022, "Efficiently Scaling Transformer
Inference", sec. 2.2; GQA: Ainslie et al. 2023 cache only the ``kv_heads`` groups; MLA, DeepSeek-V2
sec. 2.1.2: the compressed latent plus the decoupled RoPE key). ``Architecture.
kv_cache_elements_per_token()`` gives that count over all layers. Sliding-window layers keep at
most ``sliding_window`` tokens (Jiang et al. 2023, "Mistral 7B", sec. 2 rolling buffer cache).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.spec.workload import KvCacheFormat

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = ["KV_BYTES_PER_ELEMENT", "kv_cache_bytes", "kv_rank_share", "kv_tensor_share"]

# Bytes per cached element. q8_0 stores blocks of 32 int8 + one fp16 scale = 34 B / 32 = 8.5 bits;
# q4_0 blocks of 32 4-bit values + fp16 scale = 18 B / 32 = 4.5 bits (ggml-common.h block_q8_0,
# block_q4_0). fp8 (e4m3) is one byte (vLLM kv_cache_dtype=fp8).
KV_BYTES_PER_ELEMENT: Final[dict[KvCacheFormat, float]] = {
    KvCacheFormat.FP16: 2.0,
    KvCacheFormat.FP8: 1.0,
    KvCacheFormat.Q8_0: 8.5 / 8.0,
    KvCacheFormat.Q4_0: 4.5 / 8.0,
}


def kv_tensor_share(kv_heads: int, tensor: int) -> float:
    """Share of the KV heads one tensor-parallel rank holds.

    Each rank keeps ``ceil(kv_heads / tensor)`` heads: when tensor > kv_heads the heads are
    replicated (vLLM/Megatron replicate KV heads across ranks for GQA), so the cache stops
    shrinking at one head per rank.
    """
    per_rank = -(-kv_heads // tensor)
    return per_rank / kv_heads


def kv_rank_share(arch: Architecture, tensor: int) -> float:
    """Share of the whole KV cache one tensor-parallel rank holds and its attention reads.

    MLA caches one latent per token that every head reads (DeepSeek-V2 sec. 2.1.2), so there is
    no head axis to split: each rank keeps the whole latent cache (vLLM's and SGLang's TP
    attention for DeepSeek; SGLang's data-parallel attention exists to remove that copy, LMSYS
    "SGLang v0.4" blog, 2024-12-04). GQA: :func:`kv_tensor_share`.
    """
    return 1.0 if arch.mla is not None else kv_tensor_share(arch.kv_heads, tensor)


def kv_cache_bytes(
    arch: Architecture,
    context: int,
    batch: int,
    bytes_per_element: float,
    tensor: int = 1,
    pipeline: int = 1,
) -> float:
    """KV cache bytes on one device for ``batch`` sequences of ``context`` tokens.

    Layers split evenly over ``pipeline`` stages; heads over ``tensor`` ranks.
    """
    per_token_all_layers = arch.kv_cache_elements_per_token()
    windowed = arch.sliding_window_layers
    if arch.sliding_window is not None and windowed == 0:
        windowed = arch.layers  # a window without a layer count applies to every layer
    per_layer = per_token_all_layers / arch.layers
    global_tokens = context * (arch.layers - windowed)
    window_tokens = min(context, arch.sliding_window or context) * windowed
    elements = per_layer * (global_tokens + window_tokens) * batch
    share = kv_rank_share(arch, tensor)
    return elements * bytes_per_element * share / pipeline
