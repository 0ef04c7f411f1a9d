"""What the estimator resolves once per estimate and hands to the memory and speed models.

``Setup`` is the contract between the memory side (``memory*.py``, ``fit.py``, ``estimator.py``)
and the speed side (``inference.py``, ``training.py``, ``diffusion.py``). The estimator calls:

- ``inference.inference_speed(setup, batch: int, memory: MemoryBreakdown) -> SpeedResult``
- ``training.training_speed(setup, tokens: float, memory: MemoryBreakdown) -> SpeedResult``
- ``diffusion.image_speed(setup, memory: MemoryBreakdown) -> SpeedResult``

Every name in here is already resolved and validated: the speed side never looks anything up.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.models.arch import Architecture, DiffusionArchitecture
    from spicetrader.models.precision import PrecisionFormat
    from spicetrader.spec.estimate import Bound, ImageSpeed, InferenceSpeed, TrainingSpeed
    from spicetrader.spec.workload import Engine, Parallelism, Workload

__all__ = ["Confidence", "Setup", "SpeedResult"]


class Confidence(StrEnum):
    """How well measurements back an estimate (the ``confidence`` field of the output)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything resolved for one estimate.

    ``workload`` has its defaults filled (engine, precision, parallelism, task section);
    ``parallel`` satisfies ``tensor * pipeline * data == devices``; ``capacity_gb`` is the memory
    usable per device (Apple: the GPU wired limit, not the whole unified memory);
    ``kv_bytes_per_element`` is the KV cache format's bytes per element (fp16 2, fp8 1,
    q8_0 8.5/8, q4_0 4.5/8).
    """

    workload: Workload
    arch: Architecture | DiffusionArchitecture
    accel: Accelerator
    fmt: PrecisionFormat
    engine: Engine
    parallel: Parallelism
    devices: int
    nodes: int
    capacity_gb: float
    kv_bytes_per_element: float

    @property
    def devices_per_node(self) -> int:
        return self.devices // self.nodes


@dataclass(frozen=True, slots=True)
class SpeedResult:
    """What the speed side answers; exactly one of inference/training/image is set."""

    inference: InferenceSpeed | None
    training: TrainingSpeed | None
    image: ImageSpeed | None
    bound: Bound
    assumptions: tuple[str, ...]
    confidence: str  # "high" | "medium" | "low" (Confidence values)
    calibrated: bool = True  # a case backs this task x engine x chip family x architecture
