"""Read-only catalog routes: ``GET /api/hardware``, ``/api/systems``, ``/api/offers``,
``/api/free-tiers`` and ``/api/models``, with the query filters the CLI lists offer.

Rows are returned as they are in the catalog (``source`` and ``as_of`` included), as JSON lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from spicetrader.catalog.filter import AcceleratorQuery, OfferQuery, matches, select_offers
from spicetrader.catalog.schema import SystemKind, Vendor
from spicetrader.models.arch import Architecture, DiffusionArchitecture
from spicetrader.web.services import Services, services

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["catalog"])

ServicesDep = Annotated[Services, Depends(services)]
Search = Annotated[
    str | None,
    Query(max_length=200, description="case-insensitive text to look for in ids and names"),
]
Limit = Annotated[int, Query(ge=1, le=10_000, description="at most this many rows")]


def _matches(text: str | None, *fields: str) -> bool:
    if not text:
        return True
    needle = text.strip().lower()
    return any(needle in f.lower() for f in fields)


def _dump(rows: Iterable[Any], limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows:
        if len(out) >= limit:
            break
        out.append(row.model_dump(mode="json"))
    return out


@router.get("/hardware", summary="Accelerators in the catalog")
def hardware(
    svc: ServicesDep,
    vendor: Vendor | None = None,
    min_memory_gb: Annotated[float | None, Query(ge=0, le=1e6)] = None,
    segment: Annotated[str | None, Query(max_length=40)] = None,
    q: Search = None,
    limit: Limit = 1000,
) -> list[dict[str, Any]]:
    """Accelerators, filtered as ``spice hardware list`` does (vendor, minimum memory of the
    largest configuration) and by segment (datacenter, consumer, apple...) and text."""
    query = AcceleratorQuery(vendor=vendor, min_memory_gb=min_memory_gb)
    rows = (
        a
        for a in svc.catalog().accelerators.values()
        if matches(a, query)
        and (segment is None or a.segment == segment.strip().lower())
        and _matches(q, a.id, a.name)
    )
    return _dump(rows, limit)


@router.get("/systems", summary="Systems you can buy")
def systems(
    svc: ServicesDep,
    kind: SystemKind | None = None,
    max_price_usd: Annotated[float | None, Query(gt=0, le=1e9)] = None,
    q: Search = None,
    limit: Limit = 1000,
) -> list[dict[str, Any]]:
    """Servers, workstations and Macs with their price, its date and source."""
    rows = (
        s
        for s in svc.catalog().systems
        if (kind is None or s.kind is kind)
        and (max_price_usd is None or s.price_usd <= max_price_usd)
        and _matches(q, s.id, s.name, s.accelerator)
    )
    return _dump(rows, limit)


@router.get("/offers", summary="Cloud GPU offers (rent)")
def offers(
    svc: ServicesDep,
    gpu: Annotated[
        str | None,
        Query(max_length=100, description="accelerator id or name ('a100': every A100 variant)"),
    ] = None,
    min_gpus: Annotated[int | None, Query(ge=1, le=1024)] = None,
    max_price_usd_per_hour: Annotated[
        float | None, Query(gt=0, le=1e5, description="instance price (spot price with spot)")
    ] = None,
    provider: Annotated[str | None, Query(max_length=60)] = None,
    spot: Annotated[bool, Query(description="only offers with a spot price, at spot")] = False,
    limit: Limit = 1000,
) -> list[dict[str, Any]]:
    """Offers filtered as ``spice offers`` does, cheapest per GPU-hour first. An unknown GPU or
    provider is a 422 with the nearest names."""
    catalog = svc.catalog()
    query = OfferQuery.named(
        catalog,
        gpu=gpu,
        min_gpus=min_gpus,
        max_price_usd_per_hour=max_price_usd_per_hour,
        provider=provider,
        spot=spot,
    )
    return [
        {
            **o.model_dump(mode="json"),
            "price_usd_per_gpu_hour": o.price_usd_per_gpu_hour,
            "spot_price_usd_per_gpu_hour": o.spot_price_usd_per_gpu_hour,
        }
        for o in select_offers(catalog.offers, query)[:limit]
    ]


@router.get("/free-tiers", summary="Free and low-cost notebook tiers")
def free_tiers(svc: ServicesDep) -> list[dict[str, Any]]:
    """Colab and Kaggle tiers: GPU, session length, quotas, price, usable hours a month."""
    return [
        {**t.model_dump(mode="json"), "monthly_hours": t.monthly_hours}
        for t in svc.catalog().free_tiers
    ]


@router.get("/models", summary="Models the estimator knows")
def models(svc: ServicesDep, q: Search = None, limit: Limit = 1000) -> list[dict[str, Any]]:
    """Model ids with name, aliases, kind (llm or diffusion) and parameter count, for search
    boxes; ``q`` matches the id, the name or an alias."""
    out: list[dict[str, Any]] = []
    for m in svc.models():
        if len(out) >= limit:
            break
        if _matches(q, m.id, m.name, *m.aliases):
            out.append(_model_summary(m))
    return out


def _model_summary(model: Architecture | DiffusionArchitecture) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "id": model.id,
        "name": model.name,
        "family": model.family,
        "aliases": list(model.aliases),
        "params": model.total_params(),
        "source": model.source,
        "as_of": model.as_of,
    }
    if isinstance(model, DiffusionArchitecture):
        return {**summary, "kind": "diffusion", "denoiser": model.denoiser.value}
    return {**summary, "kind": "llm", "active_params": model.active_params()}
