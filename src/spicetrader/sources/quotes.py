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
from spicetrader.fileio import clean_stale_tmp, locked, read_text_limited, write_text_atomic
from spicetrader.sources.quotes_fields import OFFER_FIELDS, SYSTEM_FIELDS, FieldKind, check_value

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.catalog.schema import Offer, System

__all__ = ["Quotes", "add_offer_quote", "load_quotes", "quotes_path", "with_quotes"]

DEFAULT_SOURCE = "user quote"
MAX_FILE_BYTES = 4 * 1024 * 1024  # thousands of quotes; a bigger offers.toml is refused
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


def _checked(
    entry: _Entry, data: Mapping[str, Any], fields: Mapping[str, FieldKind]
) -> dict[str, Any]:
    """``data`` with every key known and every value of its exact TOML type (dates as text)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = fields.get(key)
        if kind is None:
            raise entry.error(key, "unknown key; accepted: " + ", ".join(sorted(fields)))
        out[key], problem = check_value(kind, value)
        if problem is not None:
            raise entry.error(key, f"{problem}, got {_shown(value)}")
    for key in _REQUIRED[entry.table]:
        if key not in out:
            raise entry.error(key, "required")
    return out


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


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

    data = _checked(entry, data, OFFER_FIELDS)
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

    data = _checked(entry, data, SYSTEM_FIELDS)
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
    except RecursionError:
        raise CatalogDataError(str(path), None, None, "not valid TOML: nested too deep") from None
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
    clean_stale_tmp(home)  # temp files of a writer killed before its rename
    path = quotes_path(home)
    if not path.exists():
        return Quotes()
    return _parse(path, _read(path), catalog)


def _read(path: Path) -> str:
    try:
        return read_text_limited(path, MAX_FILE_BYTES, "offers file")
    except InputError as exc:
        raise CatalogDataError(str(path), None, None, str(exc).removeprefix(f"{path}: ")) from None


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
    """Append an ``[[offer]]`` to ``offers.toml`` after validating the whole new file.

    The read, the check and the write happen under the lock of ``home``: two at once both land.
    """
    path = quotes_path(home)
    given = {key: value for key, value in entry.items() if value is not None}
    new = _NewEntry(path, "offer", 0, None)
    given = {**given, "accelerator": _accelerator_id(new, catalog, given.get("accelerator"))}
    _offer(new, given, catalog)  # errors name the flag's field, not a line of the file
    block = "\n[[offer]]\n" + "".join(
        f"{key} = {_toml_value(value)}\n" for key, value in given.items()
    )
    try:
        with locked(home):
            old = _read(path) if path.exists() else _NEW_FILE_HEADER
            _parse(path, old, catalog)  # never write over a file that does not validate
            new_text = old.rstrip("\n") + "\n" + block
            quotes = _parse(path, new_text, catalog)
            write_text_atomic(path, new_text)
    except OSError as exc:
        raise SpiceError(
            f"could not write {path}: {exc.strerror or exc}; it is unchanged"
        ) from None
    return quotes.offers[-1]


_NEW_FILE_HEADER = (
    "# spicetrader: your own offers ([[offer]]) and quotes to buy ([[system]]).\n"
    "# Format: docs/sources.md. Every row needs as_of (YYYY-MM-DD); prices in USD.\n"
)
