"""Apple's Neural Engine: the second compute unit Core ML can put a model on.

Core ML runs a model on the CPU and GPU or on the CPU and Neural Engine (``MLComputeUnits``);
apple/ml-stable-diffusion converts Stable Diffusion for both and its README's benchmark reports
the faster unit per Mac (base M1/M2: ``CPU_AND_NE``; Max/Ultra: ``CPU_AND_GPU``). The Neural
Engine's rate comes from ``data/neural_engine.csv`` (Apple's stated operations per second, one
row per chip); the share of it a diffusion pipeline reaches is the ``neural_engine_efficiency``
speed constant.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.catalog.rowbase import AsOf

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator

__all__ = ["NeuralEngine", "neural_engine"]

_COLUMNS = ("accelerator", "cores", "fp16_tops", "source", "note", "as_of")


class NeuralEngine(BaseModel):
    """One chip's Neural Engine."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    accelerator: Annotated[str, Field(min_length=1)]
    cores: Annotated[int, Field(gt=0)]
    fp16_tops: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    source: Annotated[str, Field(min_length=1)]
    note: str = ""
    as_of: AsOf

    @property
    def flops_per_s(self) -> float:
        return self.fp16_tops * 1e12


@functools.cache
def _table() -> dict[str, NeuralEngine]:
    name = "neural_engine.csv"
    text = (resources.files("spicetrader.costmodel") / "data" / name).read_text(encoding="utf-8")
    rows = parse_rows(text, NeuralEngine, _COLUMNS, f"spicetrader/costmodel/data/{name}")
    return {located.row.accelerator: located.row for located in rows}


def neural_engine(accel: Accelerator) -> NeuralEngine | None:
    """The chip's Neural Engine, or ``None`` (not Apple silicon, or no published figure)."""
    return _table().get(accel.id)
