"""CPU-only inference: a CPU catalog row runs llama.cpp from system RAM."""

from __future__ import annotations

import pytest

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.errors import NotSupportedError
from spicetrader.units import gib_to_gb


def test_cpu_rows_bandwidth_is_channels_times_8_bytes_times_transfer_rate() -> None:
    accels = load_catalog().accelerators
    # published platform facts: DDR5-5600 dual channel, DDR4-2933 quad, DDR5-4800 12-channel
    assert accels["ryzen-9-9950x"].mem_bw_gbs == pytest.approx(2 * 8 * 5.6)
    assert accels["core-i9-10900x"].mem_bw_gbs == pytest.approx(4 * 8 * 2.933, abs=0.05)
    assert accels["epyc-9654"].mem_bw_gbs == pytest.approx(460.8)


def test_cpu_only_defaults_to_llama_cpp_q4_from_ram_less_the_os() -> None:
    est = estimate({"model": "llama-3-8b", "hardware": "ryzen-9-9950x", "memory_gb": 64})
    assert est.fits
    assert est.workload.engine is not None
    assert est.workload.engine.value == "llama.cpp"
    assert est.workload.precision == "q4_k_m"
    assert est.memory.capacity_gb == pytest.approx(gib_to_gb(64) - 4.0, abs=1e-3)
    assert est.inference is not None
    assert est.inference.decode_tokens_per_s is not None
    # ~4.9 GB of weights at 89.6 GB/s: bounded by bandwidth, well under 89.6 / 4.9 = 18 tok/s
    assert 5 < est.inference.decode_tokens_per_s < 89.6 / 4.9


@pytest.mark.parametrize(
    ("update", "words"),
    [
        ({"engine": "vllm", "precision": "bf16"}, "not modelled on a CPU"),
        ({"task": "finetune"}, "only LLM inference"),
    ],
)
def test_cpu_refuses_other_engines_and_training(update: dict[str, object], words: str) -> None:
    with pytest.raises(NotSupportedError, match=words):
        estimate({"model": "llama-3-8b", "hardware": "ryzen-9-9950x", **update})


def test_cpu_only_says_where_the_time_goes() -> None:
    est = estimate({"model": "llama-3-70b", "hardware": "ryzen-9-7950x", "memory_gb": 64})
    note = next(a for a in est.assumptions if a.startswith("CPU-only: each token streams"))
    assert "83.2 GB/s" in note  # 2 channels x 8 B x 5200 MT/s
    assert "80 layers" in note
    assert est.inference is not None
    assert est.inference.decode_tokens_per_s is not None
    # ~42 GB of q4_k_m weights over 83.2 GB/s: at most 2 tokens/s even at full bandwidth
    assert est.inference.decode_tokens_per_s < 83.2 / 42
