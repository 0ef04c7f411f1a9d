"""The torchtune fine-tuning fix of 2026-11-26 in ``docs/accuracy.md``: a frozen before/after
record (``bench/data/finetune_fix_report.json``), rendered, not recomputed."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

REPORT = Path(__file__).resolve().parent / "data" / "finetune_fix_report.json"
STAGES = ("before", "formulas", "after")


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def finetune_section() -> list[str]:
    if not REPORT.exists():
        return []
    report = json.loads(REPORT.read_text())
    rows = report["cases"]

    def err(r: dict[str, float], key: str) -> float:
        return abs(r[key] - r["measured"]) / r["measured"]

    lines = [
        "## Fine-tuning (torchtune) cases, before and after the fix",
        "",
        report["summary"],
        "",
    ]
    lines += ["| | " + " | ".join(STAGES) + " |", "|---|---|---|---|"]
    medians = [_pct(statistics.median(err(r, s) for r in rows)) for s in STAGES]
    lines.append("| in-sample median error (8 cases) | " + " | ".join(medians) + " |")
    held = report["heldout"]
    lines.append(
        f"| held-out median / p90 ({held['after']['count']} cases) | "
        f"{_pct(held['before']['median'])} / {_pct(held['before']['p90'])} | - | "
        f"{_pct(held['after']['median'])} / {_pct(held['after']['p90'])} |"
    )
    lines += [
        "",
        "| case | model | method | hardware | measured | before | formulas | after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r["id"], r["model"], r["method"], r["hardware"], f"{r['measured']:g}"]
        cells += [f"{r[s]:.4g} ({_pct(err(r, s))})" for s in STAGES]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]
