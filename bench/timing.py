"""Timing a `spice` command in fresh processes: shared by the start-up and plan benchmarks."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def spice_command(*args: str) -> list[str]:
    """``spice ARGS`` through the installed entry point, or ``python -m spicetrader ARGS``."""
    spice = shutil.which("spice")
    base = [spice] if spice else [sys.executable, "-m", "spicetrader"]
    return [*base, *args]


def time_runs(command: list[str], runs: int) -> list[float]:
    """Seconds of each of ``runs`` fresh runs of ``command``, after one run to warm file caches."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
