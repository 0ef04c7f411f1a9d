"""A chip unlike the rest of its family gets its own efficiency row (``efficiency.csv``'s
hardware column takes an accelerator id), so its measurements do not move its family's chips:
the DGX Spark's GB10 (sm_121, LPDDR5x, 140 W) is a Blackwell GPU, but not an RTX 5090."""

from __future__ import annotations

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.costmodel.efficiency import SpeedTask, WeightsKind, lookup
from spicetrader.spec.workload import Engine, Workload


def _row_hardware(accelerator: str) -> str:
    accel = load_catalog().accelerator(accelerator)
    match = lookup(SpeedTask.INFERENCE, Engine.LLAMA_CPP, accel, WeightsKind.QUANTIZED)
    return match.row.hardware


def test_the_spark_reads_its_own_row_and_the_rtx_5090_its_familys() -> None:
    catalog = load_catalog()
    assert catalog.accelerator("dgx-spark").family == catalog.accelerator("rtx-5090").family
    assert _row_hardware("dgx-spark") == "dgx-spark"
    assert _row_hardware("rtx-5090") == "blackwell"


def _prefill(hardware: str) -> float:
    spec = Workload.model_validate(
        {"model": "llama-3-8b", "task": "inference", "precision": "q4_k_m",
         "engine": "llama.cpp", "hardware": hardware}
    )  # fmt: skip
    speed = estimate(spec, load_catalog()).inference
    assert speed is not None
    assert speed.prefill_tokens_per_s is not None
    return speed.prefill_tokens_per_s


def test_rtx_5090_prefill_follows_its_peak_over_the_rtx_4090() -> None:
    """No llama.cpp prefill case on a Blackwell GeForce: its compute efficiency is the Ada
    row's, so the card with the higher INT8 tensor peak (838 vs 660 TOPS dense) prefills
    faster; the Spark's slow prompt processing stays on the Spark."""
    catalog = load_catalog()
    ratio = catalog.accelerator("rtx-5090").int8_tops / catalog.accelerator("rtx-4090").int8_tops
    assert ratio > 1
    assert _prefill("rtx-5090") > _prefill("rtx-4090")
    assert _prefill("dgx-spark") < _prefill("rtx-4090")
