"""Training and fine-tuning speed: FLOPs per token, achieved FLOP/s, communication, time to finish.

- FLOPs per token, full training: 6 N (forward 2 N + backward 4 N; Kaplan et al. 2020, "Scaling
  Laws for Neural Language Models", sec. 2.1; Hoffmann et al. 2022, "Chinchilla", appendix F)
  plus attention 12 x layers x hidden x seq (3 x the forward 4 x layers x hidden x seq; Chowdhery
  et al. 2022, "PaLM", appendix B; Narayanan et al. 2021, "Efficient Large-Scale Language Model
  Training on GPU Clusters Using Megatron-LM", sec. 5.1). N counts the parameters that are
  multiplied (an untied input embedding is a lookup).
- Activation recomputation (full checkpointing) re-runs the forward: + 2 N + attention forward
  (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer Models"). MFU
  counts model FLOPs only (PaLM's definition), so recomputation lowers MFU, not the FLOP count.
- LoRA / QLoRA: forward 2 N plus the backward through the activations 2 N (no weight gradients of
  the frozen base; Hu et al. 2021, "LoRA"), i.e. 4 N, plus the adapters' 6 x adapter params. QLoRA
  dequantizes NF4 weights in every matmul (Dettmers et al. 2023): a memory-bound pass per layer
  per forward/backward/recomputation (``dequant_seconds``) on top of the matmuls; its efficiency
  row is the engine's ``quantized`` one.
- Achieved FLOP/s = peak x efficiency(engine, family) x hidden / (hidden + h0): small matmuls reach
  a lower share of peak (h0 fitted on the llm-foundry MPT cases, ``speed_constants.csv``).
  FP8/FP4 recipes run only the linear GEMMs at the low-precision peak; a fitted share of the
  BF16 linear-layer time stays (``low_precision_rate``) and attention stays BF16. The share is
  fitted apart for Megatron-Core, whose Transformer Engine modules fuse the FP8 casts into the
  norms and GEMMs (``LayerNormLinear``, ``LayerNormMLP``) and keep FP8 weights across
  micro-batches, and for the other engines (torchao float8 or TE ``Linear`` swapped in).
- Host side (``training_host``): CPU offload pays the host link (gradients down, parameters up;
  twice up with ZeRO-3) and the CPU optimizer step through host DRAM; a paged optimizer whose
  states do not fit pays their trip out and back over the host link.
- Data parallel (``training_comm``): gradient all-reduce, or with ZeRO-3 / FSDP a reduce-scatter
  plus two parameter all-gathers; a share of it overlaps compute. Inside a node over the device
  link, across nodes over the scale-out network, one NCCL ring per NIC.
- Tensor parallel: 4 all-reduces of the activations per layer per micro-batch (Megatron-LM, sec. 3;
  with sequence parallelism the same volume as reduce-scatter + all-gather), not overlapped; over
  the device link inside a node, the network beyond it.
- Pipeline: the 1F1B bubble (p - 1) / m for m micro-batches of one sequence (Narayanan et al. 2021,
  sec. 2.2.1); Megatron's interleaved schedule with v virtual stages per device cuts it to
  (p - 1) / (v m) (sec. 2.2.2) for v x more point-to-point activation traffic; we take two
  layers per virtual stage, what NVIDIA's published Megatron recipes use (Megatron-Bridge
  performance summary, VP column: Llama 3.1 405B PP 8 VP 8 and PP 16 VP 4, Llama 3 70B PP 8
  VP 5; ``_LAYERS_PER_VIRTUAL_STAGE``). Llama 3 405B at 16,384 H100 (PP 16, 16 micro-batches
  per rank) runs at 41% MFU against 43% at 8,192 (32 micro-batches; Dubey et al. 2024 table 4):
  the bubble grows as the micro-batches per rank shrink.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.context import Confidence, SpeedResult
from spicetrader.costmodel.efficiency import (
    SpeedTask,
    WeightsKind,
    lookup,
    speed_constants,
)
from spicetrader.costmodel.inference import streamed_params
from spicetrader.costmodel.moe import (
    active_routed_params,
    router_flops_per_token,
)
from spicetrader.costmodel.moe_training import (
    GroupedGemm,
    held_params,
    moe_training_cost,
    training_expert_parallel,
)
from spicetrader.costmodel.roofline import (
    ComputeDtype,
    allreduce_s,
    parse_compute_dtype,
    peak_flops,
)
from spicetrader.costmodel.training_comm import alltoall_link, data_parallel_s, group_link
from spicetrader.costmodel.training_host import dequant_seconds, host_time
from spicetrader.errors import NotSupportedError
from spicetrader.spec.estimate import Bound, TrainingSpeed
from spicetrader.spec.workload import Engine, Method, Task
from spicetrader.units import SECONDS_PER_HOUR

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.models.arch import Architecture
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = [
    "TrainingShape",
    "compute_seconds_per_token",
    "flops_per_token",
    "low_precision_rate",
    "size_factor",
    "training_shape",
    "training_speed",
]

_GRAD_BYTES = 2.0  # bf16/fp16 gradients are what data parallelism reduces (mixed precision)
# Megatron-Bridge's recipes (performance summary, VP column) interleave ~2 layers per chunk
_LAYERS_PER_VIRTUAL_STAGE = 2


@dataclass(frozen=True, slots=True)
class TrainingShape:
    method: Method
    seq_len: int
    tokens_per_replica_step: float
    checkpointing: bool
    lora_rank: int
    # tokens of one micro-batch: micro_batch x seq_len (pre-training: one sequence until
    # ``costmodel.fit`` or the workload sets micro_batch; Megatron's recipes run MBS 1-8)
    micro_batch_tokens: float


def training_shape(setup: Setup) -> TrainingShape:
    """Method, sequence length and tokens per model replica per optimizer step."""
    wl = setup.workload
    replicas = max(setup.parallel.data, 1)
    if wl.task is Task.PRETRAIN and wl.pretrain is not None:
        p = wl.pretrain
        return TrainingShape(
            Method.FULL, p.seq_len, p.global_batch_tokens / replicas,
            p.gradient_checkpointing is True, 0, float((p.micro_batch or 1) * p.seq_len),
        )  # fmt: skip
    if wl.task is Task.FINETUNE and wl.finetune is not None:
        f = wl.finetune
        return TrainingShape(
            f.method, f.seq_len, float(f.micro_batch * f.seq_len), f.gradient_checkpointing,
            f.lora_rank, float(f.micro_batch * f.seq_len),
        )  # fmt: skip
    raise NotSupportedError(f"task {wl.task.value} is not a training task")


def adapter_params(arch: Architecture, rank: int) -> float:
    """LoRA adapters on the attention and MLP projections: rank x (d_in + d_out) per matrix."""
    attn = 4 * (arch.hidden + arch.hidden)
    mlp = (3 if arch.gated_ffn else 2) * (arch.hidden + arch.ffn_hidden)
    return float(rank * (attn + mlp) * arch.layers)


def flops_per_token(
    arch: Architecture, method: Method, seq_len: int, checkpointing: bool, lora_rank: int
) -> tuple[float, float]:
    """(model FLOPs, hardware FLOPs) per trained token; see the module docstring for sources."""
    n = streamed_params(arch, 1)
    attn_fwd = arch.attention_flops_per_token(seq_len)  # 4 x layers x heads x head_dim x seq
    if method is Method.FULL:
        model = 6.0 * n + 3.0 * attn_fwd
    else:
        model = 4.0 * n + 3.0 * attn_fwd + 6.0 * adapter_params(arch, lora_rank)
    recompute = 2.0 * n + attn_fwd if checkpointing else 0.0
    return model, model + recompute


def compute_seconds_per_token(
    arch: Architecture,
    shape: TrainingShape,
    linear_flops_per_s: float,
    attention_flops_per_s: float,
    routed_slowdown: float = 1.0,
) -> float:
    """Seconds per trained token of the matmuls: the linear layers at ``linear_flops_per_s``
    (the routed experts' time x ``routed_slowdown``, from ``moe_training``), the
    attention score/value matmuls at ``attention_flops_per_s`` (FP8 training runs only the
    linear layers in FP8: Transformer Engine's FP8 recipe covers ``Linear`` layers, dot-product
    attention stays BF16; Micikevicius et al. 2022, "FP8 Formats for Deep Learning", sec. 4)."""
    passes = 6.0 if shape.method is Method.FULL else 4.0  # forward 2 + backward 4 (or 2, frozen)
    attn_passes = 3.0
    if shape.checkpointing:
        passes += 2.0
        attn_passes += 1.0
    routed = active_routed_params(arch)
    dense = streamed_params(arch, 1) - routed
    linear = passes * (dense + routed * routed_slowdown)
    linear += passes / 2.0 * router_flops_per_token(arch)
    if shape.method is not Method.FULL:
        linear += 6.0 * adapter_params(arch, shape.lora_rank)
    attention = attn_passes * arch.attention_flops_per_token(shape.seq_len)
    return linear / linear_flops_per_s + attention / attention_flops_per_s


def low_precision_rate(peak_rate: float, bf16_rate: float, fixed_share: float) -> float:
    """Achieved FLOP/s of the linear layers under an FP8 (or FP4) training recipe.

    Only the GEMM inputs are low-precision (Micikevicius et al. 2022, "FP8 Formats for Deep
    Learning", sec. 4; Transformer Engine and torchao float8 swap ``nn.Linear`` only), and each
    such layer adds amax, cast and transpose kernels. The part ``fixed_share`` of the layers'
    BF16 time that is not GEMM tensor-core time (norms, activations, residuals, casts, optimizer,
    collective kernels folded into the fitted efficiency) keeps its BF16 duration; the rest
    speeds up by the peak ratio. ``fixed_share`` = 0 is the datasheet ratio."""
    return 1.0 / (fixed_share / bf16_rate + (1.0 - fixed_share) / peak_rate)


def size_factor(hidden: int, hidden_half: float) -> float:
    """Share of the family's matmul efficiency a model of this width reaches: h / (h + h0)."""
    return hidden / (hidden + hidden_half)


def virtual_stages(setup: Setup, layers: int) -> int:
    """Interleaved pipeline stages per device: Megatron two layers each; others plain 1F1B."""
    pp = setup.parallel.pipeline
    if pp == 1 or setup.engine is not Engine.MEGATRON:
        return 1
    return max(layers // (_LAYERS_PER_VIRTUAL_STAGE * pp), 1)


def training_speed(setup: Setup, tokens: float, memory: MemoryBreakdown) -> SpeedResult:
    """Throughput, MFU and time to process ``tokens`` training tokens."""
    from spicetrader.models.arch import Architecture

    arch = setup.arch
    if not isinstance(arch, Architecture):
        raise NotSupportedError(f"{arch.id} is a diffusion model: training it is not modelled")
    shape = training_shape(setup)
    par = setup.parallel
    consts = speed_constants()
    quantized = shape.method is Method.QLORA
    match = lookup(
        SpeedTask.TRAINING, setup.engine, setup.accel,
        WeightsKind.QUANTIZED if quantized else WeightsKind.FLOAT,
    )  # fmt: skip
    compute_dtype = parse_compute_dtype("bf16" if quantized else setup.fmt.compute_dtype)
    peak = peak_flops(setup.accel, compute_dtype)
    scale = match.row.compute_efficiency * size_factor(arch.hidden, consts.training_hidden_half)
    attention_peak = peak
    linear_rate = peak.flops_per_s * scale
    fixed_share = (
        consts.fp8_megatron_fixed_share
        if setup.engine is Engine.MEGATRON
        else consts.fp8_training_fixed_share
    )
    if peak.dtype in (ComputeDtype.FP8, ComputeDtype.FP4):
        attention_peak = peak_flops(setup.accel, ComputeDtype.BF16)
        linear_rate = low_precision_rate(
            peak.flops_per_s * scale, attention_peak.flops_per_s * scale, fixed_share
        )
    model_fpt, hw_fpt = flops_per_token(
        arch, shape.method, shape.seq_len, shape.checkpointing, shape.lora_rank
    )
    shards = par.tensor * par.pipeline
    step_tokens = shape.tokens_per_replica_step
    dp = max(par.data, 1)
    ep = training_expert_parallel(arch, dp, par.tensor, setup.devices_per_node, par.expert)
    # EP ranks sit ``tensor`` apart, or side by side once EP spans the tensor ranks (folding)
    moe_link = alltoall_link(setup, ep, par.tensor if ep <= dp else 1, arch.experts_per_token)
    moe = moe_training_cost(
        arch, ep=ep, micro_batch_tokens=shape.micro_batch_tokens,
        hidden_half=consts.training_hidden_half,
        gemm=GroupedGemm(
            consts.moe_grouped_gemm_share, consts.moe_grouped_width_half,
            consts.moe_grouped_rows_half,
        ),
        host_layer_us=consts.moe_host_layer_us,
        routed_passes=consts.moe_training_routed_passes,
        act_bytes=consts.activation_bytes, link_bytes_per_s=moe_link.bytes_per_s,
        mem_bytes_per_s=setup.accel.mem_bw_gbs * 1e9 * match.row.bw_efficiency,
    )  # fmt: skip
    per_token_s = compute_seconds_per_token(
        arch, shape, linear_rate, attention_peak.flops_per_s * scale,
        moe.gemm_slowdown,
    )  # fmt: skip
    compute_s = step_tokens * (per_token_s + moe.memory_s) / shards
    moe_s = step_tokens * moe.alltoall_s / shards  # exposed, like tensor parallel
    micro_batches = max(step_tokens / shape.micro_batch_tokens, 1.0)
    # the host launches each MoE layer's kernels after its token-count sync: the device cannot
    # run ahead of it, so a step takes at least the host's launch time (moe_training.py)
    host_floor_s = micro_batches * moe.host_layer_s * arch.moe_layers / par.pipeline
    if quantized:
        dequant_s = dequant_seconds(
            float(arch.total_params()) / shards, setup.fmt.bits_per_weight, shape.checkpointing,
            setup.accel.mem_bw_gbs * 1e9 * match.row.bw_efficiency,
        )  # fmt: skip
        compute_s += dequant_s
        notes_q = f"QLoRA dequantization: {dequant_s:.3g} s per step (memory-bound, per layer pass)"
    mb_bytes = shape.micro_batch_tokens * arch.hidden * consts.activation_bytes  # its activations

    assumptions = [match.assumption(setup.engine, setup.accel)]
    if quantized:
        assumptions.append(notes_q)
    if peak.note:
        assumptions.append(peak.note)
    if attention_peak is not peak:
        assumptions.append(
            f"{peak.dtype.value} linear layers: {fixed_share:.0%} of their "
            f"BF16 time does not shrink (norms, activations, casts, optimizer), attention in BF16: "
            f"{peak.flops_per_s / attention_peak.flops_per_s:.3g}x peak -> "
            f"{linear_rate / (attention_peak.flops_per_s * scale):.2f}x on the linear layers"
        )
    tp_s = 0.0
    if par.tensor > 1:
        link = group_link(setup, par.tensor, 1)
        per_layer = allreduce_s(mb_bytes, par.tensor, link.bytes_per_s, link.latency_s)
        tp_s = 4 * arch.layers / par.pipeline * per_layer * micro_batches
        assumptions.append(
            f"tensor parallel {par.tensor} over {link.name}: 4 all-reduces per layer per "
            "micro-batch, not overlapped"
        )
    comm_s = 0.0
    if par.pipeline > 1:
        v = virtual_stages(setup, arch.layers)
        bubble = (par.pipeline - 1) / (v * micro_batches)
        compute_s *= 1.0 + bubble
        link = group_link(setup, par.pipeline, par.tensor * par.data)
        # each virtual stage boundary: activations forward, gradients back, 1/t per TP rank
        comm_s += 2.0 * v * micro_batches * mb_bytes / par.tensor / link.bytes_per_s
        assumptions.append(
            f"pipeline {par.pipeline}"
            + (f", interleaved {v} virtual stages per device" if v > 1 else " (1F1B)")
            + f": bubble (p-1)/(v m) = {bubble:.1%} of compute with m = {micro_batches:.3g} "
            f"micro-batches of {shape.micro_batch_tokens / shape.seq_len:.3g} sequence(s) "
            "(Narayanan et al. 2021)"
        )

    held = held_params(arch, ep)  # experts split EP ways
    param_bytes = setup.fmt.bits_per_weight / 8.0 * held / shards
    if arch.is_moe:
        assumptions.append(moe.note(moe_link.name))
    if dp > 1:
        link = group_link(setup, dp, par.tensor)
        trainable = held if shape.method is Method.FULL else 0.0
        if shape.method is not Method.FULL:
            trainable = adapter_params(arch, shape.lora_rank)
        grad_bytes = _GRAD_BYTES * trainable / shards
        comm_s += data_parallel_s(grad_bytes, param_bytes, dp, par.zero, link)
        assumptions.append(
            f"data parallel {dp} over {link.name}: "
            + (
                "gradient reduce-scatter + ZeRO-3 parameter all-gathers (forward and backward)"
                if par.zero >= 3
                else "gradient all-reduce"
            )
            + f", {consts.comm_overlap:.0%} of it overlapped with compute"
        )
    exposed = max(comm_s - compute_s, 0.0) + (1.0 - consts.comm_overlap) * min(comm_s, compute_s)
    trainable = (
        float(arch.total_params())
        if shape.method is Method.FULL
        else adapter_params(arch, shape.lora_rank)
    )
    host = host_time(setup, trainable, memory, consts)
    offload_s = host.total_s
    assumptions.extend(host.notes)
    device_s = compute_s + tp_s + moe_s + exposed
    if host_floor_s > device_s:
        assumptions.append(
            f"host-bound: launching the MoE layers' kernels takes {host_floor_s:.3g} s per step "
            f"against {device_s:.3g} s of device work, so the devices wait; more sequences per "
            "micro-batch (or CUDA graphs of the MoE layers) would hide it"
        )
    step_s = max(device_s, host_floor_s) + offload_s

    per_device = step_tokens / shards / step_s
    total = per_device * setup.devices
    hours = tokens / total / SECONDS_PER_HOUR
    assumptions.append(
        f"{shape.method.value}: {model_fpt / 1e9:.1f} GFLOP per token"
        + (" (+ recomputation)" if shape.checkpointing else "")
        + f"; {step_tokens:.0f} tokens per replica per step; {tokens:.3g} tokens in all"
    )
    if tokens <= 0:
        assumptions.append("no token count given: total_hours and device_hours are 0")
    speed = TrainingSpeed(
        tokens_per_s=total,
        tokens_per_s_per_device=per_device,
        tflops_per_device=hw_fpt * per_device / 1e12,
        mfu=min(model_fpt * per_device / peak.flops_per_s, 1.0),
        step_s=step_s,
        total_hours=hours,
        device_hours=hours * setup.devices,
        tokens=tokens,
    )
    bound = Bound.INTERCONNECT if tp_s + moe_s + exposed + offload_s > compute_s else Bound.COMPUTE
    confidence = match.confidence
    if setup.accel.estimated:
        confidence = Confidence.LOW
    return SpeedResult(
        inference=None,
        training=speed,
        image=None,
        bound=bound,
        assumptions=tuple(assumptions),
        confidence=confidence.value,
    )
