"""What would make a workload that does not fit fit: more devices at this precision, a smaller
precision (or a lighter fine-tuning method) on this device, or bigger hardware."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.catalog.schema import Vendor
from spicetrader.costmodel.autodevices import candidate_counts
from spicetrader.costmodel.cluster import default_nodes, node_row
from spicetrader.costmodel.fit import size
from spicetrader.costmodel.resolve import FetchConfig, resolve
from spicetrader.costmodel.runtime import runtime_table
from spicetrader.costmodel.suggest_offload import offload_suggestion
from spicetrader.errors import SpiceError
from spicetrader.models.precision import PrecisionKind, resolve_precision
from spicetrader.spec.workload import Engine, Method, Offload, Parallelism, Task
from spicetrader.units import gib_to_gb

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.costmodel.context import Setup
    from spicetrader.spec.workload import Workload

__all__ = ["suggestions"]

_MAX_SUGGESTED_DEVICES: Final = 256
_GGUF_LADDER: Final = ("q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")
_SERVING_LADDER: Final = ("fp8", "int8", "awq-4bit")
_MLX_LADDER: Final = ("int8", "int4")


def _fits(workload: Workload, catalog: Catalog, fetch: FetchConfig | None) -> float | None:
    """Per-device GB if ``workload`` fits, else None (invalid variants count as not fitting)."""
    try:
        sized = size(resolve(workload, catalog, fetch))
    except SpiceError:
        return None
    return sized.parts.total / 1e9 if sized.fits else None


def _more_devices(setup: Setup, catalog: Catalog, fetch: FetchConfig | None) -> str | None:
    wl = setup.workload
    per_node = node_row(setup.accel).devices_per_node
    for n in candidate_counts(setup.accel, _MAX_SUGGESTED_DEVICES):  # Apple: 1 (not clustered)
        if n <= wl.device_count:
            continue
        nodes = default_nodes(n, per_node)
        variant = wl.model_copy(update={"devices": n, "nodes": nodes, "parallelism": None})
        gb = _fits(variant, catalog, fetch)
        if gb is not None:
            return f"{n} x {setup.accel.id} at {setup.fmt.id} ({gb:.1f} GB per device)"
    return None


def _ladder(setup: Setup) -> tuple[str, ...]:
    if setup.fmt.kind is PrecisionKind.GGUF or setup.engine in (Engine.LLAMA_CPP, Engine.OLLAMA):
        return _GGUF_LADDER
    if setup.engine is Engine.MLX:
        return _MLX_LADDER
    return _SERVING_LADDER


def _smaller_precision(setup: Setup, catalog: Catalog, fetch: FetchConfig | None) -> str | None:
    wl = setup.workload
    if wl.task is not Task.INFERENCE:
        return None
    for name in _ladder(setup):
        if resolve_precision(name).bits_per_weight >= setup.fmt.bits_per_weight:
            continue
        variant = wl.model_copy(update={"precision": name})
        probe = _fits(variant, catalog, fetch)
        if probe is not None:
            on = f"{wl.device_count} x {setup.accel.id}"
            return f"precision {name} on {on} ({probe:.1f} GB per device)"
    return None


def _lighter_method(setup: Setup, catalog: Catalog, fetch: FetchConfig | None) -> str | None:
    wl = setup.workload
    ft = wl.finetune
    if wl.task is not Task.FINETUNE or ft is None:
        return None
    for method in (Method.LORA, Method.QLORA):
        if method is ft.method or (ft.method is Method.QLORA):
            continue
        variant = wl.model_copy(update={
            "finetune": ft.model_copy(update={"method": method}), "precision": None,
        })  # fmt: skip
        gb = _fits(variant, catalog, fetch)
        if gb is not None:
            on = f"{wl.device_count} x {setup.accel.id}"
            return f"method {method.value} on {on} ({gb:.1f} GB per device)"
    return None


def _offload(setup: Setup, catalog: Catalog, fetch: FetchConfig | None) -> str | None:
    wl = setup.workload
    if wl.task not in (Task.FINETUNE, Task.PRETRAIN) or setup.parallel.offload is Offload.CPU:
        return None
    zero = 3 if wl.device_count > 1 else 0
    layout = Parallelism(data=wl.device_count, zero=zero, offload=Offload.CPU)
    gb = _fits(wl.model_copy(update={"parallelism": layout}), catalog, fetch)
    if gb is None:
        return None
    return (
        f"parallelism offload: cpu{' with zero 3' if zero else ''} on {wl.device_count} x "
        f"{setup.accel.id} ({gb:.1f} GB per device; optimizer in host RAM, slower steps)"
    )


def _bigger_hardware(setup: Setup, needed_gb: float, catalog: Catalog) -> str | None:
    """The smallest GPU and the smallest Mac whose memory covers the need (a hint, not a fit)."""
    gpu = min(
        (a for a in catalog.accelerators.values()
         if a.vendor is Vendor.NVIDIA and gib_to_gb(a.memory_gb) * 0.9 >= needed_gb),
        key=lambda a: a.memory_gb, default=None,
    )  # fmt: skip
    mac = min(
        ((a, c) for a in catalog.accelerators.values() if a.vendor is Vendor.APPLE
         for c in (a.memory_configs_gb or (a.memory_gb,))
         if gib_to_gb(c) * runtime_table().apple_wired_for(c).value >= needed_gb),
        key=lambda ac: ac[1], default=None,
    )  # fmt: skip
    parts = []
    if gpu is not None and gpu.id != setup.accel.id:
        parts.append(f"{gpu.id} ({gpu.memory_gb:g} GB)")
    if mac is not None:
        parts.append(f"a Mac with {mac[1]:g} GB ({mac[0].id})")
    if not parts:
        return None
    return "another tier, e.g. " + " or ".join(parts) + " (compare with `spice plan`)"


def suggestions(
    setup: Setup, needed_gb: float, catalog: Catalog, fetch_config: FetchConfig | None = None
) -> list[str]:
    """What would make it fit, most direct first; each checked by a full memory estimate
    (``fetch_config``: the Hugging Face hook the model was resolved with)."""
    found = [
        _more_devices(setup, catalog, fetch_config),
        _smaller_precision(setup, catalog, fetch_config),
        _lighter_method(setup, catalog, fetch_config),
        _offload(setup, catalog, fetch_config),
        offload_suggestion(setup, catalog, fetch_config),
    ]
    training = setup.workload.task in (Task.FINETUNE, Task.PRETRAIN)
    if setup.devices == 1 or not training:  # sharded training needs do not add up simply
        total_gb = needed_gb * setup.parallel.tensor * setup.parallel.pipeline
        found.append(_bigger_hardware(setup, total_gb, catalog))
    out = [s for s in found if s]
    if not out:
        out.append(f"needs {needed_gb:.1f} GB per device; no nearby layout found")
    return out
