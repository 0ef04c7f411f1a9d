"""Tensor-parallel attention reads the KV cache its rank holds: a 1/tensor share while the KV
heads split, more once ranks outnumber them, all of it for MLA (one latent every head reads)."""

from __future__ import annotations

import pytest

from spicetrader.costmodel.memory_kv import kv_rank_share
from spicetrader.costmodel.step import Machine, Work, step_time
from spicetrader.models.arch import Architecture
from spicetrader.models.registry import resolve_model


def _arch(name: str) -> Architecture:
    arch = resolve_model(name)
    assert isinstance(arch, Architecture)
    return arch


def _machine(tensor: int) -> Machine:
    return Machine(
        bw=1e12,
        flops=1e15,
        layer_overhead_s=0.0,
        tensor=tensor,
        pipeline=1,
        link_bytes_per_s=1e11,
        link_latency_s=0.0,
        hop_s=0.0,
        activation_bytes=2.0,
    )


def _attn_memory_s(arch: Architecture, tensor: int) -> float:
    work = Work(weight_bytes=0.0, linear_flops=0.0, kv_bytes=8e9, attention_flops=0.0, tokens=1)
    return step_time(_machine(tensor), arch, work).attn_memory_s


def test_mla_ranks_each_read_the_whole_latent_cache() -> None:
    v3 = _arch("deepseek-v3")
    assert v3.mla is not None
    assert kv_rank_share(v3, 8) == 1.0
    # 8 GB of latent cache read by every one of the 8 ranks at 1 TB/s: 8 ms, not 1 ms
    assert _attn_memory_s(v3, 8) == pytest.approx(8e-3)
    assert _attn_memory_s(v3, 8) == pytest.approx(_attn_memory_s(v3, 1))


def test_gqa_cache_splits_over_ranks_until_they_outnumber_the_kv_heads() -> None:
    llama = _arch("llama-3.1-70b")  # 8 KV heads
    assert llama.kv_heads == 8
    assert kv_rank_share(llama, 4) == pytest.approx(1 / 4)
    assert _attn_memory_s(llama, 4) == pytest.approx(8e-3 / 4)
    assert _attn_memory_s(llama, 8) == pytest.approx(8e-3 / 8)
    # 16 ranks, 8 heads: each head on two ranks, each rank still reads one head's share
    assert _attn_memory_s(llama, 16) == pytest.approx(8e-3 / 8)
