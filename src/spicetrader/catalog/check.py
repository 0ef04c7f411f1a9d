"""``spice catalog check``: how current and how sourced the catalog is (pure; no clock, no files).

Counts offers by provider (with the oldest and newest price date of each) and prices by age
(offers and purchase prices against a reference date, :data:`STALE_AFTER_DAYS` being the stale
line), and lists the rows whose ``source`` names neither a URL nor a key documented in
``SOURCES.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.staleness import STALE_AFTER_DAYS, age_days, as_of_date

__all__ = [
    "AGE_BUCKETS",
    "AgeCount",
    "CatalogCheck",
    "ProviderCount",
    "check_catalog",
    "documented_source_keys",
    "undocumented_keys",
]

# (label, oldest age in days included); a row falls in the first bucket whose bound it is under.
AGE_BUCKETS: tuple[tuple[str, int], ...] = (
    ("up to 90 days", 90),
    ("91-180 days", STALE_AFTER_DAYS),
    (f"over {STALE_AFTER_DAYS} days (stale)", 10**9),
)


@dataclass(frozen=True)
class ProviderCount:
    provider: str
    offers: int
    marketplace: int  # how many of them are marketplace listings
    oldest_as_of: str
    newest_as_of: str
    stale: int


@dataclass(frozen=True)
class AgeCount:
    age: str
    offers: int
    purchase_prices: int


@dataclass(frozen=True)
class CatalogCheck:
    reference_date: str
    stale_after_days: int
    offers: int
    providers: tuple[ProviderCount, ...]
    ages: tuple[AgeCount, ...]
    stale_offers: tuple[str, ...]
    stale_purchase_prices: tuple[str, ...]
    undocumented_sources: tuple[str, ...]  # "offer:<id>: <key>" for each unknown source key

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def documented_source_keys(sources_md: str) -> set[str]:
    """The keys of the tables in ``SOURCES.md`` (first cell; ``A / B`` documents both)."""
    keys: set[str] = set()
    for line in sources_md.splitlines():
        if line.startswith("| ") and not line.startswith(("| Key", "|---")):
            keys.update(k.strip() for k in line.split("|")[1].split("/") if k.strip())
    return keys


def undocumented_keys(source: str, known: Collection[str]) -> list[str]:
    """The ``;``-separated keys of ``source`` that are neither URLs nor documented keys."""
    keys = [k.strip() for k in source.split(";")]
    return [k for k in keys if k and not k.startswith("http") and k not in known]


def _bucket(age: int) -> str:
    return next(label for label, bound in AGE_BUCKETS if age <= bound)


def check_catalog(catalog: Catalog, today: date, source_keys: Collection[str]) -> CatalogCheck:
    """The check of ``catalog`` against the reference date ``today``."""
    by_provider: dict[str, list[str]] = defaultdict(list)
    market: dict[str, int] = defaultdict(int)
    for offer in catalog.offers:
        by_provider[offer.provider].append(offer.as_of)
        market[offer.provider] += offer.marketplace
    offer_ages = {o.id: age_days(o.as_of, today) for o in catalog.offers}
    price_ages = {s.id: age_days(s.price_as_of, today) for s in catalog.systems}
    providers = tuple(
        ProviderCount(
            provider=name,
            offers=len(dates),
            marketplace=market[name],
            oldest_as_of=min(dates, key=as_of_date),
            newest_as_of=max(dates, key=as_of_date),
            stale=sum(age_days(d, today) > STALE_AFTER_DAYS for d in dates),
        )
        for name, dates in sorted(by_provider.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    )
    ages = tuple(
        AgeCount(
            age=label,
            offers=sum(_bucket(a) == label for a in offer_ages.values()),
            purchase_prices=sum(_bucket(a) == label for a in price_ages.values()),
        )
        for label, _ in AGE_BUCKETS
    )
    rows: Iterable[tuple[str, str, str]] = (
        *((f"accelerator:{a.id}", a.source, a.as_of) for a in catalog.accelerators.values()),
        *((f"system:{s.id}", s.source, s.as_of) for s in catalog.systems),
        *((f"offer:{o.id}", o.source, o.as_of) for o in catalog.offers),
        *((f"free-tier:{t.id}", t.source, t.as_of) for t in catalog.free_tiers),
    )
    undocumented = tuple(
        f"{what}: {key}"
        for what, source, _ in rows
        for key in undocumented_keys(source, source_keys)
    )
    return CatalogCheck(
        reference_date=today.isoformat(),
        stale_after_days=STALE_AFTER_DAYS,
        offers=len(catalog.offers),
        providers=providers,
        ages=ages,
        stale_offers=tuple(i for i, a in offer_ages.items() if a > STALE_AFTER_DAYS),
        stale_purchase_prices=tuple(i for i, a in price_ages.items() if a > STALE_AFTER_DAYS),
        undocumented_sources=undocumented,
    )
