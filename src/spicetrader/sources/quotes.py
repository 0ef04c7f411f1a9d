"""The user's own quotes: ``<home>/offers.toml`` (``[[offer]]`` and ``[[system]]`` tables).

An ``[[offer]]`` is a price per hour for a whole instance (a provider's private price, an internal
cluster's chargeback); a ``[[system]]`` is a machine to buy (a reseller's DGX quote). Each becomes a
catalog row (:class:`~spicetrader.catalog.schema.Offer` / ``System``) the planner treats like any
other. Loading is strict: an unknown key or a bad value names the file, the entry and the field.
``spice offers add`` appends a table to the file (comments and layout kept), atomically; a file
that does not validate is never written over. Format: ``docs/sources.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spicetrader.errors import CatalogDataError, InputError, SpiceError
from spicetrader.fileio import write_text_atomic

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.catalog.schema import Offer, System

__all__ = ["Quotes", "add_offer_quote", "load_quotes", "quotes_path", "with_quotes"]

DEFAULT_SOURCE = "user quote"
_OFFER_KEYS = frozenset({
    "provider", "accelerator", "count", "price_usd_per_hour", "spot_price_usd_per_hour",
    "instance_type", "vcpus", "ram_gb", "regions", "note", "source", "as_of",
})  # fmt: skip
_SYSTEM_KEYS = frozenset({
    "id", "name", "kind", "accelerator", "count", "memory_gb", "price_usd", "price_as_of",
    "power_w", "power_typical_w", "power_max_w", "notes", "source", "as_of",
})  # fmt: skip
_REQUIRED = {
    "offer": ("provider", "accelerator", "count", "price_usd_per_hour", "as_of"),
    "system": ("id", "accelerator", "count", "price_usd", "as_of"),
}


def quotes_path(home: Path) -> Path:
    return home / "offers.toml"


@dataclass(frozen=True)
class Quotes:
    offers: tuple[Offer, ...] = ()
    systems: tuple[System, ...] = ()


def _entry_lines(text: str, table: str) -> list[int]:
    """Line numbers (1-based) of each ``[[table]]`` header, in order."""
    header = re.compile(rf"^\s*\[\[\s*{table}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), start=1) if header.match(line)]


class _Entry:
    """Where an entry sits, for error messages."""

    def __init__(self, path: Path, table: str, index: int, line: int | None):
        self.path, self.table, self.index, self.line = str(path), table, index, line

    def error(self, field: str | None, message: str) -> SpiceError:
        return CatalogDataError(
            self.path, self.line, field, f"[[{self.table}]] #{self.index + 1}: {message}"
        )


class _NewEntry(_Entry):
    """An entry given on the command line (``spice offers add``): errors are input errors."""

    def error(self, field: str | None, message: str) -> SpiceError:
        return InputError(f"invalid offer: {field or 'entry'}: {message}")


def _check_keys(entry: _Entry, data: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for key in data:
        if key not in allowed:
            raise entry.error(key, "unknown key; accepted: " + ", ".join(sorted(allowed)))
    for key in _REQUIRED[entry.table]:
        if key not in data:
            raise entry.error(key, "required")


def _accelerator_id(entry: _Entry, catalog: Catalog, name: object) -> str:
    try:
        return catalog.accelerator(str(name)).id
    except InputError as exc:
        raise entry.error("accelerator", str(exc)) from None


def _validated(entry: _Entry, model: type[Any], data: Mapping[str, Any]) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise entry.error(field, str(err["msg"])) from None


def _offer(entry: _Entry, data: Mapping[str, Any], catalog: Catalog) -> Offer:
    from spicetrader.catalog.schema import Offer

    _check_keys(entry, data, _OFFER_KEYS)
    accel = _accelerator_id(entry, catalog, data["accelerator"])
    instance = str(data.get("instance_type") or f"{data['count']}x-{accel}")
    regions = tuple(data.get("regions", ()))
    row = {
        "id": f"{data['provider']}:{instance}",
        "provider": data["provider"],
        "instance_type": instance,
        "accelerator": accel,
        "count": data["count"],
        "vcpus": data.get("vcpus"),
        "ram_gb": data.get("ram_gb"),
        "regions": regions,
        "region_count": len(regions),
        "price_usd_per_hour": data["price_usd_per_hour"],
        "spot_price_usd_per_hour": data.get("spot_price_usd_per_hour"),
        "price_note": str(data.get("note", "")),
        "source": data.get("source", DEFAULT_SOURCE),
        "as_of": data["as_of"],
    }
    offer: Offer = _validated(entry, Offer, row)
    return offer


def _system(entry: _Entry, data: Mapping[str, Any], catalog: Catalog) -> System:
    from spicetrader.catalog.schema import System

    _check_keys(entry, data, _SYSTEM_KEYS)
    accel = catalog.accelerators[_accelerator_id(entry, catalog, data["accelerator"])]
    power = data.get("power_w")
    typical, peak = data.get("power_typical_w", power), data.get("power_max_w", power)
    if typical is None or peak is None:
        raise entry.error("power_w", "give power_w, or power_typical_w and power_max_w")
    row = {
        "id": data["id"],
        "name": data.get("name", data["id"]),
        "kind": data.get("kind", "server"),
        "accelerator": accel.id,
        "count": data["count"],
        "memory_gb": data.get("memory_gb", accel.memory_gb),
        "price_usd": data["price_usd"],
        "price_as_of": data.get("price_as_of", data["as_of"]),
        "power_typical_w": typical,
        "power_max_w": peak,
        "notes": str(data.get("notes", "")),
        "source": data.get("source", DEFAULT_SOURCE),
        "as_of": data["as_of"],
    }
    system: System = _validated(entry, System, row)
    return system


def _parse(path: Path, text: str, catalog: Catalog) -> Quotes:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise CatalogDataError(str(path), line, None, f"not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"offer", "system"})
    if unknown:
        raise CatalogDataError(
            str(path), None, unknown[0], "unknown table; accepted: [[offer]], [[system]]"
        )
    parsed: dict[str, list[Any]] = {"offer": [], "system": []}
    builders: dict[str, Callable[[_Entry, Any, Catalog], Offer | System]] = {
        "offer": _offer,
        "system": _system,
    }
    for table, build in builders.items():
        entries = data.get(table, [])
        if not isinstance(entries, list):
            raise CatalogDataError(str(path), None, table, f"write [[{table}]] tables")
        lines = _entry_lines(text, table)
        seen: set[str] = set()
        for index, raw in enumerate(entries):
            entry = _Entry(path, table, index, lines[index] if index < len(lines) else None)
            if not isinstance(raw, dict):
                raise entry.error(None, f"write [[{table}]] tables")
            row = build(entry, raw, catalog)
            if row.id in seen:
                raise entry.error("id", f"duplicate id {row.id!r}")
            seen.add(row.id)
            parsed[table].append(row)
    return Quotes(offers=tuple(parsed["offer"]), systems=tuple(parsed["system"]))


def load_quotes(home: Path, catalog: Catalog) -> Quotes:
    """The user's quotes (empty when ``offers.toml`` does not exist); strict."""
    path = quotes_path(home)
    if not path.is_file():
        return Quotes()
    return _parse(path, path.read_text(encoding="utf-8"), catalog)


def with_quotes(catalog: Catalog, quotes: Quotes) -> Catalog:
    """The catalog plus the quotes (a quote replaces a row with the same id)."""
    from spicetrader.catalog.catalog import Catalog as CatalogType

    if not quotes.offers and not quotes.systems:
        return catalog
    offer_ids = {o.id for o in quotes.offers}
    system_ids = {s.id for s in quotes.systems}
    return CatalogType.from_rows(
        accelerators=catalog.accelerators.values(),
        systems=[s for s in catalog.systems if s.id not in system_ids] + list(quotes.systems),
        offers=[o for o in catalog.offers if o.id not in offer_ids] + list(quotes.offers),
        free_tiers=catalog.free_tiers,
        economics=catalog.economics,
        offers_note=catalog.offers_note,
    )


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(str(value))


def _toml_string(text: str) -> str:
    """A TOML basic string: backslash and quote escaped, control characters (and DEL) as \\uXXXX
    (TOML 1.0, "String": only tab may appear raw among the control characters)."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif (ord(char) < 0x20 and char != "\t") or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def add_offer_quote(home: Path, entry: Mapping[str, Any], catalog: Catalog) -> Offer:
    """Append an ``[[offer]]`` to ``offers.toml`` after validating the whole new file."""
    path = quotes_path(home)
    old = path.read_text(encoding="utf-8") if path.is_file() else (
        "# spicetrader: your own offers ([[offer]]) and quotes to buy ([[system]]).\n"
        "# Format: docs/sources.md. Every row needs as_of (YYYY-MM-DD); prices in USD.\n"
    )  # fmt: skip
    _parse(path, old, catalog)  # never write over a file that does not validate
    new = _NewEntry(path, "offer", 0, None)
    entry = {**entry, "accelerator": _accelerator_id(new, catalog, entry.get("accelerator"))}
    _offer(new, entry, catalog)  # errors name the flag's field, not a line of the file
    block = "\n[[offer]]\n" + "".join(
        f"{key} = {_toml_value(value)}\n" for key, value in entry.items() if value is not None
    )
    new_text = old.rstrip("\n") + "\n" + block
    quotes = _parse(path, new_text, catalog)
    try:
        write_text_atomic(path, new_text)
    except OSError as exc:
        raise SpiceError(
            f"could not write {path}: {exc.strerror or exc}; it is unchanged"
        ) from None
    return quotes.offers[-1]
