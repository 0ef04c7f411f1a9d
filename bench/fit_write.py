"""Write fitted efficiency rows and constants back to the data files (bench/fit_efficiency.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from spicetrader.costmodel import efficiency as eff

DATA = Path(__file__).resolve().parent.parent / "src" / "spicetrader" / "costmodel" / "data"
Key = tuple[str, str, str, str]  # task, engine, family, weights


class MoeFit(NamedTuple):
    """One (engine, vendor) row of ``moe_engines.csv`` as fitted, with the cases it was fitted
    on."""

    layer_overhead_us: float
    half_tokens: float
    width_half: float
    expert_share: float
    case_ids: Sequence[str]


def _confidence(n_cases: int) -> str:
    return "high" if n_cases >= 4 else "medium" if n_cases >= 2 else "low"


def _row_cells(key: Key, row: eff.EfficiencyRow, cases: Sequence[dict[str, Any]]) -> str:
    ids = ";".join(c["id"] for c in cases)
    note = f"fitted (bench/fit_efficiency.py) on {len(cases)} cases: {ids}"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(
        [
            *key,
            f"{row.bw_efficiency:.3f}",
            f"{row.compute_efficiency:.3f}",
            f"{row.overhead_us:.0f}",
            str(row.fp16_accumulate).lower(),
            _confidence(len(cases)),
            note,
            date.today().isoformat(),
        ]
    )
    return buf.getvalue()


def write_rows(
    fitted: dict[Key, eff.EfficiencyRow], groups: dict[Key, list[dict[str, Any]]]
) -> None:
    """Update each group's own row (task, engine, family, weights), adding it if the group was
    served by a fallback row so far; other rows stay as they are."""
    path = DATA / "efficiency.csv"
    out, written = [], set()
    for line in path.read_text().splitlines():
        if line.startswith("#") or line.startswith("task,") or not line.strip():
            out.append(line)
            continue
        cells = next(csv.reader([line]))
        key: Key = (cells[0], cells[1], cells[2], cells[3])
        if key in fitted:
            out.append(_row_cells(key, fitted[key], groups[key]))
            written.add(key)
        else:
            out.append(line)
    for key in sorted(fitted.keys() - written):
        out.append(_row_cells(key, fitted[key], groups[key]))
    path.write_text("\n".join(out) + "\n")


def write_constants(constants: Mapping[str, float]) -> None:
    path = DATA / "speed_constants.csv"
    out = []
    for line in path.read_text().splitlines():
        cells = next(csv.reader([line])) if line and not line.startswith("#") else []
        if cells and cells[0] in constants:
            cells[1] = f"{constants[cells[0]]:g}"
            cells[-1] = date.today().isoformat()  # as_of: when it was fitted
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(cells)
            line = buf.getvalue()
        out.append(line)
    path.write_text("\n".join(out) + "\n")


def write_calibrated(groups: Mapping[Key, Sequence[dict[str, Any]]]) -> None:
    """``calibrated.csv``: every (task, engine, family, architecture kind) with a case."""
    from collections import Counter

    from spicetrader.costmodel.region import COLUMNS, SAME_KERNELS, architecture_kind
    from spicetrader.models.registry import resolve_model

    counts: Counter[tuple[str, str, str, str]] = Counter()
    for (task, engine, family, _weights), cases in groups.items():
        for case in cases:
            kind = architecture_kind(resolve_model(case["workload"]["model"]))
            counts[(task, SAME_KERNELS.get(engine, engine), family, kind)] += 1
    lines = [
        "# Calibrated region (spicetrader.costmodel.region): the (task, engine, accelerator "
        "family, architecture) combinations with at least one measured case in "
        "bench/data/cases.jsonl; written by bench/fit_efficiency.py --write.",
        ",".join(COLUMNS),
    ]
    today = date.today().isoformat()
    lines += [f"{t},{e},{h},{a},{n},{today}" for (t, e, h, a), n in sorted(counts.items())]
    (DATA / "calibrated.csv").write_text("\n".join(lines) + "\n")


def write_moe_engines(fitted: Mapping[tuple[str, str], MoeFit]) -> None:
    """``moe_engines.csv``: each fitted (engine, vendor) row's MoE layer latency, grouped-GEMM
    half tokens, routed-token overhead and decode expert bandwidth share (other rows kept; the
    matrix-vector threshold, ``vector_below_tokens``, is the engine's dispatch rule, not fitted:
    kept from the row, 0 for a new one)."""
    from spicetrader.costmodel.moe import moe_vendor_rows

    existing = moe_vendor_rows()
    path = DATA / "moe_engines.csv"
    today = date.today().isoformat()
    out = []
    for line in path.read_text().splitlines():
        cells = next(csv.reader([line])) if line and not line.startswith("#") else []
        if len(cells) > 1 and (cells[0], cells[1]) in fitted:
            continue  # rewritten below
        out.append(line)
    for (engine, vendor), fit in sorted(fitted.items()):
        ids = fit.case_ids
        note = f"fitted (bench/fit_efficiency.py) on {len(ids)} MoE cases: {';'.join(ids)}"
        buf = io.StringIO()
        row = [
            engine,
            vendor,
            f"{fit.layer_overhead_us:g}",
            f"{fit.half_tokens:g}",
            f"{fit.width_half:g}",
            f"{fit.expert_share:g}",
            str(
                existing[(engine, vendor)].vector_below_tokens
                if (engine, vendor) in existing
                else 0
            ),
            note,
            today,
        ]
        csv.writer(buf, lineterminator="").writerow(row)
        out.append(buf.getvalue())
    path.write_text("\n".join(out) + "\n")
