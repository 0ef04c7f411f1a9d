"""Parallelism: validate what the user gave, or choose the usual layout.

``tensor x pipeline x data == devices`` always holds after this step (data absorbs the rest).
Inference: engines that split by layers (llama.cpp, ollama, exllamav2, MLX) use a pipeline over all
devices (llama.cpp ``--split-mode layer``); serving engines (vLLM, SGLang, TensorRT-LLM) use tensor
parallelism within a node when the heads divide evenly (Shoeybi et al. 2019, Megatron-LM sec. 3:
heads are split across ranks) and pipeline across nodes. Fine-tuning: data parallel, with the
smallest ZeRO stage that fits (chosen by the estimator, which knows the memory), FSDP full shard
(stage 3) for fsdp/torchtune on several devices.

Pre-training follows Megatron-LM practice (Narayanan et al. 2021, "Efficient Large-Scale Language
Model Training on GPU Clusters Using Megatron-LM", sec. 3, takeaways 1-2): data parallelism first;
model parallelism only as much as memory or the global batch requires, tensor parallel inside a
node (at most 8, dividing the heads) before pipeline parallel across nodes. Data parallelism is
bounded by the global batch: each data-parallel rank needs at least one whole sequence per step,
``data x seq_len <= global_batch_tokens`` (Llama 3 405B on 16,384 H100: TP 8, PP 16, DP 128,
16M-token batches of 8,192-token sequences; Dubey et al. 2024, "The Llama 3 Herd of Models",
table 4). :func:`training_layouts` lists the candidates in that order; the estimator takes the
first that fits the batch and the memory (``fit.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.errors import NotSupportedError
from spicetrader.models.arch import Architecture
from spicetrader.spec.workload import Engine, Offload, Parallelism, Task

if TYPE_CHECKING:
    from spicetrader.models.arch import DiffusionArchitecture
    from spicetrader.spec.workload import Workload

__all__ = [
    "BATCH_SLACK",
    "LAYER_SPLIT_ENGINES",
    "MAX_TENSOR",
    "SHARDING_ENGINES",
    "batch_sequences",
    "batch_within",
    "default_parallelism",
    "max_zero",
    "training_layouts",
    "validate_parallelism",
]

LAYER_SPLIT_ENGINES: Final = frozenset(
    {Engine.LLAMA_CPP, Engine.OLLAMA, Engine.EXLLAMAV2, Engine.MLX, Engine.DIFFUSERS,
     Engine.COREML, Engine.TRANSFORMERS}
)  # fmt: skip
SHARDING_ENGINES: Final = frozenset({Engine.FSDP, Engine.TORCHTUNE})
# tensor parallel stays inside an 8-GPU NVLink domain (Narayanan et al. 2021, sec. 3.3)
MAX_TENSOR: Final = 8


def _divisors(n: int) -> list[int]:
    small = [d for d in range(1, int(n**0.5) + 1) if n % d == 0]
    return sorted({*small, *(n // d for d in small)})


# Megatron needs the global batch to be a multiple of data x micro-batch, so practitioners round
# it to the cluster: a layout may grow the batch to one sequence per rank by at most this share.
BATCH_SLACK: Final = 0.05


def batch_within(sequences: int, data: int) -> bool:
    """Whether ``data`` ranks can share ``sequences`` per step with at least one whole sequence
    each, growing the batch by at most :data:`BATCH_SLACK`."""
    return data <= sequences * (1.0 + BATCH_SLACK)


def max_zero(engine: Engine) -> int:
    """The deepest ZeRO stage the engine's default layout uses: Megatron's distributed optimizer
    shards optimizer states only (stage 1); FSDP/DeepSpeed/PyTorch can shard everything (3)."""
    return 1 if engine is Engine.MEGATRON else 3


def batch_sequences(workload: Workload) -> int | None:
    """Sequences in one pre-training global batch (None: no bound, e.g. fine-tuning)."""
    pt = workload.pretrain
    if workload.task is not Task.PRETRAIN or pt is None:
        return None
    return max(int(pt.global_batch_tokens // pt.seq_len), 1)


def training_layouts(workload: Workload, arch: Architecture, engine: Engine) -> list[Parallelism]:
    """Candidate training layouts, most preferred first (see the module docstring).

    Tensor parallel grows through the divisors of the devices per node (<= 8) that divide the
    heads; then pipeline parallel through the divisors of the remaining devices (<= layers).
    """
    devices = workload.device_count
    zero = 3 if engine in SHARDING_ENGINES else 0
    per_node = max(devices // workload.nodes, 1)
    tps = [t for t in _divisors(min(per_node, MAX_TENSOR)) if arch.heads % t == 0]
    layouts = [(t, 1) for t in tps]
    t_max = tps[-1]
    layouts += [(t_max, p) for p in _divisors(devices // t_max) if 1 < p <= arch.layers]
    return [
        Parallelism(tensor=t, pipeline=p, data=devices // (t * p), zero=zero) for t, p in layouts
    ]


def validate_parallelism(
    given: Parallelism, workload: Workload, arch: Architecture | DiffusionArchitecture
) -> Parallelism:
    """Check a user's layout against devices, heads and layers; fill ``data``."""
    devices = workload.device_count
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
    if given.expert is not None:
        _check_expert(given.expert, tp * data, workload, arch)
    return given.model_copy(update={"data": data})


def _check_expert(
    ep: int, ranks: int, workload: Workload, arch: Architecture | DiffusionArchitecture
) -> None:
    """An expert-parallel size splits an MoE model's routed experts evenly over ranks of the
    tensor x data grid (Megatron Core's MoE parallel folding: EP may span the tensor-parallel
    ranks, Liu et al. 2025, arXiv 2504.14960)."""
    if workload.task in (Task.INFERENCE, Task.IMAGE):
        raise NotSupportedError("expert parallelism applies to training (finetune, pretrain)")
    if not isinstance(arch, Architecture) or not arch.is_moe:
        raise NotSupportedError(f"expert parallelism needs an MoE model; {arch.name} is dense")
    if arch.experts % ep or ranks % ep:
        valid = [d for d in _divisors(arch.experts) if ranks % d == 0]
        raise NotSupportedError(
            f"expert parallel {ep} must divide {arch.name}'s {arch.experts} experts and "
            f"tensor x data = {ranks}; valid sizes: {', '.join(map(str, valid))}"
        )


def default_parallelism(
    workload: Workload, arch: Architecture | DiffusionArchitecture, engine: Engine
) -> tuple[Parallelism, str]:
    """The usual layout (training ZeRO stage left at 0 here: the estimator picks it)."""
    devices = workload.device_count
    if devices == 1:
        return Parallelism(), "one device"
    if workload.task is Task.IMAGE or not isinstance(arch, Architecture):
        return Parallelism(data=devices), f"data parallel over {devices} devices"
    if workload.task is not Task.INFERENCE:
        sequences = batch_sequences(workload)
        layouts = training_layouts(workload, arch, engine)
        if sequences is not None:  # the estimator refines this with the memory (fit.py)
            layouts = [p for p in layouts if batch_within(sequences, p.data)] or layouts[-1:]
        layout = layouts[0]
        return layout, _describe(layout, engine)
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
        + (f", pipeline {pp} ({_pipeline_span(workload.nodes)})" if pp > 1 else ""),
    )


def _pipeline_span(nodes: int) -> str:
    return "layers split across nodes" if nodes > 1 else "layers split over the devices of one node"


def _describe(par: Parallelism, engine: Engine) -> str:
    parts = [f"data parallel {par.data}"]
    if par.tensor > 1:
        parts.append(f"tensor parallel {par.tensor} (within a node)")
    if par.pipeline > 1:
        parts.append(f"pipeline {par.pipeline} (layers split over devices)")
    why = ", ".join(parts)
    if par.zero >= 3:
        why += f" with {engine.value} full sharding (ZeRO-3)"
    return why
