"""Training time off the accelerator (CPU offload, paged optimizers) and QLoRA dequantization,
pinned to their formulas through ``estimate()``."""

from __future__ import annotations

from typing import Any

import pytest

from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.costmodel import training as training_module
from spicetrader.costmodel.efficiency import speed_constants
from spicetrader.costmodel.training_host import dequant_seconds
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import resolve_model

OFFLOAD_70B = {
    "model": "llama-3.1-70b",
    "task": "finetune",
    "precision": "bf16",
    "engine": "torchtune",
    "hardware": "a100-sxm-80gb",
    "devices": 8,
    "parallelism": {"offload": "cpu"},
    "finetune": {"method": "full", "seq_len": 2048, "micro_batch": 2},
}
FULL_8B_4090 = {
    "model": "llama-3.1-8b",
    "task": "finetune",
    "precision": "bf16",
    "engine": "torchtune",
    "hardware": "rtx-4090",
    "devices": 1,
    "finetune": {"method": "full", "seq_len": 2048, "micro_batch": 2},
}


def _step_s(workload: dict[str, Any]) -> float:
    return float(estimate(workload).to_dict()["training"]["step_s"])


def _with_constants(monkeypatch: pytest.MonkeyPatch, **update: float) -> None:
    changed = speed_constants().model_copy(update=update)
    monkeypatch.setattr(training_module, "speed_constants", lambda: changed)


def test_cpu_offload_pays_the_cpu_adamw_step_through_host_dram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = speed_constants().host_memory_gbs
    slow = _step_s(OFFLOAD_70B)
    _with_constants(monkeypatch, host_memory_gbs=2 * base)
    fast = _step_s(OFFLOAD_70B)
    params = resolve_model("llama-3.1-70b").total_params()
    # 8 ranks on one host, each stepping its 1/8: the host streams all parameters once;
    # per parameter read weights + grads + states, write weights + states: 2*2 + 2 + 2*8 B
    cpu_s = params * (2 * 2 + 2 + 2 * 8) / (base * 1e9)
    assert slow - fast == pytest.approx(cpu_s / 2, rel=1e-6)


def test_fsdp_offload_copies_the_shard_up_twice_and_the_gradients_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = speed_constants().offload_link_gbs
    slow = _step_s(OFFLOAD_70B)
    _with_constants(monkeypatch, offload_link_gbs=2 * link)
    fast = _step_s(OFFLOAD_70B)
    shard = resolve_model("llama-3.1-70b").total_params() / 8 * 2.0  # bf16 bytes per rank
    assert slow - fast == pytest.approx(3 * shard / (link * 1e9) / 2, rel=1e-6)


def test_a_paged_optimizer_pays_the_states_that_do_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    est = estimate(FULL_8B_4090).to_dict()
    assert any("paged optimizer" in a for a in est["assumptions"])
    states = 2.0 * resolve_model("llama-3.1-8b").total_params()  # 8-bit m and v
    paged = states - est["memory"]["optimizer_gb"] * 1e9
    assert paged > 0
    link = speed_constants().offload_link_gbs
    slow = float(est["training"]["step_s"])
    _with_constants(monkeypatch, offload_link_gbs=2 * link)
    fast = _step_s(FULL_8B_4090)
    assert slow - fast == pytest.approx(2 * paged / (link * 1e9) / 2, rel=1e-6)


def test_a_paged_optimizer_that_fits_costs_nothing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    roomy = {**FULL_8B_4090, "hardware": "h100-sxm"}
    est = estimate(roomy).to_dict()
    assert not any("paged optimizer" in a for a in est["assumptions"])
    before = float(est["training"]["step_s"])
    _with_constants(monkeypatch, offload_link_gbs=2 * speed_constants().offload_link_gbs)
    assert _step_s(roomy) == pytest.approx(before)


def test_dequantization_is_three_memory_bound_passes_with_checkpointing() -> None:
    params, bits, bw = 8e9, 4.0, 1e12
    # read 4-bit codes, write bf16, read bf16 back: 0.5 + 2 + 2 bytes per weight per pass
    assert dequant_seconds(params, bits, True, bw) == pytest.approx(3 * params * 4.5 / bw)
    assert dequant_seconds(params, bits, False, bw) == pytest.approx(2 * params * 4.5 / bw)


def test_qlora_dequantization_is_paid_per_step_not_per_token() -> None:
    qlora = {
        "model": "llama-3.1-8b",
        "task": "finetune",
        "precision": "nf4",
        "engine": "torchtune",
        "hardware": "h100-sxm",
        "devices": 1,
        "finetune": {"method": "qlora", "seq_len": 2048, "micro_batch": 2},
    }
    two = _step_s(qlora)
    four = _step_s({**qlora, "finetune": {**qlora["finetune"], "micro_batch": 4}})
    accel = load_catalog().accelerators["h100-sxm"]
    bits = resolve_precision("nf4").bits_per_weight
    params = resolve_model("llama-3.1-8b").total_params()
    # matmuls scale with the tokens, the dequantization does not: 2 x step(2) - step(4) = dequant
    expected = dequant_seconds(params, bits, True, accel.mem_bw_gbs * 1e9)
    assert 2 * two - four == pytest.approx(expected, rel=1e-6)
