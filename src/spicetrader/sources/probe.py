"""``spice probe``: what this machine has, mapped to catalog ids, and what it measured.

:func:`probe_machine` gathers the detections (:mod:`.probe_detect`); :func:`save_probe` keeps them,
with the micro-benchmark's measurements (:mod:`.bench`) and the efficiency they imply, in
``<home>/probe.json`` (atomic write). :func:`local_option` (:mod:`.probe_record`, re-exported
here) reads it back as "this machine" for the planner: the accelerator id, how many, the memory
and the measured efficiency.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from spicetrader.errors import SpiceError
from spicetrader.fileio import locked, write_text_atomic
from spicetrader.sources.bench import Measurement
from spicetrader.sources.device_names import apple_chip_id, map_device_name
from spicetrader.sources.probe_cpu import cpu_catalog_id
from spicetrader.sources.probe_detect import (
    CommandRunner,
    DetectedDevice,
    HostInfo,
    detect_amd,
    detect_apple,
    detect_host,
    detect_nvidia,
)
from spicetrader.sources.probe_record import LocalOption, local_option, probe_path

__all__ = [
    "LocalOption",
    "ProbeResult",
    "local_option",
    "probe_machine",
    "probe_path",
    "save_probe",
]


@dataclass(frozen=True)
class ProbedDevice:
    device: DetectedDevice
    catalog_id: str | None  # None: the catalog has no such accelerator

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self.device), "catalog_id": self.catalog_id}


@dataclass(frozen=True)
class ProbeResult:
    host: HostInfo
    devices: tuple[ProbedDevice, ...]
    host_cpu_id: str | None = None  # the CPU's catalog row (segment cpu), when the catalog has it

    @property
    def has_accelerator(self) -> bool:
        return bool(self.devices)

    @property
    def accelerator(self) -> str | None:
        """The catalog id when every device is the same known accelerator."""
        ids = {d.catalog_id for d in self.devices}
        return ids.pop() if len(ids) == 1 else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": asdict(self.host),
            "devices": [d.to_dict() for d in self.devices],
            "accelerator": self.accelerator,
            "count": len(self.devices),
            "host_cpu_id": self.host_cpu_id,
        }


def probe_machine(
    resolve: Callable[[str], str],
    *,
    nvml: Any | None,
    run: CommandRunner,
    psutil: Any | None,
    system: str,
) -> ProbeResult:
    """Detect accelerators (NVIDIA, AMD, Apple) and the host; map devices to catalog ids."""
    nvidia = detect_nvidia(nvml) if nvml is not None else ()
    found = [*nvidia, *detect_amd(run), *detect_apple(run, system)]
    devices = []
    for device in found:
        if device.vendor == "apple":
            chip = apple_chip_id(device.name, device.gpu_cores)
            catalog_id = _resolve(chip, resolve) if chip else None
        else:
            catalog_id = map_device_name(device.name, resolve)
        devices.append(ProbedDevice(device, catalog_id))
    host = detect_host(psutil, run, system)
    return ProbeResult(host, tuple(devices), cpu_catalog_id(host.cpu_model, resolve))


def _resolve(name: str, resolve: Callable[[str], str]) -> str | None:
    try:
        return resolve(name)
    except SpiceError:
        return None


def efficiency(
    measurements: Sequence[Measurement], peak_mem_bw_gbs: float | None, peak_tflops: float | None
) -> dict[str, float]:
    """Measured / datasheet peak for the accelerator's own measurements (GPU, not CPU)."""
    out: dict[str, float] = {}
    for m in measurements:
        if m.device == "cpu":
            continue  # a CPU figure says nothing about the accelerator
        if m.metric == "mem_bw_gbs" and peak_mem_bw_gbs:
            out["mem_bw"] = round(m.value / peak_mem_bw_gbs, 3)
        elif m.metric == "matmul_tflops" and peak_tflops:
            out["fp16_matmul"] = round(m.value / peak_tflops, 3)
    return out


def save_probe(
    home: Path,
    result: ProbeResult,
    measurements: Sequence[Measurement],
    efficiencies: dict[str, float],
    now: datetime,
) -> Path:
    """Write ``<home>/probe.json`` atomically; returns its path."""
    data = {
        "probed_at": now.isoformat(),
        **result.to_dict(),
        "measurements": [asdict(m) for m in measurements],
        "efficiency": efficiencies,
    }
    path = probe_path(home)
    try:
        with locked(home):
            write_text_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")
    except OSError as exc:
        raise SpiceError(f"could not write {path}: {exc.strerror or exc}") from None
    return path
