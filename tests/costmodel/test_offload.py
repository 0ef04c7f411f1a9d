"""llama.cpp partial offload: the split arithmetic pinned to hand-computed cases, the two-device
decode sum, and what offload refuses."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicetrader.costmodel import estimate
from spicetrader.costmodel.offload import (
    Device,
    LayerBytes,
    auto_gpu_layers,
    decode_side_s,
    placement,
    prefill_s,
)
from spicetrader.errors import NotSupportedError

# 4 layers of 10 B weights and 1 B KV each, a 5 B embedding, a 3 B untied head.
LB = LayerBytes(total_layers=4, layer=10.0, kv_layer=1.0, embedding=5.0, head=3.0, head_tied=False)


def test_two_layers_on_the_gpu_by_hand() -> None:
    sp = placement(LB, 2, gpu_fixed=2.0, host_fixed=1.0)
    assert sp.gpu_bytes == 2 * 10 + 2 * 1 + 2  # layers + their KV + fixed; head stays home
    assert sp.host_bytes == 5 + (2 * 10 + 3) + 2 * 1 + 1  # embedding + layers + head + KV + fixed
    assert (sp.gpu_weights, sp.host_weights) == (20.0, 23.0)  # the embedding is only looked up


def test_head_moves_to_the_gpu_only_with_every_layer() -> None:
    sp = placement(LB, 4, gpu_fixed=2.0, host_fixed=1.0)
    assert sp.gpu_bytes == 4 * 10 + 3 + 4 * 1 + 2
    assert sp.host_bytes == 5 + 1  # the embedding table and the host buffer
    assert sp.host_weights == 0.0


def test_a_tied_head_on_the_host_is_the_embedding_itself() -> None:
    tied = LayerBytes(4, 10.0, 1.0, embedding=5.0, head=5.0, head_tied=True)
    sp = placement(tied, 1, gpu_fixed=0.0, host_fixed=0.0)
    assert sp.host_bytes == 5 + 3 * 10 + 3 * 1  # no second copy in RAM...
    assert sp.host_weights == 3 * 10 + 5  # ...but the output matmul still reads it


@pytest.mark.parametrize(
    ("capacity", "layers"),
    [(1.0, 0), (30.0, 2), (46.0, 3), (47.0, 4), (1000.0, 4)],
)
def test_auto_layer_count_by_hand(capacity: float, layers: int) -> None:
    # room = capacity - 2; 11 B per layer; all 4 need 44 + the 3 B head = 47 B of room
    assert auto_gpu_layers(LB, capacity + 2.0, gpu_fixed=2.0) == layers


def test_decode_side_is_roofline_plus_layer_overhead() -> None:
    dev = Device(bw=100.0, flops=1e6, layer_overhead_s=0.01)
    # weights 50 B / 100 B/s + KV 10 B / 100 B/s + 3 layers x 10 ms (FLOPs negligible)
    assert decode_side_s(dev, 3, 50.0, 10.0, 1.0, 1.0) == pytest.approx(0.5 + 0.1 + 0.03)
    assert decode_side_s(dev, 0, 0.0, 0.0, 0.0, 0.0) == 0.0


def test_prefill_ships_host_weights_once_per_micro_batch() -> None:
    gpu = Device(bw=1e12, flops=1e15, layer_overhead_s=0.0)
    cpu = Device(bw=1e11, flops=1e12, layer_overhead_s=0.0)
    sp = placement(LB, 2, 0.0, 0.0)  # 23 B of host weights
    link = 1.0  # B/s: the transfer dominates everything else
    assert prefill_s(gpu, cpu, 1024, sp, 4, 0.0, 0.0, link) == pytest.approx(2 * 23.0, rel=1e-6)
    assert prefill_s(gpu, cpu, 512, sp, 4, 0.0, 0.0, link) == pytest.approx(23.0, rel=1e-6)


OFFLOAD_70B = {
    "model": "llama-3-70b",
    "hardware": "rtx-4090",
    "precision": "q4_k_m",
    "offload": {"gpu_layers": "auto", "cpu": "ryzen-9-7950x", "host_memory_gb": 64},
}


def test_70b_on_a_4090_splits_and_decodes_at_a_few_tokens_per_second() -> None:
    est = estimate(OFFLOAD_70B)
    split = est.offload
    assert est.fits
    assert split is not None
    assert est.inference is not None
    assert 0 < split.gpu_layers < split.total_layers == 80
    assert split.gpu_gb <= split.gpu_capacity_gb
    assert split.host_gb <= split.host_capacity_gb
    # ~40 GB of q4_k_m weights: about 25 GB on the GPU, the rest in RAM
    assert 35 < split.gpu_gb + split.host_gb < 50
    assert split.decode_gpu_s is not None
    assert split.decode_cpu_s is not None
    step = split.decode_gpu_s + split.decode_cpu_s
    assert 1.0 / est.inference.decode_tokens_per_s == pytest.approx(step)  # the two-device sum
    # people report ~1.5-3 tok/s; the slow side dominates
    assert 1.5 <= est.inference.decode_tokens_per_s <= 3.5
    assert split.decode_cpu_s > 5 * split.decode_gpu_s
    # the CPU side by hand: its weights at 83.2 GB/s x 0.79 plus 269 us per host layer
    host_layers = 80 - split.gpu_layers
    layer_gb = (est.memory.weights_gb) / split.gpu_layers
    by_hand = host_layers * layer_gb / (83.2 * 0.79) + host_layers * 269e-6
    assert split.decode_cpu_s == pytest.approx(by_hand, rel=0.1)  # + head and KV reads


def test_more_layers_on_the_gpu_decode_faster() -> None:
    speeds = []
    for n in (0, 20, 40):
        wl = {**OFFLOAD_70B, "offload": {**OFFLOAD_70B["offload"], "gpu_layers": n}}
        inference = estimate(wl).inference
        assert inference is not None
        assert inference.decode_tokens_per_s is not None
        speeds.append(inference.decode_tokens_per_s)
    assert speeds == sorted(speeds)


def test_a_model_that_fits_the_gpu_is_the_plain_estimate() -> None:
    wl = {"model": "llama-3-8b", "hardware": "rtx-4090", "offload": {"gpu_layers": "auto"}}
    est = estimate(wl)
    plain = estimate({"model": "llama-3-8b", "hardware": "rtx-4090"})
    assert est.offload is not None
    assert est.offload.gpu_layers == 32
    assert est.inference == plain.inference
    assert est.offload.cpu == "ryzen-9-7950x"  # the stated default desktop
    assert est.offload.decode_cpu_s == 0.0


def test_too_little_host_ram_does_not_fit_and_has_no_speed() -> None:
    wl = {**OFFLOAD_70B, "offload": {**OFFLOAD_70B["offload"], "host_memory_gb": 16}}
    est = estimate(wl)
    assert est.fits is False
    assert est.inference is None
    assert est.bound.value == "memory-capacity"
    assert est.offload is not None
    assert est.offload.host_gb > est.offload.host_capacity_gb


@pytest.mark.parametrize(
    ("update", "words"),
    [
        ({"engine": "vllm", "precision": "bf16"}, "llama.cpp"),
        ({"hardware": "ryzen-9-9950x"}, "CPU"),
        ({"hardware": "m2-ultra-76c"}, "host RAM"),
        ({"offload": {"cpu": "rtx-3090"}}, "must be a CPU"),
    ],
)
def test_offload_refuses_what_it_does_not_model(update: dict[str, object], words: str) -> None:
    with pytest.raises(NotSupportedError, match=words):
        estimate({**OFFLOAD_70B, **update})


@given(st.integers(min_value=0, max_value=4), st.floats(min_value=0, max_value=100))
def test_split_conserves_every_byte(n: int, fixed: float) -> None:
    sp = placement(LB, n, fixed, fixed)
    total = 4 * 10 + 3 + 4 * 1 + 5 + 2 * fixed
    assert math.isclose(sp.gpu_bytes + sp.host_bytes, total)
