"""What to run for a plan option: the engine recipe, its environment and its shell scripts.

The scripts are data (``templates/<recipe>.setup.sh`` / ``.run.sh``, ``string.Template``: ``$name``
is filled here, ``$$VAR`` stays a shell variable). The launchers (SkyPilot, dstack, Colab) wrap
the same recipe.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from string import Template
from typing import Any

from spicetrader.errors import NotSupportedError
from spicetrader.spec.workload import Engine, Method, Task, Workload

__all__ = ["Recipe", "RecipeKind", "build_recipe", "hf_repo_for"]

SERVER_PORT = 8000
_GGUF = re.compile(r"^i?q\d")  # GGUF quant names: q4_k_m, q8_0, iq3_xs...
_HF_URL = re.compile(r"huggingface\.co/([^/\s]+/[^/\s]+)")
_LLAMA_CPP_ENGINES = {Engine.LLAMA_CPP, Engine.OLLAMA}
_LOCAL_ONLY_ENGINES = {Engine.MLX, Engine.COREML}


class RecipeKind(StrEnum):
    VLLM = "vllm"
    LLAMA_CPP = "llama-cpp"
    FINETUNE_LORA = "finetune-lora"


@dataclass(frozen=True)
class Recipe:
    kind: RecipeKind
    env: dict[str, str]
    setup: str
    run: str
    service: bool  # a server listening on ``port`` (else a job that ends)
    port: int | None
    notes: tuple[str, ...]


def _template(kind: RecipeKind, part: str) -> Template:
    ref = resources.files("spicetrader.sources").joinpath("templates", f"{kind.value}.{part}.sh")
    return Template(ref.read_text(encoding="utf-8"))


def hf_repo_for(workload: Workload) -> str | None:
    """The Hugging Face repo to load: the model itself when it is "org/name", else the repo of
    the catalog model's ``source`` config URL (None when there is none)."""
    model = workload.model
    if not isinstance(model, str):
        return None
    if re.fullmatch(r"[\w.-]+/[\w.-]+", model):
        return model
    try:
        registry = importlib.import_module("spicetrader.models.registry")
        arch = registry.resolve_model(model)
    except Exception:  # unknown model or registry not available: the user sets MODEL_ID
        return None
    match = _HF_URL.search(str(getattr(arch, "source", "")))
    return match.group(1) if match else None


def _engine(option: Mapping[str, Any], workload: Workload) -> Engine | None:
    filled = option.get("estimate", {}).get("workload", {}).get("engine")
    if filled:
        return Engine(filled)
    return workload.engine


def _context(workload: Workload) -> int:
    spec = workload.inference
    tokens = 4096 if spec is None else spec.prompt_tokens + spec.output_tokens
    return max(2048, math.ceil(tokens / 1024) * 1024)


def _batch(workload: Workload) -> int:
    spec = workload.inference
    if spec is None or spec.batch == "max":
        return 8
    return int(spec.batch)


def _inference(
    option: Mapping[str, Any], workload: Workload, precision: str, model_id: str
) -> Recipe:
    engine = _engine(option, workload)
    if engine in _LOCAL_ONLY_ENGINES:
        raise NotSupportedError(f"engine {engine} runs on a Mac; nothing to launch in a cloud")
    ctx = _context(workload)
    notes: list[str] = []
    values: dict[str, object]
    if engine in _LLAMA_CPP_ENGINES or _GGUF.match(precision):
        parallel = _batch(workload)
        values = {"port": SERVER_PORT, "max_model_len": ctx * parallel, "parallel": parallel}
        kind = RecipeKind.LLAMA_CPP
        gguf_repo = model_id if model_id.lower().endswith("gguf") else ""
        env = {"GGUF_REPO": gguf_repo, "GGUF_QUANT": precision.upper() or "Q4_K_M"}
        notes.append(
            "llama.cpp loads GGUF files: set GGUF_REPO to a Hub repo holding this model's "
            "GGUF quants (e.g. one of bartowski/*-GGUF)"
        )
    else:
        extra = {"fp8": "--quantization fp8", "bf16": "--dtype bfloat16",
                 "fp16": "--dtype float16"}.get(precision, "")  # fmt: skip
        if workload.inference is not None and workload.inference.batch != "max":
            extra = f"{extra} --max-num-seqs {workload.inference.batch}".strip()
        devices = int(option.get("devices", workload.devices))
        values = {"port": SERVER_PORT, "tensor_parallel": devices, "max_model_len": ctx,
                  "extra_args": extra}  # fmt: skip
        kind = RecipeKind.VLLM
        env = {"MODEL_ID": model_id}
        if precision.startswith(("awq", "gptq", "int4", "nf4")):
            notes.append(f"{precision}: point MODEL_ID at a {precision} checkpoint of the model")
    return Recipe(
        kind=kind,
        env=env,
        setup=_template(kind, "setup").substitute(values),
        run=_template(kind, "run").substitute(values),
        service=True,
        port=SERVER_PORT,
        notes=tuple(notes),
    )


def _finetune(workload: Workload, model_id: str, bf16: bool) -> Recipe:
    spec = workload.finetune
    if spec is None or spec.method is Method.FULL:
        raise NotSupportedError(
            "launch templates cover LoRA and QLoRA fine-tunes (finetune.method lora|qlora); "
            "a full fine-tune needs your own training script"
        )
    values = {
        "lora_rank": spec.lora_rank,
        "lora_alpha": 2 * spec.lora_rank,
        "quant_args": "--load_in_4bit --bnb_4bit_quant_type nf4"
        if spec.method is Method.QLORA
        else "",
        "micro_batch": spec.micro_batch,
        "seq_len": spec.seq_len,
        "checkpointing_args": "--gradient_checkpointing" if spec.gradient_checkpointing else "",
        "epochs": f"{spec.epochs:g}",
        "precision_args": "--bf16 True" if bf16 else "--fp16 True",
    }
    kind = RecipeKind.FINETUNE_LORA
    return Recipe(
        kind=kind,
        env={"MODEL_ID": model_id, "DATASET": "trl-lib/Capybara", "OUTPUT_DIR": "lora-out"},
        setup=_template(kind, "setup").substitute(values),
        run=_template(kind, "run").substitute(values),
        service=False,
        port=None,
        notes=("DATASET is an example conversational dataset: set it to yours",),
    )


def build_recipe(option: Mapping[str, Any], workload: Workload, *, bf16: bool) -> Recipe:
    """The recipe for this option's workload (NotSupportedError for pretrain and image)."""
    precision = str(option.get("precision") or workload.precision or "bf16").lower()
    model_id = hf_repo_for(workload) or ""
    if workload.task is Task.INFERENCE:
        recipe = _inference(option, workload, precision, model_id)
    elif workload.task is Task.FINETUNE:
        recipe = _finetune(workload, model_id, bf16)
    else:
        raise NotSupportedError(
            f"launch templates cover inference servers and LoRA/QLoRA fine-tunes, not "
            f"task {workload.task.value}"
        )
    if not recipe.env.get("MODEL_ID", "x") or not recipe.env.get("GGUF_REPO", "x"):
        missing = [k for k, v in recipe.env.items() if not v]
        guard = "".join(f': "${{{k}:?set {k} (see the notes above)}}"\n' for k in missing)
        recipe = Recipe(recipe.kind, recipe.env, recipe.setup, guard + recipe.run,
                        recipe.service, recipe.port, recipe.notes)  # fmt: skip
    return recipe
