"""Timing a `spice` command in fresh processes: shared by the start-up and plan benchmarks."""

from __future__ import annotations

import os
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


def user_env(src: str | None = None) -> dict[str, str]:
    """The environment a user's ``spice`` runs in: bytecode caches written and used (some
    sandboxes set ``PYTHONDONTWRITEBYTECODE``, which makes every run recompile every module,
    ~+0.2 s); ``src``: a source tree to run instead (``PYTHONPATH``)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if src is not None:
        env["PYTHONPATH"] = src
    return env


def time_runs(command: list[str], runs: int) -> list[float]:
    """Seconds of each of ``runs`` fresh runs of ``command``, after one run to write bytecode
    and warm file caches."""
    env = user_env()
    subprocess.run(command, capture_output=True, check=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def median_ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
