"""Mixture-of-experts terms of the training speed model: what an MoE layer costs beyond its FLOPs.

A dropless MoE layer in training (Megatron-Core's ``alltoall`` token dispatcher; Megatron Core MoE
docs, ``core.transformer.moe.token_dispatcher``; Liu et al. 2025, "MoE Parallel Folding",
arXiv 2504.14960)
runs, per micro-batch: the router, a permutation of the routed token copies into expert order,
the dispatch all-to-all over the expert-parallel (EP) group, the grouped expert GEMMs, the
combine all-to-all and the unpermutation (weighted sum of the ``k`` expert outputs), and all of
it again in the backward pass. The terms, each with its physical reason:

- **Grouped-GEMM efficiency.** The dense model's matmuls reach ``h / (h + h0)`` of the family's
  rate (``training.size_factor``, ``h0`` fitted on dense cases). The routed experts run as one
  grouped GEMM per projection over the ``E / EP`` local experts (Megatron Core MoE docs,
  ``--moe-grouped-gemm``; MegaBlocks, Gale et al. 2022: grouped/block-sparse expert GEMMs below
  dense throughput), at ``s x ffn_e / (ffn_e + w0) x m / (m + m0)`` of the family's rate:
  ``s`` (``moe_grouped_gemm_share``) is what the grouped path keeps of a dense GEMM's rate at
  any size (one GEMM per local expert with its own FP8 scaling and tile padding at every
  expert boundary, the weight gradient per expert, the routing probabilities applied in the
  activation), ``w0`` (``moe_grouped_width_half``) the cost of a narrow expert width ``ffn_e``
  (768 in Qwen3-30B-A3B, 2048 in DeepSeek-V3), and ``m0`` (``moe_grouped_rows_half``) the cost
  of few rows per expert, ``m = micro-batch tokens x k x EP / E`` under balanced routing: an
  expert's GEMM of ``m`` rows fills the GPU's tiles in waves and pays its fixed costs once.
  All three are fitted over the MoE training cases with the dense cases of the same groups in
  the loss. (Round 7 and before: ``w0`` alone, at 3000, with ``m0 = h0``; it made the widest
  experts the fastest, which the measurements do not show: gpt-oss-120b, 2880-wide experts,
  runs at ~16% of BF16 peak on H100 and B200, below DeepSeek-V3 and Qwen3-235B-A22B; the
  three-term form cut the constants' own held-out error from 20% to 15%, round 8.)
- **Expert-parallel all-to-all.** Each routed token copy crosses the EP group twice per pass
  (dispatch, combine), forward and backward: ``4 x k x hidden x bytes x (EP - 1) / EP`` bytes per
  token per MoE layer (GShard, Lepikhin et al. 2020, sec. 2.2; DeepSeek-V3 technical report,
  arXiv 2412.19437, sec. 3.2.2, on how this traffic bounds training), at the bandwidth of the EP
  group's link (the device link inside a node, the network beyond). Megatron-Core hides it
  behind compute only with the opt-in batch-level overlap (``--overlap-moe-expert-parallel-comm``,
  MCore v0.14; DualPipe in DeepSeek-V3 sec. 3.2.1): it is counted exposed.
- **Memory-bound routed-token work.** Permute, unpermute and the probability-weighted combine,
  the router's softmax/top-k and their backward are elementwise passes over the ``k`` routed
  copies of each token's hidden vector (Tutel, Hwang et al. 2023; Megatron Core MoE docs,
  ``--moe-permute-fusion``): ``P x k x hidden x bytes`` per token per MoE layer at the
  device's memory bandwidth, ``P = 12`` counted, not fitted (``moe_training_routed_passes``).

- **The host's launch floor.** Kernel launches are asynchronous, so the host normally runs ahead
  of the GPU and its time is hidden. A dropless MoE layer must know its token counts per expert
  before it can size the dispatch and the grouped GEMM, so it copies them to the host (Megatron
  Core MoE docs: dropless training needs this sync; ``--moe-pad-expert-input-to-capacity``, CUDA
  graphs and the later "sync-free" dispatch exist to avoid it); that sync stops the run-ahead
  at every MoE layer, after
  which the host must issue the layer's remaining kernels (per-expert GEMMs, their FP8/MXFP8
  quantization, unpermute, and the backward's) while the GPU drains what it has. When a
  micro-batch gives the GPU less work than the host needs to launch, the GPU waits: a step takes
  at least ``micro-batches x MoE layers per stage x t_h`` (``moe_host_layer_us``, fitted on the
  MoE training cases), a floor under the step, not a sum. Megatron Bridge's CUDA-graph guide
  names this case, "launch-bound training steps where GPU compute is fast enough that repeated
  host-driver submission overhead becomes noticeable", with graph scopes for the MoE router and
  preprocessing (docs.nvidia.com/nemo/megatron-bridge/latest/training/cuda-graphs.html). It is
  why a small-expert model on the fastest GPUs gains almost 3x from a larger micro-batch
  (Qwen3-30B-A3B on DGX-B200: 9.7k tokens/s per GPU at MBS 1, 27k at MBS 4; C420, C415): at
  MBS 1 the GPU finishes each 4,096-token micro-batch well before the host has launched it.
  (Round 6 added the same sync as a fixed time per MoE layer per micro-batch on top of the
  step; it fitted to 0 once this floor was in, and was removed.)

Load imbalance is not a term: the calibration measurements force-balance the experts, and
aux-loss-free routing (DeepSeek-V3 sec. 2.1.2) keeps real runs near balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.moe import active_routed_params, expert_parallel, routed_params

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = [
    "GroupedGemm",
    "MoeTrainingCost",
    "alltoall_bytes_per_token",
    "grouped_gemm_slowdown",
    "held_params",
    "moe_training_cost",
    "routed_memory_bytes_per_token",
    "tokens_per_expert",
    "training_expert_parallel",
]


def training_expert_parallel(
    arch: Architecture, data: int, tensor: int, per_node: int, stated: int | None = None
) -> int:
    """EP size: the workload's (``parallelism.expert``), else the largest divisor of ``E`` and
    the data-parallel size whose group (EP x TP devices, the EP ranks ``tensor`` apart) fits in
    one node."""
    if stated is not None and arch.is_moe:
        return stated
    return expert_parallel(arch, data, max(per_node // max(tensor, 1), 1))


def held_params(arch: Architecture, ep: int) -> float:
    """Parameters one expert-parallel rank holds: everything but the routed experts, and
    ``1 / EP`` of those (Megatron Core MoE docs, ``--expert-model-parallel-size``)."""
    return arch.total_params() - routed_params(arch) * (1.0 - 1.0 / ep)


def tokens_per_expert(arch: Architecture, tokens: float, ep: int) -> float:
    """Rows of one expert's GEMM per micro-batch: the ``tokens x k`` routed copies of the ``ep``
    ranks of the group spread evenly over the ``E`` experts (balanced routing)."""
    return tokens * arch.experts_per_token * ep / arch.experts


def _size(width: float, half: float) -> float:
    return width / (width + half)


def grouped_gemm_slowdown(
    arch: Architecture, rows: float, *, hidden_half: float, gemm: GroupedGemm
) -> float:
    """Time of the routed experts' GEMMs relative to dense GEMMs of the model's width. Dense:
    ``h / (h + h0)`` of the family's rate. Grouped experts: ``s x ffn_e / (ffn_e + w0) x
    m / (m + m0)`` of it (module docstring)."""
    expert = (
        gemm.share * _size(arch.expert_ffn_hidden, gemm.width_half) * _size(rows, gemm.rows_half)
    )
    return _size(arch.hidden, hidden_half) / expert


def alltoall_bytes_per_token(arch: Architecture, ep: int, act_bytes: float) -> float:
    """Bytes one token sends over the EP group in a training step, all MoE layers: dispatch and
    combine of its ``k`` copies, forward and backward, the ``1/EP`` share staying local."""
    if ep <= 1:
        return 0.0
    share = (ep - 1) / ep
    return 4.0 * arch.experts_per_token * arch.hidden * act_bytes * share * arch.moe_layers


def routed_memory_bytes_per_token(arch: Architecture, passes: float, act_bytes: float) -> float:
    """Bytes of memory-bound routed-token work per token per step, all MoE layers."""
    return passes * arch.experts_per_token * arch.hidden * act_bytes * arch.moe_layers


@dataclass(frozen=True, slots=True)
class GroupedGemm:
    """The fitted constants of the grouped expert GEMMs (module docstring): the share ``s`` of
    the dense rate, the expert-width half ``w0`` and the rows-per-expert half ``m0``."""

    share: float
    width_half: float
    rows_half: float


@dataclass(frozen=True, slots=True)
class MoeTrainingCost:
    """Per-token MoE costs of one training step on one device (before the TP x PP split)."""

    ep: int
    gemm_slowdown: float  # multiplier on the routed experts' GEMM time
    alltoall_s: float  # exposed all-to-all seconds per token
    memory_s: float  # memory-bound routed-token seconds per token
    host_layer_s: float  # host seconds per MoE layer per micro-batch (a floor, not added)

    def note(self, link: str) -> str:
        return (
            f"MoE: expert parallel {self.ep} over {link}; grouped expert GEMMs "
            f"x{self.gemm_slowdown:.2f} (narrow expert matmuls); per 1000 tokens "
            f"{self.alltoall_s * 1e3 * 1e3:.3g} ms all-to-all (dispatch + combine, forward and "
            f"backward, not overlapped) and {self.memory_s * 1e3 * 1e3:.3g} ms memory-bound "
            "permute/unpermute/router work"
            + (
                f"; the host needs {self.host_layer_s * 1e3:.3g} ms per MoE layer per "
                "micro-batch to launch its kernels, a floor under the step when the GPU work is "
                "shorter"
                if self.host_layer_s
                else ""
            )
        )


def moe_training_cost(
    arch: Architecture,
    *,
    ep: int,
    micro_batch_tokens: float,
    hidden_half: float,
    gemm: GroupedGemm,
    host_layer_us: float,
    routed_passes: float,
    act_bytes: float,
    link_bytes_per_s: float,
    mem_bytes_per_s: float,
) -> MoeTrainingCost:
    """The three MoE terms for one device; see the module docstring."""
    rows = tokens_per_expert(arch, micro_batch_tokens, ep)
    slowdown = 1.0
    if active_routed_params(arch):
        slowdown = grouped_gemm_slowdown(arch, rows, hidden_half=hidden_half, gemm=gemm)
    a2a = alltoall_bytes_per_token(arch, ep, act_bytes) / link_bytes_per_s
    memory = routed_memory_bytes_per_token(arch, routed_passes, act_bytes) / mem_bytes_per_s
    return MoeTrainingCost(ep, slowdown, a2a, memory, host_layer_us * 1e-6)
