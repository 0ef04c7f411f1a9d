"""Impossible combinations: a clear error naming what is wrong, or a fallback in assumptions."""

from __future__ import annotations

from typing import Any

import pytest

from spicetrader.costmodel import estimate
from spicetrader.errors import InputError, NotSupportedError, UnknownNameError


def _est(**spec: Any) -> Any:
    return estimate({"model": "llama-3-8b", "hardware": "h100-sxm", **spec})


def test_unknown_model_suggests_nearest() -> None:
    with pytest.raises(UnknownNameError) as info:
        _est(model="llama-3-8c")
    assert "llama-3-8b" in info.value.suggestions


def test_unknown_hardware_suggests_nearest() -> None:
    with pytest.raises(UnknownNameError) as info:
        _est(hardware="rtx-4909")
    assert "rtx-4090" in str(info.value)


def test_unknown_precision_lists_accepted() -> None:
    with pytest.raises(UnknownNameError, match="q4_k_m"):
        _est(precision="q4_k_n")


def test_missing_hardware() -> None:
    with pytest.raises(InputError, match="hardware is required"):
        estimate({"model": "llama-3-8b"})


def test_fp8_on_t4_is_an_error_for_llama_style_engines() -> None:
    with pytest.raises(NotSupportedError, match="fp8"):
        _est(hardware="t4", precision="fp8", engine="transformers")


def test_fp8_on_t4_with_vllm_is_an_error_too() -> None:
    # vLLM's weight-only fp8 (Marlin) needs Ampere or newer
    with pytest.raises(NotSupportedError, match="fp8"):
        _est(hardware="t4", precision="fp8", engine="vllm")


def test_fp8_on_ampere_with_vllm_falls_back_to_weight_only() -> None:
    est = _est(hardware="a100-sxm-80gb", precision="fp8", engine="vllm")
    assert any("weight-only" in a for a in est.assumptions)


def test_bf16_on_t4_falls_back_to_fp16() -> None:
    est = _est(model="llama-3.2-1b", hardware="t4", precision="bf16", engine="vllm")
    assert est.workload.precision == "fp16"
    assert any("no bf16" in a for a in est.assumptions)


def test_gguf_quant_with_vllm() -> None:
    with pytest.raises(NotSupportedError, match=r"q4_k_m cannot be loaded by vllm"):
        _est(precision="q4_k_m", engine="vllm")


def test_exl2_outside_exllamav2() -> None:
    with pytest.raises(NotSupportedError, match="exllamav2"):
        _est(precision="exl2-4.65", engine="llama.cpp")


def test_tensor_parallel_3_with_32_heads() -> None:
    with pytest.raises(NotSupportedError, match=r"does not divide .* 32 attention heads"):
        _est(devices=3, engine="vllm", precision="bf16", parallelism={"tensor": 3})


def test_tensor_times_pipeline_must_divide_devices() -> None:
    with pytest.raises(NotSupportedError, match="does not divide devices"):
        _est(devices=6, engine="vllm", precision="bf16", parallelism={"tensor": 4})


def test_fewer_devices_than_tensor_times_pipeline() -> None:
    with pytest.raises(NotSupportedError, match="needs at least 8 devices"):
        _est(devices=4, engine="vllm", precision="bf16", parallelism={"tensor": 4, "pipeline": 2})


def test_explicit_data_must_match_devices() -> None:
    with pytest.raises(NotSupportedError, match="must be equal"):
        _est(devices=8, engine="vllm", precision="bf16", parallelism={"tensor": 2, "data": 2})


def test_memory_config_not_sold() -> None:
    with pytest.raises(InputError, match="accepted memory_gb"):
        _est(hardware="m2-ultra-76c", memory_gb=100)


def test_qlora_needs_a_4bit_base() -> None:
    with pytest.raises(NotSupportedError, match="qlora needs a 4-bit"):
        _est(task="finetune", precision="bf16", finetune={"method": "qlora"})


def test_lora_on_a_gguf_quant() -> None:
    with pytest.raises(NotSupportedError, match="trains on float weights"):
        _est(task="finetune", precision="q4_k_m", finetune={"method": "lora"})


def test_image_task_on_a_text_model() -> None:
    with pytest.raises(NotSupportedError, match="text model"):
        _est(task="image")


def test_text_task_on_a_diffusion_model() -> None:
    with pytest.raises(NotSupportedError, match="diffusion model"):
        _est(model="sdxl")


def test_mlx_off_apple() -> None:
    with pytest.raises(NotSupportedError, match="only on Apple"):
        _est(engine="mlx")


def test_vllm_on_apple() -> None:
    with pytest.raises(NotSupportedError, match="does not run on Apple"):
        _est(hardware="m2-ultra-76c", engine="vllm")


def test_inference_engine_for_training() -> None:
    with pytest.raises(NotSupportedError, match="inference engine"):
        _est(task="finetune", engine="vllm")


def test_llama_kv_format_on_vllm() -> None:
    with pytest.raises(NotSupportedError, match="kv_cache q8_0"):
        _est(engine="vllm", precision="bf16", kv_cache="q8_0")


def test_fp8_kv_on_llama_cpp() -> None:
    with pytest.raises(NotSupportedError, match="kv_cache fp8"):
        _est(engine="llama.cpp", precision="q4_k_m", kv_cache="fp8")


def test_zero_for_inference() -> None:
    with pytest.raises(NotSupportedError, match="training"):
        _est(devices=2, engine="vllm", precision="bf16", parallelism={"zero": 2})


def test_negative_numbers_rejected_by_the_schema() -> None:
    with pytest.raises(InputError, match=r"devices: input should be greater than .* given -1"):
        _est(devices=-1)
    with pytest.raises(InputError, match=r"inference\.prompt_tokens: .* given -5"):
        _est(inference={"prompt_tokens": -5})


def test_context_past_the_trained_window_is_noted() -> None:
    est = _est(
        model="llama-2-7b",
        precision="q4_k_m",
        engine="llama.cpp",
        inference={"prompt_tokens": 8000, "output_tokens": 192},
    )
    assert any("exceeds" in a and "4096" in a for a in est.assumptions)
    assert est.memory.kv_cache_gb == pytest.approx(2 * 32 * 4096 * 2 * 8192 / 1e9, abs=0.001)
