"""The catalog's data files: name, row model and exact columns of each (bundled and user's)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from spicetrader.catalog.schema import (
    ACCELERATOR_COLUMNS,
    ECONOMICS_COLUMNS,
    FREE_TIER_COLUMNS,
    OFFER_COLUMNS,
    OPTIONAL_COLUMNS,
    SYSTEM_COLUMNS,
    Accelerator,
    EconomicsRow,
    FreeTier,
    Offer,
    System,
)

__all__ = ["CatalogFile", "FileSpec", "spec_of"]


class CatalogFile(StrEnum):
    """Which catalog file (the same names in the bundled data and the user's directory)."""

    ACCELERATORS = "accelerators"
    SYSTEMS = "systems"
    OFFERS = "offers"
    FREE_TIERS = "free_tiers"
    ECONOMICS = "economics"


@dataclass(frozen=True)
class FileSpec:
    filename: str
    model: type[BaseModel]
    columns: tuple[str, ...]
    optional: tuple[str, ...] = ()  # trailing columns an older user file may leave out


_SPECS: dict[CatalogFile, FileSpec] = {
    CatalogFile.ACCELERATORS: FileSpec("accelerators.csv", Accelerator, ACCELERATOR_COLUMNS),
    CatalogFile.SYSTEMS: FileSpec(
        "systems.csv", System, SYSTEM_COLUMNS, OPTIONAL_COLUMNS["systems"]
    ),
    CatalogFile.OFFERS: FileSpec("offers.csv", Offer, OFFER_COLUMNS, OPTIONAL_COLUMNS["offers"]),
    CatalogFile.FREE_TIERS: FileSpec("free_tiers.csv", FreeTier, FREE_TIER_COLUMNS),
    CatalogFile.ECONOMICS: FileSpec("economics.csv", EconomicsRow, ECONOMICS_COLUMNS),
}


def spec_of(kind: CatalogFile) -> FileSpec:
    return _SPECS[kind]
