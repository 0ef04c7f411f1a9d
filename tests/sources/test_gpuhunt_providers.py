"""``spice offers refresh`` over ten gpuhunt providers' responses (the two fixture files)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from optional_deps import require
from spicetrader.sources.live import refresh_offers
from spicetrader.sources.snapshot import latest_snapshot, read_offers_csv

Items = Mapping[str, Sequence[Mapping[str, Any]]]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gpuhunt"


@pytest.fixture(scope="module")
def all_items() -> Items:
    merged: dict[str, Sequence[Mapping[str, Any]]] = {}
    for name in ("items.json", "items_more_providers.json"):
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        merged.update({k: v for k, v in data.items() if not k.startswith("_")})
    return merged


def test_the_fixtures_cover_at_least_eight_providers(all_items: Items) -> None:
    assert len(all_items) >= 8


def test_the_added_items_are_gpuhunt_catalog_items(all_items: Items) -> None:
    gpuhunt = require("gpuhunt")
    for items in all_items.values():
        for raw in items:
            data = dict(raw)
            vendor = data["gpu_vendor"]
            data["gpu_vendor"] = gpuhunt.AcceleratorVendor(vendor) if vendor else None
            data["cpu_arch"] = gpuhunt.CPUArchitecture(data["cpu_arch"])
            gpuhunt.CatalogItem(**data)


def test_a_refresh_over_every_provider_maps_names_and_keeps_spot(
    spice_home: Path, all_items: Items, resolve: Callable[[str], str]
) -> None:
    result = refresh_offers(
        spice_home, list(all_items), lambda p: all_items[p], resolve,
        now=datetime(2026, 12, 3, 9, tzinfo=UTC), source="gpuhunt fixtures",
    )  # fmt: skip
    assert not result.failed
    snap = latest_snapshot(spice_home)
    assert snap is not None
    offers = {o.id: o for o in read_offers_csv(snap.csv_path)}
    providers = {o.provider for o in offers.values()}
    assert {
        "lambda",
        "vast",
        "datacrunch",
        "oci",
        "runpod",
        "nebius",
        "cudo",
        "crusoe",
    } <= providers
    assert offers["oci:BM.GPU.H100.8"].accelerator == "h100-sxm"
    assert offers["oci:BM.GPU.H100.8"].region_count == 2
    a100 = offers["runpod:NVIDIA A100 80GB PCIe"]
    assert (a100.accelerator, a100.price_usd_per_hour) == ("a100-pcie-80gb", 1.64)
    assert a100.spot_price_usd_per_hour == 1.19
    assert offers["datacrunch:1H100.80S.32V"].spot_price_usd_per_hour == pytest.approx(0.8015)
    assert offers["datacrunch:1RTXPRO6000.30V"].accelerator == "rtx-pro-6000-blackwell"
    assert offers["nebius:gpu-h200-sxm_8gpu-128vcpu-1600gb"].count == 8
    assert {o.as_of for o in offers.values()} == {"2026-12-03"}
