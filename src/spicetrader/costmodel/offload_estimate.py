"""``estimate`` for a workload with ``offload`` (llama.cpp GPU + host RAM split).

Resolves the GPU side as any estimate does, the CPU from the catalog, cuts the model per layer
(:mod:`offload`), checks each side against its own capacity and prices decode and prefill on the
two devices with their own llama.cpp efficiencies (``efficiency.csv``). When every layer fits
the GPU the ordinary estimate answers (no host layers, nothing to split) and the split is
reported with zero host layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from spicetrader.costmodel.context import Confidence
from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup, speed_constants
from spicetrader.costmodel.host import is_cpu
from spicetrader.costmodel.inference import streamed_params
from spicetrader.costmodel.memory_activations import llama_cpp_compute_buffer_bytes
from spicetrader.costmodel.memory_kv import kv_cache_bytes
from spicetrader.costmodel.memory_overhead import os_reserve_gb, overhead_gb
from spicetrader.costmodel.offload import (
    Device,
    LayerBytes,
    SidePlacement,
    auto_gpu_layers,
    decode_side_s,
    placement,
    prefill_s,
)
from spicetrader.costmodel.resolve import resolve
from spicetrader.costmodel.roofline import bandwidth_bytes_per_s, parse_compute_dtype, peak_flops
from spicetrader.errors import NotSupportedError
from spicetrader.models.arch import Architecture
from spicetrader.models.precision import PrecisionKind
from spicetrader.models.weights import weight_bytes
from spicetrader.spec.estimate import Bound, Estimate, InferenceSpeed, MemoryBreakdown, OffloadSplit
from spicetrader.spec.workload import Engine, Task
from spicetrader.units import gib_to_gb

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.costmodel.context import Setup
    from spicetrader.costmodel.resolve import FetchConfig
    from spicetrader.spec.workload import HostOffload, Workload

__all__ = ["DEFAULT_CPU", "estimate_offload"]

DEFAULT_CPU: Final = "ryzen-9-7950x"  # a common 16-core desktop with dual-channel DDR5-5200
PCIE4_X16_GBS: Final = 31.5  # GB/s per direction, the link the offload_link_gbs constant is for
_OFFLOAD_ENGINES: Final = frozenset({Engine.LLAMA_CPP, Engine.OLLAMA})


@dataclass(frozen=True, slots=True)
class _Host:
    cpu: Accelerator
    capacity_gb: float
    notes: tuple[str, ...]


def _host(offload: HostOffload, catalog: Catalog) -> _Host:
    cpu = catalog.accelerator(offload.cpu or DEFAULT_CPU)
    if not is_cpu(cpu):
        raise NotSupportedError(f"offload.cpu must be a CPU (segment cpu), not {cpu.id}")
    notes: list[str] = []
    if offload.cpu is None:
        notes.append(f"host CPU {cpu.id} (default: a common desktop; give --cpu ID)")
    ram = offload.host_memory_gb if offload.host_memory_gb is not None else cpu.memory_gb
    if offload.host_memory_gb is None:
        notes.append(f"host RAM {ram:g} GB (the {cpu.id} default; give --host-memory-gb)")
    reserve = os_reserve_gb()
    capacity = max(gib_to_gb(ram) - reserve, 0.0)
    notes.append(f"host RAM {ram:g} GB = {gib_to_gb(ram):.1f} GB, less {reserve:g} GB for the OS")
    return _Host(cpu, capacity, tuple(notes))


def _device(setup: Setup, accel: Accelerator) -> tuple[Device, str, bool]:
    kind = WeightsKind.FLOAT if setup.fmt.kind is PrecisionKind.FLOAT else WeightsKind.QUANTIZED
    match = lookup(SpeedTask.INFERENCE, setup.engine, accel, kind)
    row = match.row
    peak = peak_flops(
        accel, parse_compute_dtype(setup.fmt.compute_dtype), fp16_accumulate=row.fp16_accumulate
    )
    dev = Device(
        bw=bandwidth_bytes_per_s(accel) * row.bw_efficiency,
        flops=peak.flops_per_s * row.compute_efficiency,
        layer_overhead_s=row.overhead_us * 1e-6,
    )
    return dev, match.assumption(setup.engine, accel), match.exact


def _layer_bytes(setup: Setup, arch: Architecture, batch: int, context: int) -> LayerBytes:
    total = weight_bytes(arch, setup.fmt)
    per_param = total / arch.total_params()
    embedding = arch.embedding_params() * per_param
    lm_head = arch.lm_head_params() * per_param
    return LayerBytes(
        total_layers=arch.layers,
        layer=(total - embedding - lm_head) / arch.layers,
        kv_layer=kv_cache_bytes(arch, context, batch, setup.kv_bytes_per_element) / arch.layers,
        embedding=embedding,
        head=lm_head if lm_head else embedding,
        head_tied=not lm_head,
    )


def _check(setup: Setup, workload: Workload) -> Architecture:
    arch = setup.arch
    if workload.task is not Task.INFERENCE or not isinstance(arch, Architecture):
        raise NotSupportedError("offload applies to LLM inference (llama.cpp) only")
    if setup.engine not in _OFFLOAD_ENGINES:
        raise NotSupportedError(
            f"offload to CPU RAM is modelled for llama.cpp (and ollama), not {setup.engine.value}"
        )
    accel = setup.accel
    if is_cpu(accel):
        raise NotSupportedError(
            f"{accel.id} is a CPU: for CPU-only inference drop the offload flags; "
            "offload pairs a GPU (--hardware) with a CPU (--cpu)"
        )
    if accel.unified_memory:
        raise NotSupportedError(
            f"{accel.id} shares one memory with its CPU: there is no host RAM to offload to"
        )
    if setup.devices != 1:
        raise NotSupportedError("offload is modelled for one GPU plus host RAM (devices: 1)")
    return arch


def estimate_offload(
    workload: Workload, catalog: Catalog, fetch_config: FetchConfig | None = None
) -> Estimate:
    """The estimate of a workload whose ``offload`` section splits it between GPU and host."""
    from spicetrader.costmodel.estimator import estimate

    offload = workload.offload
    if offload is None:
        raise TypeError("estimate_offload needs a workload with an offload section")
    resolved = resolve(workload, catalog, fetch_config)
    setup = resolved.setup
    arch = _check(setup, workload)
    host = _host(offload, catalog)
    spec = setup.workload.inference
    prompt = spec.prompt_tokens if spec is not None else 512
    output = spec.output_tokens if spec is not None else 128
    notes = [*resolved.assumptions, *host.notes]
    batch = 1
    if spec is not None and isinstance(spec.batch, int):
        batch = spec.batch
    elif spec is not None:
        notes.append("batch max is not searched with offload: batch 1")
    context = max(prompt + output, 1)
    lb = _layer_bytes(setup, arch, batch, context)
    buffer = llama_cpp_compute_buffer_bytes(arch, context)
    gpu_fixed = overhead_gb(setup.engine) * 1e9 + buffer
    gpu_cap = setup.capacity_gb * 1e9
    if offload.gpu_layers == "auto":
        n = auto_gpu_layers(lb, gpu_cap, gpu_fixed)
        notes.append(f"gpu_layers auto: {n} of {arch.layers} layers fit the GPU")
    else:
        n = min(offload.gpu_layers, arch.layers)
    sp = placement(lb, n, gpu_fixed, buffer)
    split = OffloadSplit(
        gpu_layers=sp.gpu_layers,
        total_layers=arch.layers,
        cpu=host.cpu.id,
        gpu_gb=round(sp.gpu_bytes / 1e9, 3),
        host_gb=round(sp.host_bytes / 1e9, 3),
        gpu_capacity_gb=round(setup.capacity_gb, 3),
        host_capacity_gb=round(host.capacity_gb, 3),
    )
    if sp.gpu_layers == arch.layers and sp.gpu_bytes <= gpu_cap:
        plain = estimate(workload.model_copy(update={"offload": None}), catalog,
                         fetch_config=fetch_config)  # fmt: skip
        step = None if plain.inference is None else plain.inference.decode_tokens_per_s
        split = split.model_copy(
            update={"decode_gpu_s": None if not step else 1.0 / step, "decode_cpu_s": 0.0}
        )
        return plain.model_copy(update={
            "assumptions": [*plain.assumptions, "every layer fits the GPU: nothing offloaded"],
            "offload": split,
        })  # fmt: skip
    memory = MemoryBreakdown(
        per_device_gb=split.gpu_gb,
        capacity_gb=split.gpu_capacity_gb,
        weights_gb=round(sp.gpu_weights / 1e9, 3),
        kv_cache_gb=round(sp.gpu_layers * lb.kv_layer / 1e9, 3),
        activations_gb=round(buffer / 1e9, 3),
        overhead_gb=overhead_gb(setup.engine),
    )
    fits = sp.gpu_bytes <= gpu_cap and sp.host_bytes <= host.capacity_gb * 1e9
    if not fits:
        notes.append(
            f"does not fit: GPU part {split.gpu_gb:.1f} of {split.gpu_capacity_gb:.1f} GB, "
            f"host part {split.host_gb:.1f} of {split.host_capacity_gb:.1f} GB usable"
        )
        return Estimate(
            workload=setup.workload, fits=False, memory=memory, bound=Bound.MEMORY_CAPACITY,
            assumptions=notes, confidence=Confidence.LOW.value, offload=split,
            suggestions=[
                f"host RAM of at least {sp.host_bytes / 1e9 + os_reserve_gb():.0f} GB "
                "(the host part plus the OS)",
                "a smaller quantization (e.g. q3_k_m, q2_k) or a smaller model",
            ],
        )  # fmt: skip
    return _speed(setup, arch, host.cpu, lb, sp, split, memory, notes, batch, prompt, output)


def _speed(
    setup: Setup,
    arch: Architecture,
    cpu: Accelerator,
    lb: LayerBytes,
    sp: SidePlacement,
    split: OffloadSplit,
    memory: MemoryBreakdown,
    notes: list[str],
    batch: int,
    prompt: int,
    output: int,
) -> Estimate:
    gpu, gpu_note, gpu_exact = _device(setup, setup.accel)
    host, cpu_note, cpu_exact = _device(setup, cpu)
    notes.extend([gpu_note, cpu_note])
    n, total = sp.gpu_layers, arch.layers
    host_n = total - n
    # MoE: a decode step reads only the experts its batch touches (same share on both sides).
    lookup_only = 0 if arch.tied_embeddings else arch.embedding_params()
    read = min(streamed_params(arch, batch) / (arch.total_params() - lookup_only), 1.0)
    kv_read = kv_cache_bytes(arch, int(prompt + output / 2), batch, setup.kv_bytes_per_element)
    kv_layer_read = kv_read / total
    flops = 2.0 * streamed_params(arch, 1) * batch
    weights = sp.gpu_weights + sp.host_weights
    attention = arch.attention_flops_per_token(int(prompt + output / 2)) * batch
    gpu_s = decode_side_s(gpu, n, sp.gpu_weights * read, n * kv_layer_read,
                          flops * sp.gpu_weights / weights, attention * n / total)  # fmt: skip
    cpu_s = decode_side_s(host, host_n, sp.host_weights * read, host_n * kv_layer_read,
                          flops * sp.host_weights / weights, attention * host_n / total)  # fmt: skip
    step = gpu_s + cpu_s
    link_gbs = speed_constants().offload_link_gbs * min(
        1.0, setup.accel.interconnect_gbs / PCIE4_X16_GBS
    )
    tokens = batch * prompt
    pre = 0.0
    if prompt > 0:
        pre = prefill_s(gpu, host, tokens, sp, total, flops / batch * tokens,
                        arch.attention_flops_per_token(prompt // 2) * tokens,
                        link_gbs * 1e9)  # fmt: skip
    steps = max(output, 1)
    speed = InferenceSpeed(
        prefill_tokens_per_s=tokens / pre if pre > 0 else None,
        ttft_s=pre + step,
        decode_tokens_per_s=1.0 / step,
        throughput_tokens_per_s=batch * steps / (pre + steps * step),
        max_context_tokens=None,
        batch=batch,
    )
    notes.append(
        f"offloaded to CPU RAM: {n} of {total} layers on {setup.accel.id}, {host_n} in host RAM "
        f"on {cpu.id}; per token {gpu_s * 1e3:.1f} ms on the GPU + {cpu_s * 1e3:.1f} ms on the "
        f"CPU ({cpu_s / step:.0%} of decode time on the CPU side)"
    )
    notes.append(
        f"prefill: from 32-token prompts llama.cpp runs host layers' matmuls on the GPU, copying "
        f"their weights over the host link ({link_gbs:.1f} GB/s achieved) per 512-token micro-batch"
    )
    confidence = Confidence.MEDIUM if gpu_exact and cpu_exact else Confidence.LOW
    if cpu.estimated or setup.accel.estimated:
        confidence = Confidence.LOW
    return Estimate(
        workload=setup.workload,
        fits=True,
        memory=memory,
        inference=speed,
        bound=Bound.MEMORY_BANDWIDTH,
        assumptions=notes,
        confidence=confidence.value,
        offload=split.model_copy(update={"decode_gpu_s": gpu_s, "decode_cpu_s": cpu_s}),
    )
