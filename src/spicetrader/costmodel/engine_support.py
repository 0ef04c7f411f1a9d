"""Which engine runs on which hardware family (``data/engine_support.csv``).

One rule for the planner and the launcher: the estimate's default engine (``defaults``) and the
engine ``spice launch`` writes a command line for are checked against the same rows, so a plan
never assumes vLLM on a GPU vLLM does not support (Pascal: compute capability 6.x, below vLLM's
7.0) while the launch serves with llama.cpp, or the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import read_rows
from spicetrader.errors import CatalogDataError
from spicetrader.spec.workload import Engine

__all__ = ["EngineSupport", "engine_runs_on", "engine_support_table"]

ENGINE_SUPPORT_CSV = Path(__file__).parent / "data" / "engine_support.csv"
_COLUMNS = ("engine", "family", "supported", "source", "as_of", "note")


class EngineSupport(BaseModel):
    """One row: does ``engine`` run on accelerators of ``family``."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    engine: Engine
    family: Annotated[str, Field(min_length=1)]
    supported: bool
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    note: str = ""


@cache
def engine_support_table() -> Mapping[tuple[Engine, str], EngineSupport]:
    """The rows keyed by (engine, family); duplicates are a data error."""
    out: dict[tuple[Engine, str], EngineSupport] = {}
    for located in read_rows(ENGINE_SUPPORT_CSV, EngineSupport, _COLUMNS):
        row = located.row
        key = (row.engine, row.family)
        if key in out:
            raise CatalogDataError(located.path, located.line, "family", f"duplicate {key!r}")
        out[key] = row
    return MappingProxyType(out)


def engine_runs_on(engine: Engine, family: str) -> bool | None:
    """True/False as recorded for ``engine`` on ``family``; None when the table has no row."""
    row = engine_support_table().get((engine, family))
    return None if row is None else row.supported
