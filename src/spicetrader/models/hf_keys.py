"""Typed access to a Hugging Face ``config.json`` and the model types spicetrader reads."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from spicetrader.errors import InputError

__all__ = ["HfConfig", "HfModelType"]


class HfModelType(StrEnum):
    LLAMA = "llama"
    MISTRAL = "mistral"
    MIXTRAL = "mixtral"
    QWEN2 = "qwen2"
    QWEN2_MOE = "qwen2_moe"
    QWEN3 = "qwen3"
    QWEN3_MOE = "qwen3_moe"
    GEMMA = "gemma"
    GEMMA2 = "gemma2"
    PHI3 = "phi3"
    GPT2 = "gpt2"
    FALCON = "falcon"
    REFINED_WEB = "RefinedWeb"
    REFINED_WEB_MODEL = "RefinedWebModel"
    MPT = "mpt"
    GPT_NEOX = "gpt_neox"
    OPT = "opt"
    BLOOM = "bloom"
    DEEPSEEK_V2 = "deepseek_v2"
    DEEPSEEK_V3 = "deepseek_v3"
    GPT_OSS = "gpt_oss"
    GEMMA3 = "gemma3"
    GEMMA3_TEXT = "gemma3_text"
    LLAMA4 = "llama4"
    GLM4_MOE = "glm4_moe"
    KIMI_K2 = "kimi_k2"
    SMOLLM3 = "smollm3"
    MISTRAL3 = "mistral3"
    QWEN3_NEXT = "qwen3_next"
    QWEN3_5 = "qwen3_5"
    QWEN3_5_TEXT = "qwen3_5_text"
    QWEN3_5_MOE = "qwen3_5_moe"
    QWEN3_5_MOE_TEXT = "qwen3_5_moe_text"


# Sizes are checked before any arithmetic (hidden // heads with heads = 0...). A count that may be
# zero in real configs; every other integer (layers, sizes, heads, vocab...) must be at least 1.
_MAY_BE_ZERO = frozenset({
    "n_shared_experts", "first_k_dense_replace", "sliding_window", "q_lora_rank",
    "shared_expert_intermediate_size", "num_ln_in_parallel_attn", "word_embed_proj_dim",
})  # fmt: skip
MAX_DIMENSION = 1_000_000_000  # larger than any layer size, vocabulary or context there is


class HfConfig:
    """Typed access to a config dict; a missing or mistyped key is an InputError."""

    def __init__(self, data: Mapping[str, Any], model_type: str):
        self.data = data
        self.model_type = model_type

    def _get(self, keys: tuple[str, ...]) -> Any:
        for key in keys:
            if self.data.get(key) is not None:
                return self.data[key]
        return None

    def get_int(self, *keys: str, default: int | None = None) -> int:
        value = self._get(keys)
        if value is None:
            if default is None:
                raise InputError(
                    f"config.json (model_type {self.model_type!r}) lacks {' or '.join(keys)!r}"
                )
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"config.json: {keys[0]!r} must be an integer, got {value!r:.40}")
        least = 0 if keys[0] in _MAY_BE_ZERO else 1
        if not least <= value <= MAX_DIMENSION:
            raise InputError(
                f"config.json: {keys[0]!r} must be {least} to {MAX_DIMENSION:,}, got {value!r:.40}"
            )
        return value

    def get_opt_int(self, *keys: str) -> int | None:
        return None if self._get(keys) is None else self.get_int(*keys)

    def get_bool(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise InputError(f"config.json: {key!r} must be true or false, got {value!r}")
        return value
