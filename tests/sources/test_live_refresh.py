"""``refresh_offers``: snapshots, partial and failed refreshes, carry-over, current_offers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import CatalogDataError
from spicetrader.sources.live import ProviderStatus, ProviderUnavailableError, refresh_offers
from spicetrader.sources.prices import PriceOrigin, current_offers
from spicetrader.sources.snapshot import latest_snapshot, read_offers_csv

Items = Mapping[str, Sequence[Mapping[str, Any]]]
T1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _fetcher(items: Items, failing: set[str] = frozenset(), skipped: set[str] = frozenset()
             ) -> Callable[[str], Sequence[Mapping[str, Any]]]:  # fmt: skip
    def fetch(provider: str) -> Sequence[Mapping[str, Any]]:
        if provider in failing:
            raise ConnectionError(f"{provider} catalog download timed out")
        if provider in skipped:
            raise ProviderUnavailableError("no credentials")
        return items[provider]

    return fetch


def _refresh(home: Path, items: Items, resolve: Callable[[str], str], now: datetime,
             **kw: set[str]) -> Any:  # fmt: skip
    return refresh_offers(home, list(items), _fetcher(items, **kw), resolve, now=now,
                          source="gpuhunt test")  # fmt: skip


def test_full_refresh_writes_snapshot_and_meta(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    result = _refresh(spice_home, recorded_items, resolve, T1)
    assert not result.failed
    assert not result.all_failed
    snap = latest_snapshot(spice_home)
    assert snap is not None
    assert snap.csv_path == result.snapshot.csv_path
    assert snap.csv_path.name == "offers-20261120T090000Z.csv"
    offers = read_offers_csv(snap.csv_path)
    assert len(offers) == result.offers == 9  # 3 lambda + 2 aws + 3 gcp + 1 vast
    assert {o.as_of for o in offers} == {"2026-11-20"}
    meta = json.loads(snap.meta_path.read_text())
    assert [p["status"] for p in meta["providers"]] == ["ok"] * 4
    assert meta["unmapped_gpus"] == {"RadeonProV520": 1, "A16": 1}
    progress: list[str] = []
    refresh_offers(spice_home, ["aws"], _fetcher(recorded_items), resolve, now=T2,
                   source="t", on_provider=progress.append)  # fmt: skip
    assert progress == ["aws"]


def test_partial_refresh_carries_failed_provider_rows_over(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    _refresh(spice_home, recorded_items, resolve, T1)
    result = _refresh(spice_home, recorded_items, resolve, T2, failing={"aws"})
    assert result.failed == ("aws",)
    assert not result.all_failed
    aws = next(p for p in result.providers if p.provider == "aws")
    assert aws.status is ProviderStatus.FAILED
    assert "timed out" in aws.message
    assert aws.carried_over == 2
    offers = read_offers_csv(result.snapshot.csv_path)
    kept = [o for o in offers if o.provider == "aws"]
    assert {o.as_of for o in kept} == {"2026-11-20"}  # the old date stays on old rows
    assert result.to_dict()["partial"] is True


def test_all_failed_writes_nothing_and_keeps_previous(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    first = _refresh(spice_home, recorded_items, resolve, T1)
    before = first.snapshot.csv_path.read_text()
    result = _refresh(spice_home, recorded_items, resolve, T2, failing=set(recorded_items))
    assert result.all_failed
    assert result.snapshot is None
    snap = latest_snapshot(spice_home)
    assert snap is not None
    assert snap.csv_path == first.snapshot.csv_path
    assert snap.csv_path.read_text() == before
    assert len(list((spice_home / "snapshots").iterdir())) == 2


def test_skipped_provider_is_not_a_failure(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    result = _refresh(spice_home, recorded_items, resolve, T1, skipped={"vastai"})
    assert result.failed == ()
    statuses = {p.provider: p.status for p in result.providers}
    assert statuses["vastai"] is ProviderStatus.SKIPPED


def test_interrupted_refresh_without_meta_is_ignored(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    first = _refresh(spice_home, recorded_items, resolve, T1)
    (spice_home / "snapshots" / "offers-20261125T090000Z.csv").write_text("half a file")
    snap = latest_snapshot(spice_home)
    assert snap is not None
    assert snap.csv_path == first.snapshot.csv_path


def test_bad_snapshot_row_names_file_line_field(spice_home: Path, recorded_items: Items,
                                               resolve: Callable[[str], str]) -> None:  # fmt: skip
    result = _refresh(spice_home, recorded_items, resolve, T1)
    path = result.snapshot.csv_path
    lines = path.read_text().splitlines()
    assert ",h100-sxm,8,208," in lines[3]
    lines[3] = lines[3].replace(",h100-sxm,8,208,", ",h100-sxm,-8,208,")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CatalogDataError) as exc:
        read_offers_csv(path)
    assert exc.value.path == str(path)
    assert exc.value.line == 4
    assert exc.value.field == "count"


def test_current_offers_bundled_then_snapshot(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str], catalog: Catalog
) -> None:
    priced, info = current_offers(spice_home, catalog, today=date(2026, 12, 1))
    assert info.origin is PriceOrigin.BUNDLED
    assert priced.offers == catalog.offers
    assert info.age_days == (date(2026, 12, 1) - date.fromisoformat(info.as_of)).days

    _refresh(spice_home, recorded_items, resolve, T1)
    priced, info = current_offers(spice_home, catalog, today=date(2026, 11, 30))
    assert info.origin is PriceOrigin.SNAPSHOT
    assert (info.as_of, info.age_days) == ("2026-11-20", 10)
    ids = {o.id for o in priced.offers}
    assert "lambda:gpu_8x_h100_sxm5" in ids
    # refreshed providers replace their bundled rows; others (nebius, cudo...) stay
    bundled_aws = {o.id for o in catalog.offers if o.provider == "aws"}
    assert not (bundled_aws - {"aws:p5.48xlarge", "aws:g5.xlarge"}) & ids
    assert any(o.provider == "nebius" for o in priced.offers)
    assert "10 days old" in info.describe()


def test_damaged_previous_snapshot_does_not_block_a_refresh(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    first = _refresh(spice_home, recorded_items, resolve, T1)
    first.snapshot.csv_path.write_text("id,provider\nbroken\n")
    result = _refresh(spice_home, recorded_items, resolve, T2, failing={"aws"})
    aws = next(p for p in result.providers if p.provider == "aws")
    assert aws.carried_over == 0
    assert "previous snapshot unreadable" in aws.message
    assert result.snapshot is not None


def test_only_the_newest_snapshots_are_kept(
    spice_home: Path, recorded_items: Items, resolve: Callable[[str], str]
) -> None:
    from spicetrader.sources.snapshot import KEEP_SNAPSHOTS

    for day in range(1, KEEP_SNAPSHOTS + 3):
        _refresh(spice_home, {"aws": recorded_items["aws"]}, resolve,
                 datetime(2026, 11, day, tzinfo=UTC))  # fmt: skip
    metas = sorted((spice_home / "snapshots").glob("offers-*.json"))
    assert len(metas) == KEEP_SNAPSHOTS
    assert metas[0].name == "offers-20261103T000000Z.json"
    assert len(list((spice_home / "snapshots").glob("offers-*.csv"))) == KEEP_SNAPSHOTS
