"""Usable memory per device and the fixed runtime overhead of an engine.

Apple silicon: macOS lets the GPU wire only part of unified memory (Metal's
``recommendedMaxWorkingSetSize``: about 2/3 of RAM up to 36 GB, 3/4 above); the rest stays with
the OS. The limit can be raised with ``sudo sysctl iogpu.wired_limit_mb=<MiB>`` (until reboot).
vLLM and SGLang preallocate a fixed share of device memory (``gpu_memory_utilization`` 0.9 /
``mem_fraction_static``) and fill what weights and activations leave with KV cache blocks: we
model them as "the engine may use that share" for the fit, and the KV cache of the batch asked for
must fit in what the share leaves. Figures and sources: ``data/runtime.csv``.

Device memory is sold in binary units: a "24 GB" RTX 4090 has 24 GiB (nvidia-smi: 24564 MiB), an
"80 GB" H100 81559 MiB, an "8 GB" Mac 8 GiB. The catalog keeps the marketed figure, so the
physical capacity in GB (10**9 B) is ``memory_gb x 2**30 / 10**9`` (x 1.074).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.catalog.schema import Vendor
from spicetrader.costmodel.host import is_cpu
from spicetrader.costmodel.runtime import runtime_table
from spicetrader.units import gib_to_gb

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.spec.workload import Engine

__all__ = ["Capacity", "os_reserve_gb", "overhead_gb", "usable_capacity"]


@dataclass(frozen=True, slots=True)
class Capacity:
    """Usable GB per device and what was assumed to get it."""

    physical_gb: float
    usable_gb: float
    assumptions: tuple[str, ...]


def usable_capacity(accel: Accelerator, memory_gb: float, engine: Engine) -> Capacity:
    """The memory one device can give the workload (``memory_gb`` = the configuration chosen)."""
    table = runtime_table()
    physical = gib_to_gb(memory_gb)
    usable = physical
    notes = [
        f"{accel.id} memory {memory_gb:g} GB as sold is binary (GiB): {physical:.2f} GB of 10^9 B"
    ]
    if accel.vendor is Vendor.APPLE:
        row = table.apple_wired_for(memory_gb)
        usable = physical * row.value
        notes.append(
            f"macOS wires about {row.value:.0%} of unified memory to the GPU by default "
            f"({usable:.1f} of {physical:.1f} GB); raise it with "
            f"`sudo sysctl iogpu.wired_limit_mb={int(memory_gb * 1024 * 0.9)}` "
            "(leave the OS a few GB)"
        )
    igpu = table.igpu_fraction
    shared_igpu = accel.unified_memory and accel.vendor is not Vendor.APPLE and not is_cpu(accel)
    if shared_igpu and igpu is not None:
        usable = physical * igpu.value
        notes.append(
            f"{accel.id} is an integrated GPU sharing system RAM: the driver gives it about "
            f"{igpu.value:.0%} by default ({usable:.1f} of {physical:.1f} GB; {igpu.note})"
        )
    if is_cpu(accel):
        reserve = os_reserve_gb()
        usable = max(physical - reserve, 0.0)
        notes.append(
            f"{accel.id} is a CPU: the model runs from system RAM; the OS keeps about "
            f"{reserve:g} GB ({usable:.1f} of {physical:.1f} GB usable)"
        )
    fraction = table.fraction_for(engine)
    if fraction is not None:
        usable *= fraction.value
        notes.append(
            f"{engine.value} preallocates {fraction.value:.0%} of device memory "
            f"({usable:.1f} GB usable); the KV cache gets what weights and activations leave"
        )
    return Capacity(physical, usable, tuple(notes))


def overhead_gb(engine: Engine) -> float:
    """Fixed per-device runtime memory of ``engine`` (CUDA/Metal context, framework, slack)."""
    return runtime_table().overhead_for(engine).value


def os_reserve_gb() -> float:
    """RAM the operating system keeps when a model runs from system memory (GB)."""
    row = runtime_table().host_os_reserve
    return 0.0 if row is None else row.value
