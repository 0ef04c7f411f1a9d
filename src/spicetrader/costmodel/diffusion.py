"""Image generation speed (latent diffusion): denoiser steps, text encoders, VAE decode.

One denoising step runs the denoiser (UNet or DiT) on the whole batch; classifier-free guidance
runs it on a conditional and an unconditional copy (Ho & Salimans 2022, "Classifier-Free Diffusion
Guidance"), doubling the FLOPs. The text encoders run once per image before the loop, the VAE
decoder once per image after it (Rombach et al. 2022, "High-Resolution Image Synthesis with Latent
Diffusion Models", sec. 3). Each part takes ``max(FLOPs / (peak x compute_eff), weight bytes /
(bw x bw_eff))`` (roofline, Williams et al. 2009) and every denoiser step pays the engine's fixed
per-step overhead (kernel launches; fitted on the diffusers cases in ``data/efficiency.csv``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from spicetrader.costmodel.context import Confidence, SpeedResult
from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup
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
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = ["image_speed", "step_flops"]


def step_flops(denoiser_gflops: float, batch: int, cfg: bool) -> float:
    """FLOPs of one denoising step for ``batch`` images (CFG doubles the denoiser passes)."""
    return denoiser_gflops * 1e9 * batch * (2 if cfg else 1)


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
    flops_s = peak.flops_per_s * row.compute_efficiency
    bw = bandwidth_bytes_per_s(setup.accel) * row.bw_efficiency
    bytes_per_param = fmt.bits_per_weight / 8.0

    denoiser_compute = step_flops(arch.denoiser_gflops_per_step_at(resolution), batch, arch.cfg)
    step_compute_s = denoiser_compute / flops_s
    step_memory_s = arch.denoiser_params * bytes_per_param / bw
    step_s = max(step_compute_s, step_memory_s) + row.overhead_us * 1e-6
    text_s = max(
        arch.text_encoder_gflops * 1e9 * batch / flops_s,
        arch.text_encoder_params * bytes_per_param / bw,
    )
    vae_s = max(
        arch.vae_decode_gflops_at(resolution) * 1e9 * batch / flops_s,
        arch.vae_params * bytes_per_param / bw,
    )
    seconds_per_batch = steps * step_s + text_s + vae_s
    seconds_per_image = seconds_per_batch / batch
    # Data parallel: each device runs its own copy of the pipeline on its own images (diffusers
    # / accelerate's distributed inference splits the prompts over processes), so images/s adds
    # up over the replicas; one image's latency does not change.
    replicas = max(setup.parallel.data, 1)
    speed = ImageSpeed(
        steps_per_s=1.0 / step_s,
        seconds_per_image=seconds_per_image,
        images_per_s=replicas / seconds_per_image,
    )
    assumptions = [
        match.assumption(setup.engine, setup.accel),
        f"{arch.denoiser.value}: {arch.denoiser_gflops_per_step_at(resolution):.0f} GFLOP/pass at "
        f"{resolution}px x batch {batch}" + (" x 2 (classifier-free guidance)" if arch.cfg else ""),
        f"{steps} steps + text encoder once + VAE decode once per image",
    ]
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
    bound = Bound.COMPUTE if step_compute_s >= step_memory_s else Bound.MEMORY_BANDWIDTH
    return SpeedResult(
        inference=None,
        training=None,
        image=speed,
        bound=bound,
        assumptions=tuple(assumptions),
        confidence=confidence.value,
    )
