"""Load the web API on loopback: requests/s and p50/p99 latency for /api/estimate and /api/plan.

A benchmark, not a test. It starts ``spice serve`` (uvicorn, one worker) on a free loopback port,
sends a fixed number of requests per endpoint from ``--concurrency`` clients (each waits for its
answer before sending the next), stops at the count or the time cap, whichever comes first, then
stops the server. Nothing leaves the machine. Needs the ``web`` and ``dev`` extras (httpx).

Phases: ``/api/estimate``; ``/api/plan`` with a few bodies sent again and again (after the first,
answered from the app's result cache: a form submitted twice); ``/api/plan`` with every body
different (each one planned: the planner's own throughput); and "responsive": the same distinct
plans from ``--concurrency`` clients while one more client sends estimates, whose latency is
reported (slow plans must not hold estimates up).

Usage: python bench/load.py [--estimates 2000] [--plans 200] [--concurrency 8] [--time-cap 60]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"  # loopback only

ESTIMATES: list[dict[str, Any]] = [
    {"model": "llama-3-8b", "precision": "q4_k_m", "hardware": "rtx-4090"},
    {"model": "llama-3-70b", "precision": "bf16", "hardware": "h100-sxm", "devices": 2},
    {"model": "mixtral-8x7b", "precision": "q4_k_m", "hardware": "m2-ultra-76c", "memory_gb": 192},
    {
        "model": "llama-3-8b",
        "task": "finetune",
        "hardware": "a100-sxm-80gb",
        "finetune": {"method": "lora", "tokens": 1e8},
    },
    {"model": "sdxl", "task": "image", "hardware": "rtx-4090"},
]
PLANS: list[dict[str, Any]] = [
    {"model": "llama-3-8b", "usage_hours_per_month": 200},
    {"model": "llama-3-70b", "usage_hours_per_month": 100, "budget_usd": 50000},
]
# every body different (a distinct usage): none is answered from the cache
COLD_PLANS: list[dict[str, Any]] = [
    {"model": model, "usage_hours_per_month": 1 + hours}
    for hours in range(729)
    for model in ("llama-3-8b", "llama-3-70b", "mixtral-8x7b")
]


@dataclass(frozen=True)
class Result:
    endpoint: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_s: tuple[float, ...]
    server_cpu_s: float | None  # CPU time the server process used meanwhile (user + system)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_s)
        p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else float("nan")
        return {
            "endpoint": self.endpoint,
            "concurrency": self.concurrency,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(self.requests / self.seconds, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p99_ms": round(p99 * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else None,
            # CPU per request: what the server could sustain on one core, whatever the noise
            "server_cpu_ms_per_request": None
            if self.server_cpu_s is None or not self.requests
            else round(self.server_cpu_s / self.requests * 1000, 2),
        }


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` (Linux ``/proc``; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _load(
    base: str,
    path: str,
    bodies: list[dict[str, Any]],
    total: int,
    concurrency: int,
    cap_s: float,
    server_pid: int,
) -> Result:
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + cap_s

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= total:
                return
            start = time.perf_counter()
            response = await http.post(path, json=bodies[i % len(bodies)])
            latencies.append(time.perf_counter() - start)
            errors += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30, trust_env=False) as http:
        for body in bodies[:5]:  # warm up: first requests load the catalog and models
            (await http.post(path, json=body)).raise_for_status()
        cpu_start = _cpu_seconds(server_pid)
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        seconds = time.perf_counter() - start
        cpu_end = _cpu_seconds(server_pid)
    cpu = None if cpu_start is None or cpu_end is None else cpu_end - cpu_start
    return Result(path, concurrency, len(latencies), errors, seconds, tuple(latencies), cpu)


async def _responsive(base: str, concurrency: int, cap_s: float, server_pid: int) -> Result:
    """Estimate latency while ``concurrency`` clients keep distinct (uncached) plans in flight."""
    stop = asyncio.Event()
    latencies: list[float] = []
    errors = 0
    counter = itertools.count(10_000)

    async def planner(http: httpx.AsyncClient) -> None:
        while not stop.is_set():
            body = COLD_PLANS[next(counter) % len(COLD_PLANS)]
            await http.post("/api/plan", json={**body, "budget_usd": 1 + next(counter)})

    async def estimator(http: httpx.AsyncClient) -> None:
        nonlocal errors
        await asyncio.sleep(1.0)  # let the plans fill their slots first
        deadline = time.perf_counter() + cap_s
        for i in itertools.count():
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            body = {**ESTIMATES[0], "inference": {"prompt_tokens": 100 + i}}  # never cached
            response = await http.post("/api/estimate", json=body)
            latencies.append(time.perf_counter() - start)
            errors += response.status_code != 200
            await asyncio.sleep(0.05)
        stop.set()

    limits = httpx.Limits(max_connections=concurrency + 1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, trust_env=False) as http:
        start = time.perf_counter()
        await asyncio.gather(estimator(http), *(planner(http) for _ in range(concurrency)))
        seconds = time.perf_counter() - start
    return Result("estimate during plans", concurrency, len(latencies), errors, seconds,
                  tuple(latencies), None)  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _start_server(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "spicetrader",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--no-access-log",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"spice serve exited: {err}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("spice serve did not start within 60 s")


def _renamed(result: Result, endpoint: str) -> Result:
    from dataclasses import replace

    return replace(result, endpoint=endpoint)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--estimates", type=int, default=2000, help="requests to /api/estimate")
    parser.add_argument("--plans", type=int, default=200, help="requests to /api/plan")
    parser.add_argument("--concurrency", type=int, default=8, help="clients in flight")
    parser.add_argument("--time-cap", type=float, default=60.0, help="seconds per endpoint, max")
    parser.add_argument("--json", action="store_true", help="print JSON instead of lines")
    args = parser.parse_args()

    port = _free_port()
    proc = _start_server(port)
    base = f"http://{HOST}:{port}"
    try:
        results = [
            asyncio.run(_load(base, path, bodies, total, args.concurrency, args.time_cap, proc.pid))
            for path, bodies, total in (
                ("/api/estimate", ESTIMATES, args.estimates),
                ("/api/plan", PLANS, args.plans),
                ("/api/plan", COLD_PLANS, args.plans),
            )
            if total > 0
        ]
        results[-1] = _renamed(results[-1], "/api/plan (all distinct)")
        results.append(asyncio.run(_responsive(base, args.concurrency, 10.0, proc.pid)))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    summaries = [r.summary() for r in results]
    if args.json:
        print(json.dumps(summaries, indent=2))
        return
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"spice serve, 1 uvicorn worker, {os.cpu_count()} CPUs (load average {load}), "
        f"loopback, {args.concurrency} concurrent clients"
    )
    for s in summaries:
        print(
            f"{s['endpoint']:24} {s['requests']:6d} req in {s['seconds']:6.2f} s = "
            f"{s['requests_per_s']:7.1f} req/s  p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  "
            f"max {s['max_ms']} ms  errors {s['errors']}  "
            f"server CPU {s['server_cpu_ms_per_request']} ms/req"
        )


if __name__ == "__main__":
    main()
