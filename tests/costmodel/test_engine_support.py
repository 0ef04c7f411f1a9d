"""The engine x hardware-family table and the default engine that follows it."""

from __future__ import annotations

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel.defaults import default_engine
from spicetrader.costmodel.engine_support import engine_runs_on, engine_support_table
from spicetrader.models.precision import resolve_precision
from spicetrader.spec.workload import Engine, Task


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_vllm_needs_compute_capability_7() -> None:
    # vLLM's install docs: compute capability 7.0 or higher (V100 is 7.0, P100 is 6.0)
    assert engine_runs_on(Engine.VLLM, "pascal") is False
    assert engine_runs_on(Engine.VLLM, "volta") is True
    assert engine_runs_on(Engine.LLAMA_CPP, "pascal") is True
    assert engine_runs_on(Engine.MLX, "hopper") is None  # not recorded


def test_every_row_names_a_catalog_family(catalog: Catalog) -> None:
    families = {a.family for a in catalog.accelerators.values()}
    assert {family for _, family in engine_support_table()} <= families


def test_default_engine_follows_the_table(catalog: Catalog) -> None:
    fp16 = resolve_precision("fp16")
    for accel in catalog.accelerators.values():
        engine = default_engine(Task.INFERENCE, accel, fp16, 1)
        assert engine_runs_on(engine, accel.family) is not False, accel.id
    p100 = catalog.accelerators["p100"]
    assert default_engine(Task.INFERENCE, p100, fp16, 1) is Engine.LLAMA_CPP


@pytest.mark.parametrize("accelerator", ["dgx-spark", "ryzen-ai-max-395"])
def test_a_unified_memory_desktop_serves_a_gguf_quant_with_llama_cpp(
    catalog: Catalog, accelerator: str
) -> None:
    """The DGX Spark and the Ryzen AI Max (segment "workstation", unified memory) are run as a Mac
    is: an estimate without precision or engine takes q4_k_m in llama.cpp, as the published runs
    on them (C360-C369) did; a discrete workstation card keeps the server default (vLLM)."""
    from spicetrader.costmodel import estimate

    spec = {"model": "llama-3-8b", "task": "inference", "hardware": accelerator}
    desktop = estimate(spec, catalog).workload
    assert catalog.accelerator(accelerator).unified_memory
    assert (desktop.precision, desktop.engine) == ("q4_k_m", Engine.LLAMA_CPP)
    card = estimate({**spec, "hardware": "rtx-6000-ada"}, catalog).workload
    assert not catalog.accelerator("rtx-6000-ada").unified_memory
    assert card.engine is Engine.VLLM


@pytest.mark.parametrize(
    ("hardware", "engine"),
    [("h100-sxm", Engine.VLLM), ("m3-ultra-80c", Engine.LLAMA_CPP), ("rtx-4090", Engine.LLAMA_CPP)],
)
def test_a_quantized_release_is_served_as_released(
    catalog: Catalog, hardware: str, engine: Engine
) -> None:
    """gpt-oss ships MXFP4 experts (its model card; the only GGUF is the MXFP4 file): with no
    precision given it is served as released, in vLLM on a datacenter GPU and in llama.cpp
    locally (as Ollama ships it), not re-quantized to q4_k_m or int4."""
    from spicetrader.costmodel import estimate
    from spicetrader.spec.workload import Workload

    est = estimate(Workload(model="gpt-oss-20b", hardware=hardware), catalog)
    assert est.workload.precision == "mxfp4"
    assert est.workload.engine is engine
    assert any("released in" in note for note in est.assumptions)
    # a 16-bit release keeps the usual default
    dense = estimate(Workload(model="llama-3.1-8b", hardware=hardware), catalog)
    assert dense.workload.precision in ("bf16", "q4_k_m")


@pytest.mark.parametrize(
    ("hardware", "precision"),
    [("h200-sxm", "fp8"), ("b200", "fp8"), ("a100-sxm-80gb", "bf16"), ("m3-ultra-80c", "q4_k_m")],
)
def test_an_fp8_release_is_served_in_fp8_where_the_chip_has_fp8(
    catalog: Catalog, hardware: str, precision: str
) -> None:
    """DeepSeek-R1 ships FP8 weights (its config.json quantization_config) and its vLLM/SGLang
    recipes serve them as they are on FP8 GPUs; without FP8 tensor cores (A100) the usual default
    stands, and a Mac runs a GGUF quant."""
    from spicetrader.costmodel.defaults import default_precision
    from spicetrader.spec.workload import Workload

    workload = Workload(model="deepseek-r1", hardware=hardware)
    assert default_precision(workload, catalog.accelerators[hardware], "fp8")[0] == precision
