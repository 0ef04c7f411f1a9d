"""Map gpuhunt's GPU names to catalog accelerator ids.

gpuhunt names GPUs by model only ("H100", "A100" with ``gpu_memory`` 40 or 80), so a small table
(``data/gpuhunt_gpu_names.csv``) settles the names that need the memory size or the instance name
(SXM vs PCIe); every other name goes to the catalog's own resolver ("L40S", "RTX4090", "MI300X").
The table is data: one row per rule, first match wins, an empty ``accelerator`` means "known, but
not in the catalog".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spicetrader.catalog.csvload import parse_rows
from spicetrader.errors import SpiceError

__all__ = ["GpuNameRule", "map_gpu_name", "name_rules", "provider_id"]

_DATA_FILE = "gpuhunt_gpu_names.csv"
_COLUMNS = (
    "gpu_name_regex",
    "min_gpu_memory_gb",
    "max_gpu_memory_gb",
    "instance_regex",
    "accelerator",
    "note",
)


@dataclass(frozen=True)
class GpuNameRule:
    """One row of the name table."""

    gpu_name: re.Pattern[str]
    min_gpu_memory_gb: float | None
    max_gpu_memory_gb: float | None
    instance: re.Pattern[str] | None
    accelerator: str | None
    note: str

    def matches(self, gpu_name: str, gpu_memory_gb: float | None, instance_name: str) -> bool:
        if not self.gpu_name.fullmatch(gpu_name):
            return False
        if self.min_gpu_memory_gb is not None and (
            gpu_memory_gb is None or gpu_memory_gb < self.min_gpu_memory_gb
        ):
            return False
        if self.max_gpu_memory_gb is not None and (
            gpu_memory_gb is None or gpu_memory_gb >= self.max_gpu_memory_gb
        ):
            return False
        return self.instance is None or bool(self.instance.fullmatch(instance_name))


def ignorecase_pattern(value: object) -> object:
    """A regex cell compiled case-insensitively (a bad one is a validation error on its field)."""
    if not isinstance(value, str):
        return value
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regular expression: {exc}") from None


class _RuleRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    gpu_name_regex: re.Pattern[str]
    min_gpu_memory_gb: float | None = None
    max_gpu_memory_gb: float | None = None
    instance_regex: re.Pattern[str] | None = None
    accelerator: str | None = None
    note: str = ""

    _compile = field_validator("gpu_name_regex", "instance_regex", mode="before")(
        ignorecase_pattern
    )


def parse_rules(text: str, path: str) -> tuple[GpuNameRule, ...]:
    """Parse the name table strictly (a bad row names file, line and field)."""
    return tuple(
        GpuNameRule(
            gpu_name=row.gpu_name_regex,
            min_gpu_memory_gb=row.min_gpu_memory_gb,
            max_gpu_memory_gb=row.max_gpu_memory_gb,
            instance=row.instance_regex,
            accelerator=row.accelerator,
            note=row.note,
        )
        for row in (located.row for located in parse_rows(text, _RuleRow, _COLUMNS, path))
    )


@cache
def name_rules() -> tuple[GpuNameRule, ...]:
    """The bundled name table (parsed once)."""
    ref = resources.files("spicetrader.sources").joinpath("data", _DATA_FILE)
    return parse_rules(ref.read_text(encoding="utf-8"), f"spicetrader/sources/data/{_DATA_FILE}")


def map_gpu_name(
    gpu_name: str,
    gpu_memory_gb: float | None,
    instance_name: str,
    resolve: Callable[[str], str],
    rules: tuple[GpuNameRule, ...] | None = None,
) -> str | None:
    """The catalog accelerator id for a gpuhunt GPU, or None when the catalog has no such GPU.

    ``resolve`` is the catalog's name resolver (``lambda n: catalog.accelerator(n).id``); an
    unknown or ambiguous name (any :class:`SpiceError` it raises) maps to None.
    """
    for rule in name_rules() if rules is None else rules:
        if rule.matches(gpu_name, gpu_memory_gb, instance_name):
            return rule.accelerator
    for spelling in _spellings(gpu_name):
        try:
            return resolve(spelling)
        except SpiceError:
            continue
    return None


def _spellings(gpu_name: str) -> tuple[str, ...]:
    """gpuhunt writes "RTX4090", "RTX3090Ti"; the catalog knows "RTX 4090", "RTX 3090 Ti"."""
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Z][a-z])", " ", gpu_name)
    return (gpu_name,) if spaced == gpu_name else (gpu_name, spaced)


_PROVIDERS_FILE: Final = "gpuhunt_providers.csv"


class _ProviderRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    gpuhunt: Annotated[str, Field(min_length=1)]
    provider: Annotated[str, Field(min_length=1)]
    note: str = ""


_PROVIDER_COLUMNS: Final = ("gpuhunt", "provider", "note")


@cache
def _provider_aliases() -> MappingProxyType[str, str]:
    path = f"spicetrader/sources/data/{_PROVIDERS_FILE}"
    text = (
        resources.files("spicetrader.sources").joinpath("data", _PROVIDERS_FILE).read_text("utf-8")
    )
    rows = parse_rows(text, _ProviderRow, _PROVIDER_COLUMNS, path)
    return MappingProxyType({loc.row.gpuhunt.lower(): loc.row.provider for loc in rows})


def provider_id(gpuhunt_provider: str) -> str:
    """The catalog's provider id for a gpuhunt provider name ("lambdalabs" -> "lambda")."""
    low = gpuhunt_provider.strip().lower()
    return _provider_aliases().get(low, low)
