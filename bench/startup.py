"""Measure how long `spice --help` takes to start (median of N runs). A benchmark, not a test.

Usage: python bench/startup.py [N]
"""

from __future__ import annotations

import sys

from timing import median_ms, spice_command, time_runs


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    times = time_runs(spice_command("--help"), runs)
    print(f"spice --help: {median_ms(times)} over {runs} runs")


if __name__ == "__main__":
    main()
