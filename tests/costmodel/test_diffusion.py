"""Image generation speed: roofline-bounded, CFG doubles the work, bigger images take longer."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.costmodel.diffusion import step_flops
from spicetrader.models.registry import resolve_model


def _image(**kw: Any) -> dict[str, Any]:
    return estimate({"task": "image", "engine": "diffusers", "precision": "fp16", **kw}).to_dict()


def test_classifier_free_guidance_doubles_the_denoiser_work() -> None:
    assert step_flops(100.0, 3, True) == pytest.approx(2 * step_flops(100.0, 3, False))
    assert step_flops(100.0, 3, False) == pytest.approx(300e9)


@settings(max_examples=25, deadline=None)
@given(
    model=st.sampled_from(["sd-1.5", "sdxl"]),
    hardware=st.sampled_from(["rtx-4090", "a100-sxm-80gb", "t4", "h100-sxm", "rtx-3090"]),
    resolution=st.sampled_from([512, 768, 1024]),
    batch=st.sampled_from([1, 2, 4]),
)
def test_steps_never_beat_the_compute_roofline(
    model: str, hardware: str, resolution: int, batch: int
) -> None:
    est = _image(
        model=model,
        hardware=hardware,
        image={"resolution": resolution, "steps": 20, "batch": batch},
    )
    if not est["fits"]:
        return
    arch = resolve_model(model)
    accel = load_catalog().accelerator(hardware)
    flops = step_flops(arch.denoiser_gflops_per_step_at(resolution), batch, True)
    assert est["image"]["steps_per_s"] <= accel.fp16_tflops * 1e12 / flops
    image = est["image"]
    assert image["images_per_s"] * image["seconds_per_image"] == pytest.approx(1.0)
    assert image["seconds_per_image"] * batch >= 20 / image["steps_per_s"]


def test_bigger_images_and_batches_take_longer_per_step() -> None:
    small = _image(model="sdxl", hardware="rtx-4090", image={"resolution": 768, "batch": 1})
    large = _image(model="sdxl", hardware="rtx-4090", image={"resolution": 1024, "batch": 1})
    batch = _image(model="sdxl", hardware="rtx-4090", image={"resolution": 1024, "batch": 4})
    assert large["image"]["steps_per_s"] < small["image"]["steps_per_s"]
    assert batch["image"]["steps_per_s"] < large["image"]["steps_per_s"]
    # batching amortises the fixed per-step overhead: more images per second
    assert batch["image"]["images_per_s"] >= large["image"]["images_per_s"]


@settings(max_examples=15, deadline=None)
@given(devices=st.sampled_from([2, 3, 4, 8]), model=st.sampled_from(["sd-1.5", "sdxl"]))
def test_data_parallel_images_per_second_scale_with_devices(devices: int, model: str) -> None:
    """Each device runs its own pipeline: N devices make N x the images per second, and one
    image's latency stays that of one device."""
    one = _image(model=model, hardware="rtx-4090")["image"]
    many = _image(model=model, hardware="rtx-4090", devices=devices)["image"]
    assert many["images_per_s"] == pytest.approx(devices * one["images_per_s"])
    assert many["seconds_per_image"] == pytest.approx(one["seconds_per_image"])


def test_rtx_5090_is_not_slower_than_rtx_4090_without_a_measurement() -> None:
    """No case measures Blackwell images: its efficiency is borrowed from Ada, so the chip
    with more compute (RTX 5090: 209.5 vs 165.2 dense FP16 TFLOP/s) is the faster one."""
    fast = _image(model="sdxl", hardware="rtx-5090")
    slow = _image(model="sdxl", hardware="rtx-4090")
    assert fast["image"]["images_per_s"] > slow["image"]["images_per_s"]
    assert fast["confidence"] == "low"
