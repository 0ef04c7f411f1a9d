"""Batch jobs for a plan option: LoRA/QLoRA fine-tunes (transformers + PEFT via TRL) and image
generation (diffusers). Both checkpoint where the tier keeps files, stop before a session's limit
and resume when run again: a fine-tune from its last checkpoint, image generation by skipping
the images already written."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch_recipe import (
    Host,
    Recipe,
    RecipeKind,
    fill,
    planned,
    planned_engine,
    session_budget_h,
)
from spicetrader.sources.launch_weights import model_ref
from spicetrader.spec.workload import Engine, ImageSpec, Method, Workload

__all__ = ["finetune_recipe", "image_recipe"]

_TRAINING = {Engine.TRANSFORMERS}
_MLX_BITS = {"mlx-4bit": 4, "int4": 4, "mlx-8bit": 8, "int8": 8}  # MLX's own quantized formats
_CHECKPOINT_EVERY_S = 1800.0  # save about every 30 minutes of training
_CUDA_DEVICE = (
    "f\"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}\""  # Python source: this rank's GPU
)


def finetune_recipe(
    option: Mapping[str, Any], workload: Workload, host: Host, precision: str, devices: int
) -> Recipe:
    spec = workload.finetune
    engine = planned_engine(option, workload)
    if spec is not None and spec.method is not Method.FULL and engine is Engine.MLX:
        return _mlx_finetune(option, workload, host, precision)
    if spec is None or spec.method is Method.FULL or engine not in _TRAINING:
        raise NotSupportedError(
            "launch writes LoRA/QLoRA fine-tunes with transformers + PEFT (TRL) or MLX LM; "
            f"this option is {spec.method.value if spec else 'no'} fine-tuning on {engine.value}"
        )
    _check_data_parallel(option, devices)
    quantized = {
        "nf4": "BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', "
        "bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=DTYPE)"
    }
    if precision not in (*quantized, "bf16", "fp16"):
        raise NotSupportedError(
            f"launch fine-tunes from nf4, bf16 or fp16 weights, not {precision}"
        )
    ref = model_ref(workload)
    if ref.base_repo is None:
        raise NotSupportedError(f"no Hub repo known for {workload.model_name}")
    steps, save_steps = _steps(option, workload, devices)
    budget_h = session_budget_h(host)
    dtype = "torch.bfloat16" if host.bf16 else "torch.float16"
    quantization = quantized.get(precision, "None").replace("DTYPE", dtype)
    values = {
        "max_steps": steps, "save_steps": save_steps, "session_budget_h": f"{budget_h:g}",
        "session_budget_s": int(budget_h * 3600), "quantization": quantization,
        "torch_dtype": dtype, "micro_batch": spec.micro_batch, "seq_len": spec.seq_len,
        "gradient_checkpointing": spec.gradient_checkpointing, "bf16": host.bf16,
        "fp16": not host.bf16, "lora_rank": spec.lora_rank, "lora_alpha": 2 * spec.lora_rank,
    }  # fmt: skip
    launcher = "python" if devices == 1 else f"accelerate launch --num_processes {devices}"
    kind = RecipeKind.FINETUNE_LORA
    output_dir = f"{host.persistent_dir}/lora-out" if host.persistent_dir else "lora-out"
    method = "QLoRA on a 4-bit nf4 base" if precision == "nf4" else f"LoRA on {precision} weights"
    return Recipe(
        kind=kind,
        env={"MODEL_ID": ref.base_repo, "DATASET": "trl-lib/Capybara", "OUTPUT_DIR": output_dir},
        setup=fill("finetune-lora.setup.sh", values),
        run=fill("finetune-lora.run.sh", {"launcher": launcher}),
        service=False, port=None,
        notes=(f"{method} of {ref.base_repo} (the base model; fine-tunes start from it)",
               f"{steps} steps of {spec.micro_batch} x {spec.seq_len} tokens on {devices} "
               f"device(s); a checkpoint every {save_steps} steps (~30 min)",
               "DATASET is an example conversational dataset: set it to yours"),
        precision=precision, devices=devices, served=f"{ref.base_repo} ({method})",
        files={"train.py": fill("finetune-lora.train.py.in", values)},
    )  # fmt: skip


def _check_data_parallel(option: Mapping[str, Any], devices: int) -> None:
    """The recipe runs one full copy per GPU (DDP): a plan that shards (ZeRO, offload, tensor or
    pipeline split) would not fit that way, so it is refused rather than written."""
    par = planned(option).get("parallelism") or {}
    zero, offload = int(par.get("zero", 0)), str(par.get("offload", "none"))
    split = int(par.get("tensor", 1)) * int(par.get("pipeline", 1))
    if zero or offload != "none" or split != 1:
        raise NotSupportedError(
            f"the plan shards the fine-tune over its {devices} devices (ZeRO-{zero}, offload "
            f"{offload}, tensor x pipeline {split}); launch writes data-parallel fine-tunes "
            "(a full copy per GPU) only"
        )


def _steps(option: Mapping[str, Any], workload: Workload, devices: int) -> tuple[int, int]:
    """Optimizer steps for the plan's tokens, and steps between checkpoints (~30 minutes)."""
    spec = workload.finetune
    if spec is None:
        raise NotSupportedError("the workload has no finetune section")
    tokens = float(spec.total_tokens() or spec.seq_len * spec.micro_batch * devices * 1000)
    steps = max(1, math.ceil(tokens / (spec.seq_len * spec.micro_batch * devices)))
    step_s = float(((option.get("estimate") or {}).get("training") or {}).get("step_s") or 10.0)
    return steps, max(10, min(steps, round(_CHECKPOINT_EVERY_S / step_s)))


def _mlx_finetune(
    option: Mapping[str, Any], workload: Workload, host: Host, precision: str
) -> Recipe:
    """mlx_lm.lora on a Mac: QLoRA on MLX's own 4/8-bit conversion of the base, LoRA on 16-bit."""
    spec = workload.finetune
    ref = model_ref(workload)
    if spec is None or ref.base_repo is None or not host.apple:
        raise NotSupportedError("MLX fine-tunes need a Mac and a Hub repo of the base model")
    bits = _MLX_BITS.get(precision)
    if bits is None and precision not in ("fp16", "bf16"):
        raise NotSupportedError(f"MLX LM fine-tunes 4/8-bit or 16-bit weights, not {precision}")
    steps, save_every = _steps(option, workload, 1)
    convert = (f'[ -d base-mlx ] || mlx_lm.convert --hf-path "$MODEL_ID" --mlx-path base-mlx '
               f"-q --q-bits {bits}") if bits else ""  # fmt: skip
    values = {
        "convert": convert, "model": "base-mlx" if bits else '"$MODEL_ID"', "iters": steps,
        "micro_batch": spec.micro_batch, "seq_len": spec.seq_len, "save_every": save_every,
        "grad_checkpoint": "--grad-checkpoint" if spec.gradient_checkpointing else "",
    }  # fmt: skip
    method = f"QLoRA on MLX's {bits}-bit conversion" if bits else f"LoRA on {precision} weights"
    lora = f"lora_parameters:\n  rank: {spec.lora_rank}\n  scale: 2.0\n  dropout: 0.0\n"
    return Recipe(
        kind=RecipeKind.FINETUNE_LORA,
        env={"MODEL_ID": ref.base_repo, "DATASET": "trl-lib/Capybara", "OUTPUT_DIR": "adapters"},
        setup=fill("mlx-lora.setup.sh", values),
        run=fill("mlx-lora.run.sh", values),
        service=False,
        port=None,
        notes=(f"{method} of {ref.base_repo} (the base model; fine-tunes start from it)",
               f"{steps} iterations of {spec.micro_batch} x {spec.seq_len} tokens; adapters "
               f"saved every {save_every}; a rerun resumes from them (the iteration count "
               "restarts)",
               "DATASET is an example conversational dataset: set it to yours"),
        precision=precision,
        devices=1,
        served=f"{ref.base_repo} ({method})",
        files={"lora.yaml": lora, "prepare_data.py": fill("mlx-lora.prepare_data.py.in", {})},
    )  # fmt: skip


def image_recipe(
    option: Mapping[str, Any], workload: Workload, host: Host, precision: str, devices: int
) -> Recipe:
    """Generate the plan's images with diffusers at its resolution, steps and batch; one image
    per file, so a new session resumes by skipping the files already written."""
    spec = _planned_image(option, workload)
    engine = planned_engine(option, workload)
    dtypes = {"bf16": "torch.bfloat16", "fp16": "torch.float16"}
    if spec is None or engine is not Engine.DIFFUSERS or precision not in dtypes:
        raise NotSupportedError(
            f"launch generates images with diffusers in bf16 or fp16; this option is "
            f"{precision} on {engine.value}"
        )
    ref = model_ref(workload)
    if ref.base_repo is None:
        raise NotSupportedError(f"no Hub repo known for {workload.model_name}")
    images = spec.images or 100
    budget_h = session_budget_h(host)
    values = {
        "images": images, "batch": spec.batch, "steps": spec.steps,
        "resolution": spec.resolution, "torch_dtype": dtypes[precision],
        "device": "'mps'" if host.apple else _CUDA_DEVICE, "session_budget_s": int(budget_h * 3600),
    }  # fmt: skip
    launcher = "python" if devices == 1 else f"accelerate launch --num_processes {devices}"
    output_dir = f"{host.persistent_dir}/images" if host.persistent_dir else "images"
    env = {"MODEL_ID": ref.base_repo, "PROMPT": "a photo of a lighthouse at dawn",
           "OUTPUT_DIR": output_dir}  # fmt: skip
    what = (
        f"{images} images of {spec.resolution}x{spec.resolution} px, {spec.steps} steps, "
        f"batch {spec.batch}, on {devices} device(s) ({precision} weights of {ref.base_repo})"
    )
    return Recipe(
        kind=RecipeKind.IMAGE,
        env=env,
        setup=fill("diffusers-image.setup.sh", values),
        run=fill("diffusers-image.run.sh", {"launcher": launcher}),
        service=False,
        port=None,
        notes=(what, "PROMPT is an example: set it to yours (one prompt for every image)"),
        precision=precision,
        devices=devices,
        served=f"{ref.base_repo} ({precision})",
        files={"generate.py": fill("diffusers-image.generate.py.in", values)},
    )


def _planned_image(option: Mapping[str, Any], workload: Workload) -> ImageSpec | None:
    """The image section the estimate used: its resolution and steps are filled from the model
    when the workload leaves them out (FLUX.1 schnell: 4 steps)."""
    planned = (option.get("estimate") or {}).get("workload", {}).get("image")
    if isinstance(planned, dict):
        return ImageSpec.model_validate(planned)
    return workload.image
