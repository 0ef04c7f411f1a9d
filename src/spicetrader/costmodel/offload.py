"""llama.cpp partial offload: the arithmetic of splitting a model between a GPU and host RAM.

llama.cpp's ``-ngl N`` (``--n-gpu-layers``) puts N of the model's repeating transformer layers on
the GPU (the last N) and leaves the rest in host RAM, run by the CPU (llama.cpp
``llama_model::load_tensors``: ``i_gpu_start = n_layer - n_gpu_layers``). The token embedding is
a table lookup and always stays on the host; the output head goes to the GPU only when every
repeating layer does (``n_gpu_layers > n_layer``). Each layer's KV cache lives with its layer.

- Memory: each side against its own capacity (GPU: its usable memory; host: RAM less the OS).
- Decode, per token: the layers run one after the other, so the time is the SUM over the two
  devices of ``bytes read there / (bandwidth x efficiency) + layers there x per-layer overhead``
  (each side's roofline as in :mod:`step`); the slow side dominates.
- Prefill: for batches of at least 32 tokens llama.cpp runs host-resident matmuls on the GPU,
  copying their weights over the host link once per micro-batch of 512 tokens (ggml-cuda
  ``offload_op``, llama.cpp PR #6083): GPU compute for every layer plus the host layers' weights
  over PCIe per micro-batch. Shorter prompts run their host layers on the CPU.

Everything here works on plain floats (bytes, seconds); :mod:`offload_estimate` wires it to a
resolved workload.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

__all__ = [
    "OFFLOAD_MIN_BATCH",
    "UBATCH",
    "Device",
    "LayerBytes",
    "SidePlacement",
    "auto_gpu_layers",
    "decode_side_s",
    "placement",
    "prefill_s",
]

OFFLOAD_MIN_BATCH: Final = 32  # ggml-cuda: ops on host weights go to the GPU from 32 tokens
UBATCH: Final = 512  # llama.cpp n_ubatch default: tokens per forward micro-batch


@dataclass(frozen=True, slots=True)
class LayerBytes:
    """The model cut the way llama.cpp places it (bytes)."""

    total_layers: int
    layer: float  # one repeating layer's weights
    kv_layer: float  # one layer's KV cache for the batch and context
    embedding: float  # token embedding table (host, a lookup)
    head: float  # the output head (vocab x hidden): read every token by the side that holds it
    head_tied: bool  # the head is the embedding table: on the host it takes no extra memory


@dataclass(frozen=True, slots=True)
class SidePlacement:
    """Bytes each device holds for ``gpu_layers`` layers on the GPU."""

    gpu_layers: int
    gpu_bytes: float
    host_bytes: float
    gpu_weights: float  # weights read per decode step on the GPU (head included when there)
    host_weights: float  # weights read per decode step on the host (embedding excluded: lookup)


def placement(
    lb: LayerBytes, gpu_layers: int, gpu_fixed: float, host_fixed: float
) -> SidePlacement:
    """What each device holds with ``gpu_layers`` repeating layers on the GPU.

    ``gpu_fixed`` / ``host_fixed``: bytes each side needs whatever the split (compute buffers,
    runtime context)."""
    n = min(max(gpu_layers, 0), lb.total_layers)
    host_n = lb.total_layers - n
    all_on_gpu = host_n == 0
    gpu_weights = n * lb.layer + (lb.head if all_on_gpu else 0.0)
    host_weights = host_n * lb.layer + (0.0 if all_on_gpu else lb.head)
    # a tied head on the host is the embedding table itself (one copy); on the GPU, a copy
    host_held = host_weights - (lb.head if lb.head_tied and not all_on_gpu else 0.0)
    return SidePlacement(
        gpu_layers=n,
        gpu_bytes=gpu_weights + n * lb.kv_layer + gpu_fixed,
        host_bytes=lb.embedding + host_held + host_n * lb.kv_layer + host_fixed,
        gpu_weights=gpu_weights,
        host_weights=host_weights,
    )


def auto_gpu_layers(lb: LayerBytes, gpu_capacity: float, gpu_fixed: float) -> int:
    """The most repeating layers whose weights and KV fit ``gpu_capacity`` (bytes) besides
    ``gpu_fixed``; all of them only when the output head fits too."""
    room = gpu_capacity - gpu_fixed
    if room <= 0:
        return 0
    per_layer = lb.layer + lb.kv_layer
    n = min(int(room // per_layer), lb.total_layers) if per_layer > 0 else lb.total_layers
    if n == lb.total_layers and lb.total_layers * per_layer + lb.head > room:
        n -= 1
    return max(n, 0)


@dataclass(frozen=True, slots=True)
class Device:
    """One side as llama.cpp uses it: rates after its efficiency row, per-layer overhead."""

    bw: float  # bytes/s
    flops: float  # FLOP/s
    layer_overhead_s: float


def decode_side_s(
    dev: Device,
    layers: int,
    weight_bytes: float,
    kv_bytes: float,
    linear_flops: float,
    attention_flops: float,
) -> float:
    """One decode step's time on one side: the weight GEMMs' roofline, the attention's roofline,
    and the fixed per-layer overhead of the layers it runs (0 when it holds nothing)."""
    if layers == 0 and weight_bytes == 0:
        return 0.0
    gemm = max(weight_bytes / dev.bw, linear_flops / dev.flops)
    attention = max(kv_bytes / dev.bw, attention_flops / dev.flops)
    return gemm + attention + layers * dev.layer_overhead_s


def prefill_s(
    gpu: Device,
    cpu: Device,
    tokens: int,
    sp: SidePlacement,
    total_layers: int,
    linear_flops: float,
    attention_flops: float,
    link_bytes_per_s: float,
) -> float:
    """Time to process ``tokens`` prompt tokens with the split ``sp``.

    ``linear_flops`` / ``attention_flops``: the whole model's, for all the tokens. From
    :data:`OFFLOAD_MIN_BATCH` tokens the GPU runs every layer's matmuls and the host layers'
    weights cross the link once per micro-batch of :data:`UBATCH` tokens; attention runs where
    each layer's KV cache lives. Below that the host layers run on the CPU."""
    host_n = total_layers - sp.gpu_layers
    gpu_share = sp.gpu_layers / total_layers
    if tokens >= OFFLOAD_MIN_BATCH or host_n == 0:
        copies = math.ceil(tokens / UBATCH) if host_n else 0
        gpu_s = max(sp.gpu_weights / gpu.bw, linear_flops / gpu.flops)
        transfer_s = copies * sp.host_weights / link_bytes_per_s
        attention_s = attention_flops * gpu_share / gpu.flops
        attention_s += attention_flops * (1 - gpu_share) / cpu.flops
        return gpu_s + transfer_s + attention_s + total_layers * gpu.layer_overhead_s
    gpu_part = max(sp.gpu_weights / gpu.bw, linear_flops * gpu_share / gpu.flops)
    host_part = max(sp.host_weights / cpu.bw, linear_flops * (1 - gpu_share) / cpu.flops)
    attention_s = attention_flops * gpu_share / gpu.flops
    attention_s += attention_flops * (1 - gpu_share) / cpu.flops
    overhead = sp.gpu_layers * gpu.layer_overhead_s + host_n * cpu.layer_overhead_s
    return gpu_part + host_part + attention_s + overhead
