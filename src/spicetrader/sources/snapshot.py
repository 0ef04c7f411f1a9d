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

from spicetrader.errors import CatalogDataError, InputError, SpiceError
from spicetrader.fileio import clean_stale_tmp, locked, read_text_limited, write_text_atomic
from spicetrader.sources.quotes_fields import MAX_USD_PER_HOUR

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
# A live refresh holds one row per provider and instance type: hundreds. Beyond these
# limits a snapshot is refused (it was not written by `spice offers refresh`), so a planner never
# holds a million rows in memory.
MAX_SNAPSHOT_ROWS = 5_000
MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024
MAX_META_BYTES = 1024 * 1024
_REFRESH_HINT = "run `spice offers refresh` again, or delete the file"


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
    """Read a snapshot CSV strictly: a bad row raises CatalogDataError with file, line, field.

    Besides the catalog's own row checks: at most :data:`MAX_SNAPSHOT_ROWS` rows (and
    :data:`MAX_SNAPSHOT_BYTES`), unique ids, prices under the cap of a quote.
    """
    from spicetrader.catalog.csvload import parse_rows
    from spicetrader.catalog.schema import OFFER_COLUMNS, OPTIONAL_COLUMNS, Offer

    text = _read(path, MAX_SNAPSHOT_BYTES)
    rows = sum(1 for line in text.splitlines() if line.strip() and line.lstrip()[0] != "#")
    if rows - 1 > MAX_SNAPSHOT_ROWS:
        raise CatalogDataError(
            str(path), None, None,
            f"{rows - 1:,} rows, more than the {MAX_SNAPSHOT_ROWS:,} a snapshot may hold; "
            + _REFRESH_HINT,
        )  # fmt: skip
    located = parse_rows(text, Offer, OFFER_COLUMNS, str(path), OPTIONAL_COLUMNS["offers"])
    seen: set[str] = set()
    for item in located:
        offer = item.row
        if offer.id in seen:
            raise CatalogDataError(str(path), item.line, "id", f"duplicate id {offer.id!r}")
        seen.add(offer.id)
        for field in ("price_usd_per_hour", "spot_price_usd_per_hour"):
            price = getattr(offer, field)
            if price is not None and price > MAX_USD_PER_HOUR:
                raise CatalogDataError(
                    str(path), item.line, field, f"{price:g} USD/h is over {MAX_USD_PER_HOUR:,.0f}"
                )
    return tuple(item.row for item in located)


def _read(path: Path, max_bytes: int) -> str:
    try:
        return read_text_limited(path, max_bytes, "snapshot file")
    except InputError as exc:
        raise CatalogDataError(str(path), None, None, str(exc).removeprefix(f"{path}: ")) from None


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
        with locked(home):
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
    """The freshest complete snapshot (meta and CSV both present), or None.

    Its meta is checked (``taken_at`` an ISO time with a zone, ``providers`` a list of
    ``{provider, status}`` tables); a damaged one raises CatalogDataError naming the file.
    """
    folder = snapshot_dir(home)
    clean_stale_tmp(home, folder)  # temp files of a refresh killed before its rename
    if not folder.is_dir():
        return None
    for meta_path in sorted(folder.glob("offers-*.json"), reverse=True):
        csv_path = meta_path.with_suffix(".csv")
        if not csv_path.is_file():
            continue
        return Snapshot(csv_path=csv_path, meta_path=meta_path, meta=_read_meta(meta_path))
    return None


def _read_meta(path: Path) -> dict[str, Any]:
    def bad(field: str | None, message: str, line: int | None = None) -> CatalogDataError:
        return CatalogDataError(str(path), line, field, f"{message}; {_REFRESH_HINT}")

    try:
        meta = json.loads(_read(path, MAX_META_BYTES))
    except json.JSONDecodeError as exc:
        raise bad(None, f"not valid JSON ({exc.msg})", exc.lineno) from None
    except RecursionError:
        raise bad(None, "not valid JSON (nested too deep)") from None
    if not isinstance(meta, dict):
        raise bad(None, "expected a JSON object")
    taken_at = meta.get("taken_at")
    try:
        when = datetime.fromisoformat(taken_at) if isinstance(taken_at, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise bad("taken_at", f"expected an ISO time with a zone, got {taken_at!r:.40}")
    providers = meta.get("providers", [])
    if not isinstance(providers, list) or not all(
        isinstance(p, dict)
        and isinstance(p.get("provider"), str)
        and isinstance(p.get("status", ""), str)
        for p in providers
    ):
        raise bad("providers", "expected a list of {provider, status} tables")
    return meta
