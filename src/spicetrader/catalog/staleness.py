"""How old a price is: ages of ``as_of`` dates, the 180-day staleness rule, the snapshot's date.

A price read more than :data:`STALE_AFTER_DAYS` days before the reference date is *stale*: the
plan still uses it but says so (``PlanOption.stale``, ``spice catalog check``). A month-only date
(``YYYY-MM``) counts from the first of its month, so it never looks fresher than it may be.

The reference date is explicit everywhere: ``today`` for what a user sees now, or the bundled
snapshot's own date (:func:`snapshot_date`, written by ``scripts/build_offers.py``) for checks of
the snapshot itself, which must not start failing merely because time passes.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from importlib.resources import files
from typing import Final

from spicetrader.errors import CatalogDataError

__all__ = ["STALE_AFTER_DAYS", "age_days", "as_of_date", "is_stale", "snapshot_date"]

STALE_AFTER_DAYS: Final = 180


def as_of_date(as_of: str) -> date:
    """The calendar date of an ``as_of`` value (``YYYY-MM`` is the 1st of that month)."""
    parts = as_of.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        day = int(parts[2]) if len(parts) > 2 else 1
        return date(year, month, day)
    except (ValueError, IndexError):
        raise ValueError(f"expected an ISO date YYYY-MM or YYYY-MM-DD, got {as_of!r}") from None


def age_days(as_of: str, today: date) -> int:
    """Whole days from ``as_of`` to ``today`` (negative when ``as_of`` lies after ``today``)."""
    return (today - as_of_date(as_of)).days


def is_stale(as_of: str, today: date, limit_days: int = STALE_AFTER_DAYS) -> bool:
    """True when the price was read more than ``limit_days`` days before ``today``."""
    return age_days(as_of, today) > limit_days


@functools.cache
def snapshot_date() -> date:
    """The date the bundled offers snapshot was built (``catalog/data/snapshot.json``)."""
    path = files("spicetrader.catalog") / "data" / "snapshot.json"
    try:
        return as_of_date(str(json.loads(path.read_text(encoding="utf-8"))["date"]))
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise CatalogDataError("snapshot.json", None, "date", f"unreadable: {exc}") from None
