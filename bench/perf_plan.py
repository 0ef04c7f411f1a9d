"""How long a full plan over the bundled catalog takes. A benchmark, not a test.

Measures (1) `spice plan MODEL` (table) and `spice plan MODEL --json` end to end in a fresh
process (import, catalog load, every estimate, output), and `spice --help`, median of N runs;
(2) plan() in-process, cold (first call in a fresh process) and warm (catalog and model caches
loaded).

Each figure is given twice: wall-clock time, and CPU time (user + system of the process). On a
shared machine other jobs stretch the wall clock (a load average of 6 on 2 cores roughly triples
it) while the CPU time stays close to what an idle machine's wall clock would be, since a plan
is single-threaded and does no I/O wait worth counting (heavy load inflates CPU time too, by up
to ~1.5x: compare trees with ``--against``, which interleaves their runs).

The child processes run as on a user's machine: ``PYTHONDONTWRITEBYTECODE`` (set in some
sandboxes; every run would then recompile every module, ~+0.2 s) is removed from their
environment, and a first run writes the bytecode caches.

Usage: python bench/perf_plan.py [N] [MODEL] [--against SRC]
    (defaults: 7 runs, llama-3-70b; SRC: another tree's ``src`` folder, e.g. a checkout of main,
    timed end to end in the same loop, one run of each in turn)
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time

from timing import spice_command, user_env

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


def _env(src: str | None) -> dict[str, str]:
    return {**user_env(src), "COLUMNS": "120"}


def _runs(
    command: list[str], runs: int, trees: tuple[str | None, ...] = (None,)
) -> list[tuple[list[float], list[float]]]:
    """Wall and CPU seconds of each of ``runs`` fresh runs per tree (the trees in turn), after
    one run each to write bytecode and warm file caches."""
    envs = [_env(src) for src in trees]
    for env in envs:
        subprocess.run(command, capture_output=True, check=True, env=env)
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in trees]
    for _ in range(runs):
        for env, (wall, cpu) in zip(envs, out, strict=True):
            c0, w0 = _children_cpu(), time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, env=env)
            wall.append(time.perf_counter() - w0)
            cpu.append(_children_cpu() - c0)
    return out


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (max {max(values) * 1000:.0f})"


def main() -> None:
    args = sys.argv[1:]
    against: str | None = None
    if "--against" in args:
        at = args.index("--against")
        against = args[at + 1]
        del args[at : at + 2]
    runs = int(args[0]) if args else 7
    model = args[1] if len(args) > 1 else "llama-3-70b"
    trees: tuple[str | None, ...] = (None,) if against is None else (None, against)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for command in (("plan", model), ("plan", model, "--json"), ("--help",)):
        timings = _runs(spice_command(*command), runs, trees)
        what = " ".join(("spice", *command))
        for tree, (wall, cpu) in zip(trees, timings, strict=True):
            label = "" if against is None else f" [{tree or 'this tree'}]"
            print(f"{what}{label} (end to end, median of {runs}): wall {_ms(wall)}, CPU {_ms(cpu)}")
    print(f"load average {os.getloadavg()[0]:.1f} after the end-to-end runs")

    out = subprocess.run(
        [sys.executable, "-c", IN_PROCESS.format(model=model)],
        capture_output=True,
        text=True,
        check=True,
        env=_env(None),
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
