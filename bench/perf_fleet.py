"""How long `spice fleet` takes for a team of 10 workloads over 12 monthly periods. A benchmark,
not a test.

Measures fleet() in-process on one core (catalog loaded and scipy imported first, as a
long-running process or the web app has them), median of N runs, split into planning the
workloads (the cost model) and the mixed-integer solves; then `spice fleet examples/team.yaml`
end to end in a fresh process.

Usage: OMP_NUM_THREADS=1 python bench/perf_fleet.py [N]      (default 5 runs)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from timing import median_ms, spice_command, time_runs

TEAM = {
    "horizon_months": 12,
    "budget_usd": 150_000,
    "workloads": [
        {"name": "chat-8b", "workload": {"model": "llama-3.1-8b"},
         "serving": {"profile": [{"start_hour": 8, "end_hour": 19, "users": 8}]}, "private": True},
        {"name": "chat-70b", "workload": {"model": "llama-3-70b"},
         "serving": {"hours_per_month": 200}},
        {"name": "code-assist", "workload": {"model": "mistral-7b"},
         "serving": {"hours_per_month": 730}},
        {"name": "night-batch", "workload": {"model": "llama-3-8b"},
         "serving": {"profile": [{"days": ["sat", "sun"], "start_hour": 0, "end_hour": 24}]}},
        {"name": "qlora-7b", "workload": {"model": "mistral-7b", "task": "finetune",
                                          "finetune": {"method": "qlora", "tokens": 5e7}},
         "jobs": {"per_month": 2, "deadline_hours": 48}},
        {"name": "lora-8b", "workload": {"model": "llama-3-8b", "task": "finetune",
                                         "finetune": {"method": "lora", "tokens": 2e7}},
         "jobs": {"per_month": 4}},
        {"name": "eval-70b", "workload": {"model": "llama-3-70b", "inference": {"batch": "max"}},
         "jobs": {"months": [3, 6, 9, 12], "tokens": 2e7}},
        {"name": "images", "workload": {"model": "sdxl", "task": "image"},
         "jobs": {"per_month": 1, "images": 10_000}},
        {"name": "pretrain-1b", "workload": {"model": "mpt-1b", "task": "pretrain",
                                             "pretrain": {"tokens": 2e9}},
         "jobs": {"months": [6]}},
        {"name": "eval-8b", "workload": {"model": "llama-3.1-8b", "inference": {"batch": "max"}},
         "jobs": {"per_month": 8, "tokens": 5e6}},
    ],
}  # fmt: skip


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    import scipy.optimize  # noqa: F401  (imported once, as in a long-running process)

    from spicetrader.catalog.load import load_catalog
    from spicetrader.fleet.candidates import gather
    from spicetrader.fleet.fleet import plan_fleet
    from spicetrader.fleet.team import parse_team
    from spicetrader.planner import plan

    catalog = load_catalog()
    team = parse_team(TEAM)
    totals, plans, solves, cpu, cpu_plans = [], [], [], [], []
    for _ in range(runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        cand = gather(team, catalog, plan)
        cpu_plans.append(time.process_time() - c0)
        t1 = time.perf_counter()
        result = plan_fleet(team, cand)
        t2 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        plans.append(t1 - t0)
        solves.append(t2 - t1)
        totals.append(t2 - t0)
    buys = ", ".join(f"{p.count}x {p.system}" for p in result.purchases) or "nothing"
    print(f"fleet() for 10 workloads x 12 months: {statistics.median(totals) * 1000:.0f} ms median "
          f"(planning the workloads {statistics.median(plans) * 1000:.0f} ms, solves "
          f"{statistics.median(solves) * 1000:.0f} ms; CPU time {statistics.median(cpu) * 1000:.0f}"
          f" ms, of which planning {statistics.median(cpu_plans) * 1000:.0f} ms) "
          f"over {runs} runs; buys {buys}")  # fmt: skip
    example = Path(__file__).resolve().parents[1] / "examples" / "team.yaml"
    times = time_runs(spice_command("fleet", str(example)), runs)
    print(f"spice fleet examples/team.yaml (end to end): {median_ms(times)} over {runs} runs")


if __name__ == "__main__":
    main()
