"""A latent diffusion pipeline (image or video) as data: denoiser, text encoders, VAE, and the
per-step FLOPs the speed model scales with resolution and clip length."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

from spicetrader.errors import InputError
from spicetrader.models.fields import AS_OF, DATE, ID, Frozen, License, Pos

__all__ = ["Denoiser", "DiffusionArchitecture"]


class Denoiser(StrEnum):
    UNET = "unet"
    DIT = "dit"


class DiffusionArchitecture(Frozen):
    """A latent diffusion pipeline: a denoiser run once per step, text encoder(s), a VAE."""

    id: Annotated[str, Field(min_length=1, pattern=ID)]
    name: Annotated[str, Field(min_length=1)]
    family: Annotated[str, Field(min_length=1)]
    aliases: tuple[str, ...] = ()
    denoiser: Denoiser
    denoiser_params: Pos
    text_encoder_params: Pos
    vae_params: Pos
    reference_resolution: Annotated[int, Field(ge=64)]
    latent_downsample: Pos = 8  # VAE spatial factor (latent = pixels / 8)
    denoiser_gflops_per_step: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    attention_fraction: Annotated[float, Field(ge=0, le=1)] = 0.0
    gflops_estimated: bool = False  # True: per-step GFLOPs computed/estimated, not published
    cfg: bool = True
    text_encoder_gflops: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    vae_decode_gflops: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    default_steps: Pos
    # Video: the clip length (in frames) the per-step and VAE GFLOPs are given for, and the VAE's
    # temporal compression (Wan-VAE: 4; latent frames = 1 + (frames - 1) / 4). 1 and 1: images.
    reference_frames: Pos = 1
    temporal_compression: Pos = 1
    native_precision: str = "fp16"
    released: Annotated[str, Field(pattern=DATE)] | None = None
    license: License | None = None
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=AS_OF)]
    notes: str = ""

    @model_validator(mode="after")
    def _check_video(self) -> DiffusionArchitecture:
        if (self.reference_frames - 1) % self.temporal_compression:
            raise ValueError("reference_frames must be 1 + a multiple of temporal_compression")
        return self

    @property
    def is_moe(self) -> bool:
        return False

    @property
    def is_video(self) -> bool:
        return self.reference_frames > 1

    def total_params(self) -> int:
        return self.denoiser_params + self.text_encoder_params + self.vae_params

    def latent_frames(self, frames: int | None = None) -> int:
        """Latent frames the denoiser sees for a ``frames``-frame clip (causal video VAE: the
        first frame alone, then one latent per ``temporal_compression`` frames; Wan 2.1 report,
        arXiv:2503.20314, sec. 3.1). Images: 1."""
        n = self.reference_frames if frames is None else frames
        if n < 1 or (n > 1 and not self.is_video):
            raise InputError(f"frames must be >= 1 (1 for an image model like {self.id}), got {n}")
        return 1 + (n - 1 + self.temporal_compression - 1) // self.temporal_compression

    def _token_ratio(self, resolution: int, frames: int | None) -> float:
        area = (resolution / self.reference_resolution) ** 2
        return area * self.latent_frames(frames) / self.latent_frames()

    def denoiser_gflops_per_step_at(self, resolution: int, frames: int | None = None) -> float:
        """One denoiser forward pass (batch 1, no CFG) at ``resolution`` x ``resolution`` px
        (for video: a clip of ``frames`` frames, default ``reference_frames``).

        Convolutions and linear layers scale with the number of latent tokens (exponent 1);
        self-attention over the latent tokens scales with its square (exponent 2). The split is
        ``attention_fraction`` of the reference FLOPs (Peebles & Xie 2023, "Scalable Diffusion
        Models with Transformers", section 3: Gflops grow with tokens; the quadratic term is the
        attention score/value matmuls). Video DiTs attend over all frames' tokens at once (Wan:
        full 3D attention), so frames count as tokens.
        """
        ratio = self._token_ratio(resolution, frames)
        base = self.denoiser_gflops_per_step
        return base * ((1.0 - self.attention_fraction) * ratio + self.attention_fraction * ratio**2)

    def vae_decode_gflops_at(self, resolution: int, frames: int | None = None) -> float:
        """VAE decode of one image (or clip): convolutional, linear in the pixels decoded."""
        area = (resolution / self.reference_resolution) ** 2
        self.latent_frames(frames)  # validates ``frames``
        n = self.reference_frames if frames is None else frames
        return self.vae_decode_gflops * area * n / self.reference_frames
