"""Data tables for the launch hand-off: accelerator and provider names per launcher.

``data/launch_accelerators.csv``: catalog accelerator id -> SkyPilot accelerator name (the names in
SkyPilot's catalog ``common/accelerators.csv``) and dstack GPU spec. ``data/launch_providers.csv``:
catalog/gpuhunt provider id -> SkyPilot cloud and dstack backend. An empty cell means "that
launcher cannot target it".
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from spicetrader.errors import CatalogDataError

__all__ = ["LaunchNames", "accelerator_names", "provider_names"]


@dataclass(frozen=True)
class LaunchNames:
    """How SkyPilot and dstack name one thing (None: not supported there)."""

    key: str
    skypilot: str | None
    dstack: str | None
    pin_instance_type: bool = False  # providers: the instance name is valid in SkyPilot too


def _read(file: str, columns: tuple[str, ...]) -> Mapping[str, LaunchNames]:
    path = f"spicetrader/sources/data/{file}"
    text = resources.files("spicetrader.sources").joinpath("data", file).read_text("utf-8")
    reader = csv.DictReader(text.splitlines())
    if tuple(reader.fieldnames or ()) != columns:
        raise CatalogDataError(path, 1, None, "expected columns " + ", ".join(columns))
    out: dict[str, LaunchNames] = {}
    for row in reader:
        key = (row[columns[0]] or "").strip()
        if not key:
            raise CatalogDataError(path, reader.line_num, columns[0], "must not be empty")
        if key in out:
            raise CatalogDataError(path, reader.line_num, columns[0], f"duplicate {key!r}")
        pin = (row.get("pin_instance_type") or "false").strip().lower()
        if pin not in ("true", "false"):
            raise CatalogDataError(path, reader.line_num, "pin_instance_type", "true or false")
        out[key] = LaunchNames(
            key=key,
            skypilot=(row[columns[1]] or "").strip() or None,
            dstack=(row[columns[2]] or "").strip() or None,
            pin_instance_type=pin == "true",
        )
    return MappingProxyType(out)


@cache
def accelerator_names() -> Mapping[str, LaunchNames]:
    return _read("launch_accelerators.csv", ("accelerator", "skypilot", "dstack", "note"))


@cache
def provider_names() -> Mapping[str, LaunchNames]:
    columns = ("provider", "skypilot_cloud", "dstack_backend", "pin_instance_type", "note")
    return _read("launch_providers.csv", columns)
