"""``offers.toml``: strict loading, merging into the catalog, atomic appends."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import CatalogDataError, SpiceError
from spicetrader.sources.prices import current_offers
from spicetrader.sources.quotes import (
    _toml_value,
    add_offer_quote,
    load_quotes,
    quotes_path,
    with_quotes,
)

GOOD = """\
# our own prices
[[offer]]
provider = "internal"
accelerator = "H100 SXM"        # a common spelling is fine
count = 8
price_usd_per_hour = 12.0
spot_price_usd_per_hour = 7.5
instance_type = "team-cluster-8x"
note = "chargeback rate"
as_of = "2026-11-20"

[[system]]
id = "reseller-dgx-h100"
name = "Reseller DGX H100 quote"
accelerator = "h100-sxm"
count = 8
price_usd = 289000
power_typical_w = 8500
power_max_w = 10200
as_of = "2026-11-15"
source = "email quote from ACME, ref 4711"
"""


def test_good_file_loads_as_catalog_rows(spice_home: Path, catalog: Catalog) -> None:
    quotes_path(spice_home).write_text(GOOD)
    quotes = load_quotes(spice_home, catalog)
    (offer,) = quotes.offers
    assert offer.id == "internal:team-cluster-8x"
    assert offer.accelerator == "h100-sxm"
    assert offer.price_usd_per_gpu_hour == pytest.approx(1.5)
    assert offer.source == "user quote"
    (system,) = quotes.systems
    assert system.memory_gb == catalog.accelerator("h100-sxm").memory_gb  # default: the chip's
    merged = with_quotes(catalog, quotes)
    assert merged.offer("internal:team-cluster-8x") == offer
    assert merged.system("reseller-dgx-h100") == system
    assert len(merged.offers) == len(catalog.offers) + 1


def test_quotes_reach_current_offers(spice_home: Path, catalog: Catalog) -> None:
    quotes_path(spice_home).write_text(GOOD)
    priced, info = current_offers(spice_home, catalog, today=date(2026, 12, 1))
    assert info.quotes == 2
    assert any(o.id == "internal:team-cluster-8x" for o in priced.offers)
    assert "2 of your own quotes" in info.describe()


@pytest.mark.parametrize(
    ("edit", "line", "field", "words"),
    [
        (("count = 8\nprice_usd_per_hour", "count = 8\ncolour = 1\nprice_usd_per_hour"),
         2, "colour", "unknown key"),
        (("price_usd_per_hour = 12.0", "price_usd_per_hour = -1"), 2, "price_usd_per_hour",
         "greater than 0"),
        (('accelerator = "H100 SXM"', 'accelerator = "H900"'), 2, "accelerator",
         "unknown hardware"),
        (('as_of = "2026-11-20"', 'as_of = "last week"'), 2, "as_of", "ISO date"),
        (("power_typical_w = 8500\npower_max_w = 10200\n", ""), 12, "power_w", "power_w"),
        (('[[system]]\nid = "reseller-dgx-h100"', '[[system]]\nid = "reseller-dgx-h100'), None,
         None, "not valid TOML"),
    ],
)  # fmt: skip
def test_bad_entries_name_file_entry_and_field(
    spice_home: Path,
    catalog: Catalog,
    edit: tuple[str, str],
    line: int | None,
    field: str | None,
    words: str,
) -> None:
    path = quotes_path(spice_home)
    assert edit[0] in GOOD
    path.write_text(GOOD.replace(edit[0], edit[1]))
    with pytest.raises(CatalogDataError) as exc:
        load_quotes(spice_home, catalog)
    assert exc.value.path == str(path)
    if line is not None:
        assert exc.value.line == line
    assert exc.value.field == field
    assert words in str(exc.value)


def test_add_appends_keeps_comments_and_rejects_duplicates(
    spice_home: Path, catalog: Catalog
) -> None:
    path = quotes_path(spice_home)
    path.write_text(GOOD)
    entry = {"provider": "acme", "accelerator": "rtx-4090", "count": 2,
             "price_usd_per_hour": 0.9, "as_of": "2026-11-26", "note": 'say "hi"'}  # fmt: skip
    offer = add_offer_quote(spice_home, entry, catalog)
    assert offer.id == "acme:2x-rtx-4090"
    assert offer.price_note == 'say "hi"'
    text = path.read_text()
    assert text.startswith("# our own prices")
    assert len(load_quotes(spice_home, catalog).offers) == 2
    with pytest.raises(CatalogDataError, match="duplicate id"):
        add_offer_quote(spice_home, entry, catalog)
    assert path.read_text() == text  # the failed add changed nothing


def test_add_never_overwrites_a_broken_file(spice_home: Path, catalog: Catalog) -> None:
    path = quotes_path(spice_home)
    path.write_text("[[offer]]\nprovider = \n")
    entry = {"provider": "acme", "accelerator": "t4", "count": 1, "price_usd_per_hour": 0.3,
             "as_of": "2026-11-26"}  # fmt: skip
    with pytest.raises(CatalogDataError, match="not valid TOML"):
        add_offer_quote(spice_home, entry, catalog)
    assert path.read_text() == "[[offer]]\nprovider = \n"


def test_add_creates_the_file(spice_home: Path, catalog: Catalog) -> None:
    entry = {"provider": "acme", "accelerator": "t4", "count": 1, "price_usd_per_hour": 0.3,
             "as_of": "2026-11-26", "regions": ["eu-1", "us-2"]}  # fmt: skip
    offer = add_offer_quote(spice_home, entry, catalog)
    assert offer.regions == ("eu-1", "us-2")
    assert offer.region_count == 2
    assert quotes_path(spice_home).read_text().startswith("# spicetrader: your own offers")


@given(text=st.text(max_size=40))
def test_any_note_round_trips_through_toml(text: str) -> None:
    """Any note (quotes, backslashes, control characters) is written as valid TOML."""
    assert tomllib.loads(f"note = {_toml_value(text)}\n")["note"] == text


@given(values=st.lists(st.text(max_size=10), max_size=4))
def test_region_lists_round_trip_through_toml(values: list[str]) -> None:
    assert tomllib.loads(f"regions = {_toml_value(values)}\n")["regions"] == values


def test_a_failed_write_keeps_the_users_file(
    spice_home: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = quotes_path(spice_home)
    path.write_text(GOOD)

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", disk_full)
    entry = {"provider": "acme", "accelerator": "t4", "count": 1, "price_usd_per_hour": 0.3,
             "as_of": "2026-11-26"}  # fmt: skip
    with pytest.raises(SpiceError, match="No space left on device; it is unchanged"):
        add_offer_quote(spice_home, entry, catalog)
    assert path.read_text() == GOOD
    assert [p.name for p in spice_home.iterdir()] == ["offers.toml"]  # no temp file left behind
