"""Mixture-of-experts terms of the speed model: which weights a step reads, what routing costs.

- Experts touched per step: each of ``n`` tokens picks ``k`` of ``E`` routed experts; with
  balanced routing (the auxiliary load-balancing loss of Shazeer et al. 2017 and Fedus et al.
  2021, "Switch Transformers", sec. 2.2; DeepSeek-V3's bias-based balancing, Liu et al. 2024,
  sec. 2.1.2) an expert is missed by one token with probability 1 - k/E, so the expected share
  touched is ``1 - (1 - k/E)^n``. Shared experts and the dense layers are always read. Decode
  therefore streams ~active parameters at batch 1 and ~all of them at large batch.
- Router: a ``hidden x E`` linear layer per MoE layer per token (Switch Transformers, sec. 2.1:
  ``h(x) = W_r . x``), 2 x hidden x E FLOPs.
- Routed-token overhead: every routed token is permuted to its experts and back (and, with
  expert parallelism, sent over the link: the all-to-all dispatch and combine of GShard, Lepikhin
  et al. 2020, sec. 2.2, and of Megatron-Core's ``alltoall`` token dispatcher), its experts are
  small GEMMs grouped per expert, and load is never perfectly even. These costs grow with the
  token's hidden vector and ``k`` while the expert FLOPs grow with hidden x expert width x ``k``,
  so relative to the expert GEMMs they scale as ``1 / expert width``: the expert GEMM time is
  multiplied by ``1 + w0 / expert_ffn_hidden``, ``w0`` fitted for inference
  (``data/speed_constants.csv``); training prices these terms one by one (``moe_training``).
- MoE layer latency in inference (``data/moe_engines.csv``, per engine, fitted): a fixed time
  per MoE layer per forward pass for the router top-k, the sort/align of tokens per expert and
  the grouped-expert kernel launches; at batch 1 it, not the bytes, sets the decode speed of a
  large MoE (DeepSeek-V3 on 8 H200 with SGLang: ~30 tokens/s where 37 GB of active FP8 weights
  over 8 x 4.8 TB/s allow ~160).
- Expert weight reads in decode (``data/moe_engines.csv``, ``expert_bw_share``, per engine,
  fitted): a decode step streams each touched expert's weights through the engine's grouped
  expert kernel (vLLM's and SGLang's fused-MoE Triton or Marlin-MoE kernels), one small GEMM per
  expert with a handful of tokens, its tile grid cut by the expert's narrow width (and by the
  tensor-parallel shard of it). Those kernels reach a fraction of the rate at which a dense
  GEMM streams its weights: vLLM's Marlin-MoE on an H20 moves DeepSeek-shaped experts (E=256,
  hidden 7168, width 2048, top-8, INT4) at 0.142 ms for one token (8 experts, 1.2 TB/s) and
  3.0 ms for 64 (~223 experts, 1.6 TB/s), 30-40 % of the 4 TB/s HBM where dense decode reaches
  80-90 % (flagos-ai/FlagGems PR #3375, table "Performance (vs vLLM Marlin CUDA kernel, H20
  GPU)"); MLX decode of a MoE reaches 34 % of the memory roofline where a dense model of the
  same stack reaches 94 % (jundot/omlx issue #2238). The touched experts' bytes of a decode step
  are therefore divided by ``expert_bw_share`` (1 = as fast as the dense weights).
- A row of ``data/moe_engines.csv`` is keyed by engine and accelerator vendor (``*``: any). The
  vendor picks the backend an engine's grouped expert kernels run on, and llama.cpp's differ by
  backend: Metal's ``mul_mm_id`` kernel, the CUDA MMQ kernels (whose MoE tile widths are chosen
  per architecture: ggml-org/llama.cpp PR #15525 for NVIDIA, PR #26977 open for the mean
  columns per expert) and the same MMQ code built for HIP, where RDNA3 sizes its tiles from the
  typical expert width (PR #24546, merged as #28552) and RDNA3.5 does not (#28924, closed). So
  the grouped-GEMM half tokens (:mod:`spicetrader.costmodel.moe_inference`), the routed-token
  overhead ``w0`` (:func:`routed_overhead`) and the MoE layer latency are read from the
  engine's row for the accelerator's vendor, else its ``*`` row.
- Matrix-vector expert kernels (``data/moe_engines.csv``, ``vector_below_tokens``): below a
  number of tokens in a forward pass an engine may run the routed experts not as a grouped GEMM
  but as a matrix-vector product per token-slot, each slot reading its expert's weights again:
  llama.cpp's Metal backend runs ``mul_mv_id`` below 32 tokens (``ne21_mm_id_min = 32`` in
  ``ggml_metal_op_mul_mat_id``, ggml/src/ggml-metal/ggml-metal-ops.cpp: "find the break-even
  point where the matrix-matrix kernel becomes more efficient compared to the matrix-vector
  kernel"). Such a pass reads ``tokens x k`` experts' weights, not the touched experts once
  (:func:`routed_params_read`): a decode step of 4 sequences of gpt-oss-20b reads 16 experts
  per layer where 13.2 are touched, and an 8-token prompt 32 where 21 are.
- Expert parallelism in training: Megatron-Core places the experts over the data-parallel ranks
  of one NVLink domain (EP <= devices per node; Megatron-Core MoE docs, "Expert Parallelism"),
  so each rank holds ``E / EP`` experts and their gradients are reduced over ``dp / EP`` ranks.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.catalog.rowbase import AsOf
from spicetrader.errors import CatalogDataError

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.models.arch import Architecture
    from spicetrader.spec.workload import Engine

__all__ = [
    "MoeEngineRow",
    "expert_bw_share",
    "expert_parallel",
    "grouped_gemm_half_tokens",
    "moe_engine_rows",
    "moe_layer_overhead_us",
    "moe_vendor_rows",
    "reads_per_slot",
    "routed_overhead",
    "routed_params",
    "routed_params_read",
    "routed_width_half",
    "router_flops_per_token",
    "touched_fraction",
    "vector_below_tokens",
]


def touched_fraction(experts: int, experts_per_token: int, tokens: int) -> float:
    """Expected share of routed experts a step touches when ``tokens`` tokens each pick
    ``experts_per_token`` of ``experts`` (balanced routing): 1 - (1 - k/E)^tokens."""
    if experts <= experts_per_token:
        return 1.0
    return 1.0 - (1.0 - experts_per_token / experts) ** max(tokens, 1)


def routed_params(arch: Architecture) -> float:
    """Parameters of all routed experts together (0 for a dense model).

    ``total - active`` is ``E - k`` routed experts' worth of parameters, so all ``E`` of them
    are ``(total - active) x E / (E - k)``.
    """
    if not arch.is_moe or arch.experts <= arch.experts_per_token:
        return 0.0
    spare = arch.total_params() - arch.active_params()
    return spare * arch.experts / (arch.experts - arch.experts_per_token)


def active_routed_params(arch: Architecture) -> float:
    """Parameters of the ``k`` routed experts one token uses."""
    if not arch.is_moe:
        return 0.0
    return routed_params(arch) * arch.experts_per_token / arch.experts


def routed_params_read(arch: Architecture, tokens: int, per_slot: bool = False) -> float:
    """Routed-expert parameters one forward pass over ``tokens`` tokens reads: each touched
    expert once (a grouped kernel), or with ``per_slot`` (a matrix-vector kernel per token-slot,
    :func:`vector_below_tokens`) each of the ``tokens x k`` slots its expert's weights."""
    if not arch.is_moe:
        return 0.0
    if per_slot:
        return max(tokens, 1) * active_routed_params(arch)
    return routed_params(arch) * touched_fraction(arch.experts, arch.experts_per_token, tokens)


def router_flops_per_token(arch: Architecture) -> float:
    """Forward FLOPs of the routers for one token: 2 x hidden x E per MoE layer."""
    return 2.0 * arch.hidden * arch.experts * arch.moe_layers if arch.is_moe else 0.0


def routed_overhead(arch: Architecture, width_half: float) -> float:
    """Multiplier on the routed experts' GEMM time: 1 + w0 / expert width (1 for dense)."""
    if not arch.is_moe:
        return 1.0
    return 1.0 + width_half / arch.expert_ffn_hidden


def expert_parallel(arch: Architecture, data: int, devices_per_node: int) -> int:
    """Expert-parallel size: the largest divisor of both ``E`` and the data-parallel size that
    fits in one node (1 for dense models)."""
    if not arch.is_moe:
        return 1
    limit = min(data, devices_per_node, arch.experts)
    return max(d for d in range(1, limit + 1) if arch.experts % d == 0 and data % d == 0)


_PATH: Final = "spicetrader/costmodel/data/moe_engines.csv"
_COLUMNS: Final = (
    "engine",
    "vendor",
    "layer_overhead_us",
    "grouped_gemm_half_tokens",
    "routed_width_half",
    "expert_bw_share",
    "vector_below_tokens",
    "calibration",
    "as_of",
)
_SAME_KERNELS: Final = {"ollama": "llama.cpp", "sglang": "vllm"}


class MoeEngineRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    engine: Annotated[str, Field(min_length=1)]
    vendor: Annotated[str, Field(min_length=1)]
    layer_overhead_us: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    grouped_gemm_half_tokens: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    routed_width_half: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    expert_bw_share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    vector_below_tokens: Annotated[int, Field(ge=0)]
    calibration: Annotated[str, Field(min_length=1)]
    as_of: AsOf


@functools.cache
def moe_vendor_rows() -> dict[tuple[str, str], MoeEngineRow]:
    """Rows by (engine, vendor), strictly loaded (a ``*,*`` row is required; no duplicates;
    vendor: an accelerator vendor or ``*``)."""
    from spicetrader.catalog.schema import Vendor
    from spicetrader.spec.workload import Engine

    text = (resources.files("spicetrader.costmodel") / "data" / "moe_engines.csv").read_text()
    table: dict[tuple[str, str], MoeEngineRow] = {}
    known = {e.value for e in Engine} | {"*"}
    vendors = {v.value for v in Vendor} | {"*"}
    for located in parse_rows(text, MoeEngineRow, _COLUMNS, _PATH):
        row = located.row
        if row.vendor not in vendors:
            raise CatalogDataError(_PATH, located.line, "vendor", "unknown vendor")
        key = (row.engine, row.vendor)
        if row.engine not in known or key in table:
            raise CatalogDataError(_PATH, located.line, "engine", "unknown or duplicate engine")
        table[key] = row
    if ("*", "*") not in table:
        raise CatalogDataError(_PATH, None, "engine", "a '*,*' fallback row is required")
    return table


def moe_engine_rows() -> dict[str, MoeEngineRow]:
    """The rows of any vendor (``*``), by engine."""
    return {e: row for (e, v), row in moe_vendor_rows().items() if v == "*"}


def _engine_row(engine: Engine, accel: Accelerator | None = None) -> MoeEngineRow:
    """The engine's row for the accelerator's vendor, else its kernels' row for that vendor
    (ollama: llama.cpp's; SGLang: vLLM's), else the engine's, its kernels' or the ``*`` row of
    any vendor."""
    rows = moe_vendor_rows()
    kin = _SAME_KERNELS.get(engine.value, engine.value)
    vendor = accel.vendor.value if accel is not None else "*"
    for key in ((engine.value, vendor), (kin, vendor), (engine.value, "*"), (kin, "*")):
        if key in rows:
            return rows[key]
    return rows[("*", "*")]


def moe_layer_overhead_us(engine: Engine, accel: Accelerator | None = None) -> float:
    """The engine's fixed latency per MoE layer per forward pass."""
    return _engine_row(engine, accel).layer_overhead_us


def grouped_gemm_half_tokens(engine: Engine, accel: Accelerator | None = None) -> float:
    """Tokens per expert at which the engine's grouped expert GEMMs take twice the time of the
    same FLOPs in a large GEMM (:func:`spicetrader.costmodel.moe_inference.grouped_gemm_factor`)
    on the accelerator's vendor's backend."""
    return _engine_row(engine, accel).grouped_gemm_half_tokens


def routed_width_half(engine: Engine, accel: Accelerator | None = None) -> float:
    """``w0`` of the engine's routed-token overhead on the accelerator's vendor's backend
    (:func:`routed_overhead`): the router's top-k, the gather of each token-slot into its
    expert's group and the weighted scatter back, in hidden units of expert width."""
    return _engine_row(engine, accel).routed_width_half


def expert_bw_share(engine: Engine, accel: Accelerator | None = None) -> float:
    """Share of the dense weights' streaming rate the engine's grouped expert kernels reach when
    a decode step reads the touched experts (1 = the same rate)."""
    return _engine_row(engine, accel).expert_bw_share


def vector_below_tokens(engine: Engine, accel: Accelerator | None = None) -> int:
    """Tokens in a forward pass below which the engine runs the routed experts as a
    matrix-vector product per token-slot on the accelerator's vendor's backend (0: a grouped
    kernel at every size; llama.cpp on Metal: 32)."""
    return _engine_row(engine, accel).vector_below_tokens


def reads_per_slot(engine: Engine, accel: Accelerator | None, tokens: int) -> bool:
    """Whether a forward pass of ``tokens`` tokens reads each token-slot's expert on its own
    (:func:`routed_params_read`)."""
    return tokens < vector_below_tokens(engine, accel)
