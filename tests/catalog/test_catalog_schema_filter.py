"""Row models (columns, memory configs, prices) and the pure filters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from spicetrader.catalog import schema
from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.filter import AcceleratorQuery, OfferQuery, matches, select_offers
from spicetrader.catalog.load import load_catalog
from spicetrader.catalog.schema import Offer, Vendor
from spicetrader.errors import InputError, UnknownNameError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        (schema.Accelerator, schema.ACCELERATOR_COLUMNS),
        (schema.System, schema.SYSTEM_COLUMNS),
        (schema.Offer, schema.OFFER_COLUMNS),
        (schema.FreeTier, schema.FREE_TIER_COLUMNS),
        (schema.EconomicsRow, schema.ECONOMICS_COLUMNS),
    ],
)
def test_columns_name_every_field_once(model: type, columns: tuple[str, ...]) -> None:
    assert len(set(columns)) == len(columns)
    assert set(columns) == set(model.model_fields)
    assert columns[0] == "id"


def test_memory_for_chooses_among_the_configs_sold(catalog: Catalog) -> None:
    m2 = catalog.accelerator("m2-ultra-76c")
    assert m2.memory_for(None) == 192
    assert m2.memory_for(128) == 128
    with pytest.raises(InputError, match="64, 128, 192"):
        m2.memory_for(96)
    h100 = catalog.accelerator("h100-sxm")
    assert h100.memory_for(None) == h100.memory_for(80) == 80
    with pytest.raises(InputError, match="accepted memory_gb: 80"):
        h100.memory_for(40)


def test_rows_are_frozen_and_reject_unknown_fields(catalog: Catalog) -> None:
    offer = catalog.offers[0]
    with pytest.raises(ValidationError):
        offer.count = 3  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        Offer.model_validate({**offer.model_dump(), "colour": "red"})


def test_estimated_row_needs_a_note(catalog: Catalog) -> None:
    data = catalog.accelerator("a10g").model_dump()
    with pytest.raises(ValidationError, match="estimate_note"):
        schema.Accelerator.model_validate({**data, "estimate_note": ""})


def test_accelerator_query(catalog: Catalog) -> None:
    query = AcceleratorQuery(vendor=Vendor.APPLE, min_memory_gb=192)
    apple_big = [a.id for a in catalog.accelerators.values() if matches(a, query)]
    assert set(apple_big) == {"m2-ultra-60c", "m2-ultra-76c", "m3-ultra-60c", "m3-ultra-80c"}
    with pytest.raises(InputError):
        AcceleratorQuery(min_memory_gb=-1)


def test_offer_query_filters_and_sorts_by_price_per_gpu_hour(catalog: Catalog) -> None:
    query = OfferQuery(accelerators=frozenset({"h100-sxm"}), min_gpus=8, max_price_usd_per_hour=40)
    chosen = select_offers(catalog.offers, query)
    assert chosen
    assert all(o.accelerator == "h100-sxm" and o.count >= 8 and o.price_usd_per_hour <= 40
               for o in chosen)  # fmt: skip
    per_gpu = [o.price_usd_per_gpu_hour for o in chosen]
    assert per_gpu == sorted(per_gpu)
    # the 8x H100 on Lambda at 31.92 USD/h is in; AWS p5 at 55.04 USD/h is out
    ids = {o.id for o in chosen}
    assert "lambda:gpu_8x_h100_sxm5" in ids
    assert "aws:p5.48xlarge" not in ids


def test_spot_query_uses_spot_prices(catalog: Catalog) -> None:
    chosen = select_offers(catalog.offers, OfferQuery(spot=True, provider="nebius"))
    assert chosen
    assert all(o.spot_price_usd_per_hour is not None for o in chosen)
    spot = [o.spot_price_usd_per_gpu_hour for o in chosen]
    assert spot == sorted(spot)


def test_bad_offer_queries_are_input_errors() -> None:
    with pytest.raises(InputError):
        OfferQuery(min_gpus=0)
    with pytest.raises(InputError):
        OfferQuery(max_price_usd_per_hour=0)


def test_matches_rejects_mismatched_kinds(catalog: Catalog) -> None:
    with pytest.raises(TypeError):
        matches(catalog.offers[0], AcceleratorQuery())


def test_with_offers_swaps_the_snapshot(catalog: Catalog) -> None:
    one = catalog.offers[:1]
    live = catalog.with_offers(one, "live 2026-11-26")
    assert live.offers == tuple(one)
    assert live.offers_note == "live 2026-11-26"
    assert live.accelerators is catalog.accelerators
    bad = one[0].model_copy(update={"accelerator": "h100-sxmm"})
    with pytest.raises(UnknownNameError, match="h100-sxm"):
        catalog.with_offers([bad], "live")


@given(st.floats(min_value=0.01, max_value=100), st.integers(min_value=1, max_value=16),
       st.floats(min_value=0.01, max_value=200))  # fmt: skip
def test_max_price_filter_never_admits_a_dearer_offer(price: float, count: int, cap: float) -> None:
    offer = Offer(
        id="p:x", provider="p", instance_type="x", accelerator="t4", count=count,
        price_usd_per_hour=price, source="s", as_of="2026-01",
    )  # fmt: skip
    assert matches(offer, OfferQuery(max_price_usd_per_hour=cap)) == (price <= cap)
    assert offer.price_usd_per_gpu_hour * count == pytest.approx(price)
