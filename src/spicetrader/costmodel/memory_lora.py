"""LoRA adapter parameters (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models",
sec. 4.1): a frozen ``d_out x d_in`` matrix W gets ``B A`` with ``A: r x d_in`` and
``B: d_out x r``, i.e. ``r x (d_in + d_out)`` trainable parameters per adapted matrix.

Targets: every linear layer of attention and MLP (q, k, v, o, gate, up, down; MLA projections;
every routed and shared expert), as QLoRA (Dettmers et al. 2023, sec. 4) and PEFT's
``target_modules="all-linear"`` do. Embeddings, lm_head and the MoE router are not adapted.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from spicetrader.models.params import LINEAR_ROLES, Role, TensorGroup, layer_groups

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = ["LORA_TARGETS_NOTE", "lora_params"]

LORA_TARGETS_NOTE = "LoRA on all linear layers of attention and MLP (q,k,v,o,gate,up,down)"


def _matrices(arch: Architecture, group: TensorGroup) -> int:
    """How many separate weight matrices a parameter group holds."""
    n_up = 2 if arch.gated_ffn else 1
    if group.role is Role.FFN_UP or group.role is Role.SHARED_UP:
        return n_up
    if group.role is Role.EXPERT_UP:
        return n_up * arch.experts
    if group.role is Role.EXPERT_DOWN:
        return arch.experts
    return 1


def _layer_lora(arch: Architecture, moe: bool, rank: int) -> int:
    total = 0
    for group in layer_groups(arch, moe):
        if group.role not in LINEAR_ROLES:
            continue
        m = _matrices(arch, group)
        d_in = group.row
        d_out = group.params // m // d_in
        total += m * rank * (d_in + d_out)
    return total


@lru_cache(maxsize=256)
def lora_params(arch: Architecture, rank: int) -> int:
    """Trainable LoRA parameters of rank ``rank`` over the whole model (exact integer)."""
    moe_layers = arch.moe_layers
    dense_layers = arch.layers - moe_layers
    total = dense_layers * _layer_lora(arch, False, rank)
    if moe_layers:
        total += moe_layers * _layer_lora(arch, True, rank)
    return total
