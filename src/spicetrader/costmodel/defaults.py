"""Defaults the user did not give: engine and precision per task and hardware.

Each default returns the value and the sentence the estimate's ``assumptions`` records.
Rules (the usual choice on that hardware, as of 2025):
- inference: GGUF quants run on llama.cpp, EXL2 on exllamav2, bitsandbytes on transformers;
  Apple silicon runs MLX for other formats; NVIDIA/AMD datacenter GPUs, TPUs and Gaudi serve with
  vLLM, except where vLLM does not run (``data/engine_support.csv``: Pascal) which gets
  llama.cpp. Consumer GPUs and Macs default to ``q4_k_m`` on llama.cpp (what local users run);
  CPUs (``segment: cpu``) run llama.cpp, q4_k_m by default;
  datacenter hardware to ``bf16`` (``fp16`` where the chip has no bf16: T4, V100, P100).
  A model released already quantized is served in its release format by the engines that load
  it: gpt-oss (MXFP4 experts) everywhere, in llama.cpp on local hardware as Ollama ships it
  (OpenAI's model card; the only gpt-oss GGUF is the MXFP4 file, ggml-org/gpt-oss-120b-GGUF);
  FP8 releases (DeepSeek-V3/R1, Kimi K2, MiniMax-M2) and Kimi K2 Thinking's INT4 on datacenter
  hardware, as their model cards' vLLM/SGLang recipes load them (local hardware keeps its GGUF
  quant, which is how those models reach Macs and desktops).
- fine-tuning: Hugging Face transformers + PEFT (MLX on Apple); QLoRA bases are ``nf4``.
- pre-training: Megatron-LM on NVIDIA multi-GPU, PyTorch FSDP elsewhere, PyTorch on one device.
- images: diffusers, in bf16 (fp16 where the chip has none, and on Apple).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from spicetrader.catalog.schema import Vendor
from spicetrader.costmodel.engine_support import engine_runs_on
from spicetrader.models.precision import PrecisionKind
from spicetrader.spec.workload import Engine, Method, Task

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.models.precision import PrecisionFormat
    from spicetrader.spec.workload import Workload

__all__ = ["LOCAL_SEGMENTS", "default_engine", "default_precision", "float_precision"]

LOCAL_SEGMENTS: Final = frozenset({"consumer", "apple", "cpu"})

# Which engine to pick for a precision kind when the user named none (inference).
_ENGINE_FOR_KIND: Final[dict[PrecisionKind, Engine]] = {
    PrecisionKind.GGUF: Engine.LLAMA_CPP,
    PrecisionKind.EXL2: Engine.EXLLAMAV2,
    PrecisionKind.BNB: Engine.TRANSFORMERS,
}


def float_precision(accel: Accelerator) -> tuple[str, str]:
    """bf16 where the chip supports it, else fp16 (T4, V100, P100); Apple: fp16."""
    if accel.vendor is Vendor.APPLE:
        return "fp16", "fp16 (the usual 16-bit format on Apple GPUs)"
    if accel.bf16:
        return "bf16", f"bf16 (supported by {accel.id})"
    return "fp16", f"fp16 ({accel.id} has no bf16)"


def default_precision(
    workload: Workload, accel: Accelerator, native: str = "bf16"
) -> tuple[str, str]:
    """The precision id to use when the workload gives none, and why.

    ``native``: the format the model's weights were released in (``Architecture.native_precision``).
    """
    task = workload.task
    ft = workload.finetune
    released = _released_quantized(native, workload.engine, accel)
    if task is Task.INFERENCE and released is not None:
        return released, f"precision {released} (the format the model was released in)"
    if task is Task.FINETUNE and ft is not None and ft.method is Method.QLORA:
        if accel.vendor is Vendor.APPLE:
            return "int4", "precision int4 (MLX 4-bit base for mlx-lm QLoRA)"
        return "nf4", "precision nf4 (QLoRA base, bitsandbytes double quant)"
    engine = workload.engine
    local_engine = engine in (None, Engine.LLAMA_CPP, Engine.OLLAMA)
    if task is Task.INFERENCE and accel.segment in LOCAL_SEGMENTS and local_engine:
        return "q4_k_m", f"precision q4_k_m (the usual GGUF quant on {accel.segment} hardware)"
    if task is Task.INFERENCE and accel.unified_memory and local_engine:
        # A unified-memory desktop (DGX Spark, Ryzen AI Max "Strix Halo") is run as a Mac is:
        # a GGUF quant in llama.cpp / Ollama, as NVIDIA's DGX Spark and AMD's Strix Halo
        # guides do (the measured cases C360-C369 are llama.cpp).
        return "q4_k_m", "precision q4_k_m (the usual GGUF quant on a unified-memory desktop)"
    if task is Task.INFERENCE and engine in (Engine.LLAMA_CPP, Engine.OLLAMA):
        return "q4_k_m", f"precision q4_k_m (the usual GGUF quant for {engine.value})"
    if task is Task.INFERENCE and engine is Engine.EXLLAMAV2:
        return "exl2-4.65", "precision exl2-4.65 (a common EXL2 size)"
    name, why = float_precision(accel)
    return name, f"precision {why}"


def _local(accel: Accelerator) -> bool:
    """A machine people run models on themselves: consumer GPUs, Macs, CPUs and unified-memory
    desktops (DGX Spark, Ryzen AI Max), where GGUF in llama.cpp is the usual way."""
    return accel.segment in LOCAL_SEGMENTS or accel.unified_memory


def _released_quantized(native: str, engine: Engine | None, accel: Accelerator) -> str | None:
    """``native`` when the model was released quantized and is served so on this hardware and
    engine (if named), else None (the usual defaults)."""
    from spicetrader.costmodel.validation import lacks_tensor_cores
    from spicetrader.models.precision import resolve_precision

    fmt = resolve_precision(native)
    if fmt.bits_per_weight >= 16:
        return None  # a 16-bit release (the usual case) is quantized by the user's choice
    if engine is not None and not fmt.supports(engine):
        return None
    if fmt.kind is PrecisionKind.MX:
        return fmt.id  # MXFP4 runs everywhere (weight-only where FP4 tensor cores are missing)
    if _local(accel) or engine in (Engine.LLAMA_CPP, Engine.OLLAMA):
        return None  # FP8/INT4 releases reach local machines as GGUF quants
    if lacks_tensor_cores(accel, fmt):
        return None  # an FP8 release on a chip without FP8 tensor cores (A100): the usual default
    return fmt.id


def default_engine(task: Task, accel: Accelerator, fmt: PrecisionFormat, devices: int) -> Engine:
    """The usual engine for this task, hardware and weight format."""
    apple = accel.vendor is Vendor.APPLE
    if task is Task.INFERENCE and fmt.kind is PrecisionKind.MX and _local(accel):
        return Engine.LLAMA_CPP  # MXFP4 GGUF in llama.cpp / Ollama (see the module docstring)
    if task is Task.IMAGE:
        return Engine.DIFFUSERS
    if task is Task.FINETUNE:
        return Engine.MLX if apple else Engine.TRANSFORMERS
    if task is Task.PRETRAIN:
        if devices == 1:
            return Engine.MLX if apple else Engine.PYTORCH
        return Engine.MEGATRON if accel.vendor is Vendor.NVIDIA else Engine.FSDP
    if accel.segment == "cpu":
        return Engine.LLAMA_CPP  # the engine people run on CPUs (costmodel/host.py)
    by_kind = _ENGINE_FOR_KIND.get(fmt.kind)
    if by_kind is not None:
        return by_kind
    if fmt.engines and Engine.VLLM not in fmt.engines:
        return sorted(fmt.engines)[0]
    if apple:
        return Engine.MLX
    if engine_runs_on(Engine.VLLM, accel.family) is False:  # Pascal: below vLLM's CC 7.0
        return Engine.LLAMA_CPP
    return Engine.VLLM
