"""Activation memory: inference scratch buffers (prefill peak) and training activations.

Training (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
Models", sec. 4.1, eq. 1): one transformer layer stores ``s*b*h*(34 + 5*a*s/h)`` bytes of 16-bit
activations for sequence ``s``, micro batch ``b``, hidden ``h``, ``a`` heads. FlashAttention
(Dao et al. 2022) never materialises the ``a*s*s`` score/softmax/dropout tensors, so the
``5*a*s/h`` term goes (every engine modelled here trains with it). With full activation
checkpointing only each layer's input is kept, ``2*s*b*h`` bytes per layer, plus one layer's full
activations while it is recomputed during backward (sec. 4.2). Tensor parallelism divides the
per-layer activations by ``t`` (with sequence parallelism, sec. 4.2.2); pipeline stages keep their
own layers' activations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture

__all__ = [
    "LLAMA_CPP_UBATCH",
    "forward_scratch_bytes",
    "llama_cpp_compute_buffer_bytes",
    "logits_bytes",
    "training_activation_bytes",
]

LLAMA_CPP_UBATCH: Final = 512  # llama.cpp's default n_ubatch (common/common.h)


def llama_cpp_compute_buffer_bytes(
    arch: Architecture, context: int, tensor: int = 1, n_ubatch: int = LLAMA_CPP_UBATCH
) -> float:
    """llama.cpp's per-device compute buffer, reserved for the worst case at start-up.

    The graph is reserved for one micro-batch of ``n_ubatch`` (default 512) tokens against the whole
    context: f32 logits (``ubatch x vocab x 4``), the f16 attention scores (``ubatch x heads x
    context x 2``, without flash attention) and f32 FFN/residual intermediates (``ubatch x
    (2 ffn + 4 hidden) x 4``). Checked against llama.cpp's reported "CUDA0 compute buffer size"
    (~560 MiB for Llama-3-8B at n_ctx 8192; ~260 MiB at n_ctx 512, where logits dominate).
    """
    ubatch = min(n_ubatch, max(context, 1))
    logits = ubatch * arch.vocab * 4.0
    scores = ubatch * arch.heads * context * 2.0 / tensor
    ffn = ubatch * (2 * arch.ffn_hidden + 4 * arch.hidden) * 4.0 / tensor
    return logits + scores + ffn


def forward_scratch_bytes(arch: Architecture, tokens: int, tensor: int = 1) -> float:
    """Transient activations of one forward pass over ``tokens`` tokens in 16-bit (PyTorch
    engines with fused/flash attention): the residual stream and attention intermediates
    (``4 x hidden``) and the FFN intermediates (``2 x ffn``, gate and up), 2 bytes each; the
    layer's buffers are reused layer after layer, so this is one layer's worth."""
    inner = arch.expert_ffn_hidden * arch.experts_per_token if arch.is_moe else arch.ffn_hidden
    return tokens * (4 * arch.hidden + 2 * inner / tensor) * 2.0


def logits_bytes(arch: Architecture, rows: int, bytes_per_value: float = 4.0) -> float:
    """Logits for ``rows`` positions (fp32 for the softmax / loss)."""
    return rows * arch.vocab * bytes_per_value


def training_activation_bytes(
    arch: Architecture,
    seq_len: int,
    micro_batch: int,
    checkpointing: bool,
    tensor: int = 1,
) -> float:
    """Activations one device keeps for backward (Korthikanti et al. 2022, with flash attention).

    Pipeline: with 1F1B scheduling the first stage holds ``pipeline`` micro-batches in flight of
    its ``layers / pipeline`` layers, i.e. about one full model's worth of micro-batch activations
    (Narayanan et al. 2021, sec. 2.2.2); we charge ``layers / pipeline`` layers x ``pipeline``
    micro-batches = ``layers`` layers.
    """
    sbh = float(seq_len) * micro_batch * arch.hidden
    # FFN scaling: the 34 counts a 4h MLP (19 sbh of it). SwiGLU MLPs with other widths keep
    # proportionally more or less: scale the MLP share by inner/(4h) (x1.5 for the gate).
    inner = arch.expert_ffn_hidden * arch.experts_per_token if arch.is_moe else arch.ffn_hidden
    mlp_scale = inner * (1.5 if arch.gated_ffn else 1.0) / (4.0 * arch.hidden)
    full_layer = sbh * (15.0 + 19.0 * mlp_scale) / tensor
    layers_held = float(arch.layers)  # layers/pipeline layers x pipeline micro-batches in flight
    if checkpointing:
        return 2.0 * sbh * layers_held + full_layer
    return full_layer * layers_held
