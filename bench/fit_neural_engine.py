"""Fit ``neural_engine_efficiency`` (costmodel/data/speed_constants.csv) on the Core ML cases.

Usage: python bench/fit_neural_engine.py

The constant is the share of the Apple Neural Engine's FP16 rate a Core ML diffusion pipeline
reaches; only cases where Core ML ran on the Neural Engine identify it (the base M1/M2 rows of the
apple/ml-stable-diffusion README). For each grid value the Core ML efficiency rows are refit
(bench/fit_efficiency.py's groups), and the smallest value within 2% of the best loss is kept.
Prints the value; the CSV row is edited by hand with the cases named in its source.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import fit_efficiency as fe  # noqa: E402

GRID = (0.10, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.25, 0.30, 0.35)


def main() -> int:
    cases = fe.load_fit_cases(ROOT / "bench" / "data" / "cases.jsonl")
    coreml = [c for c in cases if c["workload"].get("engine") == "coreml"]
    on_ne = [c for c in coreml if "CPU_AND_NE" in c.get("notes", "")]
    groups = {k: v for k, v in fe.group_cases(coreml).items() if k[1] == "coreml"}
    fitted: dict[fe.Key, object] = {}
    best = fe.fit_constant(
        "neural_engine_efficiency", GRID, on_ne, lambda: fitted.update(fe.fit_all(groups))
    )
    print("neural_engine_efficiency", best, "on", [c["id"] for c in on_ne])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
