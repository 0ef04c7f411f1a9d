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
from spicetrader.costmodel.fit import largest, size
from spicetrader.costmodel.host import is_cpu
from spicetrader.costmodel.memory_activations import llama_cpp_compute_buffer_bytes
from spicetrader.costmodel.memory_kv import kv_cache_bytes
from spicetrader.costmodel.memory_overhead import os_reserve_gb, overhead_gb
from spicetrader.costmodel.offload import LayerBytes, SidePlacement, auto_gpu_layers, placement
from spicetrader.costmodel.offload_speed import Request, offload_speed
from spicetrader.costmodel.resolve import resolve
from spicetrader.errors import NotSupportedError
from spicetrader.models.arch import Architecture
from spicetrader.models.weights import weight_bytes
from spicetrader.spec.estimate import Bound, Estimate, MemoryBreakdown, OffloadSplit
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
    gpu_cap = setup.capacity_gb * 1e9
    lb, _, buffer = _sides(setup, arch, batch, context, 0)
    if offload.gpu_layers == "auto":
        gpu_fixed = overhead_gb(setup.engine) * 1e9 + buffer
        n = auto_gpu_layers(lb, gpu_cap, gpu_fixed)
        notes.append(f"gpu_layers auto: {n} of {arch.layers} layers fit the GPU")
    else:
        n = min(offload.gpu_layers, arch.layers)
    sp = _sides(setup, arch, batch, context, n)[1]
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
        plain = _plain(workload, catalog, fetch_config)
        if plain is not None:
            return plain.model_copy(update={"offload": _all_on_gpu(plain, split)})
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
    fast = offload_speed(setup, arch, host.cpu, sp, Request(batch, prompt, output))
    longest = _max_context(setup, arch, batch, sp.gpu_layers, gpu_cap, host.capacity_gb * 1e9)
    return Estimate(
        workload=setup.workload,
        fits=True,
        memory=memory,
        inference=fast.speed.model_copy(update={"max_context_tokens": longest}),
        bound=Bound.MEMORY_BANDWIDTH,
        assumptions=[*notes, *fast.notes],
        confidence=fast.confidence.value,
        offload=split.model_copy(update={"decode_gpu_s": fast.gpu_s, "decode_cpu_s": fast.cpu_s}),
    )


def _plain(
    workload: Workload, catalog: Catalog, fetch_config: FetchConfig | None
) -> Estimate | None:
    """The ordinary estimate when the whole model fits the GPU (None when it does not: then the
    offload model answers, with nothing but the embedding on the host)."""
    from spicetrader.costmodel.estimator import estimate

    plain = workload.model_copy(update={"offload": None})
    if not size(resolve(plain, catalog, fetch_config)).fits:
        return None
    found = estimate(plain, catalog, fetch_config=fetch_config)
    return found.model_copy(
        update={"assumptions": [*found.assumptions, "every layer fits the GPU: nothing offloaded"]}
    )


def _all_on_gpu(plain: Estimate, split: OffloadSplit) -> OffloadSplit:
    step = None if plain.inference is None else plain.inference.decode_tokens_per_s
    return split.model_copy(
        update={"decode_gpu_s": None if not step else 1.0 / step, "decode_cpu_s": 0.0}
    )


def _sides(
    setup: Setup, arch: Architecture, batch: int, context: int, gpu_layers: int
) -> tuple[LayerBytes, SidePlacement, float]:
    """The cut, the placement of ``gpu_layers`` layers, and the compute buffer, at ``context``."""
    lb = _layer_bytes(setup, arch, batch, context)
    buffer = llama_cpp_compute_buffer_bytes(arch, context)
    gpu_fixed = overhead_gb(setup.engine) * 1e9 + buffer
    return lb, placement(lb, gpu_layers, gpu_fixed, buffer), buffer


def _max_context(
    setup: Setup, arch: Architecture, batch: int, gpu_layers: int, gpu_cap: float, host_cap: float
) -> int:
    """The longest context (prompt + output) that still fits both sides with this split."""

    def ok(context: int) -> bool:
        sp = _sides(setup, arch, batch, context, gpu_layers)[1]
        return sp.gpu_bytes <= gpu_cap and sp.host_bytes <= host_cap

    return largest(ok, arch.max_context)
