"""Accuracy of the cost model on measured cases, against the plain roofline and llm-analysis.

Usage: python bench/accuracy.py [--cases bench/data/cases.jsonl] [--write docs/accuracy.md]
                                [--peer-python /tmp/llmvenv/bin/python]

Every case of ``cases.jsonl`` goes through ``spicetrader.costmodel.estimate``; the dotted
``metric`` is read from ``Estimate.to_dict()``. Per metric it prints the count, the median and
90th-percentile absolute relative error, and the share of ``fits`` answered right. Side by side,
in the same run: (a) the plain roofline at 100% efficiency (``bench/roofline_baseline.py``) and
(b) the peer estimator llm-analysis 0.2.2 (``bench/llm_analysis_peer.py``, run in its own venv)
at its default efficiencies (1.0) and at its recommended ones (0.7 memory, 0.6 compute). Cases
an estimator cannot express are listed with the reason, never dropped silently.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from peer_requests import peer_predictions  # noqa: E402
from roofline_baseline import roofline_prediction  # noqa: E402

VARIANTS = ("ours", "roofline", "peer-default", "peer-0.7/0.6")


@dataclass
class Outcome:
    case: dict[str, Any]
    predicted: dict[str, float | bool | None] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # variant -> reason
    estimate: dict[str, Any] | None = None

    @property
    def metric(self) -> str:
        return str(self.case["metric"])

    def error(self, variant: str) -> float | None:
        value = self.predicted.get(variant)
        measured = self.case["value"]
        if value is None or isinstance(measured, bool) or isinstance(value, bool):
            return None
        return abs(float(value) - float(measured)) / abs(float(measured))


def dotted(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_ours(cases: Sequence[dict[str, Any]]) -> list[Outcome]:
    from pydantic import ValidationError

    from spicetrader.costmodel import estimate
    from spicetrader.errors import SpiceError

    outcomes = []
    for case in cases:
        outcome = Outcome(case)
        try:
            est = estimate(case["workload"]).to_dict()
        except (SpiceError, ValidationError) as exc:
            outcome.skipped["ours"] = f"{type(exc).__name__}: {exc}".splitlines()[0]
        else:
            outcome.estimate = est
            value = dotted(est, case["metric"])
            if value is None:
                outcome.skipped["ours"] = (
                    f"estimate has no value at {case['metric']} (fits={est['fits']})"
                )
            else:
                outcome.predicted["ours"] = value
        outcomes.append(outcome)
    return outcomes


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = q * (len(ordered) - 1)
    low = int(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def summarise(outcomes: Sequence[Outcome], variant: str) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for metric in sorted({o.metric for o in outcomes}):
        group = [o for o in outcomes if o.metric == metric]
        if metric == "fits":
            answered = [o for o in group if variant in o.predicted]
            right = sum(1 for o in answered if o.predicted[variant] == o.case["value"])
            if answered:
                table[metric] = {"count": len(answered), "right": right / len(answered)}
            continue
        errors = [e for o in group if (e := o.error(variant)) is not None]
        if errors:
            table[metric] = {
                "count": len(errors),
                "median": statistics.median(errors),
                "p90": percentile(errors, 0.9),
            }
    return table


def targets() -> dict[str, float]:
    return {
        "inference.decode_tokens_per_s": 0.15,
        "inference.prefill_tokens_per_s": 0.25,
        "inference.throughput_tokens_per_s": 0.25,
        "inference.ttft_s": 0.25,
        "training.tokens_per_s": 0.20,
        "training.tokens_per_s_per_device": 0.20,
        "training.mfu": 0.20,
        "training.total_hours": 0.20,
    }


def format_report(outcomes: Sequence[Outcome], fit_report: dict[str, Any] | None) -> str:
    from render_accuracy import render

    return render(outcomes, {v: summarise(outcomes, v) for v in VARIANTS}, targets(), fit_report)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=ROOT / "bench" / "data" / "cases.jsonl")
    parser.add_argument("--write", type=Path, default=None, help="write the markdown report here")
    parser.add_argument("--peer-python", default="/tmp/llmvenv/bin/python")
    parser.add_argument(
        "--fit-report", type=Path, default=ROOT / "bench" / "data" / "fit_report.json"
    )
    args = parser.parse_args(argv)

    cases = load_cases(args.cases)
    outcomes = run_ours(cases)
    for outcome in outcomes:
        value, reason = roofline_prediction(outcome.case, outcome.estimate)
        if value is None:
            outcome.skipped["roofline"] = reason
        else:
            outcome.predicted["roofline"] = value
    peer_predictions(outcomes, args.peer_python)

    fit_report = json.loads(args.fit_report.read_text()) if args.fit_report.exists() else None
    text = format_report(outcomes, fit_report)
    print(text)
    if args.write is not None:
        args.write.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
