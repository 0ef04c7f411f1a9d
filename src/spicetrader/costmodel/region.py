"""The calibrated region: which (task, engine, hardware family, architecture) a measurement backs.

``data/calibrated.csv`` lists every combination that has at least one case in
``bench/data/cases.jsonl`` (written by ``bench/fit_efficiency.py --write``; ollama counts as
llama.cpp and SGLang as vLLM, as their kernels are shared). An estimate outside it rests on
borrowed efficiencies: it says so and its confidence is "low". The architecture is ``dense`` or
``moe`` for language models and ``diffusion`` for image models: an MoE model on an engine whose
only cases are dense is outside, because routing and grouped expert kernels are exactly what the
dense fits do not see.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.catalog.rowbase import AsOf

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.costmodel.context import Setup, SpeedResult
    from spicetrader.models.arch import Architecture, DiffusionArchitecture
    from spicetrader.spec.workload import Engine

__all__ = [
    "LONG_TTFT_S",
    "CalibratedRow",
    "architecture_kind",
    "calibrated",
    "outside_note",
    "with_doubts",
]

# A chat user gives up after a few seconds; 10 s to the first token is a batch job, not a chat.
LONG_TTFT_S: Final = 10.0

_PATH: Final = "spicetrader/costmodel/data/calibrated.csv"
COLUMNS: Final = ("task", "engine", "hardware", "architecture", "cases", "as_of")
SAME_KERNELS: Final = {"ollama": "llama.cpp", "sglang": "vllm"}


class CalibratedRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    task: Annotated[str, Field(pattern=r"^(inference|training|image)$")]
    engine: Annotated[str, Field(min_length=1)]
    hardware: Annotated[str, Field(min_length=1)]  # accelerator family
    architecture: Annotated[str, Field(pattern=r"^(dense|moe|diffusion)$")]
    cases: Annotated[int, Field(ge=1)]
    as_of: AsOf


@functools.cache
def calibrated() -> frozenset[tuple[str, str, str, str]]:
    """The (task, engine, family, architecture) keys with at least one case."""
    ref = resources.files("spicetrader.costmodel") / "data" / "calibrated.csv"
    rows = parse_rows(ref.read_text("utf-8"), CalibratedRow, COLUMNS, _PATH)
    return frozenset((r.row.task, r.row.engine, r.row.hardware, r.row.architecture) for r in rows)


def architecture_kind(arch: Architecture | DiffusionArchitecture) -> str:
    from spicetrader.models.arch import Architecture

    if not isinstance(arch, Architecture):
        return "diffusion"
    return "moe" if arch.is_moe else "dense"


def outside_note(
    task: str, engine: Engine, accel: Accelerator, arch: Architecture | DiffusionArchitecture
) -> str | None:
    """A sentence when no measurement backs this combination, else None."""
    kind = architecture_kind(arch)
    kin = SAME_KERNELS.get(engine.value, engine.value)
    region = calibrated()
    if (task, kin, accel.family, kind) in region or (task, kin, accel.id, kind) in region:
        return None
    return (
        f"outside the calibrated region: no measured case of {engine.value} {task} with a "
        f"{kind} model on {accel.family} ({accel.id}); efficiencies borrowed, low confidence"
    )


def _task(setup: Setup) -> str:
    from spicetrader.spec.workload import Task

    task = setup.workload.task
    if task is Task.INFERENCE:
        return "inference"
    return "image" if task is Task.IMAGE else "training"


def with_doubts(setup: Setup, result: SpeedResult) -> SpeedResult:
    """``result`` with the reasons to doubt it said: outside the calibrated region (confidence
    low) and a very long time to first token at the requested batch."""
    from dataclasses import replace

    from spicetrader.costmodel.context import Confidence

    notes: list[str] = []
    confidence = result.confidence
    outside = outside_note(_task(setup), setup.engine, setup.accel, setup.arch)
    if outside is not None:
        notes.append(outside)
        confidence = Confidence.LOW.value
        result = replace(result, calibrated=False)
    speed = result.inference
    if speed is not None and speed.ttft_s is not None and speed.ttft_s > LONG_TTFT_S:
        notes.append(
            f"long time to first token: {speed.ttft_s:.3g} s at batch {speed.batch}, since every "
            "sequence of the batch waits for the prefill of all the prompts; a smaller batch "
            "or shorter prompts answer sooner"
        )
    if not notes:
        return result
    return replace(result, assumptions=(*result.assumptions, *notes), confidence=confidence)
