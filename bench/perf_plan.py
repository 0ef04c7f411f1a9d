"""How long a full plan over the bundled catalog takes. A benchmark, not a test.

Measures (1) `spice plan MODEL --json` end to end in a fresh process (import, catalog load,
every estimate, JSON out), median of N runs; (2) plan() in-process, cold (first call in a fresh
process) and warm (catalog and model caches loaded), with the number of distinct estimates run.

Usage: python bench/perf_plan.py [N] [MODEL]      (defaults: 7 runs, llama-3-70b)
"""

from __future__ import annotations

import subprocess
import sys

from timing import median_ms, spice_command, time_runs

IN_PROCESS = """
import time
t0 = time.perf_counter()
from spicetrader.catalog.load import load_catalog
from spicetrader.planner import plan
catalog = load_catalog()
t1 = time.perf_counter()
p = plan({{"model": "{model}"}}, catalog)
t2 = time.perf_counter()
warm = []
for _ in range(5):
    s = time.perf_counter()
    plan({{"model": "{model}"}}, catalog)
    warm.append(time.perf_counter() - s)
warm.sort()
print(f"{{t1 - t0:.3f}} {{t2 - t1:.3f}} {{warm[2]:.3f}} {{len(p.options)}}")
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    model = sys.argv[2] if len(sys.argv) > 2 else "llama-3-70b"
    times = time_runs(spice_command("plan", model, "--json"), runs)
    print(f"spice plan {model} --json (end to end): {median_ms(times)} over {runs} runs")

    out = subprocess.run(
        [sys.executable, "-c", IN_PROCESS.format(model=model)],
        capture_output=True,
        text=True,
        check=True,
    )
    load_s, cold_s, warm_s, n_options = out.stdout.split()
    print(
        f"in process: import + catalog {float(load_s) * 1000:.0f} ms, first plan "
        f"{float(cold_s) * 1000:.0f} ms, warm plan (median of 5) {float(warm_s) * 1000:.0f} ms, "
        f"{n_options} options"
    )


if __name__ == "__main__":
    main()
