""" "This machine" as ``spice probe`` recorded it: ``<home>/probe.json`` read back, checked field
by field, as the planner takes it (:func:`local_option`).

Kept apart from the detection and the micro-benchmark (:mod:`.probe`, :mod:`.probe_detect`,
:mod:`.bench`): every plan reads the record, only ``spice probe`` detects and measures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spicetrader.errors import CatalogDataError, InputError, SpiceError
from spicetrader.fileio import read_text_limited

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["MAX_PROBE_BYTES", "LocalOption", "local_option", "probe_path"]

MAX_PROBE_BYTES = 1024 * 1024


def probe_path(home: Path) -> Path:
    return home / "probe.json"


@dataclass(frozen=True)
class LocalOption:
    """ "This machine" as the planner can show it."""

    hardware: str  # catalog accelerator id
    devices: int
    memory_gb: float  # per device, as detected
    probed_at: str
    efficiency: dict[str, float]  # measured / peak: "mem_bw", "fp16_matmul" (when benchmarked)
    measurements: tuple[dict[str, Any], ...]
    id: str = "this-machine"
    host_cpu: str | None = None  # the host CPU's catalog id (offload, or CPU-only machines)
    host_memory_gb: float | None = None  # the host RAM as detected

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "measurements": list(self.measurements)}


def local_option(home: Path, catalog: Catalog | None = None) -> LocalOption | None:
    """ "This machine" from ``<home>/probe.json``; None without a probe or a known accelerator.

    With a ``catalog``, the id is checked and an Apple memory size is snapped to the nearest
    configuration the chip is sold with.
    """
    path = probe_path(home)
    if not path.exists():
        return None
    record = _read_record(path)
    hardware, devices = record["accelerator"], record["devices"]
    host_cpu, host_ram = _host_cpu(record, catalog)
    if not hardware or not devices:
        if host_cpu is None or host_ram is None:
            return None
        # no GPU: the CPU itself is "this machine", its RAM the memory (CPU-only llama.cpp)
        hardware, devices = host_cpu, [{"memory_gb": host_ram}]
    memory_gb = float(devices[0]["memory_gb"])
    if catalog is not None:
        try:
            accelerator = catalog.accelerator(hardware)
        except SpiceError:
            return None
        if accelerator.memory_configs_gb:
            memory_gb = min(accelerator.memory_configs_gb, key=lambda c: abs(c - memory_gb))
    return LocalOption(
        hardware=hardware,
        devices=len(devices),
        memory_gb=memory_gb,
        probed_at=record["probed_at"],
        efficiency={str(k): float(v) for k, v in record["efficiency"].items()},
        measurements=tuple(record["measurements"]),
        host_cpu=host_cpu,
        host_memory_gb=host_ram,
    )


def _host_cpu(data: dict[str, Any], catalog: Catalog | None) -> tuple[str | None, float | None]:
    """The probed CPU's catalog id (checked to be a CPU row when a catalog is given) and RAM."""
    from spicetrader.costmodel.host import is_cpu

    cpu_id = data.get("host_cpu_id")
    host = data.get("host")
    ram = host.get("ram_gb") if isinstance(host, dict) else None
    ram_gb = (
        float(ram) if isinstance(ram, int | float) and _finite_number(ram) and ram > 0 else None
    )
    if not isinstance(cpu_id, str) or not cpu_id:
        return None, ram_gb
    if catalog is not None:
        accel = catalog.accelerators.get(cpu_id)
        if accel is None or not is_cpu(accel):
            return None, ram_gb
    return cpu_id, ram_gb


def _read_record(path: Path) -> dict[str, Any]:
    """``probe.json`` checked field by field (a damaged one names the field; `spice probe` again
    rewrites it)."""

    def bad(field: str | None, message: str) -> CatalogDataError:
        return CatalogDataError(str(path), None, field, f"{message}; run `spice probe` again")

    try:
        data = json.loads(read_text_limited(path, MAX_PROBE_BYTES, "probe record"))
    except InputError as exc:
        raise bad(None, str(exc).removeprefix(f"{path}: ")) from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise bad(None, f"not valid JSON ({getattr(exc, 'msg', 'nested too deep')})") from None
    if not isinstance(data, dict):
        raise bad(None, "expected a JSON object")
    checks: dict[str, tuple[Callable[[Any], bool], str]] = {
        "accelerator": (lambda v: v is None or isinstance(v, str), "a catalog id or null"),
        "probed_at": (lambda v: isinstance(v, str), "an ISO time"),
        "devices": (_devices_ok, "a list of devices, each with a positive memory_gb"),
        "efficiency": (_efficiency_ok, "a table of names to finite numbers"),
        "measurements": (
            lambda v: isinstance(v, list) and all(isinstance(m, dict) for m in v),
            "a list of tables",
        ),
    }
    record = {"efficiency": {}, "measurements": [], **data}
    for field, (ok, expected) in checks.items():
        if field not in record:
            raise bad(field, "missing")
        if not ok(record[field]):
            raise bad(field, f"expected {expected}")
    return record


def _finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _devices_ok(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(d, dict) and _finite_number(d.get("memory_gb")) and d["memory_gb"] > 0
        for d in value
    )


def _efficiency_ok(value: object) -> bool:
    return isinstance(value, dict) and all(_finite_number(v) for v in value.values())
