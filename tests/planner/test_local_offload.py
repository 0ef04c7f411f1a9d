"""This machine with a GPU too small for the model: the plan tries llama.cpp offload to host RAM
(real catalog and cost model), flags it, and the speed floor decides whether it is usable."""

from __future__ import annotations

from spicetrader.planner import LocalMachine, plan
from spicetrader.planner.constraints import DEFAULT_MIN_DECODE_TOKENS_PER_S

PROBED = "2026-12-03T09:00:00+00:00"
LOCAL = "local:this-machine"


def test_a_70b_on_an_owned_4090_is_offered_offloaded_with_its_speed() -> None:
    machine = LocalMachine(
        hardware="rtx-4090", devices=1, probed_at=PROBED,
        host_cpu="ryzen-9-7950x", host_memory_gb=64,
    )  # fmt: skip
    p = plan({"model": "llama-3-70b", "precision": "q4_k_m"}, local=machine, only="buy")
    mine = p.option(LOCAL)
    assert mine.fits
    est = mine.estimate
    assert est.offload is not None
    assert 0 < est.offload.gpu_layers < est.offload.total_layers
    assert any(n.startswith("offloaded to CPU RAM") for n in mine.notes)
    assert est.inference is not None
    decode = est.inference.decode_tokens_per_s
    assert decode is not None
    # a few tokens per second: below the default serving floor, so not usable for serving
    assert mine.fast_enough is (decode >= DEFAULT_MIN_DECODE_TOKENS_PER_S)
    assert mine.fast_enough is False


def test_without_a_probed_cpu_it_does_not_fit() -> None:
    machine = LocalMachine(hardware="rtx-4090", devices=1, probed_at=PROBED)
    p = plan({"model": "llama-3-70b", "precision": "q4_k_m"}, local=machine, only="buy")
    assert p.option(LOCAL).fits is False


def test_a_machine_without_a_gpu_runs_on_its_cpu() -> None:
    machine = LocalMachine(hardware="ryzen-9-9950x", devices=1, probed_at=PROBED, memory_gb=64)
    p = plan({"model": "llama-3-8b"}, local=machine, only="buy")
    mine = p.option(LOCAL)
    assert mine.fits
    assert mine.estimate.workload.engine is not None
    assert mine.estimate.workload.engine.value == "llama.cpp"
