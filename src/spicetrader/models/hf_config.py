"""Build an :class:`Architecture` from a Hugging Face ``config.json`` dict.

One reader per ``model_type`` (:mod:`~spicetrader.models.hf_modern`,
:mod:`~spicetrader.models.hf_classic`) maps that family's config keys (defaults included) onto
Architecture fields. Unknown model types raise :class:`InputError` listing the supported ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from spicetrader.errors import InputError
from spicetrader.models import hf_classic as c
from spicetrader.models import hf_modern as m
from spicetrader.models import hf_recent as r
from spicetrader.models.arch import Architecture, normalise_name
from spicetrader.models.hf_keys import HfConfig, HfModelType

__all__ = ["HfModelType", "from_hf_config"]

_READERS: dict[HfModelType, Callable[[HfConfig], dict[str, Any]]] = {
    HfModelType.LLAMA: m.read_llama, HfModelType.MISTRAL: m.read_mistral,
    HfModelType.MIXTRAL: m.read_mixtral, HfModelType.QWEN2: m.read_qwen2,
    HfModelType.QWEN2_MOE: m.read_qwen2_moe, HfModelType.QWEN3: m.read_qwen3,
    HfModelType.QWEN3_MOE: m.read_qwen3_moe, HfModelType.GEMMA: m.read_gemma,
    HfModelType.GEMMA2: m.read_gemma2, HfModelType.PHI3: m.read_phi3,
    HfModelType.DEEPSEEK_V2: m.read_deepseek, HfModelType.DEEPSEEK_V3: m.read_deepseek,
    HfModelType.GPT_OSS: m.read_gpt_oss, HfModelType.GPT2: c.read_gpt2,
    HfModelType.FALCON: c.read_falcon, HfModelType.REFINED_WEB: c.read_falcon,
    HfModelType.REFINED_WEB_MODEL: c.read_falcon, HfModelType.MPT: c.read_mpt,
    HfModelType.GPT_NEOX: c.read_gpt_neox, HfModelType.OPT: c.read_opt,
    HfModelType.BLOOM: c.read_bloom, HfModelType.GEMMA3: r.read_gemma3,
    HfModelType.GEMMA3_TEXT: r.read_gemma3_text, HfModelType.LLAMA4: r.read_llama4,
    HfModelType.GLM4_MOE: r.read_glm4_moe, HfModelType.KIMI_K2: r.read_kimi_k2,
    HfModelType.SMOLLM3: r.read_smollm3, HfModelType.MISTRAL3: r.read_mistral3,
    HfModelType.QWEN3_NEXT: r.read_qwen3_next, HfModelType.QWEN3_5: r.read_qwen3_5,
    HfModelType.QWEN3_5_TEXT: r.read_qwen3_5, HfModelType.QWEN3_5_MOE: r.read_qwen3_5,
    HfModelType.QWEN3_5_MOE_TEXT: r.read_qwen3_5,
}  # fmt: skip
_FAMILY = {
    HfModelType.REFINED_WEB: "falcon", HfModelType.REFINED_WEB_MODEL: "falcon",
    HfModelType.GEMMA3_TEXT: "gemma3", HfModelType.KIMI_K2: "deepseek_v3",
    HfModelType.MISTRAL3: "mistral", HfModelType.QWEN3_5_TEXT: "qwen3_5",
    HfModelType.QWEN3_5_MOE_TEXT: "qwen3_5_moe",
}  # fmt: skip


def from_hf_config(
    config: Mapping[str, Any], name: str, source: str = "config.json"
) -> Architecture:
    """The architecture a ``config.json`` describes (``name`` becomes its name and id)."""
    raw_type = config.get("model_type")
    try:
        model_type = HfModelType(str(raw_type))
    except ValueError:
        supported = ", ".join(t.value for t in HfModelType)
        raise InputError(
            f"unsupported config.json model_type {raw_type!r}; supported: {supported}"
        ) from None
    fields = _READERS[model_type](HfConfig(config, model_type.value))
    ident = re.sub(r"[^a-z0-9._+-]", "-", normalise_name(name)).strip("-._+") or "imported"
    try:
        return Architecture(
            id=ident, name=name, family=_FAMILY.get(model_type, model_type.value),
            source=source, as_of="n/a", **fields,
        )  # fmt: skip
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(f"config.json for {name!r}: {loc or 'config'}: {first['msg']}") from None
