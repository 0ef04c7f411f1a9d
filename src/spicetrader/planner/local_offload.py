""" "This machine" with llama.cpp offload: a model too big for the owned GPU alone may still run
with part of its layers in host RAM (``costmodel/offload.py``), at the speed the split gives.

When the local option's best configuration does not fit and ``spice probe`` found the host CPU
and RAM, the workload is estimated again at the precision asked for (the usual GGUF default when
none was) with ``offload: {gpu_layers: auto}``; if that fits, the option shows it, flagged
"offloaded to CPU RAM", and the plan's speed floor (``fast_enough``) decides whether it is usable,
as for every option. Only inference on llama.cpp is offloaded; anything else keeps the answer it
had. The buy tier does not try offload (a machine to buy is sized to hold the model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spicetrader.errors import SpiceError
from spicetrader.planner.search import Evaluated
from spicetrader.spec.workload import HostOffload, Task

if TYPE_CHECKING:
    from spicetrader.planner.context import PlanContext
    from spicetrader.planner.local import LocalMachine
    from spicetrader.spec.estimate import Estimate

__all__ = ["offload_notes", "with_offload"]


def with_offload(ctx: PlanContext, machine: LocalMachine, ev: Evaluated) -> Evaluated:
    """``ev``, or the same workload offloaded to host RAM when only that makes it fit."""
    search = ctx.search
    workload = search.workload
    if ev.estimate.fits or machine.host_cpu is None or machine.devices != 1:
        return ev
    if workload.task is not Task.INFERENCE or machine.hardware == machine.host_cpu:
        return ev
    offload = HostOffload(cpu=machine.host_cpu, host_memory_gb=machine.host_memory_gb)
    spec = workload.model_copy(
        update={
            "hardware": machine.hardware,
            "devices": 1,
            "nodes": 1,
            "memory_gb": machine.memory_gb,
            "parallelism": None,
            "offload": offload,
        }
    )
    try:
        estimate = search.estimator(spec, search.catalog)
    except SpiceError:
        return ev  # the engine or hardware cannot offload: keep the answer without it
    if not estimate.fits:
        return ev
    requested = estimate.workload.precision or ev.requested_precision
    return Evaluated(estimate, quantized=False, requested_precision=requested, asked=ev.asked)


def offload_notes(estimate: Estimate) -> list[str]:
    """The option's flag and where the time goes, when its estimate is an offload split."""
    split = estimate.offload
    if split is None or split.gpu_layers == split.total_layers:
        return []
    host_layers = split.total_layers - split.gpu_layers
    text = (
        f"offloaded to CPU RAM: {split.gpu_layers} of {split.total_layers} layers on the GPU, "
        f"{host_layers} in host RAM ({split.host_gb:.1f} of {split.host_capacity_gb:.1f} GB, "
        f"{split.cpu})"
    )
    if split.decode_gpu_s is not None and split.decode_cpu_s is not None:
        step = split.decode_gpu_s + split.decode_cpu_s
        if step > 0:
            text += f"; {split.decode_cpu_s / step:.0%} of each token's time on the CPU side"
    return [text]
