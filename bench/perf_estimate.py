"""How long one in-process estimate takes (target: <= 1 ms after warm-up).

Usage: python bench/perf_estimate.py [--repeat N]
Prints microseconds per estimate (median and best of several runs) for representative workloads:
local GGUF inference, datacenter serving with batch: max, QLoRA, multi-node pretraining, diffusion,
and a workload that does not fit (which also searches for suggestions).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate

WORKLOADS: dict[str, dict[str, Any]] = {
    "llama-3-8b q4_k_m rtx-4090": {
        "model": "llama-3-8b",
        "hardware": "rtx-4090",
        "precision": "q4_k_m",
        "inference": {"prompt_tokens": 512, "output_tokens": 128},
    },
    "llama-3-70b bf16 8xh100 vllm batch max": {
        "model": "llama-3-70b",
        "hardware": "h100-sxm",
        "devices": 8,
        "inference": {"batch": "max"},
    },
    "llama-2-70b q4_k_m m2-ultra 192": {
        "model": "llama-2-70b",
        "hardware": "m2-ultra-76c",
        "memory_gb": 192,
    },
    "mistral-7b qlora t4": {
        "model": "mistral-7b",
        "hardware": "t4",
        "task": "finetune",
        "finetune": {"method": "qlora", "tokens": 5e7},
    },
    "llama-2-70b full ft 16xa100 zero search": {
        "model": "llama-2-70b",
        "hardware": "a100-sxm-80gb",
        "devices": 16,
        "nodes": 2,
        "task": "finetune",
        "finetune": {"method": "full"},
    },
    "mpt-7b pretrain 64xh100": {
        "model": "mpt-7b",
        "hardware": "h100-sxm",
        "devices": 64,
        "nodes": 8,
        "task": "pretrain",
        "engine": "fsdp",
        "parallelism": {"zero": 3},
    },
    "sdxl rtx-4090": {"model": "sdxl", "hardware": "rtx-4090", "task": "image"},
    "llama-2-70b fp16 rtx-4090 (does not fit)": {
        "model": "llama-2-70b",
        "hardware": "rtx-4090",
        "precision": "fp16",
    },
}


def time_one(spec: dict[str, Any], repeat: int) -> tuple[float, float]:
    """(median, best) microseconds per estimate over 5 runs of ``repeat`` calls."""
    catalog = load_catalog()
    estimate(spec, catalog)  # warm-up: caches, imports
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            estimate(spec, catalog)
        runs.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"{'workload':45} {'median µs':>10} {'best µs':>10}")
    medians = []
    for name, spec in WORKLOADS.items():
        median, best = time_one(spec, args.repeat)
        medians.append(median)
        print(f"{name:45} {median:10.0f} {best:10.0f}")
    print(f"{'median over workloads':45} {statistics.median(medians):10.0f}")


if __name__ == "__main__":
    main()
