"""Offer snapshots in the user directory: ``<home>/snapshots/offers-<timestamp>.csv`` + ``.json``.

The CSV holds offer rows in the catalog's own ``offers.csv`` format; the JSON beside it is the
snapshot's meta (when, which providers, their status). The CSV is written first and the JSON
last, both atomically: a snapshot exists once its JSON does, so an interrupted refresh leaves the
previous snapshot the freshest complete one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spicetrader.errors import CatalogDataError, SpiceError
from spicetrader.fileio import write_text_atomic

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Offer

__all__ = [
    "Snapshot",
    "latest_snapshot",
    "read_offers_csv",
    "snapshot_dir",
    "write_snapshot",
]

_STAMP = "%Y%m%dT%H%M%SZ"
KEEP_SNAPSHOTS = 10  # older snapshots are removed after a new one is complete


def snapshot_dir(home: Path) -> Path:
    return home / "snapshots"


@dataclass(frozen=True)
class Snapshot:
    """A complete snapshot on disk: its meta and the path of its rows."""

    csv_path: Path
    meta_path: Path
    meta: Mapping[str, Any]

    @property
    def taken_at(self) -> datetime:
        return datetime.fromisoformat(str(self.meta["taken_at"]))


def offers_csv_text(offers: Sequence[Offer]) -> str:
    """Offers as CSV text in the catalog's own format (``offers.csv`` columns)."""
    from spicetrader.catalog.csvload import render_rows
    from spicetrader.catalog.schema import OFFER_COLUMNS

    return render_rows(list(offers), OFFER_COLUMNS)


def read_offers_csv(path: Path) -> tuple[Offer, ...]:
    """Read a snapshot CSV strictly: a bad row raises CatalogDataError with file, line, field."""
    from spicetrader.catalog.csvload import read_rows
    from spicetrader.catalog.schema import OFFER_COLUMNS, OPTIONAL_COLUMNS, Offer

    return tuple(
        located.row for located in read_rows(path, Offer, OFFER_COLUMNS, OPTIONAL_COLUMNS["offers"])
    )


def write_snapshot(
    home: Path, offers: Sequence[Offer], meta: Mapping[str, Any], taken_at: datetime
) -> Snapshot:
    """Write rows then meta atomically; returns the new snapshot."""
    stamp = taken_at.astimezone(UTC).strftime(_STAMP)
    folder = snapshot_dir(home)
    csv_path = folder / f"offers-{stamp}.csv"
    meta_path = folder / f"offers-{stamp}.json"
    full_meta = {**meta, "taken_at": taken_at.astimezone(UTC).isoformat(), "file": csv_path.name}
    try:
        write_text_atomic(csv_path, offers_csv_text(offers))
        write_text_atomic(meta_path, json.dumps(full_meta, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise SpiceError(
            f"could not write the snapshot in {folder}: {exc.strerror or exc}; "
            "the previous prices stay in use"
        ) from None
    _prune(folder, KEEP_SNAPSHOTS)
    return Snapshot(csv_path=csv_path, meta_path=meta_path, meta=full_meta)


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` newest snapshots (only after a new one is complete)."""
    for meta_path in sorted(folder.glob("offers-*.json"), reverse=True)[keep:]:
        meta_path.with_suffix(".csv").unlink(missing_ok=True)
        meta_path.unlink(missing_ok=True)


def latest_snapshot(home: Path) -> Snapshot | None:
    """The freshest complete snapshot (meta and CSV both present), or None."""
    folder = snapshot_dir(home)
    if not folder.is_dir():
        return None
    for meta_path in sorted(folder.glob("offers-*.json"), reverse=True):
        csv_path = meta_path.with_suffix(".csv")
        if not csv_path.is_file():
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CatalogDataError(str(meta_path), exc.lineno, None, exc.msg) from None
        if not isinstance(meta, dict) or "taken_at" not in meta:
            raise CatalogDataError(str(meta_path), None, "taken_at", "missing snapshot time")
        return Snapshot(csv_path=csv_path, meta_path=meta_path, meta=meta)
    return None
