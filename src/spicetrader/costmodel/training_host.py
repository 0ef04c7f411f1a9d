"""Training time beyond the matmuls: CPU offload, paged optimizer states, QLoRA dequantization.

- CPU offload (ZeRO-Offload, Ren et al. 2021, "ZeRO-Offload: Democratizing Billion-Scale Model
  Training", sec. 4; PyTorch FSDP ``CPUOffload`` as torchtune's ``fsdp_cpu_offload``): every step
  the gradients go down the host link and the updated parameters come back; with ZeRO-3 / FSDP
  the parameters live on the host, so the shard is copied up for the forward and again for the
  backward (reshard after forward), 2 copies instead of 1. The optimizer step runs on the CPU,
  memory-bound (Adam does a few FLOPs per byte): it reads weights, gradients and states and
  writes weights and states back, 2 p + g + 2 s bytes per trainable parameter, for every
  device of the node through the one host's DRAM (``host_memory_gbs``, ``speed_constants.csv``).
  It follows the backward, not overlapped (the next forward needs the new weights).
- Paged optimizers (bitsandbytes ``PagedAdamW8bit``; bitsandbytes docs, "Paged optimizers";
  Dettmers et al. 2023, "QLoRA", sec. 3): the states sit in CUDA unified memory, and the part
  that does not fit next to the weights and activations is evicted to host RAM and paged back
  for the update, i.e. crosses the host link twice per step.
- QLoRA dequantization (``dequant_seconds``): NF4 weights are expanded to bf16 on every layer pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.memory_training import OPTIMIZER_STATE_BYTES
from spicetrader.spec.workload import Offload, Optimizer, Task

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.costmodel.efficiency import SpeedConstants
    from spicetrader.spec.estimate import MemoryBreakdown

__all__ = ["HostTime", "dequant_seconds", "host_time"]

_GRAD_BYTES = 2.0  # bf16/fp16 gradients
_LOW_BITS_BYTES = 2.0  # 16-bit trainable weights (fp8 training keeps bf16 weights)
_BF16_BYTES = 2.0  # QLoRA's compute dtype


@dataclass(frozen=True, slots=True)
class HostTime:
    """Seconds per step on the host link and the host CPU, and what they stand for."""

    link_s: float
    cpu_s: float
    notes: tuple[str, ...]

    @property
    def total_s(self) -> float:
        return self.link_s + self.cpu_s


def _optimizer(setup: Setup) -> Optimizer:
    wl = setup.workload
    if wl.task is Task.FINETUNE and wl.finetune is not None:
        return wl.finetune.optimizer
    if wl.task is Task.PRETRAIN and wl.pretrain is not None:
        return wl.pretrain.optimizer
    return Optimizer.ADAMW


def host_time(
    setup: Setup,
    trainable: float,
    memory: MemoryBreakdown,
    consts: SpeedConstants,
) -> HostTime:
    """Host-link and CPU seconds per optimizer step (0 without offload or paging)."""
    par = setup.parallel
    link = consts.offload_link_gbs * 1e9
    shards = par.tensor * par.pipeline * max(par.data, 1)
    optimizer = _optimizer(setup)
    state_bytes = OPTIMIZER_STATE_BYTES[optimizer]
    if par.offload is Offload.CPU:
        param_bytes = max(setup.fmt.bits_per_weight / 8.0, _LOW_BITS_BYTES)
        total = float(setup.arch.total_params())
        down = _GRAD_BYTES * trainable / shards
        if par.zero >= 3:
            up = 2.0 * param_bytes * total / shards  # the shard, for forward and for backward
        else:
            up = param_bytes * trainable / shards
        per_host = trainable / shards * min(setup.devices, setup.devices_per_node)
        step_bytes = 2.0 * param_bytes + _GRAD_BYTES + 2.0 * state_bytes
        cpu_s = per_host * step_bytes / (consts.host_memory_gbs * 1e9)
        notes = (
            f"CPU offload: {(down + up) / 1e9:.3g} GB per device over the host link per step "
            f"at {consts.offload_link_gbs:.0f} GB/s"
            + (" (parameters up for forward and backward, ZeRO-3)" if par.zero >= 3 else "")
            + f"; CPU {optimizer.value} step over {per_host:.3g} parameters per host at "
            f"{step_bytes:.0f} B each through {consts.host_memory_gbs:.0f} GB/s of host DRAM",
        )
        return HostTime((down + up) / link, cpu_s, notes)
    if optimizer is Optimizer.PAGED_ADAMW_8BIT:
        states = trainable * state_bytes / (par.tensor * par.pipeline)
        if par.zero >= 1:
            states /= max(par.data, 1)
        paged = max(states - memory.optimizer_gb * 1e9, 0.0)
        if paged > 0:
            note = (
                f"paged optimizer: {paged / 1e9:.3g} GB of its states do not fit on the device "
                "and are paged out and back over the host link each step"
            )
            return HostTime(2.0 * paged / link, 0.0, (note,))
    return HostTime(0.0, 0.0, ())


def dequant_seconds(params: float, bits: float, checkpointing: bool, bw_bytes_s: float) -> float:
    """QLoRA: every pass over a layer (forward, backward, recomputation) dequantizes its NF4
    weights to bf16 before the matmul (Dettmers et al. 2023, sec. 3; bitsandbytes / torchao NF4
    tensors): read the 4-bit codes and scales, write bf16, read it back in the GEMM, memory-bound.
    The cost is per step, not per token, so larger micro-batches amortise it."""
    passes = 3.0 if checkpointing else 2.0
    return passes * params * (bits / 8.0 + 2.0 * _BF16_BYTES) / bw_bytes_s
