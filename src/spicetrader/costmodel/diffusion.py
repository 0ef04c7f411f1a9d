"""Image generation speed (latent diffusion): denoiser steps, text encoders, VAE decode.

One denoising step runs the denoiser (UNet or DiT) on the whole batch; classifier-free guidance
runs it on a conditional and an unconditional copy (Ho & Salimans 2022, "Classifier-Free Diffusion
Guidance"), doubling the FLOPs. The text encoders run once per image before the loop, the VAE
decoder once per image after it (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent
Diffusion Models", sec. 3): ``seconds = text encode + steps x step + VAE decode``. Each part takes
``max(FLOPs / (peak x compute_eff), weight bytes / (bw x bw_eff))`` (roofline, Williams et al.
2009). Every step also pays a fixed time that does not shrink with a faster chip (the row's
``overhead_us``): the UNet's ~1000 small kernels each cost a launch and a minimum GPU time
whatever their FLOPs, and at batch 1 many are too small to fill the GPU (CUDA C++ Programming
Guide, "Asynchronous Concurrent Execution"; PyTorch's CUDA graphs note: launch overhead is what
``torch.compile(mode="reduce-overhead")`` removes). It is why SD 1.5 at 512 px gains little from
an H100 in eager mode: a chip family without a small-resolution case keeps its prior's overhead.
A max(GPU, host) form (launches fully hidden behind earlier kernels) fitted the 2023 diffusers
benchmark worse than the sum (bench/data/round3_D.json summary).

Core ML on Apple silicon can run the pipeline on the Neural Engine instead of the GPU
(``neural_engine.py``); the faster unit is used, as Apple's benchmark reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.context import Confidence, SpeedResult
from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup, speed_constants
from spicetrader.costmodel.neural_engine import neural_engine
from spicetrader.costmodel.roofline import (
    ComputeDtype,
    bandwidth_bytes_per_s,
    parse_compute_dtype,
    peak_flops,
)
from spicetrader.errors import NotSupportedError
from spicetrader.spec.estimate import Bound, ImageSpeed

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.models.arch import DiffusionArchitecture
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = ["image_speed", "step_flops"]


def step_flops(denoiser_gflops: float, batch: int, cfg: bool) -> float:
    """FLOPs of one denoising step for ``batch`` images (CFG doubles the denoiser passes)."""
    return denoiser_gflops * 1e9 * batch * (2 if cfg else 1)


@dataclass(frozen=True, slots=True)
class _Unit:
    """A compute unit the pipeline runs on: achieved FLOP/s and memory bytes/s."""

    name: str
    flops_s: float
    bytes_s: float


@dataclass(frozen=True, slots=True)
class _Times:
    step_s: float
    text_s: float
    vae_s: float
    compute_bound: bool

    def seconds(self, steps: int) -> float:
        return steps * self.step_s + self.text_s + self.vae_s


def _times(
    arch: DiffusionArchitecture,
    resolution: int,
    batch: int,
    unit: _Unit,
    bytes_per_param: float,
    host_s: float,
) -> _Times:
    """Per-step, text-encoder and VAE times of one batch on ``unit`` (``host_s`` fixed per step)."""
    denoiser = step_flops(arch.denoiser_gflops_per_step_at(resolution), batch, arch.cfg)
    step_compute_s = denoiser / unit.flops_s
    step_memory_s = arch.denoiser_params * bytes_per_param / unit.bytes_s
    text_s = max(
        arch.text_encoder_gflops * 1e9 * batch / unit.flops_s,
        arch.text_encoder_params * bytes_per_param / unit.bytes_s,
    )
    vae_s = max(
        arch.vae_decode_gflops_at(resolution) * 1e9 * batch / unit.flops_s,
        arch.vae_params * bytes_per_param / unit.bytes_s,
    )
    return _Times(
        step_s=max(step_compute_s, step_memory_s) + host_s,
        text_s=text_s,
        vae_s=vae_s,
        compute_bound=step_compute_s >= step_memory_s,
    )


def _units(setup: Setup, gpu: _Unit) -> tuple[_Unit, ...]:
    """The GPU, and for Core ML on a chip with a Neural Engine, the Neural Engine too."""
    from spicetrader.spec.workload import Engine

    engine = neural_engine(setup.accel) if setup.engine is Engine.COREML else None
    if engine is None:
        return (gpu,)
    share = speed_constants().neural_engine_efficiency
    ane = _Unit(f"Neural Engine ({engine.fp16_tops:g} TOPS FP16)", engine.flops_per_s * share,
                gpu.bytes_s)  # fmt: skip
    return (gpu, ane)


def image_speed(setup: Setup, memory: MemoryBreakdown) -> SpeedResult:
    """Steps per second, seconds per image and images per second for the image section."""
    from spicetrader.models.arch import DiffusionArchitecture

    arch = setup.arch
    if not isinstance(arch, DiffusionArchitecture):
        raise NotSupportedError(
            f"{arch.id} is a language model: task image needs a diffusion model"
        )
    spec = setup.workload.image
    resolution = (spec.resolution if spec is not None else None) or arch.reference_resolution
    steps = (spec.steps if spec is not None else None) or arch.default_steps
    batch = spec.batch if spec is not None else 1
    fmt = setup.fmt
    dtype = parse_compute_dtype(fmt.compute_dtype)
    quantized = dtype in (ComputeDtype.INT8, ComputeDtype.FP4) or fmt.bits_per_weight < 8
    match = lookup(
        SpeedTask.IMAGE, setup.engine, setup.accel,
        WeightsKind.QUANTIZED if quantized else WeightsKind.FLOAT,
    )  # fmt: skip
    row = match.row
    peak = peak_flops(setup.accel, dtype)
    gpu = _Unit(
        "GPU",
        peak.flops_per_s * row.compute_efficiency,
        bandwidth_bytes_per_s(setup.accel) * row.bw_efficiency,
    )
    host_s = row.overhead_us * 1e-6
    options = [
        (unit, _times(arch, resolution, batch, unit, fmt.bits_per_weight / 8.0, host_s))
        for unit in _units(setup, gpu)
    ]
    unit, times = min(options, key=lambda option: option[1].seconds(steps))
    seconds_per_image = times.seconds(steps) / batch
    # Data parallel: each device runs its own copy of the pipeline on its own images (diffusers
    # / accelerate's distributed inference splits the prompts over processes), so images/s adds
    # up over the replicas; one image's latency does not change.
    replicas = max(setup.parallel.data, 1)
    speed = ImageSpeed(
        steps_per_s=1.0 / times.step_s,
        seconds_per_image=seconds_per_image,
        images_per_s=replicas / seconds_per_image,
    )
    assumptions = [
        match.assumption(setup.engine, setup.accel),
        f"{arch.denoiser.value}: {arch.denoiser_gflops_per_step_at(resolution):.0f} GFLOP/pass at "
        f"{resolution}px x batch {batch}" + (" x 2 (classifier-free guidance)" if arch.cfg else ""),
        f"{steps} steps + text encoder once + VAE decode once per image; each step pays "
        f"{row.overhead_us / 1000:.1f} ms of fixed kernel-launch time",
    ]
    if len(options) > 1:
        assumptions.append(
            f"Core ML runs the pipeline on the faster compute unit: {unit.name} "
            f"({options[0][1].seconds(steps):.1f} s on the GPU, "
            f"{options[1][1].seconds(steps):.1f} s on the Neural Engine per batch)"
        )
    if replicas > 1:
        assumptions.append(
            f"data parallel over {replicas} devices: each runs the whole pipeline on its own "
            f"images, so images/s is {replicas} x one device's (seconds per image is one image's "
            "latency)"
        )
    if peak.note:
        assumptions.append(peak.note)
    confidence = match.confidence
    if setup.accel.estimated:
        confidence = Confidence.LOW
    bound = Bound.COMPUTE if times.compute_bound else Bound.MEMORY_BANDWIDTH
    return SpeedResult(
        inference=None,
        training=None,
        image=speed,
        bound=bound,
        assumptions=tuple(assumptions),
        confidence=confidence.value,
    )
