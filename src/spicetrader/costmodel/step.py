"""One forward step of a transformer on one device: the per-kernel rooflines and latency terms.

The weight GEMMs and the attention over the KV cache are separate kernels, each bound by its own
roofline ``max(bytes / bw, FLOPs / peak)`` (Williams et al. 2009), run one after the other: a step
costs the sum of the two bounds (per-operator roofline of Yuan et al. 2024, "LLM Inference
Unveiled: Survey and Roofline Model Insights", sec. 3). The attention's score and value matmuls
reach a smaller share of the peak than the weight GEMMs (``Machine.attention_time_factor``, the
time at the GEMM rate is multiplied by it): their inner
dimension is one head (64-128), and the softmax between them (max, exp, sum, rescale) runs on the
scalar units, not the tensor cores; FlashAttention-2 reaches 50-73% of the A100's peak where a
GEMM reaches 80-90%, and FlashAttention-1 25-40% (Dao 2023, "FlashAttention-2", abstract and
sec. 1); engines without a fused kernel also write the score matrix to memory. Plus two
tensor-parallel all-reduces per
layer (Shoeybi et al. 2019, Megatron-LM, sec. 3), a fixed per-layer engine overhead and pipeline
hops. Used by :mod:`spicetrader.costmodel.inference`.

Under tensor parallelism each rank's attention reads the KV cache that rank holds, the same share
the memory side sizes (:func:`spicetrader.costmodel.memory_kv.kv_rank_share`): ``1 / tensor`` of
it while the KV heads split evenly, more once ranks outnumber the KV heads (vLLM replicates the
heads: "Number of KV heads is less than TP size, so we replicate the KV heads across multiple
tensor parallel GPUs", ``DeepseekAttention`` in
vLLM's ``vllm/model_executor/models/deepseek_v2.py``), and all of it for MLA, whose
single latent every head reads (DeepSeek-V2 sec. 2.1.2): with TP 8 each of DeepSeek-V3's ranks
streams the whole latent cache of the batch every decode step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.memory_kv import kv_rank_share
from spicetrader.costmodel.roofline import allreduce_s
from spicetrader.spec.estimate import Bound

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = ["Machine", "StepTime", "Work", "step_time"]


@dataclass(frozen=True, slots=True)
class StepTime:
    """The parts of one forward step (seconds, per device): the weight GEMMs (``memory_s`` /
    ``compute_s``) and the attention over the KV cache (``attn_memory_s`` / ``attn_compute_s``),
    each bound by its own roofline, plus communication and fixed overhead."""

    memory_s: float
    compute_s: float
    comm_s: float
    overhead_s: float
    attn_memory_s: float = 0.0
    attn_compute_s: float = 0.0

    @property
    def kernels_s(self) -> float:
        return max(self.memory_s, self.compute_s) + max(self.attn_memory_s, self.attn_compute_s)

    @property
    def total_s(self) -> float:
        return self.kernels_s + self.comm_s + self.overhead_s

    def times(self, passes: int) -> StepTime:
        """``passes`` such steps one after the other (a prefill in chunks: one forward pass per
        chunk, each streaming the weights and paying the fixed costs again)."""
        return StepTime(
            memory_s=self.memory_s * passes,
            compute_s=self.compute_s * passes,
            comm_s=self.comm_s * passes,
            overhead_s=self.overhead_s * passes,
            attn_memory_s=self.attn_memory_s * passes,
            attn_compute_s=self.attn_compute_s * passes,
        )

    @property
    def bound(self) -> Bound:
        if self.comm_s > self.kernels_s:
            return Bound.INTERCONNECT
        compute = self.compute_s + self.attn_compute_s
        memory = self.memory_s + self.attn_memory_s
        return Bound.COMPUTE if compute > memory else Bound.MEMORY_BANDWIDTH


@dataclass(frozen=True, slots=True)
class Machine:
    """One device as an engine sees it: rates after efficiency, latencies, parallel layout."""

    bw: float  # bytes/s per device, after efficiency
    flops: float  # FLOP/s per device, after efficiency
    layer_overhead_s: float
    tensor: int
    pipeline: int
    link_bytes_per_s: float
    link_latency_s: float
    hop_s: float
    activation_bytes: float
    moe_layer_overhead_s: float = 0.0  # per MoE layer per pass (router, token sort, launches)
    attention_time_factor: float = 1.0  # attention matmul time / its time at the ``flops`` rate
    dequant_s_per_flop: float = 0.0  # vector-unit time per weight-GEMM FLOP (weight-only quant)


@dataclass(frozen=True, slots=True)
class Work:
    """What one forward step moves and computes (whole model, before tensor parallelism)."""

    weight_bytes: float
    linear_flops: float
    kv_bytes: float
    attention_flops: float
    tokens: int


def step_time(m: Machine, arch: Architecture, work: Work) -> StepTime:
    """The time of one forward step doing ``work`` on ``m`` (tensor-parallel share per device)."""
    tp = m.tensor
    comm = 0.0
    if tp > 1:
        message = work.tokens * arch.hidden * m.activation_bytes
        one = allreduce_s(message, tp, m.link_bytes_per_s, m.link_latency_s)
        comm = 2 * arch.layers * one
    return StepTime(
        memory_s=work.weight_bytes / tp / m.bw,
        compute_s=work.linear_flops / tp * (1.0 / m.flops + m.dequant_s_per_flop),
        attn_memory_s=work.kv_bytes * kv_rank_share(arch, tp) / m.bw,
        attn_compute_s=work.attention_flops * m.attention_time_factor / tp / m.flops,
        comm_s=comm,
        overhead_s=arch.layers * m.layer_overhead_s
        + arch.moe_layers * m.moe_layer_overhead_s
        + (m.pipeline - 1) * m.hop_s,
    )
