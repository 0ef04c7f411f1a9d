"""The offload suggestion: a model too big for one GPU may run with llama.cpp's ``-ngl`` split,
part of its layers in host RAM (``offload_estimate``), at the speed that split gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spicetrader.costmodel.host import CPU_ENGINES, is_cpu
from spicetrader.errors import SpiceError
from spicetrader.spec.workload import HostOffload, Task

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.costmodel.context import Setup
    from spicetrader.costmodel.resolve import FetchConfig

__all__ = ["offload_suggestion"]


def offload_suggestion(setup: Setup, catalog: Catalog, fetch: FetchConfig | None) -> str | None:
    """ "llama.cpp offload ..." when the split fits with the default CPU and RAM, else None."""
    from spicetrader.costmodel.offload_estimate import estimate_offload

    wl = setup.workload
    accel = setup.accel
    if wl.task is not Task.INFERENCE or setup.engine not in CPU_ENGINES or wl.devices != 1:
        return None
    if is_cpu(accel) or accel.unified_memory:
        return None
    try:
        est = estimate_offload(wl.model_copy(update={"offload": HostOffload()}), catalog, fetch)
    except SpiceError:
        return None
    split, speed = est.offload, est.inference
    if not est.fits or split is None or speed is None or speed.decode_tokens_per_s is None:
        return None
    ram = catalog.accelerators[split.cpu].memory_gb
    return (
        f"llama.cpp offload to host RAM (--gpu-layers auto): {split.gpu_layers} of "
        f"{split.total_layers} layers on the GPU, {split.host_gb:.1f} GB in RAM, about "
        f"{speed.decode_tokens_per_s:.2g} tokens/s with a {split.cpu} and {ram:g} GB "
        "(give --cpu and --host-memory-gb for yours)"
    )
