"""Which weights a launch loads, and the launch tables' integrity."""

from __future__ import annotations

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import NotSupportedError
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import resolve_model
from spicetrader.sources.launch_tables import launch_tables
from spicetrader.sources.launch_weights import model_ref, serving_weights
from spicetrader.spec.workload import Engine, Workload

LLAMA_8B = model_ref(Workload(model="llama-3.1-8b"))
LLAMA_70B = model_ref(Workload(model="llama-3-70b"))


@pytest.mark.parametrize(
    ("family", "repo"),
    [
        # vLLM's table: Marlin (compressed-tensors W8A16) from Ampere; INT8 W8A8 from Turing
        ("ampere", "neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w8a16"),
        ("turing", "neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w8a8"),
    ],
)
def test_int8_checkpoint_follows_the_kernels_the_gpu_has(family: str, repo: str) -> None:
    assert serving_weights(LLAMA_8B, "int8", Engine.VLLM, family).repo == repo


def test_int4_on_volta_takes_gptq_not_awq() -> None:
    # AWQ kernels need Turing (SM 7.5); GPTQ runs on Volta (SM 7.0)
    assert serving_weights(LLAMA_8B, "int4", Engine.VLLM, "turing").repo.endswith("AWQ-INT4")
    assert serving_weights(LLAMA_8B, "int4", Engine.VLLM, "volta").repo.endswith("GPTQ-INT4")


def test_volta_int8_is_refused_with_what_was_tried() -> None:
    with pytest.raises(NotSupportedError, match="needs marlin kernels, not on volta"):
        serving_weights(LLAMA_8B, "int8", Engine.VLLM, "volta")


def test_fp8_prefers_the_published_checkpoint_and_falls_back_to_the_flag() -> None:
    published = serving_weights(LLAMA_70B, "fp8", Engine.VLLM, "hopper")
    assert (published.repo, published.flags) == ("RedHatAI/Meta-Llama-3-70B-Instruct-FP8", ())
    unknown = model_ref(Workload(model="my-org/llm"))
    flagged = serving_weights(unknown, "fp8", Engine.VLLM, "ada")
    assert (flagged.repo, flagged.flags) == ("my-org/llm", ("--quantization", "fp8"))
    with pytest.raises(NotSupportedError, match="needs fp8 kernels, not on turing"):
        serving_weights(unknown, "fp8", Engine.VLLM, "turing")  # T4: no FP8 in vLLM


def test_gguf_takes_the_planned_quant_file() -> None:
    weights = serving_weights(LLAMA_70B, "q4_k_m", Engine.LLAMA_CPP, "apple-m2")
    assert (weights.repo, weights.gguf_quant) == ("bartowski/Meta-Llama-3-70B-Instruct-GGUF",
                                                  "Q4_K_M")  # fmt: skip


def test_chat_serves_instruct_and_finetunes_start_from_base() -> None:
    assert LLAMA_8B.chat_repo == "meta-llama/Llama-3.1-8B-Instruct"
    assert LLAMA_8B.base_repo == "meta-llama/Llama-3.1-8B"
    assert "Instruct" in LLAMA_8B.variant


def test_tables_name_real_things(catalog: Catalog) -> None:
    tables = launch_tables()
    families = {a.family for a in catalog.accelerators.values()}
    assert set().union(*tables.kernels.values()) <= families
    for name in tables.models:
        assert resolve_model(name).id == name  # keyed by catalog model ids
    free_ids = {t.id for t in catalog.free_tiers}
    assert set(tables.free_tiers) <= free_ids
    for row in tables.checkpoints:
        assert row.model in tables.models, row.repo
        resolve_precision(row.precision, row.engine)  # a precision the cost model knows
        assert row.source.startswith("https://"), row.repo
        assert (row.gguf_quant != "") == (row.engine is Engine.LLAMA_CPP), row.repo
    for flag in tables.precision_flags:
        resolve_precision(flag.precision)
        assert flag.flags.split()[0] in tables.engine_flags[_program(flag.engine)]


def _program(engine: Engine) -> str:
    return {Engine.VLLM: "vllm serve", Engine.LLAMA_CPP: "convert_hf_to_gguf.py"}[engine]


def test_in_flight_int4_says_it_is_slower_than_the_estimate_assumes() -> None:
    weights = serving_weights(LLAMA_70B, "int4", Engine.VLLM, "volta")  # no Marlin on Volta
    assert weights.flags == ("--quantization", "bitsandbytes")
    assert "slower kernels than the AWQ/GPTQ the estimate assumes" in weights.note
