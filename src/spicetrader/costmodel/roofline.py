"""Roofline limits of one accelerator: peak FLOP/s per compute dtype, memory bandwidth, links.

The roofline model (Williams, Waterman & Patterson, "Roofline: an insightful visual performance
model", CACM 2009): a kernel runs no faster than max(FLOPs / peak FLOP/s, bytes / bandwidth).
Every speed estimate in :mod:`spicetrader.costmodel` is this bound divided by a measured
efficiency (``efficiency.csv``) plus latency terms, so it can never exceed the roofline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from spicetrader.units import BYTES_PER_GB, FLOPS_PER_TFLOP

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.models.precision import PrecisionFormat

__all__ = [
    "ComputeDtype",
    "Peak",
    "allreduce_s",
    "bandwidth_bytes_per_s",
    "dequant_s_per_flop",
    "gather_s",
    "parse_compute_dtype",
    "peak_flops",
]


class ComputeDtype(StrEnum):
    """The dtype matmuls run in (a precision format's ``compute_dtype``)."""

    FP32 = "fp32"
    TF32 = "tf32"
    FP16 = "fp16"
    BF16 = "bf16"
    FP8 = "fp8"
    INT8 = "int8"
    FP4 = "fp4"


_ALIASES: dict[str, ComputeDtype] = {
    "float32": ComputeDtype.FP32,
    "float16": ComputeDtype.FP16,
    "half": ComputeDtype.FP16,
    "bfloat16": ComputeDtype.BF16,
    "int4": ComputeDtype.INT8,  # W4A8 kernels; W4A16 formats declare fp16
    "nvfp4": ComputeDtype.FP4,
    "mxfp4": ComputeDtype.FP4,
    "e4m3": ComputeDtype.FP8,
}


def parse_compute_dtype(name: str) -> ComputeDtype:
    """Map a format's ``compute_dtype`` string onto :class:`ComputeDtype` (fp16 if unknown)."""
    key = name.strip().lower()
    try:
        return ComputeDtype(key)
    except ValueError:
        return _ALIASES.get(key, ComputeDtype.FP16)


@dataclass(frozen=True, slots=True)
class Peak:
    """A peak rate and what it is (for assumptions)."""

    flops_per_s: float
    dtype: ComputeDtype
    note: str  # empty, or the fallback taken ("fp8 not supported on t4: fp16 peak")


def peak_flops(accel: Accelerator, dtype: ComputeDtype, *, fp16_accumulate: bool = False) -> Peak:
    """Dense peak FLOP/s of ``accel`` for matmuls in ``dtype``.

    - fp32 runs on TF32 tensor cores where the chip has them: cuDNN enables TF32 for
      convolutions by default and frameworks enable it for matmuls
      (PyTorch docs, "TensorFloat-32 (TF32) on Ampere (and later) devices").
    - fp16/bf16: the dense tensor rate with FP32 accumulate; engines that accumulate in fp16
      (llama.cpp's cuBLAS path) get the GeForce FP16-accumulate rate (``fp16_acc16_tflops``,
      twice the FP32-accumulate rate on GeForce per the Ampere/Ada whitepapers).
    - fp8 / int8 / fp4 fall back to the next wider rate the chip has (weights are then upcast:
      W8A16 / W4A16 kernels), and the returned ``note`` says so.
    """
    tera = FLOPS_PER_TFLOP
    if dtype in (ComputeDtype.FP32, ComputeDtype.TF32):
        if accel.tf32_tflops is not None:
            return Peak(accel.tf32_tflops * tera, ComputeDtype.TF32, "")
        return Peak(accel.fp32_tflops * tera, ComputeDtype.FP32, "")
    if dtype is ComputeDtype.FP4 and accel.fp4_tflops is not None:
        return Peak(accel.fp4_tflops * tera, dtype, "")
    if dtype in (ComputeDtype.FP4, ComputeDtype.FP8) and accel.fp8_tflops is not None:
        note = "" if dtype is ComputeDtype.FP8 else f"no fp4 tensor cores on {accel.id}: fp8 peak"
        return Peak(accel.fp8_tflops * tera, ComputeDtype.FP8, note)
    if dtype is ComputeDtype.INT8 and accel.int8_tops is not None:
        return Peak(accel.int8_tops * tera, dtype, "")
    note = ""
    if dtype not in (ComputeDtype.FP16, ComputeDtype.BF16):
        note = f"no {dtype.value} tensor cores on {accel.id}: runs at the fp16 peak"
    if fp16_accumulate and dtype is not ComputeDtype.BF16 and accel.fp16_acc16_tflops is not None:
        return Peak(accel.fp16_acc16_tflops * tera, ComputeDtype.FP16, note)
    return Peak(accel.fp16_tflops * tera, ComputeDtype.FP16, note)


def dequant_s_per_flop(
    accel: Accelerator,
    fmt: PrecisionFormat,
    gemm_peak: float,
    share: float,
    matmul_dtype: ComputeDtype | None = None,
) -> float:
    """Vector-unit seconds per weight-GEMM FLOP of a weight-only quantized format.

    A GGUF / AWQ / GPTQ / MLX-quantized GEMM unpacks each weight tile (bit shifts, per-block
    scales and mins) on the SIMT (CUDA-core) ALUs before the tensor cores multiply it (Frantar et
    al. 2024, "MARLIN: Mixed-Precision Auto-Regressive Parallel Inference on Large Language
    Models", arXiv:2408.11743: dequantization and the tensor-core MMA overlap in a pipeline whose
    slower stage sets the rate; llama.cpp's MMQ kernels likewise unpack each block with its scales
    in their ``load_tiles_*`` functions, ggml-cuda/mmq.cuh). That time scales with the chip's FP32
    vector peak, not its tensor peak: ``share`` vector FLOPs per GEMM FLOP
    (``dequant_vector_share``, ``data/speed_constants.csv``). Float weights and formats the tensor
    cores read as they are (W8A8, FP8, FP4) have nothing to unpack, unless the chip lacks their
    tensor cores and runs them weight-only (``matmul_dtype``: MXFP4 on Hopper/MI300X is
    dequantized to BF16, Marlin's path); chips whose GEMMs run on the
    vector ALUs themselves (Apple GPUs, CPUs: 16-bit peak = FP32 peak) carry the cost inside the
    efficiency row.
    """
    from spicetrader.models.precision import PrecisionKind

    vector = accel.fp32_tflops * FLOPS_PER_TFLOP
    dtype = matmul_dtype or parse_compute_dtype(fmt.compute_dtype)
    if fmt.kind is PrecisionKind.FLOAT or dtype not in (ComputeDtype.FP16, ComputeDtype.BF16):
        return 0.0
    if gemm_peak <= vector:
        return 0.0
    return share / vector


def bandwidth_bytes_per_s(accel: Accelerator) -> float:
    """Peak memory bandwidth in bytes/s (datasheet figure)."""
    return accel.mem_bw_gbs * BYTES_PER_GB


def allreduce_s(
    message_bytes: float, ranks: int, link_bytes_per_s: float, latency_s: float
) -> float:
    """Time of one ring all-reduce of ``message_bytes`` over ``ranks`` devices.

    A bandwidth-optimal ring moves 2 (n-1)/n of the message through each link (Patarasuk & Yuan
    2009, "Bandwidth optimal all-reduce algorithms for clusters of workstations"; NCCL's
    "bus bandwidth" convention), plus the latency of the call: small messages (the activations of
    one decode token) go down NCCL's trees, whose depth grows as log2(ranks) (Sanders, Speck &
    Traff 2009, "Two-tree algorithms for full bandwidth broadcast, reduction and scan"; NCCL 2.4
    double binary trees), so the latency is ``latency_s`` (2 ranks, ``data/interconnect.csv``)
    x log2(ranks). gpt-fast's tensor-parallel decode of Llama-2-7B on 2/4/8 A100s shows it: a
    fixed latency per call overestimates TP 8 by 40 % (cases C248-C250).
    """
    if ranks <= 1:
        return 0.0
    return latency_s * math.log2(ranks) + 2.0 * (ranks - 1) / ranks * message_bytes / (
        link_bytes_per_s
    )


def gather_s(message_bytes: float, ranks: int, link_bytes_per_s: float, latency_s: float) -> float:
    """Time of one all-gather or reduce-scatter: half a ring all-reduce's traffic, (n-1)/n, and
    its latency growing as log2(ranks) as in :func:`allreduce_s`."""
    if ranks <= 1:
        return 0.0
    return latency_s * math.log2(ranks) + (ranks - 1) / ranks * message_bytes / link_bytes_per_s
