"""``spice probe --bench``: a short micro-benchmark of memory bandwidth and matmul throughput.

- Memory bandwidth: copy a large array (``dst[:] = src``); one copy reads and writes every byte,
  so bandwidth = 2 * bytes / seconds (the STREAM "Copy" convention, McCalpin,
  https://www.cs.virginia.edu/stream/ref.html). Best of several repeats.
- Matmul: C = A @ B with n x n operands costs 2 * n**3 FLOPs (one multiply and one add per
  inner-product term). Best of several repeats.

numpy measures the CPU (float32); torch, when importable, measures the GPU (CUDA or Apple MPS)
in fp16, the figure ``Accelerator.fp16_tflops`` is quoted in. Each step is a callable so the CLI
can drive a progress bar; nothing here prints.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["BenchStep", "Measurement", "bench_steps", "copy_bandwidth_gbs", "matmul_tflops"]


@dataclass(frozen=True)
class Measurement:
    """One measured figure: ``metric`` is "mem_bw_gbs" or "matmul_tflops"."""

    device: str  # "cpu" | "cuda" | "mps"
    metric: str
    value: float
    dtype: str
    detail: str


@dataclass(frozen=True)
class BenchStep:
    label: str
    run: Callable[[], Measurement]


def copy_bandwidth_gbs(bytes_copied: float, seconds: float) -> float:
    """GB/s of a copy: each byte is read once and written once (STREAM Copy)."""
    return 2.0 * bytes_copied / seconds / 1e9


def matmul_tflops(n: int, seconds: float) -> float:
    """TFLOP/s of an n x n by n x n matmul: 2 * n**3 floating-point operations."""
    return 2.0 * n**3 / seconds / 1e12


def _best(fn: Callable[[], None], repeats: int, sync: Callable[[], None] = lambda: None) -> float:
    fn()  # warm-up (allocation, kernel selection)
    sync()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - start)
    return best


def _numpy_copy(size_mb: int, repeats: int) -> Measurement:
    import numpy as np

    src = np.ones(size_mb * 1_000_000 // 4, dtype=np.float32)
    dst = np.empty_like(src)

    def copy() -> None:
        np.copyto(dst, src)

    seconds = _best(copy, repeats)
    return Measurement(
        "cpu", "mem_bw_gbs", copy_bandwidth_gbs(src.nbytes, seconds), "float32",
        f"numpy copy of {src.nbytes / 1e6:.0f} MB, best of {repeats}",
    )  # fmt: skip


def _numpy_matmul(n: int, repeats: int) -> Measurement:
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)

    def matmul() -> None:
        np.matmul(a, b)

    seconds = _best(matmul, repeats)
    return Measurement(
        "cpu", "matmul_tflops", matmul_tflops(n, seconds), "float32",
        f"numpy {n}x{n} float32 matmul, best of {repeats}",
    )  # fmt: skip


def _torch_device(torch: Any) -> str | None:
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return None


def _torch_sync(torch: Any, device: str) -> Callable[[], None]:
    if device == "cuda":
        return lambda: torch.cuda.synchronize()
    return lambda: torch.mps.synchronize()


def _torch_copy(torch: Any, device: str, size_mb: int, repeats: int) -> Measurement:
    src = torch.ones(size_mb * 1_000_000 // 2, dtype=torch.float16, device=device)
    dst = torch.empty_like(src)

    def copy() -> None:
        dst.copy_(src)

    seconds = _best(copy, repeats, _torch_sync(torch, device))
    nbytes = src.numel() * 2
    return Measurement(
        device, "mem_bw_gbs", copy_bandwidth_gbs(nbytes, seconds), "float16",
        f"torch copy of {nbytes / 1e6:.0f} MB on {device}, best of {repeats}",
    )  # fmt: skip


def _torch_matmul(torch: Any, device: str, n: int, repeats: int) -> Measurement:
    a = torch.randn((n, n), dtype=torch.float16, device=device)
    b = torch.randn((n, n), dtype=torch.float16, device=device)

    def matmul() -> None:
        torch.matmul(a, b)

    seconds = _best(matmul, repeats, _torch_sync(torch, device))
    return Measurement(
        device, "matmul_tflops", matmul_tflops(n, seconds), "float16",
        f"torch {n}x{n} float16 matmul on {device}, best of {repeats}",
    )  # fmt: skip


def _load_torch() -> Any | None:
    import importlib

    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def bench_steps(
    *,
    quick: bool = False,
    torch: Any | None = None,
    use_torch: bool = True,
) -> list[BenchStep]:
    """The steps to run (numpy always; torch on the GPU when importable and a GPU is there).

    ``quick`` shrinks every size (for tests); ``torch`` injects a torch module.
    """
    size_mb, n, repeats = (16, 256, 2) if quick else (512, 2048, 5)
    steps = [
        BenchStep("CPU memory bandwidth (numpy copy)", lambda: _numpy_copy(size_mb, repeats)),
        BenchStep("CPU matmul (numpy float32)", lambda: _numpy_matmul(n, repeats)),
    ]
    module = (torch if torch is not None else _load_torch()) if use_torch else None
    device = _torch_device(module) if module is not None else None
    if module is not None and device is not None:
        gpu_mb, gpu_n = (16, 256) if quick else (2048, 8192)
        steps += [
            BenchStep(f"GPU memory bandwidth (torch, {device})",
                      lambda: _torch_copy(module, device, gpu_mb, repeats)),
            BenchStep(f"GPU matmul (torch fp16, {device})",
                      lambda: _torch_matmul(module, device, gpu_n, repeats)),
        ]  # fmt: skip
    return steps
