"""The keys of ``offers.toml`` entries and the exact TOML type each one takes.

TOML values arrive typed; they are checked before any conversion, so ``count = true`` is not a
one-GPU offer, ``regions = "us-east"`` is not seven one-letter regions and ``count = 1e9`` is not
a count. Prices must be finite, positive and under a cap (a quote of 1e308 USD is a typo, and
would turn every total it touches into infinity).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final

__all__ = ["OFFER_FIELDS", "SYSTEM_FIELDS", "FieldKind", "check_value"]

MAX_COUNT: Final = 100_000  # devices in one offer or system
MAX_USD_PER_HOUR: Final = 1_000_000.0  # a whole instance; the dearest real ones are ~$100/h
MAX_USD: Final = 1e10  # a system to buy; the dearest single quote is well under $1e9
MAX_QUANTITY: Final = 1e9  # vCPUs, GB, W


@dataclass(frozen=True)
class FieldKind:
    """What a key accepts: ``text``, ``date``, ``count``, ``number`` or ``texts``; the cap for
    numbers."""

    kind: str
    cap: float = MAX_QUANTITY


_TEXT, _DATE, _TEXTS = FieldKind("text"), FieldKind("date"), FieldKind("texts")
_COUNT = FieldKind("count", MAX_COUNT)
_PER_HOUR = FieldKind("number", MAX_USD_PER_HOUR)

OFFER_FIELDS: Final[Mapping[str, FieldKind]] = {
    "provider": _TEXT, "accelerator": _TEXT, "count": _COUNT, "price_usd_per_hour": _PER_HOUR,
    "spot_price_usd_per_hour": _PER_HOUR, "instance_type": _TEXT, "vcpus": _COUNT,
    "ram_gb": FieldKind("number"), "regions": _TEXTS, "note": _TEXT, "source": _TEXT,
    "as_of": _DATE,
}  # fmt: skip
SYSTEM_FIELDS: Final[Mapping[str, FieldKind]] = {
    "id": _TEXT, "name": _TEXT, "kind": _TEXT, "accelerator": _TEXT, "count": _COUNT,
    "memory_gb": FieldKind("number"), "price_usd": FieldKind("number", MAX_USD),
    "price_as_of": _DATE, "power_w": FieldKind("number"), "power_typical_w": FieldKind("number"),
    "power_max_w": FieldKind("number"), "notes": _TEXT, "source": _TEXT, "as_of": _DATE,
}  # fmt: skip


def check_value(kind: FieldKind, value: object) -> tuple[object, str | None]:
    """``(value, None)`` when ``value`` fits ``kind`` (a TOML date becomes its ISO text), else
    ``(value, what is accepted)``."""
    if kind.kind == "text":
        return value, None if isinstance(value, str) else "expected a quoted string"
    if kind.kind == "date":
        if isinstance(value, date):
            return value.isoformat(), None
        return value, None if isinstance(value, str) else "expected a date YYYY-MM-DD"
    if kind.kind == "texts":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return value, None if ok else 'expected a list of strings, e.g. ["us-east-1"]'
    if isinstance(value, bool):
        return value, f"expected a {'whole ' if kind.kind == 'count' else ''}number, not true/false"
    if kind.kind == "count":
        if not isinstance(value, int):
            return value, "expected a whole number (no decimal point)"
        return value, None if 1 <= value <= kind.cap else f"expected 1 to {int(kind.cap):,}"
    if not isinstance(value, int | float):
        return value, "expected a number"
    number = float(value)
    if not math.isfinite(number) or not 0 < number <= kind.cap:
        return value, f"expected a finite number greater than 0 and at most {kind.cap:,.0f}"
    return value, None
