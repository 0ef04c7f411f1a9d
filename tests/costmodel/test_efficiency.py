"""Efficiency data and roofline helpers: strict data, sensible lookups, datasheet peaks."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spicetrader.catalog.csvload import parse_rows
from spicetrader.catalog.load import load_catalog
from spicetrader.catalog.schema import Accelerator, Interconnect
from spicetrader.costmodel.context import Confidence
from spicetrader.costmodel.efficiency import (
    EFFICIENCY_COLUMNS,
    EfficiencyRow,
    SpeedTask,
    WeightsKind,
    efficiency_rows,
    interconnect_row,
    lookup,
    parse_efficiency,
    speed_constants,
)
from spicetrader.costmodel.roofline import (
    ComputeDtype,
    allreduce_s,
    gather_s,
    parse_compute_dtype,
    peak_flops,
)
from spicetrader.errors import CatalogDataError
from spicetrader.spec.workload import Engine


def _accel(name: str) -> Accelerator:
    return load_catalog().accelerator(name)


def test_every_row_names_its_calibration_and_stays_below_the_roofline() -> None:
    rows = efficiency_rows()
    assert rows
    for row in rows:
        assert 0 < row.bw_efficiency <= 1
        assert 0 < row.compute_efficiency <= 1
        assert row.calibration.strip()
        if row.calibration.startswith("prior"):
            assert row.confidence is not Confidence.HIGH, row


def test_a_bad_row_names_file_line_and_field() -> None:
    header = ",".join(EFFICIENCY_COLUMNS)
    text = header + "\ninference,llama.cpp,ada,float,1.7,0.5,10,true,high,fitted,2026-11\n"
    with pytest.raises(CatalogDataError) as info:
        parse_rows(text, EfficiencyRow, EFFICIENCY_COLUMNS, "efficiency.csv")
    assert "efficiency.csv:2" in str(info.value)
    assert "bw_efficiency" in str(info.value)


def test_lookup_prefers_the_family_row_and_marks_borrowed_rows_low_confidence() -> None:
    ada = lookup(SpeedTask.INFERENCE, Engine.LLAMA_CPP, _accel("rtx-4090"), WeightsKind.QUANTIZED)
    assert ada.exact
    assert (ada.row.engine, ada.row.hardware, ada.row.weights) == ("llama.cpp", "ada", "quantized")
    amd = lookup(SpeedTask.INFERENCE, Engine.LLAMA_CPP, _accel("rx-7900-xtx"), WeightsKind.FLOAT)
    assert not amd.exact
    assert amd.confidence is Confidence.LOW
    assert "no measurement backs" in amd.assumption(Engine.LLAMA_CPP, _accel("rx-7900-xtx"))


def test_a_misspelt_engine_or_a_duplicate_row_is_rejected() -> None:
    header = ",".join(EFFICIENCY_COLUMNS)
    row = "inference,llama.cpp,ada,float,0.9,0.5,10,true,high,fitted,2026-11"
    with pytest.raises(CatalogDataError) as info:
        parse_efficiency(f"{header}\n{row.replace('llama.cpp', 'llama.cp')}\n", "e.csv")
    assert "e.csv:2" in str(info.value)
    assert "llama.cpp" in str(info.value)  # the accepted names are listed
    with pytest.raises(CatalogDataError, match="duplicate"):
        parse_efficiency(f"{header}\n{row}\n{row}\n", "e.csv")


def test_ollama_uses_the_llama_cpp_rows() -> None:
    accel = _accel("rtx-3090")
    ollama = lookup(SpeedTask.INFERENCE, Engine.OLLAMA, accel, WeightsKind.QUANTIZED)
    llama = lookup(SpeedTask.INFERENCE, Engine.LLAMA_CPP, accel, WeightsKind.QUANTIZED)
    assert ollama.row == llama.row


@settings(max_examples=60, deadline=None)
@given(
    task=st.sampled_from(list(SpeedTask)),
    engine=st.sampled_from(list(Engine)),
    weights=st.sampled_from([WeightsKind.FLOAT, WeightsKind.QUANTIZED]),
    index=st.integers(min_value=0, max_value=10_000),
)
def test_every_engine_on_every_accelerator_finds_a_row(
    task: SpeedTask, engine: Engine, weights: WeightsKind, index: int
) -> None:
    accels = sorted(load_catalog().accelerators.values(), key=lambda a: a.id)
    accel = accels[index % len(accels)]
    match = lookup(task, engine, accel, weights)
    assert match.row.task is task


def test_constants_and_links_load() -> None:
    consts = speed_constants()
    assert 0 <= consts.comm_overlap <= 1
    for link in Interconnect:
        assert interconnect_row(link).bw_efficiency <= 1
    assert (
        interconnect_row(None).allreduce_latency_us
        > interconnect_row(Interconnect.NVLINK).allreduce_latency_us
    )


def test_peak_rates_come_from_the_datasheet() -> None:
    h100 = _accel("h100-sxm")
    assert peak_flops(h100, ComputeDtype.FP8).flops_per_s == pytest.approx(1979e12)
    assert peak_flops(h100, ComputeDtype.BF16).flops_per_s == pytest.approx(989e12)
    # GeForce: FP16 accumulate doubles the tensor rate (Ada whitepaper: 330.3 vs 165.2 TFLOPS).
    rtx = _accel("rtx-4090")
    assert peak_flops(rtx, ComputeDtype.FP16).flops_per_s == pytest.approx(165.2e12)
    assert peak_flops(rtx, ComputeDtype.FP16, fp16_accumulate=True).flops_per_s == pytest.approx(
        330.3e12
    )
    assert peak_flops(rtx, ComputeDtype.BF16, fp16_accumulate=True).flops_per_s == pytest.approx(
        165.2e12
    )
    # fp32 runs on TF32 tensor cores where they exist (A100: 156 TFLOPS), else plain fp32.
    assert peak_flops(_accel("a100-sxm-80gb"), ComputeDtype.FP32).flops_per_s == pytest.approx(
        156e12
    )
    assert peak_flops(_accel("t4"), ComputeDtype.FP32).flops_per_s == pytest.approx(8.1e12)


def test_fp8_on_a_t4_falls_back_to_fp16_and_says_so() -> None:
    peak = peak_flops(_accel("t4"), ComputeDtype.FP8)
    assert peak.flops_per_s == pytest.approx(65e12)
    assert "fp16" in peak.note


def test_compute_dtype_parsing() -> None:
    assert parse_compute_dtype("BF16") is ComputeDtype.BF16
    assert parse_compute_dtype("float16") is ComputeDtype.FP16
    assert parse_compute_dtype("nvfp4") is ComputeDtype.FP4


def test_ring_allreduce_moves_two_n_minus_one_over_n_of_the_message() -> None:
    assert allreduce_s(1e9, 1, 1e11, 1e-5) == 0.0
    # 8 ranks, 1 GB over 100 GB/s: 2 * 7/8 * 10 ms + a tree latency of log2(8) = 3 hops.
    assert allreduce_s(1e9, 8, 1e11, 1e-5) == pytest.approx(3e-5 + 0.0175)
    assert gather_s(1e9, 8, 1e11, 0.0) == pytest.approx(0.00875)


def test_small_message_latency_grows_with_the_tree_depth() -> None:
    """A one-token all-reduce is latency-bound: 2 -> 4 -> 8 ranks add one tree level each."""
    two, four, eight = (allreduce_s(8192.0, n, 1e11, 1e-5) for n in (2, 4, 8))
    assert four - two == pytest.approx(1e-5, rel=0.05)
    assert eight - four == pytest.approx(1e-5, rel=0.05)


@settings(max_examples=50, deadline=None)
@given(
    size=st.floats(min_value=1.0, max_value=1e12),
    ranks=st.integers(min_value=2, max_value=1024),
    bw=st.floats(min_value=1e9, max_value=1e12),
)
def test_allreduce_never_beats_the_link(size: float, ranks: int, bw: float) -> None:
    t = allreduce_s(size, ranks, bw, 0.0)
    assert t >= size / bw  # at least the whole message through one link (2(n-1)/n >= 1)
    assert math.isfinite(t)


def test_a_row_without_an_iso_as_of_is_rejected() -> None:
    header = ",".join(EFFICIENCY_COLUMNS)
    row = "inference,llama.cpp,ada,float,0.9,0.5,10,true,high,fitted,last week"
    with pytest.raises(CatalogDataError) as info:
        parse_rows(f"{header}\n{row}\n", EfficiencyRow, EFFICIENCY_COLUMNS, "efficiency.csv")
    assert "efficiency.csv:2" in str(info.value)
    assert "as_of" in str(info.value)
