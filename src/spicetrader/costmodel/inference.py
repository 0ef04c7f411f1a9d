"""LLM inference speed: prefill (compute-bound), decode (bandwidth-bound), batching, TP, PP.

Per forward step the time is the roofline ``max(bytes / (bw * bw_eff), flops / (peak *
compute_eff))`` (Williams et al. 2009) plus latency terms: tensor-parallel all-reduces, a fixed
per-layer overhead of the engine (kernel launches, synchronisation; fitted per engine and family
in ``data/efficiency.csv``) and pipeline hops. See ``docs/model.md`` (speed section).

- FLOPs per token: 2 x active parameters (a multiply-add per weight; Kaplan et al. 2020, "Scaling
  Laws for Neural Language Models", sec. 2.1) plus attention score/value FLOPs for the context
  (``Architecture.attention_flops_per_token``).
- A prefill computes the lm_head (the ``vocab x hidden`` output projection) for one token per
  sequence, the one whose logits are sampled: llama.cpp gathers the rows of the output tokens
  before its last layer's output (``build_inp_out_ids`` + ``ggml_get_rows``, "skip computing
  output for unused tokens"; llama-bench and a server prompt request the last token's logits
  only), and vLLM's model runner computes logits at the sequences' last positions only
  (:func:`output_head_flops_per_token`).
- Decode bytes per step: the weights streamed once per step (for MoE only the experts the batch
  touches) plus every sequence's KV cache (Pope et al. 2022, "Efficiently Scaling Transformer
  Inference", sec. 2: decode is memory-bound at small batch).
- Weight-only quantized GEMMs (GGUF, AWQ, GPTQ) also unpack their weights on the vector (FP32)
  units (``roofline.dequant_s_per_flop``), and the attention matmuls run below the GEMM rate
  (``step.py``): both set how fast a prefill is on chips whose tensor peak dwarfs the rest.
- The weight GEMMs and the attention over the KV cache are separate kernels, each with its own
  roofline, and they run one after the other: a step costs the sum of the two bounds, not the
  bound of the sums (per-operator roofline of Yuan et al. 2024, "LLM Inference Unveiled: Survey
  and Roofline Model Insights", sec. 3). At large batch the GEMMs turn compute-bound while the
  attention still streams every sequence's KV cache.
- Throughput counts the prefill too: the engine spends GPU time on each sequence's prompt as well
  as on its decode steps (Agrawal et al. 2024, Sarathi-Serve, sec. 2: prefills and decodes share
  the iterations), so output tokens/s = batch x output / (prefill + output x decode step), as
  vLLM's and TensorRT-LLM's offline throughput benchmarks measure it (output tokens / elapsed).
- Tensor parallelism (Shoeybi et al. 2019, Megatron-LM, sec. 3): weights/KV/FLOPs split over the
  ranks, two all-reduces of the activations per layer per step.
- llama.cpp's multi-GPU layer split is a pipeline: the stages run one after the other for a single
  stream, so per-token time is the sum over devices (no speed-up), plus a hop per stage boundary.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from spicetrader.costmodel.context import Confidence, SpeedResult
from spicetrader.costmodel.efficiency import SpeedTask, lookup, speed_constants
from spicetrader.costmodel.memory import prefill_chunk_tokens
from spicetrader.costmodel.moe import (
    active_routed_params,
    expert_bw_share,
    grouped_gemm_half_tokens,
    moe_layer_overhead_us,
    reads_per_slot,
    routed_overhead,
    routed_params,
    routed_params_read,
    routed_width_half,
    router_flops_per_token,
    touched_fraction,
    vector_below_tokens,
)
from spicetrader.costmodel.moe_inference import grouped_gemm_factor, prefill_tokens_per_expert
from spicetrader.costmodel.roofline import (
    ComputeDtype,
    bandwidth_bytes_per_s,
    dequant_s_per_flop,
    parse_compute_dtype,
    peak_flops,
)
from spicetrader.costmodel.step import Machine, StepTime, Work, step_time
from spicetrader.errors import NotSupportedError
from spicetrader.spec.estimate import Bound, InferenceSpeed
from spicetrader.spec.workload import Engine

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.models.arch import Architecture
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = [
    "StepTime",
    "gemm_flops_per_token",
    "inference_speed",
    "moe_touched_fraction",
    "output_head_flops_per_token",
    "streamed_params",
    "streamed_weight_bytes",
]

# Engines that overlap pipeline stages across sequences when serving a batch (continuous batching
# with micro-batches); llama.cpp's layer split runs the stages one after another.
_PIPELINED_SERVING = frozenset({Engine.VLLM, Engine.SGLANG, Engine.TENSORRT_LLM})


moe_touched_fraction = touched_fraction  # the name the tests and callers import


def streamed_params(
    arch: Architecture, tokens: int, expert_share: float = 1.0, per_slot: bool = False
) -> float:
    """Parameters one forward step over ``tokens`` tokens reads from memory.

    The input embedding is a table lookup (one row per token), so an untied embedding is not
    streamed; the lm_head is. MoE: the dense part plus the routed experts the step touches
    (:mod:`spicetrader.costmodel.moe`), those counted ``1 / expert_share`` times when the
    engine's grouped expert kernels stream them at that share of the dense rate
    (:func:`spicetrader.costmodel.moe.expert_bw_share`; decode only); with ``per_slot`` (a
    matrix-vector expert kernel per token-slot) each slot's expert is read on its own
    (:func:`spicetrader.costmodel.moe.routed_params_read`).
    """
    total = arch.total_params()
    lookup_only = 0 if arch.tied_embeddings else arch.embedding_params()
    read = routed_params_read(arch, tokens, per_slot)
    return max(total - routed_params(arch) + read / expert_share - lookup_only, 0.0)


def gemm_flops_per_token(arch: Architecture, width_half: float, grouped: float = 1.0) -> float:
    """Forward GEMM FLOPs per token, the routed experts' weighted by their overhead
    (:func:`spicetrader.costmodel.moe.routed_overhead`) and, in a prefill, by the grouped-GEMM
    factor of their few tokens per expert
    (:func:`spicetrader.costmodel.moe_inference.grouped_gemm_factor`), the routers added: 2 x
    active parameters for a dense model (Kaplan et al. 2020, sec. 2.1)."""
    routed = active_routed_params(arch)
    dense = streamed_params(arch, 1) - routed
    return (
        2.0 * dense
        + 2.0 * routed * routed_overhead(arch, width_half) * grouped
        + router_flops_per_token(arch)
    )


def output_head_flops_per_token(arch: Architecture) -> float:
    """FLOPs of the lm_head for one token: 2 x vocab x hidden (the tied input embedding when
    the head is tied). A prefill pays them for one token per sequence, not per prompt token."""
    head = arch.embedding_params() if arch.tied_embeddings else arch.lm_head_params()
    return 2.0 * head


def streamed_weight_bytes(
    arch: Architecture,
    total_weight_bytes: float,
    tokens: int,
    expert_share: float = 1.0,
    per_slot: bool = False,
) -> float:
    """Bytes of :func:`streamed_params` at the format's average bytes per parameter."""
    params = streamed_params(arch, tokens, expert_share, per_slot)
    return total_weight_bytes * params / arch.total_params()


def _machine(setup: Setup, weights_quantized: bool) -> tuple[Machine, list[str], Confidence]:
    from spicetrader.costmodel.efficiency import WeightsKind, interconnect_row

    accel, engine = setup.accel, setup.engine
    kind = WeightsKind.QUANTIZED if weights_quantized else WeightsKind.FLOAT
    match = lookup(SpeedTask.INFERENCE, engine, accel, kind)
    row = match.row
    matmul_dtype = _matmul_dtype(setup)
    peak = peak_flops(accel, matmul_dtype, fp16_accumulate=row.fp16_accumulate)
    link = interconnect_row(accel.interconnect)
    consts = speed_constants()
    dequant = dequant_s_per_flop(
        accel, setup.fmt, peak.flops_per_s, consts.dequant_vector_share, matmul_dtype
    )
    assumptions = [match.assumption(engine, accel)]
    if peak.note:
        assumptions.append(peak.note)
    link_bytes_per_s = max(accel.interconnect_gbs, 1e-3) * 1e9 * link.bw_efficiency
    link_latency_s = link.allreduce_latency_us * 1e-6
    per_node = setup.devices_per_node
    if setup.parallel.tensor > per_node:
        # Tensor parallel across machines: its all-reduces cross the scale-out network, each
        # node's ranks on their own NICs (one NCCL ring per NIC). NCCL's trees chain the ranks of
        # a node over its device link and build the tree between nodes (NCCL 2.4, "Massively
        # Scale Your Deep Learning Training with NCCL 2.4", NVIDIA blog 2019): log2(ranks per
        # node) levels at the link's latency, log2(nodes) at the network's; ``allreduce_s``
        # charges latency x log2(tp), so the latency per level is their mean.
        from spicetrader.costmodel.cluster import node_row

        net, node = interconnect_row(None), node_row(accel)
        network = per_node * node.scale_out_gbs_per_device * 1e9 * net.bw_efficiency
        link_bytes_per_s = min(link_bytes_per_s, network)
        spanned = math.ceil(setup.parallel.tensor / per_node)
        levels = (
            math.log2(per_node) * link.allreduce_latency_us
            + math.log2(spanned) * net.allreduce_latency_us
        )
        link_latency_s = levels / math.log2(setup.parallel.tensor) * 1e-6
        assumptions.append(
            f"tensor parallel {setup.parallel.tensor} spans {spanned} nodes: its all-reduces "
            f"cross {node.network} at {net.allreduce_latency_us:g} us per level between nodes"
        )
    machine = Machine(
        bw=bandwidth_bytes_per_s(accel) * row.bw_efficiency,
        flops=peak.flops_per_s * row.compute_efficiency,
        layer_overhead_s=row.overhead_us * 1e-6,
        tensor=setup.parallel.tensor,
        pipeline=setup.parallel.pipeline,
        link_bytes_per_s=link_bytes_per_s,
        link_latency_s=link_latency_s,
        hop_s=consts.pipeline_hop_us * 1e-6,
        activation_bytes=consts.activation_bytes,
        moe_layer_overhead_s=moe_layer_overhead_us(engine, accel) * 1e-6,
        attention_time_factor=consts.attention_time_factor,
        dequant_s_per_flop=dequant,
    )
    return machine, assumptions, match.confidence


def _matmul_dtype(setup: Setup) -> ComputeDtype:
    """The dtype the matmuls run in: the format's, except that FP4 weights on a chip without FP4
    tensor cores run weight-only in the format's fallback (MXFP4 -> BF16: vLLM's Marlin and
    Triton MoE kernels dequantize the weights and keep BF16 activations on Hopper and MI300X,
    ``models/data/precisions.csv``), not at the chip's FP8 rate."""
    dtype = parse_compute_dtype(setup.fmt.compute_dtype)
    fallback = setup.fmt.fallback_compute_dtype
    if dtype is ComputeDtype.FP4 and setup.accel.fp4_tflops is None and fallback is not None:
        return parse_compute_dtype(fallback)
    return dtype


def _kv_bytes_per_token(setup: Setup, arch: Architecture) -> float:
    return arch.kv_cache_elements_per_token() * setup.kv_bytes_per_element


def _kv_context(arch: Architecture, context: float) -> float:
    """Average cached tokens per layer: sliding-window layers keep at most the window."""
    window = arch.sliding_window
    if window is None:
        return context
    windowed = arch.sliding_window_layers or arch.layers
    full = arch.layers - windowed
    return (full * context + windowed * min(context, float(window))) / arch.layers


def inference_speed(setup: Setup, batch: int, memory: MemoryBreakdown) -> SpeedResult:
    """Prefill and decode speeds for ``batch`` concurrent sequences (the batch already resolved)."""
    from spicetrader.models.arch import Architecture
    from spicetrader.models.precision import PrecisionKind
    from spicetrader.models.weights import weight_bytes

    arch = setup.arch
    if not isinstance(arch, Architecture):
        raise NotSupportedError(f"{arch.id} is a diffusion model: use task: image")
    spec = setup.workload.inference
    prompt = spec.prompt_tokens if spec is not None else 512
    output = spec.output_tokens if spec is not None else 128
    quantized = setup.fmt.kind is not PrecisionKind.FLOAT
    machine, assumptions, confidence = _machine(setup, quantized)
    total_bytes = weight_bytes(arch, setup.fmt)
    kv_per_token = _kv_bytes_per_token(setup, arch)
    replicas = max(setup.parallel.data, 1)
    per_replica = max(math.ceil(batch / replicas), 1)
    width_half = routed_width_half(setup.engine, setup.accel)
    flops_per_token = gemm_flops_per_token(arch, width_half)

    # Prefill: the batch's prompts in forward passes of one chunk each (llama.cpp's n_ubatch,
    # vLLM/SGLang's chunked-prefill budget, or the workload's ubatch_tokens); each pass streams
    # the weights its chunk touches and pays the fixed per-pass costs; attention over half the
    # prompt on average (causal mask). A chunk too small for the engine's grouped expert kernel
    # runs a matrix-vector product per token-slot: its bytes, not padded tiles, set its time.
    prefill: StepTime | None = None
    if prompt > 0:
        tokens = per_replica * prompt
        ubatch = spec.ubatch_tokens if spec is not None else None
        chunk = prefill_chunk_tokens(setup.engine, tokens, ubatch)
        passes = math.ceil(tokens / chunk)
        chunk_per_slot = reads_per_slot(setup.engine, setup.accel, chunk)
        grouped = 1.0
        if not chunk_per_slot:
            grouped = grouped_gemm_factor(
                prefill_tokens_per_expert(arch, setup.engine, tokens, ubatch),
                grouped_gemm_half_tokens(setup.engine, setup.accel),
            )
        prefill = step_time(
            machine,
            arch,
            Work(
                weight_bytes=streamed_weight_bytes(
                    arch, total_bytes, chunk, per_slot=chunk_per_slot
                ),
                # the lm_head runs for each sequence's last token only
                linear_flops=(
                    tokens * gemm_flops_per_token(arch, width_half, grouped)
                    - (tokens - per_replica) * output_head_flops_per_token(arch)
                )
                / passes,
                kv_bytes=tokens * kv_per_token / passes,
                attention_flops=tokens * arch.attention_flops_per_token(prompt // 2) / passes,
                tokens=chunk,
            ),
        ).times(passes)

    # Decode: one token per sequence per step; the KV cache holds prompt + half the output.
    context = prompt + output / 2
    decode = step_time(
        machine,
        arch,
        Work(
            weight_bytes=streamed_weight_bytes(
                arch,
                total_bytes,
                per_replica,
                expert_bw_share(setup.engine, setup.accel),
                reads_per_slot(setup.engine, setup.accel, per_replica),
            ),
            linear_flops=per_replica * flops_per_token,
            kv_bytes=per_replica * kv_per_token * _kv_context(arch, context),
            attention_flops=per_replica * arch.attention_flops_per_token(int(context)),
            tokens=per_replica,
        ),
    )

    overlap = 1
    if setup.engine in _PIPELINED_SERVING:
        overlap = min(setup.parallel.pipeline, per_replica)
    decode_tps = 1.0 / decode.total_s
    prefill_s = 0.0 if prefill is None else prefill.total_s
    # Each replica's batch: one prefill of its prompts, then ``output`` decode steps (at least the
    # first token).
    steps = max(output, 1)
    throughput = per_replica * replicas * overlap * steps / (prefill_s + steps * decode.total_s)
    prefill_tps = None if prefill is None else per_replica * prompt / prefill.total_s
    ttft = prefill_s + decode.total_s

    phase = decode if prefill is None or decode.total_s * output >= prefill_s else prefill
    assumptions.extend(_notes(setup, arch, batch, prompt, output, phase))
    speed = InferenceSpeed(
        prefill_tokens_per_s=prefill_tps,
        ttft_s=ttft,
        decode_tokens_per_s=decode_tps,
        throughput_tokens_per_s=throughput,
        max_context_tokens=None,  # the estimator fills it from the memory side (fit.py)
        batch=batch,
    )
    if setup.accel.estimated:
        confidence = Confidence.LOW
        assumptions.append(f"{setup.accel.id} specs are estimated: {setup.accel.estimate_note}")
    return SpeedResult(
        inference=speed,
        training=None,
        image=None,
        bound=phase.bound,
        assumptions=tuple(assumptions),
        confidence=confidence.value,
    )


def _notes(
    setup: Setup, arch: Architecture, batch: int, prompt: int, output: int, phase: StepTime
) -> list[str]:
    notes = [
        f"decode: weights + KV cache read once per step (batch {batch}, context "
        f"{prompt}+{output}); prefill: 2 x active params + attention FLOPs per prompt token",
    ]
    if arch.is_moe:
        moe_us = moe_layer_overhead_us(setup.engine, setup.accel)
        touched = touched_fraction(arch.experts, arch.experts_per_token, batch)
        width_half = routed_width_half(setup.engine, setup.accel)
        notes.append(
            f"MoE: {arch.experts_per_token} of {arch.experts} experts per token; a decode step of "
            f"batch {batch} touches {touched:.0%} of the routed experts (1 - (1 - k/E)^batch); "
            f"expert GEMMs x{routed_overhead(arch, width_half):.2f} for routing, permutation "
            f"and grouped per-expert kernels; {moe_us:.0f} us per MoE "
            f"layer per pass ({setup.engine.value}); decode reads the touched experts at "
            f"{expert_bw_share(setup.engine, setup.accel):.0%} of the dense weights' rate"
        )
        if reads_per_slot(setup.engine, setup.accel, batch):
            below = vector_below_tokens(setup.engine, setup.accel)
            notes.append(
                f"MoE on {setup.engine.value} ({setup.accel.vendor.value}): a pass of fewer than "
                f"{below} tokens runs the routed experts as a matrix-vector product per "
                "token-slot, each slot reading its expert's weights: a decode step of batch "
                f"{batch} reads {batch * arch.experts_per_token} experts' weights per layer"
            )
    par = setup.parallel
    if par.tensor > 1:
        notes.append(
            f"tensor parallel {par.tensor}: 2 all-reduces per layer over "
            f"{setup.accel.interconnect.value} ({setup.accel.interconnect_gbs:g} GB/s)"
        )
    if par.pipeline > 1 and setup.engine not in _PIPELINED_SERVING:
        notes.append(
            f"pipeline {par.pipeline} ({setup.engine.value} layer split): stages run one after "
            "another, so one stream is no faster than on one device"
        )
    if phase.bound is Bound.COMPUTE and batch > 1:
        notes.append("batch large enough that the step is compute-bound")
    return notes
