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
  dequantizes NF4 weights in every matmul (Dettmers et al. 2023): its efficiency row is the
  engine's ``quantized`` one.
- Achieved FLOP/s = peak x efficiency(engine, family) x hidden / (hidden + h0): small matmuls reach
  a lower share of peak (h0 fitted on the llm-foundry MPT cases, ``speed_constants.csv``).
- Data parallel: ring all-reduce of the gradients, 2 (n-1)/n x bytes (Patarasuk & Yuan 2009);
  ZeRO-3 / FSDP adds an all-gather of the parameters in forward and in backward (Rajbhandari
  et al. 2020, "ZeRO", sec. 7: 1.5x the data-parallel volume); a share of it overlaps compute.
- Tensor parallel: 4 all-reduces of the activations per layer per micro-batch (Megatron-LM, sec. 3);
  pipeline: the 1F1B bubble (p - 1) / m (Narayanan et al. 2021, sec. 2.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.context import Confidence, SpeedResult
from spicetrader.costmodel.efficiency import (
    SpeedTask,
    WeightsKind,
    interconnect_row,
    lookup,
    speed_constants,
)
from spicetrader.costmodel.inference import streamed_params
from spicetrader.costmodel.roofline import allreduce_s, gather_s, parse_compute_dtype, peak_flops
from spicetrader.errors import NotSupportedError
from spicetrader.spec.estimate import Bound, TrainingSpeed
from spicetrader.spec.workload import Method, Offload, Task
from spicetrader.units import SECONDS_PER_HOUR

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.models.arch import Architecture
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = ["TrainingShape", "flops_per_token", "size_factor", "training_shape", "training_speed"]

_GRAD_BYTES = 2.0  # bf16/fp16 gradients are what data parallelism reduces (mixed precision)


@dataclass(frozen=True, slots=True)
class TrainingShape:
    method: Method
    seq_len: int
    tokens_per_replica_step: float
    checkpointing: bool
    lora_rank: int


def training_shape(setup: Setup) -> TrainingShape:
    """Method, sequence length and tokens per model replica per optimizer step."""
    wl = setup.workload
    replicas = max(setup.parallel.data, 1)
    if wl.task is Task.PRETRAIN and wl.pretrain is not None:
        p = wl.pretrain
        return TrainingShape(
            Method.FULL, p.seq_len, p.global_batch_tokens / replicas, p.gradient_checkpointing, 0
        )
    if wl.task is Task.FINETUNE and wl.finetune is not None:
        f = wl.finetune
        return TrainingShape(
            f.method, f.seq_len, float(f.micro_batch * f.seq_len), f.gradient_checkpointing,
            f.lora_rank,
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


def size_factor(hidden: int, hidden_half: float) -> float:
    """Share of the family's matmul efficiency a model of this width reaches: h / (h + h0)."""
    return hidden / (hidden + hidden_half)


def _link(setup: Setup) -> tuple[float, float, str]:
    """(bytes/s, latency s, name) of the slowest link data parallelism crosses."""
    consts = speed_constants()
    accel = setup.accel
    per_node = setup.devices_per_node
    if setup.nodes > 1 or per_node > consts.devices_per_node_max:
        row = interconnect_row(None)
        gbs = consts.inter_node_gbs_per_device
        return gbs * 1e9 * row.bw_efficiency, row.allreduce_latency_us * 1e-6, "the network"
    row = interconnect_row(accel.interconnect)
    gbs = max(accel.interconnect_gbs, 1e-3)
    return gbs * 1e9 * row.bw_efficiency, row.allreduce_latency_us * 1e-6, accel.interconnect.value


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
    achieved = (
        peak.flops_per_s
        * match.row.compute_efficiency
        * size_factor(arch.hidden, consts.training_hidden_half)
    )
    model_fpt, hw_fpt = flops_per_token(
        arch, shape.method, shape.seq_len, shape.checkpointing, shape.lora_rank
    )
    shards = par.tensor * par.pipeline
    step_tokens = shape.tokens_per_replica_step
    compute_s = step_tokens * hw_fpt / shards / achieved
    # Pipeline bubble with one sequence per micro-batch (1F1B schedule).
    micro_batches = max(step_tokens / shape.seq_len, 1.0)
    compute_s *= 1.0 + (par.pipeline - 1) / micro_batches

    assumptions = [match.assumption(setup.engine, setup.accel)]
    if peak.note:
        assumptions.append(peak.note)
    tp_s = 0.0
    if par.tensor > 1:
        link = interconnect_row(setup.accel.interconnect)
        bw = max(setup.accel.interconnect_gbs, 1e-3) * 1e9 * link.bw_efficiency
        msg = step_tokens / par.pipeline * arch.hidden * consts.activation_bytes
        per_layer = allreduce_s(msg, par.tensor, bw, link.allreduce_latency_us * 1e-6)
        tp_s = 4 * arch.layers / par.pipeline * per_layer
        assumptions.append(f"tensor parallel {par.tensor}: 4 all-reduces per layer per step")

    comm_s = 0.0
    dp = max(par.data, 1)
    param_bytes = setup.fmt.bits_per_weight / 8.0 * arch.total_params() / shards
    if dp > 1:
        bw, latency, link_name = _link(setup)
        trainable = arch.total_params() if shape.method is Method.FULL else 0.0
        if shape.method is not Method.FULL:
            trainable = adapter_params(arch, shape.lora_rank)
        grad_bytes = _GRAD_BYTES * trainable / shards
        comm_s = allreduce_s(grad_bytes, dp, bw, latency)
        if par.zero >= 3:
            comm_s += 2.0 * gather_s(param_bytes, dp, bw, latency)
        assumptions.append(
            f"data parallel {dp} over {link_name}: gradient all-reduce"
            + (" + ZeRO-3 parameter all-gathers (forward and backward)" if par.zero >= 3 else "")
            + f", {consts.comm_overlap:.0%} of it overlapped with compute"
        )
    exposed = max(comm_s - compute_s, 0.0) + (1.0 - consts.comm_overlap) * min(comm_s, compute_s)
    offload_s = 0.0
    if par.offload is Offload.CPU:
        offload_s = (
            2.0 * _GRAD_BYTES * arch.total_params() / shards / dp / (consts.offload_link_gbs * 1e9)
        )
        assumptions.append("CPU offload: gradients down and parameters up the host link each step")
    step_s = compute_s + tp_s + exposed + offload_s

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
    bound = Bound.INTERCONNECT if tp_s + exposed + offload_s > compute_s else Bound.COMPUTE
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
