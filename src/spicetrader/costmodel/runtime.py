"""The runtime table (``data/runtime.csv``): engine overheads, engine memory budgets, and the
share of unified memory macOS wires to the GPU. Loaded strictly once (cached, immutable)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import read_rows
from spicetrader.errors import CatalogDataError
from spicetrader.spec.workload import Engine

__all__ = ["RuntimeKind", "RuntimeRow", "RuntimeTable", "runtime_table"]

RUNTIME_CSV = Path(__file__).parent / "data" / "runtime.csv"
RUNTIME_COLUMNS = ("kind", "engine", "min_memory_gb", "value", "source", "as_of", "note")


class RuntimeKind(StrEnum):
    OVERHEAD_GB = "overhead_gb"
    MEMORY_FRACTION = "memory_fraction"
    APPLE_WIRED_FRACTION = "apple_wired_fraction"
    HOST_OS_RESERVE_GB = "host_os_reserve_gb"
    IGPU_FRACTION = "igpu_fraction"


class RuntimeRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kind: RuntimeKind
    engine: Engine | None = None
    min_memory_gb: Annotated[float, Field(ge=0)] = 0.0
    value: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    note: Annotated[str, Field(min_length=1)]


@dataclass(frozen=True, slots=True)
class RuntimeTable:
    overhead_gb: dict[Engine, RuntimeRow]
    memory_fraction: dict[Engine, RuntimeRow]
    apple_wired: tuple[RuntimeRow, ...]  # sorted by min_memory_gb
    host_os_reserve: RuntimeRow | None = None  # RAM the OS keeps on a CPU-only machine
    igpu_fraction: RuntimeRow | None = None  # share of shared RAM a non-Apple iGPU may use

    def overhead_for(self, engine: Engine) -> RuntimeRow:
        return self.overhead_gb[engine]

    def fraction_for(self, engine: Engine) -> RuntimeRow | None:
        return self.memory_fraction.get(engine)

    def apple_wired_for(self, memory_gb: float) -> RuntimeRow:
        """The wired-limit row for a Mac with ``memory_gb`` of unified memory."""
        chosen = self.apple_wired[0]
        for row in self.apple_wired:
            if row.min_memory_gb <= memory_gb:
                chosen = row
        return chosen


def build_table(rows: list[RuntimeRow], path: str) -> RuntimeTable:
    overhead = {r.engine: r for r in rows if r.kind is RuntimeKind.OVERHEAD_GB and r.engine}
    fraction = {r.engine: r for r in rows if r.kind is RuntimeKind.MEMORY_FRACTION and r.engine}
    wired = tuple(
        sorted(
            (r for r in rows if r.kind is RuntimeKind.APPLE_WIRED_FRACTION),
            key=lambda r: r.min_memory_gb,
        )
    )
    missing = [e.value for e in Engine if e not in overhead]
    if missing:
        raise CatalogDataError(path, None, "engine", "no overhead_gb row for " + ", ".join(missing))
    if not wired:
        raise CatalogDataError(path, None, "kind", "no apple_wired_fraction row")
    if any(r.value > 1 for r in (*fraction.values(), *wired)):
        raise CatalogDataError(path, None, "value", "fractions must be at most 1")
    reserve = next((r for r in rows if r.kind is RuntimeKind.HOST_OS_RESERVE_GB), None)
    igpu = next((r for r in rows if r.kind is RuntimeKind.IGPU_FRACTION), None)
    if igpu is not None and igpu.value > 1:
        raise CatalogDataError(path, None, "value", "fractions must be at most 1")
    return RuntimeTable(overhead, fraction, wired, reserve, igpu)


@cache
def runtime_table() -> RuntimeTable:
    """The bundled runtime table (validated once)."""
    located = read_rows(RUNTIME_CSV, RuntimeRow, RUNTIME_COLUMNS)
    return build_table([loc.row for loc in located], str(RUNTIME_CSV))
