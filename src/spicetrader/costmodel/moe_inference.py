"""Mixture-of-experts terms of inference that depend on how many tokens reach each expert.

A prefill runs its prompt through the model in chunks (llama.cpp: one ``n_ubatch`` = 512-token
micro-batch at a time; vLLM/SGLang: the chunked-prefill budget of 8,192 tokens; a workload may set
its own, ``inference.ubatch_tokens``, as ``llama-bench -ub 2048`` does). In each chunk
the router sends ``chunk x k`` token-slots to the experts the chunk touches, so each touched
expert multiplies its weights by only

    tokens per expert = chunk x k / (E x touched share),   touched share = 1 - (1 - k/E)^chunk

tokens (:func:`tokens_per_expert`; 1 for a single decoded token). A dense layer's GEMM sees the
whole chunk. The expert GEMMs are grouped GEMMs (one small GEMM per expert: llama.cpp's
``mul_mat_id``, vLLM's fused-MoE Triton kernel, MegaBlocks' block-sparse kernels, Gale et al.
2022, sec. 5): each expert's weight tiles are loaded and, for quantized weights, dequantized for
its few tokens, and its token group is padded to the kernel's tile width (MegaBlocks sec. 5.1;
llama.cpp's MMQ picks tile sizes per MoE shape, PR #15525), so the FLOPs of the routed experts run
at a fraction ``t / (t + t_half)`` of the large-GEMM rate (:func:`grouped_gemm_factor`), with
``t_half`` fitted per engine and accelerator vendor (``data/moe_engines.csv``,
``grouped_gemm_half_tokens``: llama.cpp's grouped kernels are Metal's ``kernel_mul_mm_id`` on
Apple, the CUDA MMQ kernels on NVIDIA and the same MMQ code built for HIP on AMD, each with its
own tile choice; :mod:`spicetrader.costmodel.moe`). This is why
llama.cpp's gpt-oss guide (ggml-org/llama.cpp discussion #15396) runs MoE prefill with
``-ub 2048``: four times the tokens per expert.

Decode is not charged this: one token per sequence per step is a matrix-vector product whose time
is the weights read (the touched experts' bytes, :mod:`spicetrader.costmodel.moe`), not its FLOPs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spicetrader.costmodel.memory import prefill_chunk_tokens
from spicetrader.costmodel.moe import touched_fraction

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture
    from spicetrader.spec.workload import Engine

__all__ = ["grouped_gemm_factor", "prefill_tokens_per_expert", "tokens_per_expert"]


def tokens_per_expert(arch: Architecture, tokens: int) -> float:
    """Expected tokens each touched routed expert processes in a forward pass over ``tokens``
    tokens: ``tokens x k / (E x (1 - (1 - k/E)^tokens))`` (balanced routing)."""
    if not arch.is_moe:
        return float(max(tokens, 1))
    share = touched_fraction(arch.experts, arch.experts_per_token, tokens)
    return max(tokens, 1) * arch.experts_per_token / (arch.experts * share)


def prefill_tokens_per_expert(
    arch: Architecture, engine: Engine, tokens: int, ubatch: int | None = None
) -> float:
    """:func:`tokens_per_expert` for one chunk of a prefill of ``tokens`` tokens on ``engine``
    (``ubatch``: the workload's ``inference.ubatch_tokens``, else the engine's chunk)."""
    return tokens_per_expert(arch, prefill_chunk_tokens(engine, max(tokens, 1), ubatch))


def grouped_gemm_factor(per_expert: float, half_tokens: float) -> float:
    """Time multiplier of the routed experts' GEMMs against the same FLOPs in one large GEMM:
    ``1 + t_half / t`` for ``t`` tokens per expert (1 when ``t_half`` is 0)."""
    return 1.0 + half_tokens / max(per_expert, 1.0)
