"""CPU-only and partial-offload llama.cpp cases (issue 17): fit the CPU efficiency rows, score.

Usage: python bench/cpu_offload.py fit      # the cpu-* rows of efficiency.csv, from their cases
       python bench/cpu_offload.py score    # markdown table of every CPU / offload case

The cases are ``C500``-``C599`` of ``bench/data/cases.jsonl``. Decode on a CPU is bandwidth-bound
(Pope et al. 2022): time per token = bytes / (bandwidth x e) + layers x o, so two decode cases on
one machine (two model sizes) fix e and o exactly; with one case o is held at a prior. Prefill is
compute-bound: time = FLOPs / (peak x c) + layers x o. Each unknown is solved from the model's own
prediction at a reference efficiency (the prediction scales as 1/e), so the fit uses exactly the
arithmetic the estimate uses. Cases not named in a row's calibration are out of sample.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "data" / "cases.jsonl"
EFFICIENCY = ROOT / "src" / "spicetrader" / "costmodel" / "data" / "efficiency.csv"
PRIOR_OVERHEAD_US = 50.0  # llama.cpp CPU: ~10 graph nodes per layer, a thread barrier each


def _cases() -> dict[str, dict[str, Any]]:
    rows = (json.loads(line) for line in CASES.read_text().splitlines() if line.strip())
    return {c["id"]: c for c in rows if "C500" <= c["id"] <= "C599"}


def _predict(case: dict[str, Any]) -> float | None:
    from spicetrader.costmodel import estimate

    data = estimate(case["workload"]).to_dict()
    section, name = case["metric"].split(".")
    block = data.get(section)
    return None if not isinstance(block, dict) else block.get(name)


def _time_parts(case: dict[str, Any], layers: int) -> tuple[float, float, float]:
    """(model seconds at e=1 without overhead, overhead the model used, measured seconds)."""
    from spicetrader.catalog.load import load_catalog
    from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup
    from spicetrader.spec.workload import Engine

    accel = load_catalog().accelerators[case["workload"]["hardware"]]
    row = lookup(SpeedTask.INFERENCE, Engine.LLAMA_CPP, accel, WeightsKind.QUANTIZED).row
    predicted = _predict(case)
    if predicted is None:
        raise SystemExit(f"{case['id']}: no prediction")
    tokens = case["workload"]["inference"]["prompt_tokens"] or 1
    prefill = case["metric"].endswith("prefill_tokens_per_s")
    eff = row.compute_efficiency if prefill else row.bw_efficiency
    overhead = layers * row.overhead_us * 1e-6
    t0 = tokens / predicted if prefill else 1.0 / predicted
    return (t0 - overhead) * eff, overhead, (tokens if prefill else 1.0) / case["value"]


def fit() -> None:
    from spicetrader.models.registry import resolve_model

    cases = _cases()

    def layers(cid: str) -> int:
        return resolve_model(cases[cid]["workload"]["model"]).layers

    # Zen 4 (EPYC 9554): two decode cases, two unknowns.
    (b1, _, t1), (b2, _, t2) = (_time_parts(cases[c], layers(c)) for c in ("C502", "C505"))
    e = (b1 - b2) / (t1 - t2)
    o = (t1 - b1 / e) / layers("C502")
    print(f"cpu-zen4: bw_efficiency {e:.3f}, overhead_us {o * 1e6:.0f} (C502;C505)")
    # Intel Core (13900K): one decode case at the prior overhead, one prefill case.
    o_i = PRIOR_OVERHEAD_US * 1e-6
    b, _, t = _time_parts(cases["C500"], layers("C500"))
    print(f"cpu-intel-core: bw_efficiency {b / (t - layers('C500') * o_i):.3f} (C500)")
    f, _, tp = _time_parts(cases["C501"], layers("C501"))
    print(f"cpu-intel-core: compute_efficiency {f / (tp - layers('C501') * o_i):.3f} (C501)")


def _in_sample() -> set[str]:
    found: set[str] = set()
    for line in EFFICIENCY.read_text().splitlines():
        if ",cpu-" in line:
            for listed in re.findall(r"cases: ([C0-9;]+)", line):
                found.update(listed.split(";"))
    return found


def score() -> None:
    fitted = _in_sample()
    lines = [
        "| case | hardware | model | precision | offload (-ngl) | metric | measured | "
        "predicted | error | sample |",
        "|---|---|---|---|---|---|---:|---:|---:|---|",
    ]
    errors: dict[str, list[float]] = {"in": [], "out": []}
    for cid, case in sorted(_cases().items()):
        wl = case["workload"]
        predicted = _predict(case)
        err = None if predicted is None else (predicted - case["value"]) / case["value"]
        sample = "in" if cid in fitted else "out"
        if err is not None:
            errors[sample].append(abs(err))
        offload = wl.get("offload")
        where = f"{offload['gpu_layers']} + {offload['cpu']}" if offload else "CPU only"
        lines.append(
            f"| {cid} | {wl['hardware']} | {wl['model']} | {wl['precision']} | {where} | "
            f"{case['metric'].split('.')[1]} | {case['value']:g} | "
            f"{'-' if predicted is None else f'{predicted:.3g}'} | "
            f"{'-' if err is None else f'{err:+.0%}'} | {sample} |"
        )
    for sample, values in errors.items():
        if values:
            lines.append(
                f"\n{sample} of sample: {len(values)} cases, median |error| "
                f"{statistics.median(values):.0%}, max {max(values):.0%}"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    command = sys.argv[1] if len(sys.argv) > 1 else "score"
    {"fit": fit, "score": score}[command]()
