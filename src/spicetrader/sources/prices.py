"""Which prices a plan uses: the freshest live snapshot, else the bundled offers; plus the user's
quotes. The CLI and the web app call :func:`current_offers` before planning and show
:class:`PricesInfo` (how old the prices are) with every plan.

A snapshot replaces the bundled offers of the providers it covers (those that answered, and those
carried over after a failure); bundled offers of other providers stay.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from spicetrader.sources.gpu_names import provider_id
from spicetrader.sources.quotes import load_quotes, with_quotes
from spicetrader.sources.snapshot import latest_snapshot, read_offers_csv
from spicetrader.spec.prices import PriceOrigin, PricesInfo, as_of_date

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["PriceOrigin", "PricesInfo", "as_of_date", "catalog_prices", "current_offers"]


def catalog_prices(
    catalog: Catalog, today: date, origin: PriceOrigin = PriceOrigin.CATALOG
) -> PricesInfo:
    """The note for a catalog's own offers (nothing from the user's home merged in)."""
    dates = [as_of_date(o.as_of) for o in catalog.offers]
    as_of = max(dates).isoformat() if dates else today.isoformat()
    age = max(0, (today - as_of_date(as_of)).days)
    return PricesInfo(as_of=as_of, age_days=age, origin=origin)


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
