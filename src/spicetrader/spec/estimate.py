"""Estimate output v1 (``shared/spec/workload.md``): what the cost model answers.

``Estimate.to_dict()`` is exactly the JSON of ``spice estimate --json``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from spicetrader.spec.workload import Workload

__all__ = [
    "Bound",
    "Estimate",
    "ImageSpeed",
    "InferenceSpeed",
    "MemoryBreakdown",
    "OffloadSplit",
    "TrainingSpeed",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bound(StrEnum):
    """What limits the speed."""

    MEMORY_BANDWIDTH = "memory-bandwidth"
    COMPUTE = "compute"
    INTERCONNECT = "interconnect"
    MEMORY_CAPACITY = "memory-capacity"  # does not fit


class MemoryBreakdown(_Out):
    per_device_gb: float
    capacity_gb: float
    weights_gb: float
    kv_cache_gb: float = 0.0
    activations_gb: float = 0.0
    gradients_gb: float = 0.0
    optimizer_gb: float = 0.0
    overhead_gb: float = 0.0


class InferenceSpeed(_Out):
    prefill_tokens_per_s: float | None
    ttft_s: float | None
    decode_tokens_per_s: float | None
    throughput_tokens_per_s: float | None
    max_context_tokens: int | None
    batch: int | None = None  # the batch actually used (resolves batch: max)


class TrainingSpeed(_Out):
    tokens_per_s: float
    tokens_per_s_per_device: float
    tflops_per_device: float
    mfu: float
    step_s: float
    total_hours: float
    device_hours: float
    tokens: float


class ImageSpeed(_Out):
    steps_per_s: float
    seconds_per_image: float
    images_per_s: float


class OffloadSplit(_Out):
    """Where a partially offloaded model lives and where its decode time goes (llama.cpp)."""

    gpu_layers: int
    total_layers: int
    cpu: str
    gpu_gb: float
    host_gb: float
    gpu_capacity_gb: float
    host_capacity_gb: float
    decode_gpu_s: float | None = None  # per generated token, the GPU layers' share
    decode_cpu_s: float | None = None  # per generated token, the host layers' share


class Estimate(_Out):
    spec: int = 1
    workload: Workload
    fits: bool
    memory: MemoryBreakdown
    inference: InferenceSpeed | None = None
    training: TrainingSpeed | None = None
    image: ImageSpeed | None = None
    bound: Bound
    assumptions: list[str]
    confidence: str = "medium"  # high | medium | low: how well measurements back this family
    # False: no published case of this task x engine x chip family x architecture (dense, MoE,
    # diffusion) backs the speed: its efficiencies are borrowed (costmodel/region.py)
    calibrated: bool = True
    suggestions: list[str] = []  # when it does not fit: what would make it fit
    model_input: str | None = None  # the model name as given (workload.model: the id it found)
    offload: OffloadSplit | None = None  # set when the workload asks for offload

    def to_dict(self) -> dict[str, object]:
        data = self.model_dump(mode="json")
        data["workload"] = self.workload.to_dict()
        if data.get("offload") is None:
            data.pop("offload", None)
        return data

    def __repr__(self) -> str:
        from spicetrader.render.summary import estimate_repr

        return estimate_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from spicetrader.render.notebook import estimate_html

        return estimate_html(self)

    def to_records(self) -> list[dict[str, Any]]:
        """The estimate as one flat row (a list of one dict, like ``Plan.to_records()``)."""
        from spicetrader.render.records import estimate_record

        return [estimate_record(self)]

    def to_pandas(self) -> Any:
        """``to_records()`` as a pandas DataFrame (needs pandas)."""
        from spicetrader.render.records import to_dataframe

        return to_dataframe(self.to_records())
