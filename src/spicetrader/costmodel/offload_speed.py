"""Decode and prefill speeds of a GPU + host RAM split (llama.cpp ``-ngl``).

The arithmetic is in :mod:`offload` (per-side rooflines, prefill over the host link); this module
finds each device's llama.cpp efficiency row (``efficiency.csv``: the GPU's family, the CPU's
``cpu-*`` family), prices one decode step and one prefill, and words what was assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from spicetrader.costmodel.context import Confidence
from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup, speed_constants
from spicetrader.costmodel.inference import streamed_params
from spicetrader.costmodel.memory_kv import kv_cache_bytes
from spicetrader.costmodel.offload import Device, SidePlacement, decode_side_s, prefill_s
from spicetrader.costmodel.roofline import bandwidth_bytes_per_s, parse_compute_dtype, peak_flops
from spicetrader.models.precision import PrecisionKind
from spicetrader.spec.estimate import InferenceSpeed

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.costmodel.context import Setup
    from spicetrader.models.arch import Architecture

__all__ = ["OffloadSpeed", "Request", "offload_speed"]

PCIE4_X16_GBS: Final = 31.5  # GB/s per direction: the link ``offload_link_gbs`` was set for


@dataclass(frozen=True, slots=True)
class Request:
    batch: int
    prompt: int
    output: int


@dataclass(frozen=True, slots=True)
class OffloadSpeed:
    speed: InferenceSpeed
    gpu_s: float  # per decode step, the GPU layers' share
    cpu_s: float  # per decode step, the host layers' share
    notes: tuple[str, ...]
    confidence: Confidence


def _device(setup: Setup, accel: Accelerator) -> tuple[Device, str, bool]:
    kind = WeightsKind.FLOAT if setup.fmt.kind is PrecisionKind.FLOAT else WeightsKind.QUANTIZED
    match = lookup(SpeedTask.INFERENCE, setup.engine, accel, kind)
    row = match.row
    dtype = parse_compute_dtype(setup.fmt.compute_dtype)
    peak = peak_flops(accel, dtype, fp16_accumulate=row.fp16_accumulate)
    dev = Device(
        bw=bandwidth_bytes_per_s(accel) * row.bw_efficiency,
        flops=peak.flops_per_s * row.compute_efficiency,
        layer_overhead_s=row.overhead_us * 1e-6,
    )
    return dev, match.assumption(setup.engine, accel), match.exact


def host_link_gbs(gpu: Accelerator) -> float:
    """Achieved host-to-GPU copy bandwidth: the ``offload_link_gbs`` constant (PCIe 4.0 x16 at
    about 65%) scaled down for a slower link (a PCIe 3.0 card's ``interconnect_gbs`` 16)."""
    return speed_constants().offload_link_gbs * min(1.0, gpu.interconnect_gbs / PCIE4_X16_GBS)


def offload_speed(
    setup: Setup, arch: Architecture, cpu: Accelerator, sp: SidePlacement, req: Request
) -> OffloadSpeed:
    """One decode step = GPU side + CPU side (they run one after the other); prefill as
    :func:`offload.prefill_s`; throughput counts the prefill as the plain model does."""
    gpu, gpu_note, gpu_exact = _device(setup, setup.accel)
    host, cpu_note, cpu_exact = _device(setup, cpu)
    total, n = arch.layers, sp.gpu_layers
    host_n = total - n
    # MoE: a step reads only the experts its batch touches (the same share on both sides).
    lookup_only = 0 if arch.tied_embeddings else arch.embedding_params()
    read = min(streamed_params(arch, req.batch) / (arch.total_params() - lookup_only), 1.0)
    context = int(req.prompt + req.output / 2)  # average cached tokens while decoding
    kv_layer = kv_cache_bytes(arch, context, req.batch, setup.kv_bytes_per_element) / total
    flops = 2.0 * streamed_params(arch, 1) * req.batch
    attention = arch.attention_flops_per_token(context) * req.batch
    weights = sp.gpu_weights + sp.host_weights
    gpu_s = decode_side_s(
        gpu, n, sp.gpu_weights * read, n * kv_layer,
        flops * sp.gpu_weights / weights, attention * n / total,
    )  # fmt: skip
    cpu_s = decode_side_s(
        host, host_n, sp.host_weights * read, host_n * kv_layer,
        flops * sp.host_weights / weights, attention * host_n / total,
    )  # fmt: skip
    step = gpu_s + cpu_s
    link = host_link_gbs(setup.accel)
    tokens = req.batch * req.prompt
    pre = 0.0
    if tokens > 0:
        pre = prefill_s(
            gpu, host, tokens, sp, total, 2.0 * streamed_params(arch, 1) * tokens,
            arch.attention_flops_per_token(req.prompt // 2) * tokens, link * 1e9,
        )  # fmt: skip
    steps = max(req.output, 1)
    speed = InferenceSpeed(
        prefill_tokens_per_s=tokens / pre if pre > 0 else None,
        ttft_s=pre + step,
        decode_tokens_per_s=1.0 / step,
        throughput_tokens_per_s=req.batch * steps / (pre + steps * step),
        max_context_tokens=None,
        batch=req.batch,
    )
    notes = (
        gpu_note,
        cpu_note,
        f"offloaded to CPU RAM: {n} of {total} layers on {setup.accel.id}, {host_n} in host RAM "
        f"on {cpu.id}; per token {gpu_s * 1e3:.1f} ms on the GPU + {cpu_s * 1e3:.1f} ms on the "
        f"CPU ({cpu_s / step:.0%} of decode time on the CPU side)",
        "prefill: from 32-token prompts llama.cpp runs the host layers' matmuls on the GPU, "
        f"copying their weights over the host link ({link:.1f} GB/s achieved) once per "
        "512-token micro-batch (llama.cpp PR #6083)",
    )
    confidence = Confidence.MEDIUM if gpu_exact and cpu_exact else Confidence.LOW
    if cpu.estimated or setup.accel.estimated:
        confidence = Confidence.LOW
    return OffloadSpeed(speed, gpu_s, cpu_s, notes, confidence)
