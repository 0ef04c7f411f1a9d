"""Map the names drivers report (NVML, rocm-smi, macOS sysctl) to catalog accelerator ids.

NVML says "NVIDIA H100 80GB HBM3" or "Tesla V100-SXM2-16GB"; ``data/device_names.csv`` holds one
regular expression per catalog id (first match wins). Apple chips are named from the chip and its
GPU core count ("Apple M2 Ultra" + 76 cores -> ``m2-ultra-76c``). Every id is checked against the
catalog through the injected resolver.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spicetrader.catalog.csvload import parse_rows
from spicetrader.errors import SpiceError
from spicetrader.sources.gpu_names import ignorecase_pattern

__all__ = ["apple_chip_id", "device_rules", "map_device_name"]

_FILE = "device_names.csv"
_COLUMNS = ("name_regex", "accelerator", "note")


@dataclass(frozen=True)
class DeviceRule:
    name: re.Pattern[str]
    accelerator: str
    note: str


class _DeviceRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name_regex: re.Pattern[str]
    accelerator: Annotated[str, Field(min_length=1)]
    note: str = ""

    _compile = field_validator("name_regex", mode="before")(ignorecase_pattern)


def parse_device_rules(text: str, path: str) -> tuple[DeviceRule, ...]:
    rows = parse_rows(text, _DeviceRow, _COLUMNS, path)
    return tuple(DeviceRule(loc.row.name_regex, loc.row.accelerator, loc.row.note) for loc in rows)


@cache
def device_rules() -> tuple[DeviceRule, ...]:
    ref = resources.files("spicetrader.sources").joinpath("data", _FILE)
    return parse_device_rules(ref.read_text(encoding="utf-8"), f"spicetrader/sources/data/{_FILE}")


def _checked(candidate: str, resolve: Callable[[str], str]) -> str | None:
    try:
        return resolve(candidate)
    except SpiceError:
        return None


def map_device_name(name: str, resolve: Callable[[str], str]) -> str | None:
    """The catalog id of a device reported as ``name`` (None when the catalog lacks it)."""
    for rule in device_rules():
        if rule.name.fullmatch(name.strip()):
            return _checked(rule.accelerator, resolve)
    cleaned = re.sub(r"^(NVIDIA|AMD|Tesla|GeForce|Radeon|Instinct)\s+", "", name.strip())
    cleaned = re.sub(r"^(GeForce|Radeon|Instinct)\s+", "", cleaned)
    return _checked(cleaned, resolve) or _checked(name.strip(), resolve)


def apple_chip_id(chip: str, gpu_cores: int | None) -> str | None:
    """``"Apple M2 Ultra"`` + 76 -> ``"m2-ultra-76c"`` (None without a core count)."""
    match = re.fullmatch(r"(?:Apple\s+)?(M\d)(?:\s+(Pro|Max|Ultra))?", chip.strip(), re.IGNORECASE)
    if match is None or gpu_cores is None:
        return None
    parts = [match.group(1).lower()]
    if match.group(2):
        parts.append(match.group(2).lower())
    return "-".join([*parts, f"{gpu_cores}c"])
