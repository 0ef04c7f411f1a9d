"""Workload flags shared by ``spice estimate`` and ``spice plan``: option types to declare in a
command's signature, a file reader, and :func:`workload_mapping` that merges a workload file with
the flags (flags override the file).

Light at import time (typer only); pydantic and yaml are imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = [
    "WorkloadArgs",
    "read_workload_file",
    "workload_mapping",
]

# Option declarations (use as ``hardware: HardwareOpt = None`` in a typer command).
ModelArg = Annotated[str | None, typer.Argument(help="Model id, HF repo, config.json/.gguf path.")]
FileOpt = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="Workload file (.yaml/.yml/.json); flags override it."),
]
HardwareOpt = Annotated[
    str | None,
    typer.Option("--hardware", help="Hardware id, e.g. rtx-4090, h100-sxm, m2-ultra-76c."),
]
TaskOpt = Annotated[
    str | None, typer.Option("--task", help="inference | finetune | pretrain | image")
]
PrecisionOpt = Annotated[
    str | None,
    typer.Option("--precision", help="Weight format: bf16, fp8, q4_k_m, exl2-4.65, nf4..."),
]
EngineOpt = Annotated[
    str | None, typer.Option("--engine", help="llama.cpp, vllm, mlx, transformers, torchtune...")
]
KvCacheOpt = Annotated[
    str | None, typer.Option("--kv-cache", help="KV cache format: fp16 | fp8 | q8_0 | q4_0")
]
MemoryOpt = Annotated[
    float | None,
    typer.Option("--memory-gb", help="Memory configuration (Apple M-series, DGX Spark)."),
]
DevicesOpt = Annotated[
    str | None,
    typer.Option("--devices", help="Number of accelerators, or 'auto' (the fewest that fit)."),
]
NodesOpt = Annotated[int | None, typer.Option("--nodes", help="Machines the devices spread over.")]
TensorOpt = Annotated[int | None, typer.Option("--tensor", help="Tensor-parallel size.")]
PipelineOpt = Annotated[
    int | None, typer.Option("--pipeline", help="Pipeline-parallel size (llama.cpp layer split).")
]
ExpertOpt = Annotated[
    int | None,
    typer.Option(
        "--expert-parallel",
        help="Expert-parallel size of MoE training (Megatron --expert-model-parallel-size); "
        "default: the largest that fits in one node.",
    ),
]
ZeroOpt = Annotated[int | None, typer.Option("--zero", help="ZeRO / FSDP sharding stage 0-3.")]
OffloadOpt = Annotated[
    str | None, typer.Option("--offload", help="none | cpu (optimizer/params offload).")
]
PromptOpt = Annotated[int | None, typer.Option("--prompt", help="Prompt tokens (inference).")]
OutputOpt = Annotated[int | None, typer.Option("--output", help="Generated tokens (inference).")]
UbatchOpt = Annotated[
    int | None,
    typer.Option(
        "--ubatch",
        help="Prompt tokens per prefill forward pass (llama.cpp -ub; vLLM/SGLang chunked-prefill "
        "budget); default: the engine's (inference).",
    ),
]
BatchOpt = Annotated[
    str | None,
    typer.Option(
        "--batch", help="Concurrent sequences, or 'max' (inference); images per batch (image)."
    ),
]
MethodOpt = Annotated[str | None, typer.Option("--method", help="full | lora | qlora (finetune).")]
TokensOpt = Annotated[
    float | None,
    typer.Option("--tokens", help="Tokens to train on (finetune, pretrain), e.g. 5e7."),
]
SeqLenOpt = Annotated[
    int | None, typer.Option("--seq-len", help="Sequence length (finetune, pretrain).")
]
MicroBatchOpt = Annotated[
    int | None,
    typer.Option(
        "--micro-batch",
        help="Sequences per micro-batch per device (finetune; pretrain: default the fastest "
        "of 1-8 that fits).",
    ),
]
LoraRankOpt = Annotated[int | None, typer.Option("--lora-rank", help="LoRA rank (finetune).")]
OptimizerOpt = Annotated[
    str | None,
    typer.Option("--optimizer", help="adamw | adamw-8bit | paged-adamw-8bit | sgd | lion"),
]
ResolutionOpt = Annotated[
    int | None, typer.Option("--resolution", help="Image side in pixels (image).")
]
StepsOpt = Annotated[int | None, typer.Option("--steps", help="Denoising steps (image).")]
UsersOpt = Annotated[
    int | None,
    typer.Option(
        "--users",
        help="Serving: concurrent users (default 1); the speeds are per user at that load.",
    ),
]
ImagesOpt = Annotated[int | None, typer.Option("--images", help="Images to generate (image).")]
GpuLayersOpt = Annotated[
    str | None,
    typer.Option(
        "--gpu-layers",
        help="llama.cpp offload: layers on the GPU (-ngl), or 'auto' (as many as fit); "
        "the rest run from host RAM.",
    ),
]
CpuOpt = Annotated[
    str | None, typer.Option("--cpu", help="Host CPU id for offload, e.g. ryzen-9-7950x.")
]
HostMemoryOpt = Annotated[
    float | None, typer.Option("--host-memory-gb", help="Host RAM in GB for offload.")
]


@dataclass(frozen=True, slots=True)
class WorkloadArgs:
    """The workload flags of a command, all optional (None = not given)."""

    model: str | None = None
    hardware: str | None = None
    task: str | None = None
    precision: str | None = None
    engine: str | None = None
    kv_cache: str | None = None
    memory_gb: float | None = None
    devices: str | int | None = None
    nodes: int | None = None
    tensor: int | None = None
    pipeline: int | None = None
    expert: int | None = None
    zero: int | None = None
    offload: str | None = None
    prompt: int | None = None
    output: int | None = None
    batch: str | None = None
    ubatch: int | None = None
    method: str | None = None
    tokens: float | None = None
    seq_len: int | None = None
    micro_batch: int | None = None
    lora_rank: int | None = None
    optimizer: str | None = None
    resolution: int | None = None
    steps: int | None = None
    images: int | None = None
    gpu_layers: str | None = None
    cpu: str | None = None
    host_memory_gb: float | None = None


def read_workload_file(path: Path) -> dict[str, Any]:
    """A workload mapping from a YAML or JSON file, read within bounds (``spec/files.py``)."""
    from spicetrader.spec.files import load_workload_file

    return load_workload_file(path)


def _batch(value: str) -> int | str:
    from spicetrader.errors import InputError

    if value.strip().lower() == "max":
        return "max"
    try:
        return int(value)
    except ValueError:
        raise InputError(f"--batch must be a positive integer or 'max', got {value!r}") from None


def _devices(value: str | int) -> int | str:
    from spicetrader.errors import InputError

    if isinstance(value, int):
        return value
    if value.strip().lower() == "auto":
        return "auto"
    try:
        return int(value)
    except ValueError:
        raise InputError(f"--devices must be a positive integer or 'auto', got {value!r}") from None


_TOP = ("hardware", "task", "precision", "engine", "kv_cache", "memory_gb", "devices", "nodes")
_PARALLEL = ("tensor", "pipeline", "expert", "zero", "offload")


def workload_mapping(
    args: WorkloadArgs, file: Path | None = None, file_data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The file's mapping (or an empty one) with every given flag written over it.

    ``file_data``: the file's mapping when the caller has read it already (read once)."""
    from spicetrader.errors import InputError

    if file_data is not None:
        data: dict[str, Any] = dict(file_data)
    else:
        data = read_workload_file(file) if file is not None else {}
    if args.model is not None:
        data["model"] = args.model
    if "model" not in data:
        raise InputError("give a model (spice estimate MODEL ...) or a workload file (-f FILE)")
    given = {f.name: getattr(args, f.name) for f in fields(args)}
    for name in _TOP:
        if given[name] is not None:
            data[name] = given[name]
    if args.devices is not None:
        data["devices"] = _devices(args.devices)
    for name in _PARALLEL:
        if given[name] is not None:
            data.setdefault("parallelism", {})[name] = given[name]
    offload = _offload(args)
    if offload:
        existing_offload = data.get("offload")
        merged_offload = dict(existing_offload) if isinstance(existing_offload, dict) else {}
        data["offload"] = merged_offload | offload
    task = str(data.get("task", "inference"))
    _check_task_flags(args, task)
    section: dict[str, Any] = {}
    if task == "inference":
        section = {"prompt_tokens": args.prompt, "output_tokens": args.output,
                   "batch": None if args.batch is None else _batch(args.batch),
                   "ubatch_tokens": args.ubatch}  # fmt: skip
    elif task in ("finetune", "pretrain"):
        section = {"tokens": args.tokens, "seq_len": args.seq_len, "micro_batch": args.micro_batch}
        if task == "finetune":
            section |= {"method": args.method, "lora_rank": args.lora_rank}
        section["optimizer"] = args.optimizer
    elif task == "image":
        batch = None if args.batch is None else _batch(args.batch)
        section = {"resolution": args.resolution, "steps": args.steps, "images": args.images,
                   "batch": batch}  # fmt: skip
    flags = {k: v for k, v in section.items() if v is not None}
    if flags:
        existing = data.get(task)
        merged = dict(existing) if isinstance(existing, dict) else {}
        data[task] = merged | flags
    return data


def _offload(args: WorkloadArgs) -> dict[str, Any]:
    """The offload section the --gpu-layers / --cpu / --host-memory-gb flags ask for."""
    from spicetrader.errors import InputError

    section: dict[str, Any] = {}
    if args.gpu_layers is not None:
        value = args.gpu_layers.strip().lower()
        if value == "auto":
            section["gpu_layers"] = "auto"
        else:
            try:
                section["gpu_layers"] = int(value)
            except ValueError:
                raise InputError(
                    f"--gpu-layers must be a layer count or 'auto', got {args.gpu_layers!r}"
                ) from None
    if args.cpu is not None:
        section["cpu"] = args.cpu
    if args.host_memory_gb is not None:
        section["host_memory_gb"] = args.host_memory_gb
    return section


_TASK_FLAGS: dict[str, tuple[str, ...]] = {
    "prompt": ("inference",),
    "output": ("inference",),
    "ubatch": ("inference",),
    "batch": ("inference", "image"),
    "method": ("finetune",),
    "micro_batch": ("finetune", "pretrain"),
    "lora_rank": ("finetune",),
    "tokens": ("finetune", "pretrain"),
    "seq_len": ("finetune", "pretrain"),
    "optimizer": ("finetune", "pretrain"),
    "resolution": ("image",),
    "steps": ("image",),
    "images": ("image",),
}


def _check_task_flags(args: WorkloadArgs, task: str) -> None:
    from spicetrader.errors import InputError

    for name, tasks in _TASK_FLAGS.items():
        if getattr(args, name) is not None and task not in tasks:
            flag = "--" + name.replace("_", "-")
            raise InputError(f"{flag} applies to task {' or '.join(tasks)}, not {task}")
