"""Invariants of the memory model (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel.fit import size
from spicetrader.costmodel.memory import inference_parts
from spicetrader.costmodel.resolve import resolve
from spicetrader.spec.workload import Workload

TEXT_MODELS = [
    "llama-2-7b",
    "llama-3-8b",
    "mistral-7b",
    "mixtral-8x7b",
    "qwen2.5-7b",
    "gemma-2-9b",
    "deepseek-v3",
    "gpt-oss-20b",
    "phi-3-mini",
]
# the k-quant ladder in increasing bits (q4_0 vs q4_k_m: same base bits, different tensor mixes)
GGUF = ["q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k", "q8_0", "fp16"]
HARDWARE = ["rtx-4090", "rtx-3090", "a100-sxm-80gb", "h100-sxm", "l4", "t4"]


def _setup(model: str, precision: str, hardware: str = "h100-sxm", devices: int = 1) -> object:
    wl = Workload(
        model=model, hardware=hardware, precision=precision, engine="llama.cpp", devices=devices
    )
    return resolve(wl, load_catalog()).setup


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(TEXT_MODELS), st.integers(1, 64), st.integers(1, 64), st.integers(1, 32768))
def test_memory_monotone_in_batch(model: str, b1: int, b2: int, context: int) -> None:
    setup = _setup(model, "q4_k_m")
    lo, hi = sorted((b1, b2))
    assert inference_parts(setup, lo, context).total <= inference_parts(setup, hi, context).total  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(TEXT_MODELS),
    st.integers(1, 16),
    st.integers(1, 200_000),
    st.integers(1, 200_000),
)
def test_memory_monotone_in_context(model: str, batch: int, c1: int, c2: int) -> None:
    setup = _setup(model, "q8_0")
    lo, hi = sorted((c1, c2))
    assert inference_parts(setup, batch, lo).total <= inference_parts(setup, batch, hi).total  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(TEXT_MODELS), st.sampled_from(GGUF), st.sampled_from(GGUF))
def test_memory_monotone_in_bits(model: str, p1: str, p2: str) -> None:
    if GGUF.index(p1) > GGUF.index(p2):
        p1, p2 = p2, p1
    small = inference_parts(_setup(model, p1), 1, 4096).total  # type: ignore[arg-type]
    large = inference_parts(_setup(model, p2), 1, 4096).total  # type: ignore[arg-type]
    assert small <= large


WORKLOADS = st.fixed_dictionaries(
    {
        "model": st.sampled_from(TEXT_MODELS[:5]),
        "task": st.sampled_from(["inference", "finetune"]),
        "hardware": st.sampled_from(["m1-max-24c", "m2-ultra-76c", "m3-max-40c", "dgx-spark"]),
    }
)


@settings(max_examples=40, deadline=None)
@given(WORKLOADS)
def test_more_memory_never_makes_it_not_fit(spec: dict[str, str]) -> None:
    catalog = load_catalog()
    accel = catalog.accelerator(spec["hardware"])
    configs = sorted(accel.memory_configs_gb or (accel.memory_gb,))
    verdicts = []
    for memory in configs:
        wl = Workload.model_validate({**spec, "memory_gb": memory})
        verdicts.append(size(resolve(wl, catalog)).fits)
    # once it fits, every larger configuration fits too
    first = verdicts.index(True) if True in verdicts else len(verdicts)
    assert all(verdicts[first:])


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["llama-2-7b", "llama-3-8b", "llama-2-70b", "mixtral-8x7b"]),
    st.sampled_from([0, 1, 2, 3]),
    st.sampled_from(["full", "lora", "qlora"]),
    st.sampled_from([1, 2, 4, 8]),
)
def test_more_devices_never_raise_per_device_memory(
    model: str, zero: int, method: str, devices: int
) -> None:
    catalog = load_catalog()
    precision = "nf4" if method == "qlora" else "bf16"

    def per_device(n: int) -> float:
        wl = Workload.model_validate(
            {
                "model": model,
                "task": "finetune",
                "hardware": "a100-sxm-80gb",
                "devices": n,
                "precision": precision,
                "engine": "transformers",
                "parallelism": {"zero": zero},
                "finetune": {"method": method},
            }
        )
        return size(resolve(wl, catalog)).parts.total

    assert per_device(2 * devices) <= per_device(devices) + 1e-6


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["llama-2-7b", "llama-3-8b", "mistral-7b"]),
    st.sampled_from(["adamw", "adamw-8bit", "paged-adamw-8bit"]),
    st.floats(1.0, 200.0),
    st.floats(1.0, 200.0),
)
def test_more_capacity_never_makes_training_not_fit(
    model: str, optimizer: str, cap1: float, cap2: float
) -> None:
    from dataclasses import replace

    from spicetrader.costmodel.fit import fits
    from spicetrader.costmodel.memory import training_parts

    wl = Workload.model_validate(
        {
            "model": model,
            "task": "finetune",
            "hardware": "a100-sxm-80gb",
            "precision": "bf16",
            "engine": "transformers",
            "finetune": {"method": "full", "optimizer": optimizer},
        }
    )
    setup = resolve(wl, load_catalog()).setup
    lo, hi = sorted((cap1, cap2))
    small, large = replace(setup, capacity_gb=lo), replace(setup, capacity_gb=hi)
    if fits(training_parts(small), small):
        assert fits(training_parts(large), large)
