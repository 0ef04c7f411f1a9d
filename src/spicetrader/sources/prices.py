"""Which prices a plan uses: the freshest live snapshot, else the bundled offers; plus the user's
quotes. The CLI and the web app call :func:`current_offers` before planning and show
:class:`PricesInfo` (how old the prices are) with every plan.

A snapshot replaces the bundled offers of the providers it covers (those that answered, and those
carried over after a failure); bundled offers of other providers stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spicetrader.sources.gpu_names import provider_id
from spicetrader.sources.quotes import load_quotes, with_quotes
from spicetrader.sources.snapshot import latest_snapshot, read_offers_csv

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["PriceOrigin", "PricesInfo", "as_of_date", "current_offers"]


class PriceOrigin(StrEnum):
    BUNDLED = "bundled"
    SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class PricesInfo:
    as_of: str  # ISO date of the offers' prices
    age_days: int
    origin: PriceOrigin
    snapshot: str | None = None  # path of the snapshot CSV
    quotes: int = 0  # the user's own offers and systems merged in

    def describe(self) -> str:
        where = "live snapshot" if self.origin is PriceOrigin.SNAPSHOT else "bundled catalog"
        text = f"prices as of {self.as_of} ({self.age_days} days old, {where})"
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


def current_offers(
    home: Path, catalog: Catalog, *, today: date | None = None
) -> tuple[Catalog, PricesInfo]:
    """The catalog with the prices to plan with, and where they come from.

    ``today`` defaults to the current UTC date (passed in by tests).
    """
    today = today or datetime.now(UTC).date()
    snapshot = latest_snapshot(home)
    if snapshot is None:
        offers = list(catalog.offers)
        dates = [as_of_date(o.as_of) for o in offers]
        as_of = max(dates).isoformat() if dates else today.isoformat()
        info_origin, snapshot_path = PriceOrigin.BUNDLED, None
        note = catalog.offers_note
    else:
        fresh = [
            o for o in read_offers_csv(snapshot.csv_path) if o.accelerator in catalog.accelerators
        ]
        covered = {o.provider for o in fresh} | {
            provider_id(str(p["provider"]))
            for p in snapshot.meta.get("providers", [])
            if p.get("status") == "ok"
        }
        offers = [o for o in catalog.offers if o.provider not in covered] + fresh
        as_of = snapshot.taken_at.date().isoformat()
        info_origin, snapshot_path = PriceOrigin.SNAPSHOT, str(snapshot.csv_path)
        note = f"live snapshot {snapshot.csv_path.name}"
    priced = catalog.with_offers(offers, note)
    quotes = load_quotes(home, catalog)
    info = PricesInfo(
        as_of=as_of,
        age_days=max(0, (today - as_of_date(as_of)).days),
        origin=info_origin,
        snapshot=snapshot_path,
        quotes=len(quotes.offers) + len(quotes.systems),
    )
    return with_quotes(priced, quotes), info
