"""Parallelism: validate what the user gave, or choose the usual layout.

``tensor x pipeline x data == devices`` always holds after this step (data absorbs the rest).
Inference: engines that split by layers (llama.cpp, ollama, exllamav2, MLX) use a pipeline over all
devices (llama.cpp ``--split-mode layer``); serving engines (vLLM, SGLang, TensorRT-LLM) use tensor
parallelism within a node when the heads divide evenly (Shoeybi et al. 2019, Megatron-LM sec. 3:
heads are split across ranks) and pipeline across nodes. Training: data parallel, with the smallest
ZeRO stage that fits (chosen by the estimator, which knows the memory), FSDP full shard (stage 3)
for fsdp/torchtune on several devices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.errors import NotSupportedError
from spicetrader.models.arch import Architecture
from spicetrader.spec.workload import Engine, Offload, Parallelism, Task

if TYPE_CHECKING:
    from spicetrader.models.arch import DiffusionArchitecture
    from spicetrader.spec.workload import Workload

__all__ = ["LAYER_SPLIT_ENGINES", "SHARDING_ENGINES", "default_parallelism", "validate_parallelism"]

LAYER_SPLIT_ENGINES: Final = frozenset(
    {Engine.LLAMA_CPP, Engine.OLLAMA, Engine.EXLLAMAV2, Engine.MLX, Engine.DIFFUSERS,
     Engine.COREML, Engine.TRANSFORMERS}
)  # fmt: skip
SHARDING_ENGINES: Final = frozenset({Engine.FSDP, Engine.TORCHTUNE})


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def validate_parallelism(
    given: Parallelism, workload: Workload, arch: Architecture | DiffusionArchitecture
) -> Parallelism:
    """Check a user's layout against devices, heads and layers; fill ``data``."""
    devices = workload.devices
    tp, pp = given.tensor, given.pipeline
    model = tp * pp
    if model > devices:
        raise NotSupportedError(
            f"tensor x pipeline = {tp} x {pp} = {model} needs at least {model} devices, "
            f"but devices is {devices}"
        )
    if devices % model:
        raise NotSupportedError(
            f"tensor x pipeline = {model} does not divide devices ({devices}); "
            f"use a layout whose product divides {devices}"
        )
    data = devices // model
    if "data" in given.model_fields_set and given.data != data:
        raise NotSupportedError(
            f"tensor x pipeline x data = {tp} x {pp} x {given.data} = {model * given.data}, "
            f"but devices is {devices}; they must be equal"
        )
    if isinstance(arch, Architecture):
        if arch.heads % tp:
            valid = [d for d in _divisors(arch.heads) if d <= devices]
            raise NotSupportedError(
                f"tensor parallel {tp} does not divide {arch.name}'s {arch.heads} attention "
                f"heads; valid tensor sizes: {', '.join(map(str, valid))}"
            )
        if pp > arch.layers:
            raise NotSupportedError(
                f"pipeline {pp} is more stages than {arch.name}'s {arch.layers} layers"
            )
    elif tp > 1 or pp > 1:
        raise NotSupportedError("diffusion models run on one device per image (data parallel)")
    if workload.task in (Task.INFERENCE, Task.IMAGE) and (
        given.zero or given.offload is Offload.CPU
    ):
        raise NotSupportedError("zero and offload apply to training (finetune, pretrain) only")
    return given.model_copy(update={"data": data})


def default_parallelism(
    workload: Workload, arch: Architecture | DiffusionArchitecture, engine: Engine
) -> tuple[Parallelism, str]:
    """The usual layout (training ZeRO stage left at 0 here: the estimator picks it)."""
    devices = workload.devices
    if devices == 1:
        return Parallelism(), "one device"
    if workload.task is Task.IMAGE or not isinstance(arch, Architecture):
        return Parallelism(data=devices), f"data parallel over {devices} devices"
    if workload.task is not Task.INFERENCE:
        zero = 3 if engine in SHARDING_ENGINES else 0
        why = f"data parallel over {devices} devices"
        if zero:
            why += f" with {engine.value} full sharding (ZeRO-3)"
        return Parallelism(data=devices, zero=zero), why
    if engine in LAYER_SPLIT_ENGINES:
        pp = min(devices, arch.layers)
        return (
            Parallelism(pipeline=pp, data=devices // pp),
            f"{engine.value} layer split over {pp} devices (pipeline {pp})",
        )
    per_node = devices // workload.nodes
    tp = max(d for d in _divisors(per_node) if arch.heads % d == 0)
    pp = devices // tp
    if pp > arch.layers:
        pp = 1
    data = devices // (tp * pp)
    return (
        Parallelism(tensor=tp, pipeline=pp, data=data),
        f"tensor parallel {tp} (heads split within a node)"
        + (f", pipeline {pp} across nodes" if pp > 1 else ""),
    )
