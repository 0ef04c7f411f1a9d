"""CPUs as hardware: which catalog rows are CPUs, and what llama.cpp does on them.

A CPU row (``segment: cpu`` in ``catalog/data/accelerators.csv``) is a processor whose "device
memory" is the system RAM it is sold with (``memory_configs_gb``) and whose bandwidth is the
memory channels' peak (channels x 8 B x MT/s). The model lives in RAM, so the usable capacity is
the RAM less what the operating system keeps (``runtime.csv`` ``host_os_reserve_gb``).

Only llama.cpp (and ollama, which runs it) is modelled on a CPU: it is what people run there, and
the efficiencies in ``efficiency.csv`` (``inference,llama.cpp,cpu-*``) are fitted on llama-bench
CPU cases. Training and diffusion on a CPU are refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.errors import NotSupportedError
from spicetrader.spec.workload import Engine, Task

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.costmodel.context import Setup
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = ["CPU_ENGINES", "CPU_SEGMENT", "check_cpu_engine", "cpu_time_note", "is_cpu"]

CPU_SEGMENT: Final = "cpu"
CPU_ENGINES: Final = frozenset({Engine.LLAMA_CPP, Engine.OLLAMA})


def is_cpu(accel: Accelerator) -> bool:
    """Whether ``accel`` is a CPU row (the model runs from system RAM)."""
    return accel.segment == CPU_SEGMENT


def check_cpu_engine(engine: Engine, task: Task, accel: Accelerator) -> None:
    """Refuse what is not modelled on a CPU: training, images, engines other than llama.cpp."""
    if task is not Task.INFERENCE:
        raise NotSupportedError(
            f"{accel.id} is a CPU: only LLM inference (llama.cpp) is modelled on CPUs, "
            f"not task {task.value}; pick a GPU or a Mac for {task.value}"
        )
    if engine not in CPU_ENGINES:
        raise NotSupportedError(
            f"{engine.value} is not modelled on a CPU ({accel.id}); use engine llama.cpp "
            "(or ollama), which runs GGUF models from system RAM"
        )


def cpu_time_note(setup: Setup, memory: MemoryBreakdown) -> str:
    """Where a CPU-only decode step's time goes: the weights and KV cache streamed from RAM at
    the llama.cpp share of its bandwidth, plus the per-layer thread synchronisation."""
    from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup
    from spicetrader.models.precision import PrecisionKind

    accel = setup.accel
    kind = WeightsKind.FLOAT if setup.fmt.kind is PrecisionKind.FLOAT else WeightsKind.QUANTIZED
    row = lookup(SpeedTask.INFERENCE, setup.engine, accel, kind).row
    read_gb = memory.weights_gb + memory.kv_cache_gb
    rate = accel.mem_bw_gbs * row.bw_efficiency
    layers = getattr(setup.arch, "layers", 0)
    sync_ms = layers * row.overhead_us / 1e3
    return (
        f"CPU-only: each token streams up to {read_gb:.1f} GB of weights and KV cache from RAM at "
        f"{accel.mem_bw_gbs:g} GB/s x {row.bw_efficiency:.0%} = {rate:.0f} GB/s "
        f"({read_gb / rate * 1e3:.0f} ms), plus {layers} layers x {row.overhead_us:g} us of "
        f"thread synchronisation ({sync_ms:.0f} ms)"
    )
