"""Training states: gradients, optimizer states, fp32 master weights, and their ZeRO sharding.

Mixed-precision AdamW keeps, per trainable parameter, 2 B of fp16/bf16 weights, 2 B of
gradients and 12 B of optimizer state (fp32 master copy 4 B + momentum 4 B + variance 4 B):
16 B/param in all (Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion
Parameter Models", sec. 3.1). ZeRO stage 1 shards the optimizer states over the data-parallel
ranks, stage 2 also the gradients, stage 3 also the parameters (sec. 5.1; FSDP FULL_SHARD = stage
3). 8-bit Adam keeps both moments in 1 B each (Dettmers et al. 2022, "8-bit Optimizers via
Block-wise Quantization"); SGD with momentum and Lion (Chen et al. 2023) keep one fp32 moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from spicetrader.spec.workload import Optimizer

__all__ = ["OPTIMIZER_STATE_BYTES", "ShardPlan", "TrainingStates", "training_states"]

# Bytes of optimizer state per trainable parameter, without the master weights.
OPTIMIZER_STATE_BYTES: Final[dict[Optimizer, float]] = {
    Optimizer.ADAMW: 8.0,  # m and v in fp32 (ZeRO paper sec. 3.1)
    Optimizer.ADAMW_8BIT: 2.0,  # m and v in int8, block-wise (Dettmers et al. 2022)
    Optimizer.PAGED_ADAMW_8BIT: 2.0,  # same states in CUDA unified (pageable) memory
    Optimizer.SGD: 4.0,  # momentum buffer, fp32
    Optimizer.LION: 4.0,  # one momentum, fp32 (Chen et al. 2023, "Symbolic Discovery...")
}
MASTER_WEIGHT_BYTES: Final = 4.0  # fp32 copy of 16-bit trainable weights (mixed precision)


@dataclass(frozen=True, slots=True)
class ShardPlan:
    """How training state is split: model parallel (tensor x pipeline) and ZeRO over data."""

    model_parallel: int
    data: int
    zero: int
    offload: bool

    @property
    def weight_shards(self) -> int:
        return self.model_parallel * (self.data if self.zero >= 3 else 1)

    @property
    def gradient_shards(self) -> int:
        return self.model_parallel * (self.data if self.zero >= 2 else 1)

    @property
    def optimizer_shards(self) -> int:
        return self.model_parallel * (self.data if self.zero >= 1 else 1)


@dataclass(frozen=True, slots=True)
class TrainingStates:
    """Bytes per device of the gradients and optimizer (master weights included)."""

    gradients: float
    optimizer: float


def training_states(
    trainable_params: float,
    grad_bytes_per_param: float,
    optimizer: Optimizer,
    master_weights: bool,
    shards: ShardPlan,
) -> TrainingStates:
    """Gradient and optimizer bytes on one device.

    CPU offload (ZeRO-Offload, Ren et al. 2021, sec. 4; FSDP CPUOffload) keeps the optimizer
    states and master weights in host memory and runs the step on the CPU; with stage 3 the
    gradients are offloaded as they are produced too (counted here as one layer's worth by the
    caller, not in this function).
    """
    grads = trainable_params * grad_bytes_per_param / shards.gradient_shards
    state = OPTIMIZER_STATE_BYTES[optimizer] + (MASTER_WEIGHT_BYTES if master_weights else 0.0)
    opt = 0.0 if shards.offload else trainable_params * state / shards.optimizer_shards
    return TrainingStates(gradients=grads, optimizer=opt)
