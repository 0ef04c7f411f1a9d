"""``check_catalog``: counts by provider and by age against an explicit date, unknown sources;
older user files (written before the new columns) still load."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.check import check_catalog, documented_source_keys, undocumented_keys
from spicetrader.catalog.load import bundled_data_dir, load_catalog
from spicetrader.catalog.schema import Offer, PriceStatus

TODAY = date(2026, 12, 3)


def _offer(
    ident: str, provider: str, as_of: str, source: str = "SKY-LAMBDA", **kw: object
) -> Offer:
    return Offer.model_validate({
        "id": ident, "provider": provider, "instance_type": ident, "accelerator": "h100-sxm",
        "count": 1, "price_usd_per_hour": 2.0, "source": source, "as_of": as_of, **kw,
    })  # fmt: skip


def _catalog(*offers: Offer) -> Catalog:
    bundled = load_catalog()
    return Catalog.from_rows(bundled.accelerators.values(), bundled.systems[:1], offers,
                             bundled.free_tiers, bundled.economics)  # fmt: skip


def test_counts_by_provider_and_by_age_against_the_given_date() -> None:
    fresh = (TODAY - timedelta(days=10)).isoformat()
    middle = (TODAY - timedelta(days=120)).isoformat()
    old = (TODAY - timedelta(days=181)).isoformat()
    catalog = _catalog(
        _offer("a:1", "acloud", fresh), _offer("a:2", "acloud", old),
        _offer("v:1", "vast", middle, marketplace=True),
    )  # fmt: skip
    result = check_catalog(catalog, TODAY, {"SKY-LAMBDA"})
    by_name = {p.provider: p for p in result.providers}
    assert (by_name["acloud"].offers, by_name["acloud"].stale) == (2, 1)
    assert (by_name["acloud"].oldest_as_of, by_name["acloud"].newest_as_of) == (old, fresh)
    assert (by_name["vast"].offers, by_name["vast"].marketplace) == (1, 1)
    assert [a.offers for a in result.ages] == [1, 1, 1]
    assert result.stale_offers == ("a:2",)
    assert result.providers[0].provider == "acloud"  # most offers first
    # the same catalog a year later: everything is stale
    later = check_catalog(catalog, TODAY + timedelta(days=365), {"SKY-LAMBDA"})
    assert [a.offers for a in later.ages] == [0, 0, 3]


def test_rows_whose_source_is_not_documented_are_listed() -> None:
    catalog = _catalog(
        _offer("a:1", "acloud", "2026-12", source="SKY-LAMBDA;MYSTERY"),
        _offer("a:2", "acloud", "2026-12", source="https://example.com/prices"),
    )
    result = check_catalog(catalog, TODAY, {"SKY-LAMBDA"})
    assert "offer:a:1: MYSTERY" in result.undocumented_sources
    assert not any(u.startswith("offer:a:2") for u in result.undocumented_sources)
    assert undocumented_keys("A; B;https://x", {"A"}) == ["B"]


def test_the_bundled_catalog_is_fully_sourced() -> None:
    keys = documented_source_keys((bundled_data_dir() / "SOURCES.md").read_text())
    assert {"SKY-VERDA", "MLE", "GLENNK-B300"} <= keys
    result = check_catalog(load_catalog(), TODAY, keys)
    assert result.undocumented_sources == ()
    assert result.offers == len(load_catalog().offers)


def test_user_files_written_before_the_new_columns_still_load(tmp_path: Path) -> None:
    bundled_offers = (bundled_data_dir() / "offers.csv").read_text().splitlines()
    header = next(line for line in bundled_offers if line.startswith("id,"))
    old_header = header.removesuffix(",marketplace")
    (tmp_path / "offers.csv").write_text(
        f"{old_header}\nmine:box,mine,box,h100-sxm,8,,,,0,9.5,,,my quote,2026-11-20\n"
    )
    systems = (bundled_data_dir() / "systems.csv").read_text().splitlines()
    sys_header = next(line for line in systems if line.startswith("id,"))
    old_sys = sys_header.removesuffix(",status,price_low_usd,price_high_usd")
    (tmp_path / "systems.csv").write_text(
        f"{old_sys}\nmybox,My box,,workstation,rtx-4090,1,24,3000,2026-11,500,700,false,quote,"
        "2026-11,\n"
    )
    merged = load_catalog(tmp_path)
    mine = next(o for o in merged.offers if o.id == "mine:box")
    assert mine.marketplace is False
    box = next(s for s in merged.systems if s.id == "mybox")
    assert box.status is PriceStatus.CURRENT
    assert box.price_low_usd is None
