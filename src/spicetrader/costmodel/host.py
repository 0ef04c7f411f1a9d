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

__all__ = ["CPU_ENGINES", "CPU_SEGMENT", "check_cpu_engine", "is_cpu"]

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
