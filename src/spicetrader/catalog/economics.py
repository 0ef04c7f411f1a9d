"""Economics defaults for owning hardware (``economics.csv``): one sourced value per key."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, model_validator

from spicetrader.catalog.rowbase import CatalogRow, NonEmpty, PositiveFloat

__all__ = [
    "ECONOMICS_COLUMNS",
    "ECONOMICS_UNITS",
    "Economics",
    "EconomicsKey",
    "EconomicsRow",
    "EconomicsValue",
]


class EconomicsKey(StrEnum):
    ELECTRICITY = "electricity"
    COLOCATION = "colocation"
    DATACENTER_PUE = "datacenter-pue"
    OFFICE_PUE = "office-pue"
    DEPRECIATION = "depreciation"


ECONOMICS_UNITS: Final[dict[EconomicsKey, str]] = {
    EconomicsKey.ELECTRICITY: "usd_per_kwh",
    EconomicsKey.COLOCATION: "usd_per_kw_month",
    EconomicsKey.DATACENTER_PUE: "ratio",
    EconomicsKey.OFFICE_PUE: "ratio",
    EconomicsKey.DEPRECIATION: "years",
}


class EconomicsRow(CatalogRow):
    """One economics default as stored in ``economics.csv``."""

    id: EconomicsKey
    value: PositiveFloat
    unit: NonEmpty
    note: str = ""

    @model_validator(mode="after")
    def _unit(self) -> EconomicsRow:
        expected = ECONOMICS_UNITS[self.id]
        if self.unit != expected:
            raise ValueError(f"unit of {self.id.value} must be {expected!r}, got {self.unit!r}")
        return self


class EconomicsValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    unit: str
    source: str
    as_of: str
    note: str = ""


class Economics(BaseModel):
    """Defaults for owning hardware; each value carries its unit, source and date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    electricity: EconomicsValue
    colocation: EconomicsValue
    datacenter_pue: EconomicsValue
    office_pue: EconomicsValue
    depreciation: EconomicsValue

    @property
    def electricity_usd_per_kwh(self) -> float:
        return self.electricity.value

    @property
    def colocation_usd_per_kw_month(self) -> float:
        return self.colocation.value

    @property
    def pue(self) -> float:
        """Power usage effectiveness of a typical data centre (servers in colocation)."""
        return self.datacenter_pue.value

    @property
    def pue_office(self) -> float:
        """PUE for a workstation or Mac at home or in an office (no facility overhead)."""
        return self.office_pue.value

    @property
    def depreciation_years(self) -> float:
        return self.depreciation.value


ECONOMICS_COLUMNS: Final = ("id", "value", "unit", "source", "as_of", "note")
