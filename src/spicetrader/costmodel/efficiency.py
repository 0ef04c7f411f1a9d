"""Measured efficiencies: what fraction of the roofline an engine reaches on a hardware family.

Data, not code: ``data/efficiency.csv`` holds one row per (task, engine, hardware, weights) with
``bw_efficiency`` (share of datasheet memory bandwidth), ``compute_efficiency`` (share of the dense
peak), ``overhead_us`` (a fixed latency: per transformer layer per forward pass for inference, per
denoising step for images, unused for training) and a ``calibration`` note saying which cases it
was fitted on (``bench/accuracy.py --fit``) or which source gave the prior.
``data/speed_constants.csv`` and ``data/interconnect.csv`` hold the remaining constants.

Lookup goes from the most to the least specific row: the accelerator's family, then its vendor,
then ``*``; the engine itself, then ``*`` (any engine). A match that is not on the accelerator's
own family, or a row whose confidence is low, makes the estimate low-confidence.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.catalog.rowbase import AsOf
from spicetrader.catalog.schema import Interconnect
from spicetrader.costmodel.context import Confidence
from spicetrader.errors import CatalogDataError

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.spec.workload import Engine

__all__ = [
    "ANY",
    "EfficiencyRow",
    "InterconnectRow",
    "Match",
    "SpeedConstants",
    "SpeedTask",
    "WeightsKind",
    "efficiency_rows",
    "interconnect_row",
    "lookup",
    "parse_efficiency",
    "speed_constants",
]

ANY: Final = "*"
# Engines that run another engine's kernels: ollama wraps llama.cpp, SGLang shares vLLM's kernels.
_SAME_KERNELS: Final = {"ollama": "llama.cpp", "sglang": "vllm"}
Fraction = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]


class SpeedTask(StrEnum):
    INFERENCE = "inference"
    TRAINING = "training"
    IMAGE = "image"


class WeightsKind(StrEnum):
    FLOAT = "float"  # fp32/fp16/bf16/fp8 weights used as stored
    QUANTIZED = "quantized"  # weights dequantized in the kernel (GGUF, GPTQ, AWQ, NF4, EXL2...)
    ANY = "*"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EfficiencyRow(_Row):
    task: SpeedTask
    engine: Annotated[str, Field(min_length=1)]  # an Engine value or "*"
    # an accelerator id (a chip unlike the rest of its family), a family, a vendor, or "*"
    hardware: Annotated[str, Field(min_length=1)]
    weights: WeightsKind
    bw_efficiency: Fraction
    compute_efficiency: Fraction
    overhead_us: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    fp16_accumulate: bool
    confidence: Confidence
    calibration: Annotated[str, Field(min_length=1)]
    as_of: AsOf  # when the row was fitted (or its prior read)


EFFICIENCY_COLUMNS: Final = (
    "task", "engine", "hardware", "weights", "bw_efficiency", "compute_efficiency", "overhead_us",
    "fp16_accumulate", "confidence", "calibration", "as_of",
)  # fmt: skip


class InterconnectRow(_Row):
    link: Annotated[str, Field(min_length=1)]  # an Interconnect value or "inter-node"
    allreduce_latency_us: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    bw_efficiency: Fraction
    source: Annotated[str, Field(min_length=1)]
    note: str = ""
    as_of: AsOf


INTERCONNECT_COLUMNS: Final = (
    "link", "allreduce_latency_us", "bw_efficiency", "source", "note", "as_of",
)  # fmt: skip
INTER_NODE: Final = "inter-node"


class _ConstantRow(_Row):
    name: Annotated[str, Field(min_length=1)]
    value: Annotated[float, Field(allow_inf_nan=False)]
    unit: Annotated[str, Field(min_length=1)]
    source: Annotated[str, Field(min_length=1)]
    note: str = ""
    as_of: AsOf


CONSTANT_COLUMNS: Final = ("name", "value", "unit", "source", "note", "as_of")


class SpeedConstants(_Row):
    """Named constants of the speed model (``data/speed_constants.csv``)."""

    comm_overlap: Annotated[float, Field(ge=0, le=1)]
    training_hidden_half: Annotated[float, Field(ge=0)]
    pipeline_hop_us: Annotated[float, Field(ge=0)]
    offload_link_gbs: Annotated[float, Field(gt=0)]
    host_memory_gbs: Annotated[float, Field(gt=0)]
    activation_bytes: Annotated[float, Field(gt=0)]
    moe_training_routed_passes: Annotated[float, Field(ge=0)]
    moe_grouped_width_half: Annotated[float, Field(ge=0)]
    moe_grouped_gemm_share: Annotated[float, Field(gt=0, le=1)]
    moe_grouped_rows_half: Annotated[float, Field(ge=0)]
    moe_host_layer_us: Annotated[float, Field(ge=0)]
    attention_time_factor: Annotated[float, Field(ge=1)]
    dequant_vector_share: Annotated[float, Field(ge=0)]
    fp8_training_fixed_share: Annotated[float, Field(ge=0, le=1)]
    fp8_megatron_fixed_share: Annotated[float, Field(ge=0, le=1)]
    neural_engine_efficiency: Annotated[float, Field(gt=0, le=1)]


@dataclass(frozen=True, slots=True)
class Match:
    """The efficiency row chosen for one estimate, and how well it fits the request."""

    row: EfficiencyRow
    exact: bool  # the row names this engine and this accelerator family

    @property
    def confidence(self) -> Confidence:
        if not self.exact:
            return Confidence.LOW
        return self.row.confidence

    def assumption(self, engine: Engine, accel: Accelerator) -> str:
        row = self.row
        text = (
            f"{engine.value} on {accel.family}: {row.bw_efficiency:.0%} of memory bandwidth, "
            f"{row.compute_efficiency:.0%} of peak compute ({row.calibration})"
        )
        if not self.exact:
            text += (
                f"; no measurement backs {engine.value} on {accel.family}: borrowed from the "
                f"'{row.engine}/{row.hardware}' row (low confidence)"
            )
        return text


def _read(name: str) -> tuple[str, str]:
    ref = resources.files("spicetrader.costmodel") / "data" / name
    return ref.read_text(encoding="utf-8"), f"spicetrader/costmodel/data/{name}"


@functools.cache
def efficiency_rows() -> tuple[EfficiencyRow, ...]:
    text, path = _read("efficiency.csv")
    return parse_efficiency(text, path)


def parse_efficiency(text: str, path: str) -> tuple[EfficiencyRow, ...]:
    """Strictly parse efficiency rows: known engines only, no duplicate keys."""
    from spicetrader.spec.workload import Engine

    engines = {e.value for e in Engine} | {ANY}
    rows = parse_rows(text, EfficiencyRow, EFFICIENCY_COLUMNS, path)
    seen: set[tuple[str, str, str, str]] = set()
    for located in rows:
        r = located.row
        if r.engine not in engines:
            raise CatalogDataError(
                path, located.line, "engine",
                f"unknown engine {r.engine!r}; accepted: {', '.join(sorted(engines))}",
            )  # fmt: skip
        key = (r.task.value, r.engine, r.hardware, r.weights.value)
        if key in seen:
            raise CatalogDataError(path, located.line, "engine", f"duplicate row for {key}")
        seen.add(key)
    return tuple(located.row for located in rows)


@functools.cache
def _interconnects() -> dict[str, InterconnectRow]:
    text, path = _read("interconnect.csv")
    rows = parse_rows(text, InterconnectRow, INTERCONNECT_COLUMNS, path)
    known = {i.value for i in Interconnect} | {INTER_NODE}
    table: dict[str, InterconnectRow] = {}
    for located in rows:
        if located.row.link not in known:
            raise CatalogDataError(
                path, located.line, "link", f"unknown link; accepted: {', '.join(sorted(known))}"
            )
        table[located.row.link] = located.row
    missing = known - table.keys()
    if missing:
        raise CatalogDataError(path, None, "link", f"missing rows for {', '.join(sorted(missing))}")
    return table


def interconnect_row(link: Interconnect | None) -> InterconnectRow:
    """Latency and efficiency of a link (``None``: the network between nodes)."""
    return _interconnects()[INTER_NODE if link is None else link.value]


@functools.cache
def speed_constants() -> SpeedConstants:
    text, path = _read("speed_constants.csv")
    rows = parse_rows(
        text, _ConstantRow, ("name", "value", "unit", "source", "note", "as_of"), path
    )
    values = {located.row.name: located.row.value for located in rows}
    expected = set(SpeedConstants.model_fields)
    unknown = values.keys() - expected
    if unknown or expected - values.keys():
        raise CatalogDataError(
            path, None, "name",
            f"expected exactly the constants {', '.join(sorted(expected))}",
        )  # fmt: skip
    return SpeedConstants.model_validate(values)


def lookup(task: SpeedTask, engine: Engine, accel: Accelerator, weights: WeightsKind) -> Match:
    """The most specific efficiency row for this task, engine, accelerator and weights kind:
    the accelerator's own row (a chip its family's row does not describe, e.g. the DGX Spark's
    GB10 among the Blackwell GPUs), else its family's, its vendor's, then the fallback."""
    rows = efficiency_rows()
    hardware_keys = (accel.id, accel.family, accel.vendor.value, ANY)
    kin = _SAME_KERNELS.get(engine.value, engine.value)
    for engine_key in dict.fromkeys((engine.value, kin, ANY)):
        for hardware_key in hardware_keys:
            for weights_key in (weights, WeightsKind.ANY):
                for row in rows:
                    if (
                        row.task is task
                        and row.engine == engine_key
                        and row.hardware == hardware_key
                        and row.weights is weights_key
                    ):
                        exact = engine_key in (engine.value, kin) and hardware_key in (
                            accel.id,
                            accel.family,
                        )
                        return Match(row, exact)
    raise CatalogDataError(
        "spicetrader/costmodel/data/efficiency.csv", None, "engine",
        f"no row for task {task.value} (a '*,*,*' fallback row is required)",
    )  # fmt: skip
