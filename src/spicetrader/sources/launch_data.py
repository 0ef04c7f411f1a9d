"""Data tables for the launch hand-off: accelerator and provider names per launcher.

``data/launch_accelerators.csv``: catalog accelerator id -> SkyPilot accelerator name (the names in
SkyPilot's catalog ``common/accelerators.csv``) and dstack GPU spec. ``data/launch_providers.csv``:
catalog/gpuhunt provider id -> SkyPilot cloud and dstack backend. An empty cell means "that
launcher cannot target it".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Annotated, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.errors import CatalogDataError

__all__ = ["LaunchNames", "accelerator_names", "provider_names"]


@dataclass(frozen=True)
class LaunchNames:
    """How SkyPilot and dstack name one thing (None: not supported there)."""

    key: str
    skypilot: str | None
    dstack: str | None
    pin_instance_type: bool = False  # providers: the instance name is valid in SkyPilot too


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class _AcceleratorRow(_Row):
    accelerator: Annotated[str, Field(min_length=1)]
    skypilot: str | None = None
    dstack: str | None = None
    note: str = ""


class _ProviderRow(_Row):
    provider: Annotated[str, Field(min_length=1)]
    skypilot_cloud: str | None = None
    dstack_backend: str | None = None
    pin_instance_type: bool = False
    note: str = ""


_ACCELERATOR_COLUMNS: Final = ("accelerator", "skypilot", "dstack", "note")
_PROVIDER_COLUMNS: Final = (
    "provider",
    "skypilot_cloud",
    "dstack_backend",
    "pin_instance_type",
    "note",
)


_R = TypeVar("_R", bound=_Row)


def _read(
    file: str, model: type[_R], columns: Sequence[str], names: Callable[[_R], LaunchNames]
) -> Mapping[str, LaunchNames]:
    path = f"spicetrader/sources/data/{file}"
    text = resources.files("spicetrader.sources").joinpath("data", file).read_text("utf-8")
    out: dict[str, LaunchNames] = {}
    for located in parse_rows(text, model, columns, path):
        entry = names(located.row)
        if entry.key in out:
            raise CatalogDataError(path, located.line, columns[0], f"duplicate {entry.key!r}")
        out[entry.key] = entry
    return MappingProxyType(out)


def _accelerator(row: _AcceleratorRow) -> LaunchNames:
    return LaunchNames(row.accelerator, row.skypilot, row.dstack)


def _provider(row: _ProviderRow) -> LaunchNames:
    return LaunchNames(row.provider, row.skypilot_cloud, row.dstack_backend, row.pin_instance_type)


@cache
def accelerator_names() -> Mapping[str, LaunchNames]:
    return _read("launch_accelerators.csv", _AcceleratorRow, _ACCELERATOR_COLUMNS, _accelerator)


@cache
def provider_names() -> Mapping[str, LaunchNames]:
    return _read("launch_providers.csv", _ProviderRow, _PROVIDER_COLUMNS, _provider)
