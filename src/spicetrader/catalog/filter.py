"""Filtering and ordering catalog rows (pure functions; the CLI and web only translate flags).

``matches(item, query)`` answers whether one row satisfies a query, gpuhunt-style.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.catalog.names import resolve
from spicetrader.catalog.schema import Accelerator, Offer, Vendor
from spicetrader.errors import InputError

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["AcceleratorQuery", "OfferQuery", "matches", "select_offers"]


@dataclass(frozen=True)
class AcceleratorQuery:
    """Which accelerators to list: by vendor and a minimum memory (largest config, GB)."""

    vendor: Vendor | None = None
    min_memory_gb: float | None = None

    def __post_init__(self) -> None:
        if self.min_memory_gb is not None and self.min_memory_gb < 0:
            raise InputError(f"min_memory_gb must be >= 0, got {self.min_memory_gb:g}")


@dataclass(frozen=True)
class OfferQuery:
    """Which cloud offers to list.

    ``accelerators``: accepted accelerator ids (None = any); ``min_gpus``: at least this many
    GPUs in the instance; ``max_price_usd_per_hour``: the instance's price (spot price when
    ``spot``) at most this; ``provider``: exact provider id; ``spot``: only offers with a spot
    price, priced at spot.
    """

    accelerators: frozenset[str] | None = None
    min_gpus: int | None = None
    max_price_usd_per_hour: float | None = None
    provider: str | None = None
    spot: bool = False

    def __post_init__(self) -> None:
        if self.min_gpus is not None and self.min_gpus < 1:
            raise InputError(f"min_gpus must be >= 1, got {self.min_gpus}")
        if self.max_price_usd_per_hour is not None and self.max_price_usd_per_hour <= 0:
            raise InputError(f"max price must be > 0 USD/h, got {self.max_price_usd_per_hour:g}")

    @classmethod
    def named(
        cls,
        catalog: Catalog,
        *,
        gpu: str | None = None,
        min_gpus: int | None = None,
        max_price_usd_per_hour: float | None = None,
        provider: str | None = None,
        spot: bool = False,
    ) -> OfferQuery:
        """The query for names as a person types them: ``gpu`` an accelerator id or name (every
        variant it matches, 'a100': all A100s), ``provider`` a provider of ``catalog`` (an
        unknown one raises with the nearest names)."""
        accelerators = None if gpu is None else frozenset(catalog.accelerators_matching(gpu))
        if provider is not None:
            provider = resolve("provider", provider, catalog.providers, {})
        return cls(
            accelerators=accelerators,
            min_gpus=min_gpus,
            max_price_usd_per_hour=max_price_usd_per_hour,
            provider=provider,
            spot=spot,
        )


def _accelerator_matches(item: Accelerator, query: AcceleratorQuery) -> bool:
    if query.vendor is not None and item.vendor != query.vendor:
        return False
    return query.min_memory_gb is None or item.memory_gb >= query.min_memory_gb


def offer_price(item: Offer, spot: bool) -> float | None:
    """The instance price per hour the query looks at (None: no spot price)."""
    return item.spot_price_usd_per_hour if spot else item.price_usd_per_hour


def _offer_matches(item: Offer, query: OfferQuery) -> bool:
    if query.accelerators is not None and item.accelerator not in query.accelerators:
        return False
    if query.min_gpus is not None and item.count < query.min_gpus:
        return False
    if query.provider is not None and item.provider != query.provider:
        return False
    price = offer_price(item, query.spot)
    if price is None:
        return False
    return query.max_price_usd_per_hour is None or price <= query.max_price_usd_per_hour


def matches(item: Accelerator | Offer, query: AcceleratorQuery | OfferQuery) -> bool:
    """Whether ``item`` satisfies ``query`` (an accelerator query for accelerators, etc.)."""
    if isinstance(item, Accelerator) and isinstance(query, AcceleratorQuery):
        return _accelerator_matches(item, query)
    if isinstance(item, Offer) and isinstance(query, OfferQuery):
        return _offer_matches(item, query)
    raise TypeError(f"cannot match {type(item).__name__} against {type(query).__name__}")


def select_offers(offers: Iterable[Offer], query: OfferQuery) -> list[Offer]:
    """The offers matching ``query``, cheapest per GPU-hour first (spot price when ``spot``)."""
    chosen = [o for o in offers if _offer_matches(o, query)]

    def per_gpu(offer: Offer) -> tuple[float, str]:
        price = offer_price(offer, query.spot)
        return (math.inf if price is None else price / offer.count, offer.id)

    return sorted(chosen, key=per_gpu)
