"""``spice offers refresh``: pull current offers per provider, convert, keep a snapshot.

The fetcher is injected (``Fetcher``: provider name -> gpuhunt items as dicts, raising on
failure), so tests run on recorded items without the network; :mod:`.gpuhunt_fetch` is the real
one. A provider that fails keeps its rows from the previous snapshot (carried over, with their
old ``as_of``); when every provider fails, nothing is written and the previous snapshot stays
the freshest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spicetrader.errors import CatalogDataError
from spicetrader.sources.gpu_names import provider_id
from spicetrader.sources.gpuhunt_convert import convert_items
from spicetrader.sources.snapshot import Snapshot, latest_snapshot, read_offers_csv, write_snapshot

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Offer

__all__ = [
    "Fetcher",
    "ProviderOutcome",
    "ProviderStatus",
    "ProviderUnavailableError",
    "RefreshResult",
    "refresh_offers",
]

Fetcher = Callable[[str], Sequence[Mapping[str, Any]]]


class ProviderUnavailableError(Exception):
    """The provider cannot be queried here (no credentials): skipped, not a failure."""


class ProviderStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ProviderOutcome:
    provider: str
    status: ProviderStatus
    items: int = 0
    offers: int = 0
    carried_over: int = 0  # rows kept from the previous snapshot after a failure
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "status": self.status.value,
            "items": self.items,
            "offers": self.offers,
            "carried_over": self.carried_over,
            "message": self.message,
        }


@dataclass(frozen=True)
class RefreshResult:
    providers: tuple[ProviderOutcome, ...]
    snapshot: Snapshot | None
    offers: int
    unmapped: Mapping[str, int] = field(default_factory=dict)
    skipped_items: Mapping[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(p.provider for p in self.providers if p.status is ProviderStatus.FAILED)

    @property
    def all_failed(self) -> bool:
        """Nothing was fetched: no provider answered."""
        return not any(p.status is ProviderStatus.OK for p in self.providers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.all_failed,
            "partial": bool(self.failed) and not self.all_failed,
            "snapshot": None if self.snapshot is None else str(self.snapshot.csv_path),
            "taken_at": None if self.snapshot is None else self.snapshot.meta["taken_at"],
            "offers": self.offers,
            "failed": list(self.failed),
            "providers": [p.to_dict() for p in self.providers],
            "unmapped_gpus": dict(sorted(self.unmapped.items())),
            "skipped_items": dict(sorted(self.skipped_items.items())),
        }


def _previous_offers(home: Path) -> tuple[dict[str, list[Offer]], str]:
    """Offers of the freshest snapshot by provider, and why there are none when it is unreadable.

    A damaged previous snapshot must not block a new refresh: its rows are just not carried over.
    """
    try:
        previous = latest_snapshot(home)
        offers = () if previous is None else read_offers_csv(previous.csv_path)
    except CatalogDataError as exc:
        return {}, f"previous snapshot unreadable ({exc})"
    by_provider: dict[str, list[Offer]] = {}
    for offer in offers:
        by_provider.setdefault(offer.provider, []).append(offer)
    return by_provider, ""


def _valid_rows(rows: Sequence[Mapping[str, Any]], skipped: Counter[str]) -> list[Offer]:
    """Rows the catalog's Offer model accepts (the snapshot must load strictly later)."""
    from pydantic import ValidationError

    from spicetrader.catalog.schema import Offer

    valid = []
    for row in rows:
        try:
            valid.append(Offer.model_validate(row))
        except ValidationError:
            skipped["rejected by the offer schema"] += 1
    return valid


def refresh_offers(
    home: Path,
    providers: Sequence[str],
    fetch: Fetcher,
    resolve: Callable[[str], str],
    *,
    now: datetime,
    source: str,
    on_provider: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Fetch each provider, convert its items and write a new snapshot (unless all failed).

    ``resolve`` maps a GPU name to a catalog accelerator id; ``on_provider`` is called before
    each provider (for a progress bar). ``source`` labels the rows (e.g. "gpuhunt 0.1.34").
    """
    as_of = now.date().isoformat()
    previous, previous_problem = _previous_offers(home)
    outcomes: list[ProviderOutcome] = []
    rows: list[Offer] = []
    unmapped: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for provider in providers:
        if on_provider is not None:
            on_provider(provider)
        try:
            items = fetch(provider)
        except ProviderUnavailableError as exc:
            outcomes.append(ProviderOutcome(provider, ProviderStatus.SKIPPED, message=str(exc)))
            continue
        except Exception as exc:  # any provider error: report it, keep going
            kept = previous.get(provider_id(provider), [])
            rows.extend(kept)
            message = f"{type(exc).__name__}: {exc}"
            if previous_problem:
                message += f"; {previous_problem}"
            outcomes.append(
                ProviderOutcome(
                    provider, ProviderStatus.FAILED, carried_over=len(kept), message=message
                )
            )
            continue
        conversion = convert_items(items, resolve, as_of=as_of, source=f"{source} ({provider})")
        valid = _valid_rows(conversion.rows, skipped)
        rows.extend(valid)
        unmapped.update(conversion.unmapped)
        skipped.update(conversion.skipped)
        outcomes.append(
            ProviderOutcome(
                provider, ProviderStatus.OK, items=conversion.items_in, offers=len(valid)
            )
        )
    result_outcomes = tuple(outcomes)
    if not any(o.status is ProviderStatus.OK for o in result_outcomes):
        return RefreshResult(providers=result_outcomes, snapshot=None, offers=0)
    meta = {
        "as_of": as_of,
        "source": source,
        "providers": [o.to_dict() for o in result_outcomes],
        "unmapped_gpus": dict(unmapped),
    }
    snapshot = write_snapshot(home, rows, meta, now)
    return RefreshResult(
        providers=result_outcomes,
        snapshot=snapshot,
        offers=len(rows),
        unmapped=dict(unmapped),
        skipped_items=dict(skipped),
    )
