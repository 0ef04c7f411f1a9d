"""Invariants of the diffusion pipeline schema (image and video)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from spicetrader.models.diffusion_arch import DiffusionArchitecture
from spicetrader.models.registry import list_models

VIDEO = [m for m in list_models() if isinstance(m, DiffusionArchitecture) and m.is_video]


@given(frames=st.integers(1, 400), more=st.integers(1, 400), res=st.integers(64, 2048))
def test_video_flops_never_shrink_with_more_frames(frames: int, more: int, res: int) -> None:
    assert {m.id for m in VIDEO} == {"wan-2.1-t2v-14b", "wan-2.1-t2v-1.3b"}
    for wan in VIDEO:
        fewer = wan.denoiser_gflops_per_step_at(res, frames)
        assert fewer <= wan.denoiser_gflops_per_step_at(res, frames + more)
        assert wan.vae_decode_gflops_at(res, frames) < wan.vae_decode_gflops_at(res, frames + more)
        assert 1 <= wan.latent_frames(frames) <= frames


def test_reference_frames_must_fit_the_vae_stride() -> None:
    wan = VIDEO[0]
    row = wan.model_dump()
    with pytest.raises(ValidationError, match="reference_frames"):
        DiffusionArchitecture.model_validate({**row, "reference_frames": 80})
