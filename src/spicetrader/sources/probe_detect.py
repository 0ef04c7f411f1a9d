"""Detect this machine's accelerators, CPU and RAM (edge code; every probe is injectable).

- NVIDIA: NVML through nvidia-ml-py (``pynvml``): device name and total memory.
  https://docs.nvidia.com/deploy/nvml-api/
- AMD: ``rocm-smi --showproductname --showmeminfo vram --json`` when the tool is on PATH.
- Apple: ``sysctl -n machdep.cpu.brand_string`` ("Apple M2 Ultra"), ``sysctl -n hw.memsize``
  (unified memory, bytes) and ``system_profiler SPDisplaysDataType -json`` (``sppci_cores``).
- CPU and RAM: psutil.

Tests pass fake NVML modules and command runners to simulate an NVIDIA box, a Mac and a
CPU-only box. Nothing here prints.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from spicetrader.errors import SpiceError
from spicetrader.units import bytes_to_gb

__all__ = [
    "CommandRunner",
    "DetectedDevice",
    "HostInfo",
    "detect_amd",
    "detect_apple",
    "detect_host",
    "detect_nvidia",
    "run_command",
]

CommandRunner = Callable[[Sequence[str]], str]
"""Runs a command, returns stdout; raises OSError (not found) or CalledProcessError."""


def run_command(args: Sequence[str]) -> str:
    """The real runner: a short subprocess with a timeout."""
    done = subprocess.run(list(args), capture_output=True, text=True, timeout=20, check=True)
    return done.stdout


@dataclass(frozen=True)
class DetectedDevice:
    """One accelerator as its driver reports it."""

    vendor: str  # nvidia | amd | apple
    name: str
    memory_gb: float
    gpu_cores: int | None = None  # Apple only
    unified_memory: bool = False


@dataclass(frozen=True)
class HostInfo:
    system: str  # Linux | Darwin | Windows
    machine: str
    cpu_model: str
    cpu_cores: int | None
    cpu_threads: int | None
    ram_gb: float | None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def detect_nvidia(nvml: Any) -> tuple[DetectedDevice, ...]:
    """Devices through an NVML module (``import pynvml``); () when there is no driver/GPU."""
    try:
        nvml.nvmlInit()
    except Exception:  # NVMLError_LibraryNotFound, DriverNotLoaded...: no NVIDIA GPU here
        return ()
    devices = []
    try:
        for index in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            memory = nvml.nvmlDeviceGetMemoryInfo(handle)
            devices.append(
                DetectedDevice(
                    vendor="nvidia",
                    name=_text(nvml.nvmlDeviceGetName(handle)),
                    memory_gb=round(bytes_to_gb(float(memory.total)), 1),
                )
            )
    except Exception as exc:  # pynvml.NVMLError and friends: a driver problem, not a crash
        raise SpiceError(
            f"NVML could not read GPU {len(devices)}: {exc}; check the NVIDIA driver (nvidia-smi)"
        ) from None
    finally:
        nvml.nvmlShutdown()
    return tuple(devices)


def load_nvml() -> Any | None:
    """The pynvml module (nvidia-ml-py, ``probe`` extra), or None when not installed."""
    try:
        import pynvml
    except ImportError:
        return None
    return pynvml


def detect_amd(run: CommandRunner) -> tuple[DetectedDevice, ...]:
    """Devices from ``rocm-smi`` JSON; () when rocm-smi is missing or fails."""
    try:
        out = run(["rocm-smi", "--showproductname", "--showmeminfo", "vram", "--json"])
        data = json.loads(out)
    except (OSError, subprocess.SubprocessError, json.JSONDecodeError):
        return ()
    devices = []
    for key, card in sorted(data.items()) if isinstance(data, dict) else ():
        if not key.startswith("card") or not isinstance(card, dict):
            continue
        name = str(card.get("Card Series") or card.get("Card series") or card.get("Card SKU", ""))
        total = card.get("VRAM Total Memory (B)")
        if not name or total is None:
            continue
        devices.append(
            DetectedDevice(vendor="amd", name=name, memory_gb=round(bytes_to_gb(float(total)), 1))
        )
    return tuple(devices)


def detect_apple(run: CommandRunner, system: str) -> tuple[DetectedDevice, ...]:
    """The Apple silicon GPU on macOS (unified memory = all of RAM); () elsewhere."""
    if system != "Darwin":
        return ()
    try:
        chip = run(["sysctl", "-n", "machdep.cpu.brand_string"]).strip()
        memsize = float(run(["sysctl", "-n", "hw.memsize"]).strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return ()
    if not chip.startswith("Apple"):
        return ()  # an Intel Mac: no Apple GPU
    cores: int | None = None
    try:
        displays = json.loads(run(["system_profiler", "SPDisplaysDataType", "-json"]))
        for gpu in displays.get("SPDisplaysDataType", []):
            if "sppci_cores" in gpu:
                cores = int(gpu["sppci_cores"])
                break
    except (OSError, subprocess.SubprocessError, ValueError, AttributeError):
        cores = None
    return (
        DetectedDevice(
            vendor="apple",
            name=chip,
            memory_gb=round(bytes_to_gb(memsize), 1),
            gpu_cores=cores,
            unified_memory=True,
        ),
    )


def detect_host(psutil: Any | None, run: CommandRunner, system: str | None = None) -> HostInfo:
    """CPU and RAM; psutil may be None (the ``probe`` extra not installed)."""
    system = system or platform.system()
    model = platform.processor() or platform.machine()
    if system == "Darwin":
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            model = run(["sysctl", "-n", "machdep.cpu.brand_string"]).strip() or model
    elif system == "Linux":
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("model name"):
                        model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
    if psutil is None:
        return HostInfo(system, platform.machine(), model, None, os.cpu_count(), None)
    return HostInfo(
        system=system,
        machine=platform.machine(),
        cpu_model=model,
        cpu_cores=psutil.cpu_count(logical=False),
        cpu_threads=psutil.cpu_count(logical=True),
        ram_gb=round(bytes_to_gb(float(psutil.virtual_memory().total)), 1),
    )


def load_psutil() -> Any | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil
