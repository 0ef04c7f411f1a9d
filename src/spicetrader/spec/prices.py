"""Where a plan's prices came from (the note shown with every plan): pure data, no I/O.

Built at the edge (:func:`spicetrader.sources.prices.current_offers`, :class:`spicetrader.Context`)
and carried by :class:`~spicetrader.planner.Plan` so that the library, the CLI and the web app
all say the same thing about the prices they used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

__all__ = ["PriceOrigin", "PricesInfo", "as_of_date"]


class PriceOrigin(StrEnum):
    BUNDLED = "bundled"  # the offers shipped with the package (and the user's catalog overlay)
    SNAPSHOT = "snapshot"  # the freshest `spice offers refresh` snapshot
    CATALOG = "catalog"  # a Catalog the caller built and passed in


_WHERE = {
    PriceOrigin.BUNDLED: "bundled catalog",
    PriceOrigin.SNAPSHOT: "live snapshot",
    PriceOrigin.CATALOG: "the catalog given",
}


@dataclass(frozen=True)
class PricesInfo:
    """The offers' date, age and origin, and how many of the user's own quotes were merged in."""

    as_of: str  # ISO date of the offers' prices
    age_days: int
    origin: PriceOrigin
    snapshot: str | None = None  # path of the snapshot CSV
    quotes: int = 0  # the user's own offers and systems merged in

    def describe(self) -> str:
        text = f"prices as of {self.as_of} ({self.age_days} days old, {_WHERE[self.origin]})"
        if self.quotes:
            text += f" + {self.quotes} of your own quotes"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "age_days": self.age_days,
            "origin": self.origin.value,
            "snapshot": self.snapshot,
            "quotes": self.quotes,
            "description": self.describe(),
        }


def as_of_date(as_of: str) -> date:
    """``YYYY-MM-DD`` -> that day; ``YYYY-MM`` -> the first of the month."""
    return date.fromisoformat(as_of if len(as_of) > 7 else f"{as_of}-01")
