"""gpuhunt items -> offer rows: grouping, prices, name mapping, skips."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optional_deps import require
from spicetrader.catalog.schema import Offer
from spicetrader.sources.gpu_names import map_gpu_name, name_rules, provider_id
from spicetrader.sources.gpuhunt_convert import convert_items

Items = Mapping[str, Sequence[Mapping[str, Any]]]


def _convert(items: Sequence[Mapping[str, Any]], resolve: Callable[[str], str]) -> dict[str, Any]:
    result = convert_items(items, resolve, as_of="2026-11-26", source="gpuhunt test")
    return {row["id"]: row for row in result.rows}


def test_fixture_items_are_real_gpuhunt_catalog_items(recorded_items: Items) -> None:
    gpuhunt = require("gpuhunt")
    for items in recorded_items.values():
        for raw in items:
            data = dict(raw)
            vendor = data["gpu_vendor"]
            data["gpu_vendor"] = gpuhunt.AcceleratorVendor(vendor) if vendor else None
            data["cpu_arch"] = gpuhunt.CPUArchitecture(data["cpu_arch"])
            gpuhunt.CatalogItem(**data)  # raises on a field gpuhunt does not have


def test_one_row_per_instance_with_cheapest_on_demand_and_spot(
    recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    rows = _convert(recorded_items["aws"], resolve)
    p5 = rows["aws:p5.48xlarge"]
    assert p5["price_usd_per_hour"] == 55.04  # min of 98.32 and 55.04
    assert p5["spot_price_usd_per_hour"] == 30.5
    assert p5["regions"] == ("us-east-1", "us-west-2")
    assert p5["region_count"] == 2
    assert p5["accelerator"] == "h100-sxm"
    assert p5["count"] == 8
    assert "median 76.68" in p5["price_note"]
    # gpuhunt's memory is GiB: 2048 GiB = 2199.0 GB
    assert p5["ram_gb"] == pytest.approx(2199.0, abs=0.1)


def test_skips_are_counted_not_hidden(recorded_items: Items, resolve: Callable[[str], str]) -> None:
    result = convert_items(recorded_items["aws"], resolve, as_of="2026-11-26", source="t")
    assert result.items_in == 8
    assert result.skipped == {"no GPU": 1, "spot only": 1}
    assert result.unmapped == {"RadeonProV520": 1}
    assert {r["id"] for r in result.rows} == {"aws:p5.48xlarge", "aws:g5.xlarge"}


def test_sxm_and_pcie_told_apart_by_instance_name(
    recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    rows = _convert(recorded_items["lambdalabs"], resolve)
    assert rows["lambda:gpu_1x_h100_pcie"]["accelerator"] == "h100-pcie"
    assert rows["lambda:gpu_8x_h100_sxm5"]["accelerator"] == "h100-sxm"
    assert rows["lambda:gpu_1x_a10"]["accelerator"] == "a10"
    assert rows["lambda:gpu_1x_h100_pcie"]["provider"] == "lambda"  # catalog's provider id


def test_a100_memory_and_tpu_names(recorded_items: Items, resolve: Callable[[str], str]) -> None:
    result = convert_items(recorded_items["gcp"], resolve, as_of="2026-11-26", source="t")
    rows = {r["id"]: r for r in result.rows}
    assert rows["gcp:a2-ultragpu-1g"]["accelerator"] == "a100-sxm-80gb"
    assert rows["gcp:a2-highgpu-1g"]["accelerator"] == "a100-sxm-40gb"
    assert rows["gcp:v5litepod-8"]["accelerator"] == "tpu-v5e"
    assert result.skipped == {"malformed item": 1}  # the negative price


def test_marketplace_offers_grouped_by_gpu_and_count(
    recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    result = convert_items(recorded_items["vastai"], resolve, as_of="2026-11-26", source="t")
    assert [r["id"] for r in result.rows] == ["vast:1x-RTX4090"]
    assert result.rows[0]["price_usd_per_hour"] == 0.31
    assert result.rows[0]["regions"] == ("CZ", "US")
    assert result.unmapped == {"A16": 1}


def test_every_row_is_a_valid_catalog_offer(
    recorded_items: Items, resolve: Callable[[str], str], catalog: Any
) -> None:
    for items in recorded_items.values():
        for row in convert_items(items, resolve, as_of="2026-11-26", source="t").rows:
            offer = Offer.model_validate(row)
            assert offer.accelerator in catalog.accelerators


def test_name_table_targets_exist_in_catalog(catalog: Any) -> None:
    targets = {rule.accelerator for rule in name_rules() if rule.accelerator is not None}
    assert targets <= set(catalog.accelerators)


def test_unknown_names_map_to_none(resolve: Callable[[str], str]) -> None:
    assert map_gpu_name("Gaudi", 32, "dl1.24xlarge", resolve) is None
    assert map_gpu_name("RTX3060", 8, "x", resolve) is None  # the 8 GB card is not catalogued
    assert map_gpu_name("RTX3060", 12, "x", resolve) == "rtx-3060-12gb"
    assert map_gpu_name("RTX3090Ti", 24, "x", resolve) == "rtx-3090-ti"


def test_provider_aliases() -> None:
    assert provider_id("LambdaLabs") == "lambda"
    assert provider_id("vastai") == "vast"
    assert provider_id("aws") == "aws"


_price = st.floats(min_value=0.01, max_value=500, allow_nan=False)


@given(
    prices=st.lists(st.tuples(_price, st.booleans(), st.sampled_from(["a", "b", "c"])),
                    min_size=1, max_size=12)
)  # fmt: skip
def test_price_is_min_on_demand_and_never_a_spot_price(
    prices: list[tuple[float, bool, str]],
) -> None:
    items = [
        {"provider": "aws", "instance_name": "p4d.24xlarge", "location": loc, "price": p,
         "cpu": 96, "memory": 1152.0, "gpu_count": 8, "gpu_name": "A100", "gpu_memory": 40.0,
         "spot": spot, "disk_size": None}
        for p, spot, loc in prices
    ]  # fmt: skip
    result = convert_items(items, lambda n: n, as_of="2026-11-26", source="t")
    on_demand = [p for p, spot, _ in prices if not spot]
    spot_prices = [p for p, spot, _ in prices if spot]
    if not on_demand:
        assert result.rows == ()
        return
    (row,) = result.rows
    assert row["price_usd_per_hour"] == min(on_demand)
    assert row["spot_price_usd_per_hour"] == (min(spot_prices) if spot_prices else None)
    assert row["region_count"] == len({loc for *_, loc in prices})
