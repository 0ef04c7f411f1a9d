"""Which weights a launch loads, and the launch tables' integrity."""

from __future__ import annotations

import re

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import NotSupportedError
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import resolve_model
from spicetrader.sources.launch_tables import launch_tables
from spicetrader.sources.launch_weights import model_ref, serving_weights
from spicetrader.spec.workload import Engine, Workload

REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")  # a Hugging Face repo id: owner/name
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
    assert serving_weights(LLAMA_70B, "int4", Engine.VLLM, "volta").repo.endswith("w4a16")  # GPTQ
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
    for repos in tables.models.values():
        assert REPO_ID.fullmatch(repos.chat_repo), repos.model
        assert REPO_ID.fullmatch(repos.base_repo), repos.model
        assert repos.source.startswith("https://"), repos.model
    for row in tables.checkpoints:
        assert row.model in tables.models, row.repo
        assert REPO_ID.fullmatch(row.repo), row.repo
        assert row.gguf_quant == row.gguf_quant.upper(), (
            row.repo
        )  # the file's tag as llama.cpp names it
        assert (row.engine is Engine.LLAMA_CPP) == row.repo.upper().endswith("GGUF"), row.repo
        resolve_precision(row.precision, row.engine)  # a precision the cost model knows
        assert row.source.startswith("https://"), row.repo
        assert (row.gguf_quant != "") == (row.engine is Engine.LLAMA_CPP), row.repo
    for flag in tables.precision_flags:
        resolve_precision(flag.precision)
        assert flag.flags.split()[0] in tables.engine_flags[_program(flag.engine)]


def _program(engine: Engine) -> str:
    return {Engine.VLLM: "vllm serve", Engine.LLAMA_CPP: "convert_hf_to_gguf.py"}[engine]


def test_in_flight_int4_says_it_is_slower_than_the_estimate_assumes() -> None:
    unknown = model_ref(Workload(model="my-org/llm"))  # no published int4 checkpoint
    weights = serving_weights(unknown, "int4", Engine.VLLM, "volta")
    assert weights.flags == ("--quantization", "bitsandbytes")
    assert "slower kernels than the AWQ/GPTQ the estimate assumes" in weights.note


GPT_OSS = model_ref(Workload(model="gpt-oss-120b"))


def test_gpt_oss_gguf_is_the_native_mxfp4_file_whatever_4_bit_the_plan_named() -> None:
    # OpenAI released gpt-oss with MXFP4 experts; ggml-org's GGUF is that MXFP4 file, not a k-quant
    assert GPT_OSS.native_precision == "mxfp4"
    for precision in ("mxfp4", "q4_k_m"):
        weights = serving_weights(GPT_OSS, precision, Engine.LLAMA_CPP, "rdna3.5")
        assert (weights.repo, weights.gguf_quant) == ("ggml-org/gpt-oss-120b-GGUF", "MXFP4")
    planned = serving_weights(GPT_OSS, "q4_k_m", Engine.LLAMA_CPP, "rdna3.5")
    assert "the MXFP4 file serves the q4_k_m plan" in planned.what
    assert "no true Q4_K_M" in planned.note


def test_gpt_oss_is_not_requantized_by_an_engine_flag() -> None:
    # --quantization fp8 / bitsandbytes on an MXFP4 checkpoint: vLLM loads what the repo holds
    for precision in ("fp8", "int4", "int8"):
        with pytest.raises(NotSupportedError, match="--precision mxfp4"):
            serving_weights(GPT_OSS, precision, Engine.VLLM, "hopper")
    with pytest.raises(NotSupportedError, match="--precision mxfp4"):
        serving_weights(GPT_OSS, "q8_0", Engine.LLAMA_CPP, "ampere")


def test_gpt_oss_mxfp4_runs_where_the_vllm_recipe_says() -> None:
    # vLLM recipe: H100/H200/B200, MI300x-MI355x, A100 via Marlin MXFP4; Ada still in progress
    for family in ("ampere", "hopper", "blackwell", "cdna3"):
        assert serving_weights(GPT_OSS, "mxfp4", Engine.VLLM, family).repo == "openai/gpt-oss-120b"
    with pytest.raises(NotSupportedError, match="needs mxfp4-moe kernels, not on ada"):
        serving_weights(GPT_OSS, "mxfp4", Engine.VLLM, "ada")
    bf16 = serving_weights(GPT_OSS, "bf16", Engine.VLLM, "hopper")
    assert bf16.repo == "unsloth/gpt-oss-120b-BF16"  # 16-bit as planned, not MXFP4 under --dtype


def test_fp8_moe_checkpoint_needs_fp8_tensor_cores() -> None:
    qwen_moe = model_ref(Workload(model="qwen3-30b-a3b"))
    assert serving_weights(qwen_moe, "fp8", Engine.VLLM, "hopper").repo == "Qwen/Qwen3-30B-A3B-FP8"
    on_ampere = serving_weights(qwen_moe, "fp8", Engine.VLLM, "ampere")
    assert on_ampere.repo == "Qwen/Qwen3-30B-A3B"  # vLLM's own FP8 (weight-only Marlin) instead


def test_chat_serves_the_instruct_release_of_base_configs() -> None:
    # the catalog reads Gemma 3 and Mistral Small 3.1 shapes from their -pt / Base configs
    assert model_ref(Workload(model="gemma-3-27b")).chat_repo == "google/gemma-3-27b-it"
    small = model_ref(Workload(model="mistral-small-3.1-24b"))
    assert small.chat_repo == "mistralai/Mistral-Small-3.1-24B-Instruct-2503"
