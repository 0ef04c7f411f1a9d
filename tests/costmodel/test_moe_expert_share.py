"""Decode reads the touched experts through the engine's grouped expert kernels at
``expert_bw_share`` of the dense weights' rate (moe_engines.csv): their bytes count 1/share
times, the dense part and dense models are untouched, and a prefill is not charged it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from spicetrader.costmodel import estimate, inference
from spicetrader.costmodel.moe import expert_bw_share, moe_engine_rows, routed_params
from spicetrader.costmodel.moe import touched_fraction as touched
from spicetrader.models.arch import Architecture
from spicetrader.models.registry import resolve_model
from spicetrader.spec.workload import Engine


@contextmanager
def _share(value: float) -> Iterator[None]:
    original = inference.expert_bw_share
    inference.expert_bw_share = lambda _e, _a=None: value  # type: ignore[assignment]
    try:
        yield
    finally:
        inference.expert_bw_share = original  # type: ignore[assignment]


def _arch(name: str) -> Architecture:
    arch = resolve_model(name)
    assert isinstance(arch, Architecture)
    return arch


def test_touched_experts_count_one_over_the_share() -> None:
    arch = _arch("gpt-oss-120b")
    full = inference.streamed_params(arch, 16)
    half = inference.streamed_params(arch, 16, 0.5)
    touched_experts = routed_params(arch) * touched(arch.experts, arch.experts_per_token, 16)
    assert half - full == pytest.approx(touched_experts)
    dense = _arch("llama-3.1-8b")
    assert inference.streamed_params(dense, 16, 0.5) == inference.streamed_params(dense, 16)


def _speed(model: str, precision: str, share: float) -> dict[str, Any]:
    spec = {
        "model": model,
        "task": "inference",
        "precision": precision,
        "engine": "vllm",
        "hardware": "h100-sxm",
        "inference": {"batch": 4, "prompt_tokens": 1024, "output_tokens": 256},
    }
    with _share(share):
        return dict(estimate(spec).to_dict()["inference"])


def test_a_lower_share_slows_moe_decode_but_not_its_prefill_nor_a_dense_model() -> None:
    fast, slow = _speed("gpt-oss-20b", "mxfp4", 1.0), _speed("gpt-oss-20b", "mxfp4", 0.5)
    assert slow["decode_tokens_per_s"] < 0.9 * fast["decode_tokens_per_s"]
    assert slow["prefill_tokens_per_s"] == pytest.approx(fast["prefill_tokens_per_s"])
    dense = _speed("llama-3.1-8b", "fp8", 1.0), _speed("llama-3.1-8b", "fp8", 0.5)
    assert dense[0]["decode_tokens_per_s"] == pytest.approx(dense[1]["decode_tokens_per_s"])


def test_rows_carry_a_share_in_0_1_and_forks_read_their_kernels_row() -> None:
    rows = moe_engine_rows()
    assert all(0 < row.expert_bw_share <= 1 for row in rows.values())
    assert rows["*"].expert_bw_share == 1.0
    assert expert_bw_share(Engine.OLLAMA) == expert_bw_share(Engine.LLAMA_CPP)
    assert expert_bw_share(Engine.TRANSFORMERS) == rows["*"].expert_bw_share
