"""How long a full plan over the bundled catalog takes. A benchmark, not a test.

Measures (1) `spice plan MODEL` (table) and `spice plan MODEL --json` end to end in a fresh
process (import, catalog load, every estimate, output), median of N runs; (2) plan() in-process,
cold (first call in a fresh process) and warm (catalog and model caches loaded).

Each figure is given twice: wall-clock time, and CPU time (user + system of the process). On a
shared machine other jobs stretch the wall clock (a load average of 6 on 2 cores roughly triples
it) while the CPU time stays close to what an idle machine's wall clock would be, since a plan
is single-threaded and does no I/O wait worth counting.

Usage: python bench/perf_plan.py [N] [MODEL]      (defaults: 7 runs, llama-3-70b)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

from timing import spice_command

IN_PROCESS = """
import time
clocks = (time.perf_counter, time.process_time)
t0 = [c() for c in clocks]
from spicetrader.catalog.load import load_catalog
from spicetrader.planner import plan
catalog = load_catalog()
t1 = [c() for c in clocks]
p = plan({{"model": "{model}"}}, catalog)
t2 = [c() for c in clocks]
warm = []
for _ in range(5):
    s = [c() for c in clocks]
    plan({{"model": "{model}"}}, catalog)
    warm.append([c() - b for c, b in zip(clocks, s)])
warm.sort()
for i in range(2):
    print(f"{{t1[i] - t0[i]:.3f}} {{t2[i] - t1[i]:.3f}} {{warm[2][i]:.3f}}", end=" ")
print(len(p.options))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _runs(command: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each of ``runs`` fresh runs, after one to warm file caches."""
    env = {**os.environ, "COLUMNS": "120"}
    subprocess.run(command, capture_output=True, check=True, env=env)
    wall, cpu = [], []
    for _ in range(runs):
        c0, w0 = _children_cpu(), time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        wall.append(time.perf_counter() - w0)
        cpu.append(_children_cpu() - c0)
    return wall, cpu


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (max {max(values) * 1000:.0f})"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    model = sys.argv[2] if len(sys.argv) > 2 else "llama-3-70b"
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for extra in ((), ("--json",)):
        wall, cpu = _runs(spice_command("plan", model, *extra), runs)
        what = " ".join(("spice plan", model, *extra))
        print(f"{what} (end to end, median of {runs}): wall {_ms(wall)}, CPU {_ms(cpu)}")

    out = subprocess.run(
        [sys.executable, "-c", IN_PROCESS.format(model=model)],
        capture_output=True,
        text=True,
        check=True,
    )
    *figures, n_options = out.stdout.split()
    wall_load, wall_cold, wall_warm, cpu_load, cpu_cold, cpu_warm = (
        float(f) * 1000 for f in figures
    )
    print(
        f"in process (wall / CPU): import + catalog {wall_load:.0f} / {cpu_load:.0f} ms, "
        f"first plan {wall_cold:.0f} / {cpu_cold:.0f} ms, warm plan (median of 5) "
        f"{wall_warm:.0f} / {cpu_warm:.0f} ms, {n_options} options"
    )


if __name__ == "__main__":
    main()
