"""Fuzz the library's entry points with workload dicts and plan constraints."""

from __future__ import annotations

from typing import Any

import pytest
from fuzzcheck import assert_finite, only_own_errors
from hypothesis import given
from strategies import plan_constraints, workload

import spicetrader
from conftest import FuzzCounts, examples
from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@examples(250)
@given(spec=workload)
def test_estimate_any_workload_dict(
    spec: dict[str, Any], catalog: Catalog, fuzz_counts: FuzzCounts
) -> None:
    fuzz_counts["library: estimate"] += 1
    result = only_own_errors(lambda: spicetrader.estimate(spec, catalog))
    if result is not None:
        assert_finite(result.to_dict())
        assert result.memory.per_device_gb >= 0


@examples(25)
@given(spec=workload, constraints=plan_constraints)
def test_plan_any_workload_dict(
    spec: dict[str, Any], constraints: dict[str, Any], catalog: Catalog, fuzz_counts: FuzzCounts
) -> None:
    fuzz_counts["library: plan"] += 1
    result = only_own_errors(lambda: spicetrader.plan(spec, catalog, **constraints))
    if result is not None:
        for option in result.options:
            assert option.cost_usd is None or option.cost_usd >= 0
