"""Bytes of a model's weights in a given format.

Linear layers take the format's ``bits_per_weight``; embeddings and the lm_head take the format
the engines really keep them in (``embedding_format`` / ``lm_head_format``: FP16 for GPTQ, AWQ,
bitsandbytes; BF16 for FP8 and MX formats); norms, biases and MoE routers stay at 16 bits in
quantized formats (F32 in GGUF). GGUF k-quant mixes follow llama.cpp's per-tensor rules
(:mod:`spicetrader.models.gguf_mix`). For MX formats on an MoE model only the expert weights are
block-scaled FP4 (how gpt-oss ships MXFP4); a dense model gets all its linear layers in FP4.
An architecture imported from a GGUF file in the same format reports the file's exact bytes.

A vision encoder shipped in the checkpoint (``vision_params``) is added at 16 bits: engines load
it unquantized next to the quantized language model (AWQ/GPTQ/FP8 checkpoints keep it BF16).
GGUF counts leave it out: llama.cpp keeps it in a separate ``mmproj`` file, loaded only for images.
"""

from __future__ import annotations

from functools import lru_cache

from spicetrader.models.arch import Architecture
from spicetrader.models.gguf_mix import gguf_mix_bytes
from spicetrader.models.params import (
    EXPERT_ROLES,
    LINEAR_ROLES,
    Role,
    TensorGroup,
    global_groups,
    layer_groups,
    layer_plan,
)
from spicetrader.models.precision import PrecisionFormat, PrecisionKind, resolve_precision

__all__ = ["effective_bits_per_weight", "weight_bytes"]

HIGH_PRECISION_BITS = 16.0  # what quantized checkpoints keep 1-D tensors and routers in


def _bits_of(name: str | None, fmt: PrecisionFormat) -> float:
    return fmt.bits_per_weight if name is None else resolve_precision(name).bits_per_weight


def _group_bits(arch: Architecture, fmt: PrecisionFormat, group: TensorGroup) -> float:
    keep = max(fmt.bits_per_weight, HIGH_PRECISION_BITS)
    role = group.role
    if role in (Role.EMBEDDING, Role.POSITION):
        return _bits_of(fmt.embedding_format, fmt)
    if role is Role.LM_HEAD:
        return _bits_of(fmt.lm_head_format, fmt)
    if role in LINEAR_ROLES:
        if fmt.kind is PrecisionKind.MX and arch.is_moe and role not in EXPERT_ROLES:
            return HIGH_PRECISION_BITS
        return fmt.bits_per_weight
    return keep  # vectors and routers


def _groups(arch: Architecture) -> list[tuple[int, TensorGroup]]:
    """(layer count, group) for every tensor group: each kind of layer, then the globals."""
    out: list[tuple[int, TensorGroup]] = []
    for n, moe, linear in layer_plan(arch):
        out += [(n, g) for g in layer_groups(arch, moe, linear)]
    return out + [(1, g) for g in global_groups(arch)]


@lru_cache(maxsize=1024)
def weight_bytes(arch: Architecture, fmt: PrecisionFormat) -> float:
    """Bytes of all weights of ``arch`` stored in ``fmt`` (see the module notes)."""
    if arch.gguf_weight_bytes is not None and arch.gguf_precision == fmt.id:
        return float(arch.gguf_weight_bytes)
    if fmt.kind is PrecisionKind.GGUF and fmt.gguf_type is not None:
        return gguf_mix_bytes(arch, fmt.id, fmt.gguf_type)
    text = sum(n * g.params * _group_bits(arch, fmt, g) / 8.0 for n, g in _groups(arch))
    return text + arch.vision_params * max(fmt.bits_per_weight, HIGH_PRECISION_BITS) / 8.0


def effective_bits_per_weight(arch: Architecture, fmt: PrecisionFormat) -> float:
    """Average bits per parameter over the whole model in ``fmt`` (weight_bytes * 8 / params)."""
    return weight_bytes(arch, fmt) * 8.0 / arch.total_params()
