"""The launch data tables (``data/launch_*.csv``), loaded strictly once.

- ``launch_models.csv``: catalog model -> the Hub repo served for chat (instruct variant) and the
  base repo fine-tunes start from.
- ``launch_checkpoints.csv``: (model, engine, precision) -> a published pre-quantized repo.
- ``launch_precision_flags.csv``: (engine, precision) -> the engine's own switch for it.
- ``launch_kernels.csv``: quantization implementation -> the GPU families it runs on.
- ``launch_engine_flags.csv``: the flags each program documents (tests check command lines).
- ``launch_free_tiers.csv``: free tier -> hand-off (notebook kind or Modal), accelerator, persistent
  folder.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.errors import CatalogDataError
from spicetrader.spec.workload import Engine

__all__ = [
    "CheckpointRow",
    "FreeTierRow",
    "LaunchTables",
    "ModelRepos",
    "PrecisionFlagRow",
    "launch_tables",
]

NonEmpty = Annotated[str, Field(min_length=1)]
AsOf = Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ModelRepos(_Row):
    model: NonEmpty
    chat_repo: NonEmpty
    base_repo: NonEmpty
    chat_variant: NonEmpty
    source: NonEmpty
    as_of: AsOf


class CheckpointRow(_Row):
    model: NonEmpty
    engine: Engine
    precision: NonEmpty
    repo: NonEmpty
    gguf_quant: str = ""
    kernel: NonEmpty
    source: NonEmpty
    as_of: AsOf
    note: str = ""


class PrecisionFlagRow(_Row):
    engine: Engine
    precision: NonEmpty
    flags: NonEmpty
    kernel: str = ""
    source: NonEmpty
    as_of: AsOf
    note: str = ""


class _KernelRow(_Row):
    kernel: NonEmpty
    families: tuple[str, ...]
    source: NonEmpty
    as_of: AsOf
    note: str = ""


class _EngineFlagRow(_Row):
    program: NonEmpty
    flag: NonEmpty
    source: NonEmpty
    as_of: AsOf


class FreeTierRow(_Row):
    tier: NonEmpty
    handoff: Literal["colab", "kaggle", "jupyter", "modal"]
    accelerator: NonEmpty
    persistent_dir: NonEmpty
    source: NonEmpty
    as_of: AsOf
    note: str = ""


@dataclass(frozen=True)
class LaunchTables:
    models: Mapping[str, ModelRepos]
    checkpoints: tuple[CheckpointRow, ...]
    precision_flags: tuple[PrecisionFlagRow, ...]
    kernels: Mapping[str, frozenset[str]]  # kernel -> GPU families
    engine_flags: Mapping[str, frozenset[str]]  # program -> documented flags
    free_tiers: Mapping[str, FreeTierRow]


_R = TypeVar("_R", bound=_Row)


def _rows(file: str, model: type[_R]) -> list[tuple[_R, int]]:
    path = f"spicetrader/sources/data/{file}"
    text = resources.files("spicetrader.sources").joinpath("data", file).read_text("utf-8")
    columns: Sequence[str] = tuple(model.model_fields)
    return [(loc.row, loc.line) for loc in parse_rows(text, model, columns, path)]


def _unique(file: str, rows: list[tuple[_R, int]], key: str) -> dict[str, _R]:
    out: dict[str, _R] = {}
    for row, line in rows:
        value = str(getattr(row, key))
        if value in out:
            raise CatalogDataError(f"spicetrader/sources/data/{file}", line, key,
                                   f"duplicate {value!r}")  # fmt: skip
        out[value] = row
    return out


def _check_kernels(
    file: str,
    rows: Sequence[tuple[CheckpointRow, int]] | Sequence[tuple[PrecisionFlagRow, int]],
    kernels: Mapping[str, object],
) -> None:
    for row, line in rows:
        kernel = str(row.kernel)
        if kernel and kernel not in kernels:
            message = f"unknown kernel {kernel!r} (see launch_kernels.csv)"
            raise CatalogDataError(f"spicetrader/sources/data/{file}", line, "kernel", message)


@cache
def launch_tables() -> LaunchTables:
    kernel_rows = _unique("launch_kernels.csv", _rows("launch_kernels.csv", _KernelRow), "kernel")
    kernels = {k: frozenset(r.families) for k, r in kernel_rows.items()}
    checkpoints = _rows("launch_checkpoints.csv", CheckpointRow)
    flags = _rows("launch_precision_flags.csv", PrecisionFlagRow)
    _check_kernels("launch_checkpoints.csv", checkpoints, kernels)
    _check_kernels("launch_precision_flags.csv", flags, kernels)
    programs: dict[str, set[str]] = {}
    for row, _ in _rows("launch_engine_flags.csv", _EngineFlagRow):
        programs.setdefault(row.program, set()).add(row.flag)
    return LaunchTables(
        models=_unique("launch_models.csv", _rows("launch_models.csv", ModelRepos), "model"),
        checkpoints=tuple(row for row, _ in checkpoints),
        precision_flags=tuple(row for row, _ in flags),
        kernels=kernels,
        engine_flags={p: frozenset(f) for p, f in programs.items()},
        free_tiers=_unique(
            "launch_free_tiers.csv", _rows("launch_free_tiers.csv", FreeTierRow), "tier"
        ),
    )
