"""Workload spec v1 (``shared/spec/workload.md``): the user's question, typed and validated.

The schema rejects negative and absurd numbers; defaults that depend on the catalog (engine,
parallelism, pretrain tokens) are filled by the cost model, which records them in the estimate's
``workload`` and ``assumptions``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

__all__ = [
    "Engine",
    "FinetuneSpec",
    "HostOffload",
    "ImageSpec",
    "InferenceSpec",
    "InlineArchitecture",
    "KvCacheFormat",
    "Method",
    "Offload",
    "Optimizer",
    "Parallelism",
    "PretrainSpec",
    "Task",
    "Workload",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Task(StrEnum):
    INFERENCE = "inference"
    FINETUNE = "finetune"
    PRETRAIN = "pretrain"
    IMAGE = "image"


class KvCacheFormat(StrEnum):
    FP16 = "fp16"
    FP8 = "fp8"
    Q8_0 = "q8_0"
    Q4_0 = "q4_0"


class Engine(StrEnum):
    LLAMA_CPP = "llama.cpp"
    OLLAMA = "ollama"
    MLX = "mlx"
    VLLM = "vllm"
    SGLANG = "sglang"
    TENSORRT_LLM = "tensorrt-llm"
    TRANSFORMERS = "transformers"
    GPT_FAST = "gpt-fast"
    EXLLAMAV2 = "exllamav2"
    PYTORCH = "pytorch"
    MEGATRON = "megatron"
    DEEPSPEED = "deepspeed"
    FSDP = "fsdp"
    TORCHTUNE = "torchtune"
    UNSLOTH = "unsloth"
    DIFFUSERS = "diffusers"
    COREML = "coreml"


class Method(StrEnum):
    FULL = "full"
    LORA = "lora"
    QLORA = "qlora"


class Optimizer(StrEnum):
    ADAMW = "adamw"
    ADAMW_8BIT = "adamw-8bit"
    PAGED_ADAMW_8BIT = "paged-adamw-8bit"
    SGD = "sgd"
    LION = "lion"


class Offload(StrEnum):
    NONE = "none"
    CPU = "cpu"


PositiveInt = Annotated[int, Field(ge=1)]
MAX_DEVICES = 1_000_000


def _device_count(value: object) -> int | Literal["auto"]:
    """A device count from 1 to MAX_DEVICES, or "auto" (one error message for both forms)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "auto":
            return "auto"
        value = int(text) if text.isdigit() else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("input should be a whole number of devices or 'auto'")
    if value < 1:
        raise ValueError("input should be greater than or equal to 1, or 'auto'")
    if value > MAX_DEVICES:
        raise ValueError(f"input should be less than or equal to {MAX_DEVICES}, or 'auto'")
    return value


DeviceCount = Annotated[
    int | Literal["auto"],
    PlainValidator(_device_count),
    WithJsonSchema({"anyOf": [
        {"type": "integer", "minimum": 1, "maximum": MAX_DEVICES}, {"const": "auto"},
    ]}),
]  # fmt: skip


class Parallelism(_Strict):
    tensor: Annotated[int, Field(ge=1, le=1024)] = 1
    pipeline: Annotated[int, Field(ge=1, le=1024)] = 1
    data: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    zero: Annotated[int, Field(ge=0, le=3)] = 0
    offload: Offload = Offload.NONE
    # expert-parallel size of an MoE model's training (Megatron --expert-model-parallel-size):
    # the ranks its routed experts are split over; None: the largest that fits in one node
    expert: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class InferenceSpec(_Strict):
    batch: Annotated[int, Field(ge=1, le=100_000)] | Literal["max"] = 1
    prompt_tokens: Annotated[int, Field(ge=0, le=10_000_000)] = 512
    output_tokens: Annotated[int, Field(ge=0, le=10_000_000)] = 128
    # tokens one prefill forward pass processes (llama.cpp -ub / n_ubatch; vLLM
    # max_num_batched_tokens; SGLang chunked_prefill_size); None: the engine's default
    ubatch_tokens: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class FinetuneSpec(_Strict):
    method: Method = Method.LORA
    lora_rank: Annotated[int, Field(ge=1, le=65_536)] = 16
    seq_len: Annotated[int, Field(ge=1, le=10_000_000)] = 2048
    micro_batch: Annotated[int, Field(ge=1, le=100_000)] = 2
    tokens: Annotated[float, Field(gt=0, le=1e15)] | None = None
    dataset_tokens: Annotated[float, Field(gt=0, le=1e15)] | None = None
    epochs: Annotated[float, Field(gt=0, le=10_000)] = 1.0
    gradient_checkpointing: bool = True
    optimizer: Optimizer = Optimizer.ADAMW

    def total_tokens(self) -> float | None:
        """Tokens to process: ``tokens``, else ``dataset_tokens * epochs``, else None."""
        if self.tokens is not None:
            return self.tokens
        if self.dataset_tokens is not None:
            return self.dataset_tokens * self.epochs
        return None


class PretrainSpec(_Strict):
    tokens: Annotated[float, Field(gt=0, le=1e16)] | None = None  # default: 20 x params
    seq_len: Annotated[int, Field(ge=1, le=10_000_000)] = 4096
    global_batch_tokens: Annotated[float, Field(gt=0, le=1e10)] = 4.0e6
    # sequences per micro-batch (Megatron's --micro-batch-size); None: the cost model takes the
    # fastest of 1, 2, 4, 8 that fits and that the global batch allows
    micro_batch: Annotated[int, Field(ge=1, le=100_000)] | None = None
    # None: the cost model turns it on only when the workload does not fit without it
    gradient_checkpointing: bool | None = None
    optimizer: Optimizer = Optimizer.ADAMW


class ImageSpec(_Strict):
    # None: the model's own (its reference resolution and default steps, e.g. FLUX.1 schnell 4)
    resolution: Annotated[int, Field(ge=64, le=8192)] | None = None
    steps: Annotated[int, Field(ge=1, le=10_000)] | None = None
    batch: Annotated[int, Field(ge=1, le=4096)] = 1
    images: Annotated[int, Field(ge=1, le=10**9)] | None = None


class HostOffload(_Strict):
    """llama.cpp partial offload (``-ngl``): some transformer layers on the GPU, the rest in host
    RAM run by the CPU. ``gpu_layers`` "auto": as many layers as fit the GPU; ``cpu``: a catalog
    CPU id (default: a common desktop CPU, said in the assumptions); ``host_memory_gb``: the
    machine's RAM (default: the CPU row's default configuration)."""

    gpu_layers: Annotated[int, Field(ge=0, le=100_000)] | Literal["auto"] = "auto"
    cpu: Annotated[str, Field(min_length=1)] | None = None
    host_memory_gb: Annotated[float, Field(gt=0, le=100_000)] | None = None


class InlineArchitecture(_Strict):
    """An architecture given inline in the workload instead of a model id."""

    name: str = "custom"
    layers: Annotated[int, Field(ge=1, le=10_000)]
    hidden: Annotated[int, Field(ge=1, le=1_000_000)]
    heads: Annotated[int, Field(ge=1, le=10_000)]
    kv_heads: Annotated[int, Field(ge=1, le=10_000)] | None = None
    head_dim: Annotated[int, Field(ge=1, le=100_000)] | None = None
    ffn_hidden: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    vocab: Annotated[int, Field(ge=1, le=10_000_000)] = 32000
    experts: Annotated[int, Field(ge=1, le=100_000)] = 1
    experts_per_token: Annotated[int, Field(ge=1, le=100_000)] = 1
    gated_ffn: bool = True
    tied_embeddings: bool = False
    max_context: Annotated[int, Field(ge=1, le=100_000_000)] = 4096

    @model_validator(mode="after")
    def _check(self) -> InlineArchitecture:
        if self.kv_heads is not None and self.heads % self.kv_heads:
            raise ValueError(
                f"heads ({self.heads}) must be a multiple of kv_heads ({self.kv_heads})"
            )
        if self.experts_per_token > self.experts:
            raise ValueError("experts_per_token cannot exceed experts")
        return self


class Workload(_Strict):
    """One workload: a model, a task and the hardware to run it on."""

    spec: Literal[1] = 1
    model: str | InlineArchitecture
    task: Task = Task.INFERENCE
    precision: str | None = None  # validated against the precision table by the cost model
    kv_cache: KvCacheFormat = KvCacheFormat.FP16
    engine: Engine | None = None
    hardware: str | None = None  # required by estimate(); the planner chooses it per option
    memory_gb: Annotated[float, Field(gt=0, le=100_000)] | None = None
    # "auto": the smallest device count (and nodes) that fits, chosen by the cost model
    devices: DeviceCount = 1
    nodes: Annotated[int, Field(ge=1, le=100_000)] = 1
    parallelism: Parallelism | None = None
    inference: InferenceSpec | None = None
    finetune: FinetuneSpec | None = None
    pretrain: PretrainSpec | None = None
    image: ImageSpec | None = None
    offload: HostOffload | None = None  # llama.cpp GPU + host RAM split (costmodel/offload.py)

    @field_validator("model")
    @classmethod
    def _model_not_empty(cls, value: str | InlineArchitecture) -> str | InlineArchitecture:
        if isinstance(value, str) and not value.strip():
            raise ValueError("model must not be empty")
        return value

    @field_validator("precision")
    @classmethod
    def _precision_lower(cls, value: str | None) -> str | None:
        return None if value is None else value.strip().lower()

    @model_validator(mode="after")
    def _fill_task_section(self) -> Workload:
        if self.devices != "auto" and self.devices % self.nodes:
            raise ValueError(
                f"devices ({self.devices}) must spread evenly over nodes ({self.nodes})"
            )
        sections = {
            Task.INFERENCE: ("inference", InferenceSpec),
            Task.FINETUNE: ("finetune", FinetuneSpec),
            Task.PRETRAIN: ("pretrain", PretrainSpec),
            Task.IMAGE: ("image", ImageSpec),
        }
        name, cls = sections[self.task]
        if getattr(self, name) is None:
            object.__setattr__(self, name, cls())
        return self

    @property
    def device_count(self) -> int:
        """``devices`` as a number; "auto" is resolved by the cost model before it is read."""
        if self.devices == "auto":
            from spicetrader.errors import InputError

            raise InputError("devices: auto must be resolved first (estimate() does it)")
        return self.devices

    @property
    def model_name(self) -> str:
        return self.model if isinstance(self.model, str) else self.model.name

    def to_dict(self) -> dict[str, object]:
        """The workload as JSON-ready data, sections of other tasks left out."""
        data = self.model_dump(mode="json", exclude_none=True)
        for task in Task:
            if task is not self.task:
                data.pop(task.value, None)
        return data
