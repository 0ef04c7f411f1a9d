"""How current the bundled catalog is: the snapshot's own date, the 180-day rule, the build script.

The staleness test measures every bundled offer against the snapshot's own date
(``catalog/data/snapshot.json``, written by ``scripts/build_offers.py``), not against today's clock.
Against the clock the test would start failing 180 days after a release with no change to the code
or the data, breaking every contributor's gate at once; against the snapshot's date it checks what
a test can check: that no offer was already stale when the snapshot was built. That the snapshot
itself has aged is a fact for the user, shown at run time: ``PlanOption.stale`` in a plan's JSON and
``spice catalog check`` both measure against today.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from spicetrader.catalog.load import bundled_data_dir, load_catalog
from spicetrader.catalog.staleness import (
    STALE_AFTER_DAYS,
    age_days,
    as_of_date,
    is_stale,
    snapshot_date,
)

ROOT = Path(__file__).resolve().parents[2]


def test_no_bundled_offer_is_older_than_180_days_at_the_snapshot_date() -> None:
    built = snapshot_date()
    too_old = [
        (o.id, o.as_of)
        for o in load_catalog().offers
        if age_days(o.as_of, built) > STALE_AFTER_DAYS
    ]
    assert too_old == []
    in_future = [(o.id, o.as_of) for o in load_catalog().offers if age_days(o.as_of, built) < 0]
    assert in_future == []


def test_the_rule_flags_a_price_one_day_past_180_days() -> None:
    today = date(2026, 12, 3)
    assert not is_stale((today - timedelta(days=180)).isoformat(), today)
    assert is_stale((today - timedelta(days=181)).isoformat(), today)
    # a month-only date counts from the 1st: 2026-06 is 185 days before 2026-12-03
    assert as_of_date("2026-06") == date(2026, 6, 1)
    assert is_stale("2026-06", today)
    assert not is_stale("2026-06-11", today)
    with pytest.raises(ValueError, match="ISO date"):
        as_of_date("June 2026")


def test_the_snapshot_date_is_the_one_the_offers_file_was_built_on() -> None:
    recorded = json.loads((bundled_data_dir() / "snapshot.json").read_text())
    header = (bundled_data_dir() / "offers.csv").read_text().splitlines()[0]
    assert f"on {recorded['date']}" in header
    assert recorded["offers"] == len(load_catalog().offers)


def _build_script() -> object:
    spec = importlib.util.spec_from_file_location(
        "build_offers", ROOT / "scripts" / "build_offers.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_offers", module)
    spec.loader.exec_module(module)
    return module


def test_offers_file_is_exactly_what_the_build_script_makes_from_its_inputs() -> None:
    script = _build_script()
    assert script.main(["--check", "--date", snapshot_date().isoformat()]) == 0  # type: ignore[attr-defined]


def test_the_snapshot_covers_the_market() -> None:
    offers = load_catalog().offers
    providers = {o.provider for o in offers}
    assert len(offers) >= 400
    assert len(providers) >= 15
    wanted = {"aws", "gcp", "azure", "oci", "lambda", "runpod", "vast", "datacrunch", "hyperstack",
              "crusoe", "jarvislabs", "nebius", "paperspace", "cudo"}  # fmt: skip
    assert wanted - providers == set()
    assert sum(o.spot_price_usd_per_hour is not None for o in offers) >= 40


def test_marketplace_listings_are_labelled() -> None:
    for offer in load_catalog().offers:
        if offer.provider in ("vast", "spheron"):
            assert offer.marketplace, offer.id
        if offer.provider in ("aws", "gcp", "azure", "oci", "lambda", "nebius"):
            assert not offer.marketplace, offer.id
