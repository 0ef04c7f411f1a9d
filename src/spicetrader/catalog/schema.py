"""Catalog row models: one frozen, strictly validated pydantic model per data file.

Every row carries ``source`` (a URL or a source key expanded in ``data/SOURCES.md``) and
``as_of`` (ISO ``YYYY-MM`` or ``YYYY-MM-DD``). Units are in the field names: GB = 10**9 bytes,
GB/s, TFLOP/s (dense, never the 2:4-sparse figure), W, USD. The column order of each CSV file
is listed explicitly below (``*_COLUMNS``); the loader checks a file's header against it.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Final

from pydantic import Field, model_validator

from spicetrader.catalog.economics import (
    ECONOMICS_COLUMNS,
    Economics,
    EconomicsKey,
    EconomicsRow,
    EconomicsValue,
)
from spicetrader.catalog.rowbase import (
    AS_OF,
    CatalogRow,
    Id,
    NonEmpty,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
)
from spicetrader.errors import InputError

__all__ = [
    "ACCELERATOR_COLUMNS",
    "ECONOMICS_COLUMNS",
    "FREE_TIER_COLUMNS",
    "OFFER_COLUMNS",
    "OPTIONAL_COLUMNS",
    "SYSTEM_COLUMNS",
    "Accelerator",
    "CatalogRow",
    "Confidence",
    "Economics",
    "EconomicsKey",
    "EconomicsRow",
    "EconomicsValue",
    "FreeTier",
    "Interconnect",
    "Offer",
    "PriceStatus",
    "System",
    "SystemKind",
    "Vendor",
]


class Vendor(StrEnum):
    NVIDIA = "nvidia"
    AMD = "amd"
    GOOGLE = "google"
    INTEL = "intel"
    APPLE = "apple"


class Interconnect(StrEnum):
    """How devices of the same kind talk to each other (``interconnect_gbs`` is per direction)."""

    NVLINK = "nvlink"
    PCIE = "pcie"
    INFINITY_FABRIC = "infinity-fabric"
    ICI = "ici"
    ETHERNET = "ethernet"
    NONE = "none"


class SystemKind(StrEnum):
    SERVER = "server"
    WORKSTATION = "workstation"
    MAC = "mac"
    DESKTOP = "desktop"


class PriceStatus(StrEnum):
    """Where a purchase price comes from: sold new today, no longer sold new, or second-hand."""

    CURRENT = "current"
    DISCONTINUED = "discontinued"  # no longer sold new; price_usd is the last list/street price
    USED_MARKET = "used-market"  # second-hand; price_usd inside the sourced low-high range


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Accelerator(CatalogRow):
    """One accelerator chip (per device figures; TFLOP/s are dense peaks)."""

    id: Id
    name: NonEmpty
    aliases: tuple[str, ...] = ()
    vendor: Vendor
    family: NonEmpty
    segment: NonEmpty
    memory_gb: PositiveFloat
    memory_configs_gb: tuple[PositiveFloat, ...] = ()
    unified_memory: bool = False
    mem_bw_gbs: PositiveFloat
    fp32_tflops: PositiveFloat
    tf32_tflops: PositiveFloat | None = None
    fp16_tflops: PositiveFloat
    fp16_acc16_tflops: PositiveFloat | None = None
    bf16: bool
    fp8_tflops: PositiveFloat | None = None
    int8_tops: PositiveFloat | None = None
    fp4_tflops: PositiveFloat | None = None
    tdp_w: PositiveFloat
    interconnect: Interconnect
    interconnect_gbs: NonNegativeFloat
    estimated: bool = False
    estimate_note: str = ""
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Accelerator:
        if self.memory_configs_gb and not any(
            math.isclose(self.memory_gb, c) for c in self.memory_configs_gb
        ):
            raise ValueError("memory_gb must be one of memory_configs_gb (the default config)")
        if self.estimated and not self.estimate_note:
            raise ValueError("estimated rows need an estimate_note saying how")
        return self

    def memory_for(self, memory_gb: float | None) -> float:
        """The memory of the configuration asked for (``None``: the default/largest one)."""
        if memory_gb is None:
            return self.memory_gb
        sold = self.memory_configs_gb or (self.memory_gb,)
        for config in sold:
            if math.isclose(config, memory_gb, rel_tol=1e-6):
                return config
        accepted = ", ".join(f"{c:g}" for c in sold)
        raise InputError(
            f"{self.id} is not sold with {memory_gb:g} GB; accepted memory_gb: {accepted}"
        )


class System(CatalogRow):
    """A machine you can buy, in one configuration (a Mac with 3 memory options = 3 rows)."""

    id: Id
    name: NonEmpty
    aliases: tuple[str, ...] = ()
    kind: SystemKind
    accelerator: NonEmpty  # a catalog accelerator id (checked when the catalog is built)
    count: PositiveInt
    memory_gb: PositiveFloat
    price_usd: PositiveFloat
    price_as_of: NonEmpty
    power_typical_w: PositiveFloat
    power_max_w: PositiveFloat
    estimated: bool = False
    notes: str = ""
    status: PriceStatus = PriceStatus.CURRENT
    price_low_usd: PositiveFloat | None = None
    price_high_usd: PositiveFloat | None = None

    @model_validator(mode="after")
    def _consistent(self) -> System:
        if self.power_typical_w > self.power_max_w:
            raise ValueError("power_typical_w must not exceed power_max_w")
        ranged = (self.price_low_usd, self.price_high_usd)
        if (ranged[0] is None) != (ranged[1] is None):
            raise ValueError("price_low_usd and price_high_usd go together")
        if ranged[0] is not None and ranged[1] is not None:
            if not ranged[0] <= self.price_usd <= ranged[1]:
                raise ValueError("price_usd must lie within price_low_usd..price_high_usd")
        elif self.status is PriceStatus.USED_MARKET:
            raise ValueError(
                "used-market rows need the sourced range (price_low_usd, price_high_usd)"
            )
        if not AS_OF.match(self.price_as_of):
            raise ValueError(f"price_as_of: expected YYYY-MM or YYYY-MM-DD, got {self.price_as_of}")
        return self


class Offer(CatalogRow):
    """A cloud instance type to rent (on-demand price of the WHOLE instance, host included)."""

    id: NonEmpty
    provider: Id
    instance_type: NonEmpty
    accelerator: NonEmpty  # a catalog accelerator id (checked when the catalog is built)
    count: PositiveInt
    vcpus: PositiveInt | None = None
    ram_gb: PositiveFloat | None = None
    regions: tuple[str, ...] = ()
    region_count: Annotated[int, Field(ge=0)] = 0
    price_usd_per_hour: PositiveFloat
    spot_price_usd_per_hour: PositiveFloat | None = None
    price_note: str = ""
    marketplace: bool = (
        False  # host-set prices on a marketplace (Vast, community clouds, resellers)
    )

    @model_validator(mode="after")
    def _consistent(self) -> Offer:
        if self.region_count < len(self.regions):
            raise ValueError("region_count is smaller than the number of regions listed")
        return self

    @property
    def price_usd_per_gpu_hour(self) -> float:
        return self.price_usd_per_hour / self.count

    @property
    def spot_price_usd_per_gpu_hour(self) -> float | None:
        spot = self.spot_price_usd_per_hour
        return None if spot is None else spot / self.count


class FreeTier(CatalogRow):
    """A free or low-cost notebook tier (limits as stated by its sources; they change)."""

    id: Id
    service: NonEmpty
    tier: NonEmpty
    accelerator: NonEmpty  # a catalog accelerator id (checked when the catalog is built)
    count: PositiveInt
    session_hours: PositiveFloat
    idle_timeout_minutes: PositiveFloat | None = None
    weekly_quota_hours: PositiveFloat | None = None
    monthly_price_usd: NonNegativeFloat
    compute_units_per_month: PositiveFloat | None = None
    compute_units_per_hour: PositiveFloat | None = None
    ram_gb: PositiveFloat | None = None
    confidence: Confidence
    notes: str = ""

    @property
    def monthly_hours(self) -> float | None:
        """GPU hours a month of compute units buys (None when the tier is not unit-metered)."""
        if self.compute_units_per_month is None or self.compute_units_per_hour is None:
            return None
        return self.compute_units_per_month / self.compute_units_per_hour


# The exact header of each data file, in order (the loader checks it; a test checks that it names
# every model field exactly once).
ACCELERATOR_COLUMNS: Final = (
    "id", "name", "aliases", "vendor", "family", "segment", "memory_gb", "memory_configs_gb",
    "unified_memory", "mem_bw_gbs", "fp32_tflops", "tf32_tflops", "fp16_tflops",
    "fp16_acc16_tflops", "bf16", "fp8_tflops", "int8_tops", "fp4_tflops", "tdp_w",
    "interconnect", "interconnect_gbs", "estimated", "estimate_note", "source", "as_of", "notes",
)  # fmt: skip
SYSTEM_COLUMNS: Final = (
    "id", "name", "aliases", "kind", "accelerator", "count", "memory_gb", "price_usd",
    "price_as_of", "power_typical_w", "power_max_w", "estimated", "source", "as_of", "notes",
    "status", "price_low_usd", "price_high_usd",
)  # fmt: skip
OFFER_COLUMNS: Final = (
    "id", "provider", "instance_type", "accelerator", "count", "vcpus", "ram_gb", "regions",
    "region_count", "price_usd_per_hour", "spot_price_usd_per_hour", "price_note", "source",
    "as_of", "marketplace",
)  # fmt: skip
# Columns added after the first release: a user's file written before them may leave them out
# (trailing, in this order); the bundled files carry them all.
OPTIONAL_COLUMNS: Final = {
    "systems": ("status", "price_low_usd", "price_high_usd"),
    "offers": ("marketplace",),
}
FREE_TIER_COLUMNS: Final = (
    "id", "service", "tier", "accelerator", "count", "session_hours", "idle_timeout_minutes",
    "weekly_quota_hours", "monthly_price_usd", "compute_units_per_month", "compute_units_per_hour",
    "ram_gb", "confidence",
    "source", "as_of", "notes",
)  # fmt: skip
