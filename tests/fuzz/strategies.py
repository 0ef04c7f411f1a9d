"""Hypothesis strategies for the fuzz suite: odd strings and numbers, workloads, files."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

MODELS = ["llama-3-8b", "llama-3-70b", "mixtral-8x7b", "sdxl", "huggyllama/llama-7b", "gpt2"]
HARDWARE = ["rtx-4090", "h100-sxm", "a100-sxm-80gb", "m2-ultra-76c", "t4", "b200"]
PRECISIONS = ["fp16", "bf16", "q4_k_m", "int4", "fp8", "nf4", "mxfp4"]
TASKS = ["inference", "finetune", "pretrain", "image"]

NASTY_TEXT = [
    "", " ", "[/bold]", "[/]", "[red]dir", "x" * 300, "../../etc/passwd", "/etc", "~/x.json",
    "org/name", "a/b/c", "\x00", "\udcff", "é", "💥", "-1", "nan", "inf", "1e308", "--help",
    "%s%n", "${HOME}", "'; DROP TABLE", "\\", "C:\\x.gguf", "x.gguf", "x.json",
]  # fmt: skip

# text: valid unicode (no surrogates: a CLI argument is bytes decoded by the OS)
text = st.one_of(
    st.sampled_from(NASTY_TEXT).filter(lambda s: "\udcff" not in s and "\x00" not in s),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
)
number_text = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "-0", "1e308", "-1e308", "nan", "inf", "1_000", "0x10", "9" * 5000]),
)
json_number = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 1, 2**63, 10**18, 1e-300, 1e300]),
)
scalar: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), json_number, text, st.sampled_from(MODELS + HARDWARE + PRECISIONS)
)
anything = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)


def _maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(value, anything)


_section = st.fixed_dictionaries(
    {},
    optional={
        "batch": _maybe(st.one_of(st.integers(-5, 10**6), st.just("max"))),
        "prompt_tokens": _maybe(st.integers(-5, 10**8)),
        "output_tokens": _maybe(st.integers(-5, 10**8)),
        "method": _maybe(st.sampled_from(["full", "lora", "qlora"])),
        "tokens": _maybe(st.floats(-1, 1e20)),
        "seq_len": _maybe(st.integers(-5, 10**8)),
        "resolution": _maybe(st.integers(0, 10**5)),
        "steps": _maybe(st.integers(-1, 10**5)),
    },
)

workload = st.fixed_dictionaries(
    {"model": st.one_of(st.sampled_from(MODELS), text, anything)},
    optional={
        "task": _maybe(st.sampled_from(TASKS)),
        "hardware": _maybe(st.sampled_from(HARDWARE)),
        "precision": _maybe(st.sampled_from(PRECISIONS)),
        "devices": _maybe(st.integers(-2, 10**7)),
        "nodes": _maybe(st.integers(-2, 10**6)),
        "memory_gb": _maybe(st.floats(allow_nan=True, allow_infinity=True)),
        "engine": _maybe(st.sampled_from(["vllm", "llama.cpp", "mlx", "unsloth", "diffusers"])),
        "kv_cache": _maybe(st.sampled_from(["fp16", "fp8", "q4_0"])),
        "inference": _maybe(_section),
        "finetune": _maybe(_section),
        "pretrain": _maybe(_section),
        "image": _maybe(_section),
        "parallelism": _maybe(st.fixed_dictionaries({}, optional={
            "tensor": st.integers(-1, 4096), "pipeline": st.integers(-1, 4096),
            "zero": st.integers(-1, 5), "offload": st.sampled_from(["none", "cpu", "gpu"])})),
    },
)  # fmt: skip

plan_constraints = st.fixed_dictionaries(
    {},
    optional={
        "usage_hours_per_month": _maybe(st.floats(-1, 1000)),
        "deadline_hours": _maybe(st.floats(-1, 1e8)),
        "budget_usd": _maybe(st.floats(-1, 1e13)),
        "months": _maybe(st.floats(-1, 200)),
        "only": _maybe(st.sampled_from(["buy", "rent", "mac,free", "nope"])),
        "spot": _maybe(st.booleans()),
        "private": _maybe(st.booleans()),
    },
)
