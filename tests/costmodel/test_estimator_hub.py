"""The Hugging Face hook: ``estimate(..., fetch_config=...)`` and ``plan(..., fetch_config=...)``
resolve an ``org/name`` model the registry does not know through an injected callable (here a
fake returning the recorded TinyLlama config), fetched once and never over the network."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from spicetrader.costmodel import estimate
from spicetrader.errors import UnknownNameError
from spicetrader.planner import plan

CONFIG = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "hf"
    / "TinyLlama-1.1B-Chat-v1.0.config.json"
)


def _recorded() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CONFIG.read_text(encoding="utf-8"))
    return data


def _fake(config: Mapping[str, Any]) -> tuple[Callable[[str], Mapping[str, Any]], list[str]]:
    calls: list[str] = []

    def fetch(repo_id: str) -> Mapping[str, Any]:
        calls.append(repo_id)
        return config

    return fetch, calls


def test_unknown_repo_is_resolved_through_the_hook_once() -> None:
    fetch, calls = _fake(_recorded())
    first = estimate({"model": "acme-test/tiny-chat", "hardware": "t4"}, fetch_config=fetch)
    again = estimate(
        {"model": "acme-test/tiny-chat", "hardware": "t4", "precision": "q4_k_m"},
        fetch_config=fetch,
    )
    assert calls == ["acme-test/tiny-chat"]  # cached per process: one fetch for both
    assert first.fits
    assert again.fits
    # TinyLlama 1.1B: 1.10e9 parameters (its model card), 2 bytes each in fp16
    assert first.memory.weights_gb == pytest.approx(2.2, rel=0.03)
    assert again.memory.weights_gb < first.memory.weights_gb / 2.5  # ~4.85 of 16 bits


def test_without_the_hook_an_unknown_repo_is_an_unknown_model() -> None:
    with pytest.raises(UnknownNameError, match="acme-test/absent"):
        estimate({"model": "acme-test/absent", "hardware": "t4"})


def test_a_hub_model_that_does_not_fit_still_gets_suggestions() -> None:
    big = {**_recorded(), "num_hidden_layers": 22 * 30}  # ~30x the layers: ~58 GB in fp16
    fetch, _ = _fake(big)
    result = estimate({"model": "acme-test/huge-chat", "hardware": "t4"}, fetch_config=fetch)
    assert not result.fits
    assert any("x t4" in s for s in result.suggestions), result.suggestions


def test_plan_passes_the_hook_to_every_estimate_and_fetches_once() -> None:
    fetch, calls = _fake(_recorded())
    result = plan({"model": "acme-test/plan-chat"}, only="rent", fetch_config=fetch)
    assert calls == ["acme-test/plan-chat"]
    assert result.recommendation.option is not None
    assert all(o.estimate.workload.model == "acme-test/plan-chat" for o in result.options)


def test_plan_without_the_hook_fails_before_estimating() -> None:
    with pytest.raises(UnknownNameError, match="acme-test/absent"):
        plan({"model": "acme-test/absent"}, only="rent")
