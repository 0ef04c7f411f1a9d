"""Memory per device for one resolved workload: weights, KV cache, activations, gradients,
optimizer states and runtime overhead. Each part's formula is cited in its own module:
``memory_kv``, ``memory_activations``, ``memory_training``, ``memory_lora``, ``memory_overhead``.

Everything here is a pure function of a :class:`~spicetrader.costmodel.context.Setup`; the
estimator and the fit search (``fit.py``) call it many times, so it works on plain floats
(:class:`Parts`, bytes) and builds the pydantic ``MemoryBreakdown`` once at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from spicetrader.costmodel.memory_activations import (
    LLAMA_CPP_UBATCH,
    forward_scratch_bytes,
    llama_cpp_compute_buffer_bytes,
    logits_bytes,
    training_activation_bytes,
)
from spicetrader.costmodel.memory_kv import kv_cache_bytes
from spicetrader.costmodel.memory_lora import lora_params
from spicetrader.costmodel.memory_overhead import overhead_gb
from spicetrader.costmodel.memory_training import ShardPlan, training_states
from spicetrader.costmodel.moe_training import held_params, training_expert_parallel
from spicetrader.models.arch import Architecture, DiffusionArchitecture
from spicetrader.models.weights import weight_bytes
from spicetrader.spec.estimate import MemoryBreakdown
from spicetrader.spec.workload import Engine, Method, Offload, Optimizer, Task

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup

__all__ = [
    "Parts",
    "breakdown",
    "image_parts",
    "inference_parts",
    "prefill_chunk_tokens",
    "training_parts",
]

# Tokens one forward pass of prefill processes at most (the engines' chunk / micro-batch).
_PREFILL_CHUNK: Final[dict[Engine, int]] = {
    Engine.VLLM: 8192,  # max_num_batched_tokens with chunked prefill
    Engine.SGLANG: 8192,  # chunked_prefill_size
    Engine.TENSORRT_LLM: 8192,  # max_num_tokens
    Engine.MLX: 2048,  # mlx_lm prefill_step_size
    Engine.EXLLAMAV2: 2048,  # max_input_len
}


def prefill_chunk_tokens(engine: Engine, tokens: int, ubatch: int | None = None) -> int:
    """Tokens one forward pass of a prefill of ``tokens`` tokens processes: ``ubatch`` when the
    workload sets it (``inference.ubatch_tokens``), else the engine's chunk (llama.cpp/ollama:
    one ``n_ubatch`` micro-batch), at most the prompt itself."""
    if ubatch is not None:
        return min(tokens, ubatch)
    if engine in (Engine.LLAMA_CPP, Engine.OLLAMA):
        return min(tokens, LLAMA_CPP_UBATCH)
    return min(tokens, _PREFILL_CHUNK.get(engine, tokens))


# Engines whose fine-tuning recipes compute the loss in chunks (no full fp32 logits tensor).
_CHUNKED_LOSS: Final = frozenset({Engine.TORCHTUNE, Engine.UNSLOTH, Engine.MEGATRON})
ADAPTER_BYTES: Final = 2.0  # LoRA adapters in bf16 (QLoRA paper sec. 3: bf16 compute dtype)


@dataclass(frozen=True, slots=True)
class Parts:
    """Bytes per device, by part."""

    weights: float
    kv_cache: float = 0.0
    activations: float = 0.0
    gradients: float = 0.0
    optimizer: float = 0.0
    overhead: float = 0.0

    @property
    def total(self) -> float:
        return (
            self.weights + self.kv_cache + self.activations
            + self.gradients + self.optimizer + self.overhead
        )  # fmt: skip


def breakdown(parts: Parts, capacity_gb: float) -> MemoryBreakdown:
    """The output model (GB = 1e9 bytes), rounded to the MB."""

    def gb(n_bytes: float) -> float:
        return round(n_bytes / 1e9, 3)

    return MemoryBreakdown(
        per_device_gb=gb(parts.total),
        capacity_gb=round(capacity_gb, 3),
        weights_gb=gb(parts.weights),
        kv_cache_gb=gb(parts.kv_cache),
        activations_gb=gb(parts.activations),
        gradients_gb=gb(parts.gradients),
        optimizer_gb=gb(parts.optimizer),
        overhead_gb=gb(parts.overhead),
    )


def _text_arch(setup: Setup) -> Architecture:
    arch = setup.arch
    if not isinstance(arch, Architecture):
        raise TypeError("a diffusion architecture reached the text memory model")
    return arch


def inference_parts(setup: Setup, batch: int, context: int) -> Parts:
    """Serving ``batch`` sequences of ``context`` tokens (prompt + output)."""
    arch = _text_arch(setup)
    par = setup.parallel
    shards = par.tensor * par.pipeline
    per_replica = -(-batch // par.data)
    weights = weight_bytes(arch, setup.fmt) / shards
    kv = kv_cache_bytes(
        arch, context, per_replica, setup.kv_bytes_per_element, par.tensor, par.pipeline
    )
    spec = setup.workload.inference
    ubatch = spec.ubatch_tokens if spec is not None else None
    if setup.engine in (Engine.LLAMA_CPP, Engine.OLLAMA):
        activations = llama_cpp_compute_buffer_bytes(
            arch, context, par.tensor, ubatch or LLAMA_CPP_UBATCH
        )
    else:
        prompt = spec.prompt_tokens if spec is not None else 0
        tokens = max(per_replica * prompt, per_replica)
        tokens = prefill_chunk_tokens(setup.engine, tokens, ubatch)
        activations = forward_scratch_bytes(arch, tokens, par.tensor)
        activations += logits_bytes(arch, per_replica) / par.tensor
    return Parts(
        weights=weights,
        kv_cache=kv,
        activations=activations,
        overhead=overhead_gb(setup.engine) * 1e9,
    )


@dataclass(frozen=True, slots=True)
class _Recipe:
    """The training knobs memory depends on (pretrain: one sequence per micro-batch unless the
    workload, or the sizing in ``costmodel.fit``, sets ``micro_batch``)."""

    method: Method
    seq_len: int
    micro_batch: int
    checkpointing: bool
    optimizer: Optimizer
    lora_rank: int


def _recipe(setup: Setup) -> _Recipe:
    wl = setup.workload
    if wl.task is Task.FINETUNE and wl.finetune is not None:
        ft = wl.finetune
        return _Recipe(ft.method, ft.seq_len, ft.micro_batch, ft.gradient_checkpointing,
                       ft.optimizer, ft.lora_rank)  # fmt: skip
    if wl.task is Task.PRETRAIN and wl.pretrain is not None:
        pt = wl.pretrain
        return _Recipe(Method.FULL, pt.seq_len, pt.micro_batch or 1,
                       pt.gradient_checkpointing is True, pt.optimizer, 0)  # fmt: skip
    raise TypeError("training memory asked for an inference or image workload")


def training_parts(setup: Setup) -> Parts:
    """Fine-tuning or pre-training memory per device (see ``memory_training`` for the states)."""
    arch = _text_arch(setup)
    par = setup.parallel
    recipe = _recipe(setup)
    method, optimizer = recipe.method, recipe.optimizer
    offload = par.offload is Offload.CPU
    shards = ShardPlan(par.tensor * par.pipeline, par.data, par.zero, offload)
    total = float(arch.total_params())
    if method is Method.FULL:
        # fp8 training (Transformer Engine) keeps bf16 weights; fp8 is only the matmul dtype.
        bytes_per_param = max(setup.fmt.bits_per_weight / 8.0, 2.0)
        weights = total * bytes_per_param / shards.weight_shards
        trainable, grad_bytes = total, bytes_per_param
        master = bytes_per_param < 4.0 and setup.engine is not Engine.TORCHTUNE
    else:
        trainable = float(lora_params(arch, recipe.lora_rank))
        weights = (weight_bytes(arch, setup.fmt) + trainable * ADAPTER_BYTES) / shards.weight_shards
        grad_bytes, master = ADAPTER_BYTES, True
    states = training_states(trainable, grad_bytes, optimizer, master, shards)
    gradients, opt = states.gradients, states.optimizer
    held = expert_parallel_share(setup, arch)
    if par.zero < 3:
        weights *= held
    if method is Method.FULL:
        gradients *= held if par.zero < 2 else 1.0
        opt *= held if par.zero < 1 else 1.0
    if offload and par.zero >= 3:
        # FSDP/ZeRO-3 with CPU offload: parameters and gradients live on the host; the device
        # holds the layers being gathered (current + prefetched next) and one layer's gradients.
        layer_weights = weights * shards.weight_shards / arch.layers
        weights = 2.0 * layer_weights
        gradients = min(gradients, layer_weights)
    elif method is Method.FULL and fused_optimizer_step(setup):
        # torchtune single-device: optimizer step fused into backward (optimizer_in_bwd), each
        # gradient freed right after its update: at most the largest tensor's gradient is live.
        gradients = min(gradients, arch.vocab * arch.hidden * grad_bytes)
    tokens = recipe.seq_len * recipe.micro_batch
    activations = training_activation_bytes(
        arch, recipe.seq_len, recipe.micro_batch, recipe.checkpointing, par.tensor
    )
    if setup.engine not in _CHUNKED_LOSS:
        activations += logits_bytes(arch, tokens) / par.tensor
    parts = Parts(
        weights=weights,
        activations=activations,
        gradients=gradients,
        optimizer=opt,
        overhead=overhead_gb(setup.engine) * 1e9,
    )
    if optimizer is Optimizer.PAGED_ADAMW_8BIT:
        # Paged optimizers keep their states in CUDA unified memory, evicted to host RAM under
        # memory pressure (bitsandbytes docs, "Paged optimizers"): they use what is left.
        rest = parts.total - parts.optimizer
        room = max(setup.capacity_gb * 1e9 - rest, 0.0)
        parts = Parts(weights, 0.0, activations, gradients, min(opt, room), parts.overhead)
    return parts


def expert_parallel_share(setup: Setup, arch: Architecture) -> float:
    """Share of the parameters one device holds of a state that is not sharded over data
    parallelism: expert parallelism (``moe_training.training_expert_parallel``, EP ranks within
    a node, as the speed model assumes) splits the routed experts EP ways (Megatron Core MoE
    docs, ``--expert-model-parallel-size``; GShard, Lepikhin et al. 2020, sec. 2.2). A state
    ZeRO shards over data parallelism is already split ``data`` ways, experts included: expert
    data parallelism is ``data / EP`` ranks of ``1 / EP`` of the experts each."""
    if not arch.is_moe:
        return 1.0
    par = setup.parallel
    ep = training_expert_parallel(
        arch, max(par.data, 1), par.tensor, setup.devices_per_node, par.expert
    )
    return held_params(arch, ep) / arch.total_params()


def fused_optimizer_step(setup: Setup) -> bool:
    """torchtune's single-device full fine-tune recipe fuses the optimizer step into backward."""
    return setup.engine is Engine.TORCHTUNE and setup.devices == 1


def image_parts(setup: Setup) -> Parts:
    """Diffusion inference: every component's weights, the denoiser's and VAE decoder's peak."""
    arch = setup.arch
    if not isinstance(arch, DiffusionArchitecture):
        raise TypeError("a text architecture reached the image memory model")
    spec = setup.workload.image
    resolution = (spec.resolution if spec is not None else None) or arch.reference_resolution
    batch = -(-(spec.batch if spec is not None else 1) // setup.parallel.data)  # per device
    bytes_per_param = setup.fmt.bits_per_weight / 8.0
    weights = arch.total_params() * bytes_per_param
    latent = (resolution / arch.latent_downsample) ** 2
    denoise_batch = batch * (2 if arch.cfg else 1)
    # Estimated: a few 1280-channel feature maps of the latent alive at once in the denoiser;
    # the VAE decoder's 128-channel full-resolution maps (~6 alive) at the end, fp16.
    denoiser = latent * denoise_batch * 1280 * 2.0 * 16
    vae = float(resolution) ** 2 * batch * 128 * 2.0 * 6
    return Parts(
        weights=weights,
        activations=max(denoiser, vae),
        overhead=overhead_gb(setup.engine) * 1e9,
    )
