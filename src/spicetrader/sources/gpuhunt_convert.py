"""Turn gpuhunt catalog items into spicetrader offer rows (pure: no network, no gpuhunt import).

gpuhunt (https://github.com/dstackai/gpuhunt, ``gpuhunt.CatalogItem``) returns one item per
instance type, location and pricing (on-demand or spot). An offer row in our catalog is one
instance type: the cheapest on-demand price over its locations, the cheapest spot price, the
locations as ``regions``. Marketplace providers (vast.ai, lium) name items by an ephemeral
offer id, so their items are grouped by GPU and count instead ("4x-RTX4090").

gpuhunt's ``memory`` (host RAM) is GiB in practice (AWS "768 GiB", GCP memory_mb / 1024); we
convert it to GB (10**9 bytes) like every other source.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from spicetrader.sources.gpu_names import map_gpu_name, provider_id
from spicetrader.units import gib_to_gb

__all__ = ["MARKETPLACE_PROVIDERS", "Conversion", "GpuhuntItem", "convert_items"]

#: Providers whose ``instance_name`` is a one-off marketplace offer id, not an instance type.
MARKETPLACE_PROVIDERS = frozenset({"vastai", "lium"})


class GpuhuntItem(BaseModel):
    """The fields of ``gpuhunt.CatalogItem`` we use (``dataclasses.asdict(item)``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    provider: str = Field(min_length=1)
    instance_name: str = Field(min_length=1)
    location: str
    price: float = Field(ge=0)
    cpu: int = Field(ge=0)
    memory: float = Field(ge=0)
    gpu_count: int = Field(ge=0)
    gpu_name: str | None = None
    gpu_memory: float | None = None
    spot: bool
    disk_size: float | None = None


@dataclass(frozen=True)
class Conversion:
    """What a batch of gpuhunt items became."""

    rows: tuple[dict[str, Any], ...]
    items_in: int
    unmapped: Mapping[str, int] = field(default_factory=dict)  # gpu_name -> items
    skipped: Mapping[str, int] = field(default_factory=dict)  # reason -> items


@dataclass
class _Group:
    provider: str
    instance_type: str
    marketplace: bool
    accelerator: str
    count: int
    vcpus: int
    ram_gb: float
    on_demand: list[float] = field(default_factory=list)
    spot: list[float] = field(default_factory=list)
    regions: set[str] = field(default_factory=set)


def _group_key(item: GpuhuntItem) -> tuple[str, str]:
    if item.provider.lower() in MARKETPLACE_PROVIDERS:
        return item.provider, f"{item.gpu_count}x-{item.gpu_name}"
    return item.provider, item.instance_name


def convert_items(
    items: Iterable[Mapping[str, Any]],
    resolve: Callable[[str], str],
    *,
    as_of: str,
    source: str,
) -> Conversion:
    """Group gpuhunt items into offer rows (dicts with the catalog ``Offer`` fields).

    ``resolve`` maps a GPU name to a catalog accelerator id (see :func:`map_gpu_name`).
    CPU-only items, free items and groups with no on-demand price are skipped and counted.
    """
    groups: dict[tuple[str, str], _Group] = {}
    unmapped: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    items_in = 0
    for raw in items:
        items_in += 1
        try:
            item = GpuhuntItem.model_validate(raw)
        except ValidationError:
            skipped["malformed item"] += 1
            continue
        if item.gpu_count == 0 or not item.gpu_name:
            skipped["no GPU"] += 1
            continue
        if item.price <= 0:
            skipped["no price"] += 1
            continue
        accelerator = map_gpu_name(item.gpu_name, item.gpu_memory, item.instance_name, resolve)
        if accelerator is None:
            unmapped[item.gpu_name] += 1
            continue
        key = _group_key(item)
        group = groups.get(key)
        if group is None:
            group = _Group(
                provider=provider_id(item.provider),
                instance_type=key[1],
                marketplace=item.provider.lower() in MARKETPLACE_PROVIDERS,
                accelerator=accelerator,
                count=item.gpu_count,
                vcpus=item.cpu,
                ram_gb=round(gib_to_gb(item.memory), 1),
            )
            groups[key] = group
        (group.spot if item.spot else group.on_demand).append(item.price)
        if item.location:
            group.regions.add(item.location)
    rows = []
    for group in groups.values():
        if not group.on_demand:
            skipped["spot only"] += len(group.spot)
            continue
        rows.append(_row(group, as_of=as_of, source=source))
    rows.sort(key=lambda r: (r["provider"], r["accelerator"], r["count"], r["instance_type"]))
    return Conversion(
        rows=tuple(rows), items_in=items_in, unmapped=dict(unmapped), skipped=dict(skipped)
    )


def _row(group: _Group, *, as_of: str, source: str) -> dict[str, Any]:
    low = min(group.on_demand)
    note = f"gpuhunt: cheapest on-demand of {len(group.on_demand)} listing(s)"
    if len(group.on_demand) > 1:
        note += f", median {statistics.median(group.on_demand):.4g} USD/h"
    if group.marketplace:
        note += "; marketplace offers, grouped by GPU and count"
    return {
        "id": f"{group.provider}:{group.instance_type}",
        "provider": group.provider,
        "instance_type": group.instance_type,
        "accelerator": group.accelerator,
        "count": group.count,
        "vcpus": group.vcpus or None,
        "ram_gb": group.ram_gb or None,
        "regions": tuple(sorted(group.regions)),
        "region_count": len(group.regions),
        "price_usd_per_hour": low,
        "spot_price_usd_per_hour": min(group.spot) if group.spot else None,
        "price_note": note,
        "source": source,
        "as_of": as_of,
    }
