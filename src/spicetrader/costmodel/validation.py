"""Impossible combinations: a clear NotSupportedError, or an explicit fallback in assumptions.

- a text task on a diffusion model or ``task: image`` on a text model;
- an engine on hardware it does not run on (MLX/Core ML off Apple, vLLM/TensorRT-LLM on Apple...);
- a weight format the engine cannot load (GGUF on vLLM, EXL2 outside exllamav2: the format's
  ``engines``);
- bf16 on a chip without bf16 (T4, V100, P100): fp16 instead, noted;
- fp8 / fp4 compute on a chip without it: vLLM falls back to weight-only kernels (Marlin W8A16,
  noted), any other engine is an error;
- a KV cache format the engine lacks (q8_0/q4_0 are llama.cpp's, fp8 is vLLM/SGLang/TRT-LLM's);
- QLoRA on anything but a 4-bit bitsandbytes base; LoRA/full training on quantized weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from spicetrader.catalog.schema import Vendor
from spicetrader.errors import NotSupportedError
from spicetrader.models.arch import DiffusionArchitecture
from spicetrader.models.precision import PrecisionKind, resolve_precision
from spicetrader.spec.workload import Engine, KvCacheFormat, Method, Task

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.models.arch import Architecture
    from spicetrader.models.precision import PrecisionFormat
    from spicetrader.spec.workload import Workload

__all__ = [
    "Checked",
    "check_context",
    "check_engine_hardware",
    "check_precision",
    "check_task_model",
]

_APPLE_ONLY: Final = frozenset({Engine.MLX, Engine.COREML})
_NOT_ON_APPLE: Final = frozenset(
    {Engine.VLLM, Engine.SGLANG, Engine.TENSORRT_LLM, Engine.EXLLAMAV2, Engine.MEGATRON,
     Engine.DEEPSPEED, Engine.UNSLOTH, Engine.GPT_FAST}
)  # fmt: skip
_NVIDIA_ONLY: Final = frozenset({Engine.TENSORRT_LLM, Engine.EXLLAMAV2, Engine.UNSLOTH})
_TRAINING_ENGINES: Final = frozenset(
    {Engine.PYTORCH, Engine.TRANSFORMERS, Engine.MEGATRON, Engine.DEEPSPEED, Engine.FSDP,
     Engine.TORCHTUNE, Engine.UNSLOTH, Engine.MLX}
)  # fmt: skip
_LLAMA_KV: Final = frozenset({KvCacheFormat.Q8_0, KvCacheFormat.Q4_0})
_GGUF_ENGINES: Final = frozenset({Engine.LLAMA_CPP, Engine.OLLAMA})
_FP8_KV_ENGINES: Final = frozenset(
    {Engine.VLLM, Engine.SGLANG, Engine.TENSORRT_LLM, Engine.TRANSFORMERS}
)
_WEIGHT_ONLY_FALLBACK: Final = frozenset({Engine.VLLM, Engine.SGLANG})
_FLOAT_KINDS: Final = frozenset({PrecisionKind.FLOAT})
# vLLM's weight-only fp8 (Marlin) kernels need compute capability 8.0 (Ampere) or newer.
_NO_WEIGHT_ONLY_FAMILIES: Final = frozenset({"pascal", "volta", "turing"})


@dataclass(frozen=True, slots=True)
class Checked:
    fmt: PrecisionFormat
    notes: tuple[str, ...]


def check_task_model(task: Task, arch: Architecture | DiffusionArchitecture) -> None:
    is_image_model = isinstance(arch, DiffusionArchitecture)
    if task is Task.IMAGE and not is_image_model:
        raise NotSupportedError(
            f"{arch.id} is a text model; task image needs a diffusion model (e.g. sdxl, sd-1.5)"
        )
    if task is not Task.IMAGE and is_image_model:
        raise NotSupportedError(
            f"{arch.id} is a diffusion model; it only runs task image (not {task.value})"
        )


def check_context(workload: Workload, arch: Architecture | DiffusionArchitecture) -> str | None:
    """A note when prompt + output exceed the model's trained context window (engines such as
    llama.cpp run it with a warning; quality degrades past the window)."""
    spec = workload.inference
    if (
        workload.task is not Task.INFERENCE
        or spec is None
        or isinstance(arch, DiffusionArchitecture)
    ):
        return None
    context = spec.prompt_tokens + spec.output_tokens
    if context <= arch.max_context:
        return None
    return (
        f"prompt + output = {context} tokens exceeds {arch.name}'s trained context of "
        f"{arch.max_context}: engines run it with a warning, quality degrades past the window"
    )


def check_engine_hardware(engine: Engine, task: Task, accel: Accelerator) -> None:
    from spicetrader.costmodel.host import check_cpu_engine, is_cpu

    if is_cpu(accel):
        check_cpu_engine(engine, task, accel)
        return
    apple = accel.vendor is Vendor.APPLE
    if engine in _APPLE_ONLY and not apple:
        raise NotSupportedError(f"{engine.value} runs only on Apple silicon, not {accel.id}")
    if apple and engine in _NOT_ON_APPLE:
        raise NotSupportedError(
            f"{engine.value} does not run on Apple silicon ({accel.id}); "
            "use llama.cpp, mlx, transformers or pytorch"
        )
    if engine in _NVIDIA_ONLY and accel.vendor is not Vendor.NVIDIA:
        raise NotSupportedError(f"{engine.value} runs only on NVIDIA GPUs, not {accel.id}")
    if task in (Task.FINETUNE, Task.PRETRAIN) and engine not in _TRAINING_ENGINES:
        accepted = ", ".join(sorted(e.value for e in _TRAINING_ENGINES))
        raise NotSupportedError(
            f"{engine.value} is an inference engine; training engines: {accepted}"
        )
    if task is Task.IMAGE and engine not in (Engine.DIFFUSERS, Engine.COREML, Engine.PYTORCH):
        raise NotSupportedError(
            f"{engine.value} does not run diffusion models; use diffusers (or coreml on Apple)"
        )


def check_precision(
    workload: Workload, accel: Accelerator, fmt: PrecisionFormat, engine: Engine
) -> Checked:
    """Validate the weight format against engine, hardware and method; maybe fall back."""
    notes: list[str] = []
    _check_training_format(workload, fmt, engine)
    if fmt.engines and engine not in fmt.engines:
        accepted = ", ".join(sorted(e.value for e in fmt.engines))
        raise NotSupportedError(
            f"precision {fmt.id} cannot be loaded by {engine.value}; engines for it: {accepted}"
        )
    if engine in _GGUF_ENGINES and fmt.kind is PrecisionKind.INT:
        # llama.cpp loads GGUF files: its 8- and 4-bit weights are q8_0 / q4_k_m (a little
        # larger than int8 / int4 with their scales), never the W8A8 or AWQ-style formats
        raise NotSupportedError(
            f"{engine.value} runs GGUF formats, not {fmt.id}: use q8_0 (8-bit) or q4_k_m (4-bit)"
        )
    if fmt.id == "bf16" and not accel.bf16:
        fmt = resolve_precision("fp16")
        notes.append(f"{accel.id} has no bf16: fp16 used instead (same memory, same speed)")
    needs = fmt.needs
    if lacks_tensor_cores(accel, fmt):
        weight_only = (
            engine in _WEIGHT_ONLY_FALLBACK
            and workload.task is Task.INFERENCE
            and fmt.fallback_compute_dtype is not None
            and accel.family not in _NO_WEIGHT_ONLY_FAMILIES
        )
        if not weight_only:
            raise NotSupportedError(
                f"precision {fmt.id} needs {needs} compute, which {accel.id} lacks; "
                "use bf16/fp16, or int8/int4 weight-only formats"
                + ("" if workload.task is not Task.INFERENCE else
                   " (vLLM runs fp8 weight-only on Ampere and newer)")
            )  # fmt: skip
        notes.append(
            f"{accel.id} has no {needs} tensor cores: {engine.value} runs {fmt.id} weights "
            f"weight-only (dequantized to {fmt.fallback_compute_dtype} in the matmul, Marlin)"
        )
    _check_kv(workload, engine)
    return Checked(fmt, tuple(notes))


def lacks_tensor_cores(accel: Accelerator, fmt: PrecisionFormat) -> bool:
    """The format computes in a dtype (``needs``: fp8, fp4) the chip has no tensor cores for."""
    has = {"fp8": accel.fp8_tflops, "fp4": accel.fp4_tflops}
    return fmt.needs in has and has[fmt.needs] is None


def _check_training_format(workload: Workload, fmt: PrecisionFormat, engine: Engine) -> None:
    if workload.task is Task.PRETRAIN and fmt.kind not in _FLOAT_KINDS:
        raise NotSupportedError(
            f"pre-training needs float weights (fp32, bf16, fp16, fp8), not {fmt.id}"
        )
    ft = workload.finetune
    if workload.task is not Task.FINETUNE or ft is None:
        return
    if ft.method is Method.QLORA:
        four_bit = fmt.bits_per_weight <= 5
        mlx_base = engine is Engine.MLX and fmt.kind is PrecisionKind.INT  # mlx-lm QLoRA
        if not four_bit or (fmt.kind is not PrecisionKind.BNB and not mlx_base):
            raise NotSupportedError(
                f"qlora needs a 4-bit bitsandbytes base (precision nf4), not {fmt.id}; "
                "use method lora for a 16-bit base"
            )
    elif fmt.kind not in _FLOAT_KINDS:
        hint = "use method qlora" if fmt.kind is PrecisionKind.BNB else "use bf16 or fp16"
        raise NotSupportedError(
            f"method {ft.method.value} trains on float weights, not {fmt.id}; {hint}"
        )


def _check_kv(workload: Workload, engine: Engine) -> None:
    kv = workload.kv_cache
    if workload.task is not Task.INFERENCE or kv is KvCacheFormat.FP16:
        return
    if kv in _LLAMA_KV and engine not in (Engine.LLAMA_CPP, Engine.OLLAMA):
        raise NotSupportedError(
            f"kv_cache {kv.value} is a llama.cpp cache type; {engine.value} accepts fp16 or fp8"
        )
    if kv is KvCacheFormat.FP8 and engine not in _FP8_KV_ENGINES:
        raise NotSupportedError(
            f"kv_cache fp8 is not available in {engine.value}; "
            "llama.cpp/ollama accept q8_0 or q4_0, vllm/sglang/tensorrt-llm fp8"
        )
