"""Which ggml type llama.cpp's quantizer gives each tensor of a GGUF k-quant mix.

Follows ``llama_tensor_get_type`` in llama.cpp ``src/llama-quant.cpp`` (2025) for the file
types spicetrader names (Q8_0, Q6_K, Q5_K_M, Q5_0, Q4_K_M, Q4_0, Q3_K_M, Q2_K):

- ``output.weight`` (or a tied ``token_embd.weight``): Q6_K, except Q8_0 files and Falcon (Q8_0);
- ``attn_v``: Q2_K -> Q4_K if n_gqa >= 4 else Q3_K; Q3_K_M -> Q5_K for the first 2 layers else
  Q4_K; Q4_K_M/Q5_K_M -> Q6_K on "more bits" layers; 70B-class (80 layers): Q3_K/Q4_K -> Q5_K;
  8-expert models: Q8_0 (and ``attn_k`` Q8_0);
- fused ``attn_qkv`` (gpt2, falcon, mpt, bloom, phi3...): Q3_K_M -> Q4_K, Q4_K_M -> Q5_K,
  Q5_K_M -> Q6_K;
- ``attn_output``: Q2_K -> Q3_K, Q3_K_M -> Q4_K; 8-expert models: Q5_K (Q2_K..Q4_K_M);
- ``ffn_down`` (dense, experts, shared): Q2_K -> Q3_K; Q3_K_M -> Q5_K for the first n/16 layers,
  then Q4_K; Q4_K_M -> Q6_K on "more bits" layers (Falcon: Q6_K/Q5_K/Q4_K); Q5_K_M -> Q6_K on
  "more bits" layers;
- "more bits" layers: ``i < n/8 or i >= 7n/8 or (i - n/8) % 3 == 2``;
- 1-D tensors (norms, biases) and the MoE router (``ffn_gate_inp``) stay F32;
- a tensor whose row length is not a multiple of the block size falls back (Q2_K/Q3_K -> IQ4_NL,
  Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0; 32-blocks -> F16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.models.params import (
    Role,
    TensorGroup,
    global_groups,
    is_linear_layer,
    is_moe_layer,
    layer_groups,
)

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = ["GGML_BITS", "GGML_BLOCK", "gguf_mix_bytes"]

# Bits per weight of ggml block types: type_size * 8 / block_size (ggml-common.h block structs).
GGML_BITS: Final[dict[str, float]] = {
    "F32": 32.0, "F16": 16.0, "BF16": 16.0, "Q8_0": 8.5, "Q4_0": 4.5, "Q4_1": 5.0, "Q5_0": 5.5,
    "Q5_1": 6.0, "Q2_K": 2.625, "Q3_K": 3.4375, "Q4_K": 4.5, "Q5_K": 5.5, "Q6_K": 6.5625,
    "IQ4_NL": 4.5, "IQ4_XS": 4.25, "MXFP4": 4.25,
}  # fmt: skip
GGML_BLOCK: Final[dict[str, int]] = {
    "F32": 1, "F16": 1, "BF16": 1, "Q8_0": 32, "Q4_0": 32, "Q4_1": 32, "Q5_0": 32, "Q5_1": 32,
    "Q2_K": 256, "Q3_K": 256, "Q4_K": 256, "Q5_K": 256, "Q6_K": 256, "IQ4_NL": 32,
    "IQ4_XS": 256, "MXFP4": 32,
}  # fmt: skip
_FALLBACK: Final = {"Q2_K": "IQ4_NL", "Q3_K": "IQ4_NL", "Q4_K": "Q5_0", "Q5_K": "Q5_1",
                    "Q6_K": "Q8_0", "IQ4_XS": "IQ4_NL"}  # fmt: skip
# Families whose GGUF stores one fused attn_qkv tensor instead of attn_q/attn_k/attn_v.
FUSED_QKV_FAMILIES: Final = frozenset({"gpt2", "falcon", "mpt", "bloom", "phi3", "gpt_neox"})
_QKV = frozenset({Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V})
_DOWN = frozenset({Role.FFN_DOWN, Role.EXPERT_DOWN, Role.SHARED_DOWN})


def _more_bits(i: int, n: int) -> bool:
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _attn_v(arch: Architecture, ftype: str, base: str, i: int) -> str:
    n = arch.layers
    new = base
    if ftype == "q2_k":
        new = "Q4_K" if arch.heads // arch.kv_heads >= 4 else "Q3_K"
    elif ftype == "q3_k_m":
        new = "Q5_K" if i < 2 else "Q4_K"
    elif ftype in ("q4_k_m", "q5_k_m") and _more_bits(i, n):
        new = "Q6_K"
    if n == 80 and new in ("Q3_K", "Q4_K"):  # llama.cpp LLM_TYPE_70B
        new = "Q5_K"
    return "Q8_0" if arch.experts == 8 else new


def _ffn_down(arch: Architecture, ftype: str, base: str, i: int) -> str:
    n = arch.layers
    falcon = arch.family == "falcon"
    if ftype == "q2_k":
        return "Q3_K"
    if ftype == "q3_k_m":
        if i < n // 16:
            return "Q5_K"
        return "Q4_K" if (not falcon or _more_bits(i, n)) else "Q3_K"
    if ftype == "q4_k_m":
        if falcon:
            return "Q6_K" if i < n // 16 else ("Q5_K" if _more_bits(i, n) else "Q4_K")
        return "Q6_K" if _more_bits(i, n) else base
    if ftype == "q5_k_m" and _more_bits(i, n):
        return "Q6_K"
    return base


def _attn_out(arch: Architecture, ftype: str, base: str) -> str:
    if arch.family == "falcon":
        return base
    if arch.experts == 8:
        return "Q5_K" if ftype in ("q2_k", "q3_k_m", "q4_k_m") else base
    return {"q2_k": "Q3_K", "q3_k_m": "Q4_K"}.get(ftype, base)


def _fused_qkv(ftype: str, base: str) -> str:
    return {"q3_k_m": "Q4_K", "q4_k_m": "Q5_K", "q5_k_m": "Q6_K"}.get(ftype, base)


def _output(arch: Architecture, ftype: str) -> str:
    return "Q8_0" if ftype == "q8_0" or arch.family == "falcon" else "Q6_K"


def layer_type(arch: Architecture, ftype: str, base: str, group: TensorGroup, i: int) -> str:
    """The ggml type of ``group`` in layer ``i`` (before the row-length fallback)."""
    role = group.role
    if role in (Role.VECTOR, Role.ROUTER):
        return "F32"
    if role in _QKV and arch.family in FUSED_QKV_FAMILIES:
        return _fused_qkv(ftype, base)
    if role is Role.ATTN_V:
        return _attn_v(arch, ftype, base, i)
    if role is Role.ATTN_K and arch.experts == 8:
        return "Q8_0"
    if role is Role.ATTN_OUT:
        return _attn_out(arch, ftype, base)
    if role in _DOWN:
        return _ffn_down(arch, ftype, base, i)
    return base


def _with_fallback(ggml_type: str, row: int) -> str:
    block = GGML_BLOCK[ggml_type]
    if row % block == 0:
        return ggml_type
    fallback = _FALLBACK.get(ggml_type, "F16")
    return fallback if row % GGML_BLOCK[fallback] == 0 else "F16"


def _bytes(params: int, ggml_type: str, row: int) -> float:
    return params * GGML_BITS[_with_fallback(ggml_type, row)] / 8.0


def gguf_mix_bytes(arch: Architecture, ftype: str, base: str) -> float:
    """Bytes of all tensors of ``arch`` quantized as llama.cpp file type ``ftype``."""
    total = 0.0
    for i in range(arch.layers):
        for group in layer_groups(arch, is_moe_layer(arch, i), is_linear_layer(arch, i)):
            total += _bytes(group.params, layer_type(arch, ftype, base, group, i), group.row)
    for group in global_groups(arch):
        if group.role is Role.VECTOR:
            kind = "F32"
        elif group.role is Role.LM_HEAD or (group.role is Role.EMBEDDING and arch.tied_embeddings):
            kind = _output(arch, ftype)
        else:
            kind = base
        total += _bytes(group.params, kind, group.row)
    return total
