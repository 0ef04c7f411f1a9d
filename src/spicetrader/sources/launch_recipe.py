"""What to run for a plan option: the engine, its command line, environment and files.

The recipe follows the plan, not defaults: the option's engine (the one the estimate assumed), its
precision (weights from :mod:`.launch_weights`), its tensor/pipeline split, the context and
concurrent sequences the estimate sized the KV cache for, and the engine's memory share the fit
assumed (``gpu_memory_utilization``, ``costmodel/data/runtime.csv``).

Scripts are data (``templates/<kind>.setup.sh`` / ``.run.sh``, ``string.Template``: ``$name`` is
filled here, ``$$VAR`` stays a shell variable). The launchers (SkyPilot, dstack, notebooks,
shell script) wrap the same recipe.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from string import Template
from typing import Any

from spicetrader.costmodel.engine_support import engine_runs_on
from spicetrader.costmodel.runtime import runtime_table
from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch_weights import Weights, model_ref, serving_weights
from spicetrader.spec.workload import Engine, Method, Task, Workload

__all__ = ["Host", "Recipe", "RecipeKind", "build_recipe", "shell_with_files"]

SERVER_PORT = 8000
_SERVING = {Engine.VLLM, Engine.LLAMA_CPP, Engine.MLX}
_TRAINING = {Engine.TRANSFORMERS}
_CHECKPOINT_EVERY_S = 1800.0  # save about every 30 minutes of training
_SESSION_MARGIN_H = 0.5  # stop this long before a session's limit, with a checkpoint


class RecipeKind(StrEnum):
    VLLM = "vllm"
    LLAMA_CPP = "llama-cpp"
    MLX = "mlx"
    FINETUNE_LORA = "finetune-lora"


@dataclass(frozen=True)
class Host:
    """Where the recipe runs (from the catalog and the tier)."""

    family: str  # the accelerator's family (engine_support.csv)
    apple: bool
    nvidia: bool
    bf16: bool
    persistent_dir: str | None = None  # notebooks: where checkpoints outlive the session
    session_hours: float | None = None  # notebooks: the session limit


@dataclass(frozen=True)
class Recipe:
    kind: RecipeKind
    env: dict[str, str]
    setup: str
    run: str
    service: bool  # a server listening on ``port`` (else a job that ends)
    port: int | None
    notes: tuple[str, ...]
    precision: str  # the plan's precision, as launched
    devices: int  # devices the command uses
    served: str  # what is loaded, one line
    files: Mapping[str, str] = field(default_factory=dict)  # name -> content, written first


def _template(name: str) -> Template:
    ref = resources.files("spicetrader.sources").joinpath("templates", name)
    return Template(ref.read_text(encoding="utf-8"))


def _fill(name: str, values: Mapping[str, object]) -> str:
    """The template filled, without trailing blanks (an empty flag leaves none behind)."""
    text = _template(name).substitute(values)
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _planned(option: Mapping[str, Any]) -> Mapping[str, Any]:
    """The workload the estimate filled (engine, precision, parallelism...)."""
    estimate = option.get("estimate") or {}
    return dict(estimate.get("workload") or {})


def _engine(option: Mapping[str, Any], workload: Workload) -> Engine:
    filled = _planned(option).get("engine")
    if filled:
        return Engine(filled)
    if workload.engine is None:
        raise NotSupportedError("the plan option names no engine; pass an option of `spice plan`")
    return workload.engine


def _context(option: Mapping[str, Any], workload: Workload) -> int:
    spec = _planned(option).get("inference") or {}
    prompt = spec.get(
        "prompt_tokens", workload.inference.prompt_tokens if workload.inference else 0
    )
    out = spec.get("output_tokens", workload.inference.output_tokens if workload.inference else 0)
    return max(2048, math.ceil((int(prompt) + int(out)) / 1024) * 1024)


def _batch(option: Mapping[str, Any], workload: Workload) -> int:
    """Concurrent sequences the estimate sized the KV cache for."""
    estimated = ((option.get("estimate") or {}).get("inference") or {}).get("batch")
    if estimated:
        return int(estimated)
    spec = workload.inference
    return 1 if spec is None or spec.batch == "max" else int(spec.batch)


def _split(option: Mapping[str, Any], devices: int) -> tuple[int, int]:
    par = _planned(option).get("parallelism") or {}
    tensor, pipeline = int(par.get("tensor", devices)), int(par.get("pipeline", 1))
    if tensor * pipeline * int(par.get("data", 1)) != devices:
        raise NotSupportedError(
            f"the plan's split (tensor {tensor} x pipeline {pipeline}) does not use its "
            f"{devices} devices; launch serves one replica over all of them"
        )
    return tensor, pipeline


def _memory_share(engine: Engine) -> float:
    row = runtime_table().fraction_for(engine)
    return 0.9 if row is None else row.value


def _inference(
    option: Mapping[str, Any], workload: Workload, host: Host, precision: str, devices: int
) -> Recipe:
    engine = _engine(option, workload)
    if engine not in _SERVING:
        raise NotSupportedError(
            f"launch writes vLLM, llama.cpp and MLX servers; this option's engine is {engine.value}"
        )
    if engine_runs_on(engine, host.family) is not True:
        raise NotSupportedError(f"{engine.value} does not run on {host.family} GPUs")
    ref = model_ref(workload)
    weights = serving_weights(ref, precision, engine, host.family)
    ctx, batch = _context(option, workload), _batch(option, workload)
    notes = [ref.variant]
    if engine is Engine.VLLM:
        tensor, pipeline = _split(option, devices)
        flags = list(weights.flags)
        if not host.bf16 and "--dtype" not in flags:  # T4/V100: 16-bit activations in fp16
            flags += ["--dtype", "float16"]
        values: dict[str, object] = {
            "port": SERVER_PORT, "tensor_parallel": tensor, "pipeline_parallel": pipeline,
            "max_model_len": ctx, "max_num_seqs": batch,
            "gpu_memory_utilization": f"{_memory_share(engine):.2f}",
            "precision_flags": " ".join(flags),
        }  # fmt: skip
        kind, setup = RecipeKind.VLLM, "vllm.setup.sh"
        env = {"MODEL_ID": weights.repo}
    elif engine is Engine.LLAMA_CPP:
        server = "llama-server" if host.apple else "llama.cpp/build/bin/llama-server"
        values = {"port": SERVER_PORT, "server": server, "ctx_size": ctx * batch, "parallel": batch}
        kind = RecipeKind.LLAMA_CPP
        setup = "llama-cpp-mac.setup.sh" if host.apple else "llama-cpp.setup.sh"
        env = {"GGUF_REPO": weights.repo, "GGUF_QUANT": weights.gguf_quant or ""}
        if weights.gguf_quant is None:  # no GGUF of this precision: llama.cpp converts one
            return _converted(values, setup, weights.repo, weights, precision, devices, notes)
        if devices > 1:
            notes.append(f"llama-server splits the layers over all {devices} visible GPUs")
    else:
        values = {"port": SERVER_PORT}
        kind, setup, env = RecipeKind.MLX, "mlx.setup.sh", {"MODEL_ID": weights.repo}
    return Recipe(
        kind=kind, env=env, setup=_fill(setup, values),
        run=_fill(f"{kind.value}.run.sh", values), service=True,
        port=SERVER_PORT, notes=tuple(notes), precision=precision, devices=devices,
        served=weights.what,
    )  # fmt: skip


def _converted(
    values: dict[str, object], setup: str, repo: str, weights: Weights, precision: str,
    devices: int, notes: list[str],
) -> Recipe:  # fmt: skip
    """llama.cpp serving a GGUF its converter writes from the model's own weights."""
    values = {**values, "outtype": weights.flags[-1]}
    return Recipe(
        kind=RecipeKind.LLAMA_CPP, env={"MODEL_ID": repo},
        setup=_fill(setup, values) + _fill("llama-cpp-convert.setup.sh", values),
        run=_fill("llama-cpp-convert.run.sh", values), service=True, port=SERVER_PORT,
        notes=tuple(notes), precision=precision, devices=devices, served=weights.what,
    )  # fmt: skip


def _session_budget_h(host: Host) -> float:
    if host.session_hours is None:
        return 24.0 * 365  # no session limit: run to the end
    return max(0.5, host.session_hours - _SESSION_MARGIN_H)


def _finetune(
    option: Mapping[str, Any], workload: Workload, host: Host, precision: str, devices: int
) -> Recipe:
    spec = workload.finetune
    engine = _engine(option, workload)
    if spec is None or spec.method is Method.FULL or engine not in _TRAINING:
        raise NotSupportedError(
            "launch writes LoRA/QLoRA fine-tunes with transformers + PEFT (TRL); this option is "
            f"{spec.method.value if spec else 'no'} fine-tuning on {engine.value}"
        )
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
    tokens = float(spec.total_tokens() or spec.seq_len * spec.micro_batch * devices * 1000)
    steps = max(1, math.ceil(tokens / (spec.seq_len * spec.micro_batch * devices)))
    step_s = float(((option.get("estimate") or {}).get("training") or {}).get("step_s") or 10.0)
    save_steps = max(10, min(steps, round(_CHECKPOINT_EVERY_S / step_s)))
    budget_h = _session_budget_h(host)
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
        setup=_fill("finetune-lora.setup.sh", values),
        run=_fill("finetune-lora.run.sh", {"launcher": launcher}),
        service=False, port=None,
        notes=(f"{method} of {ref.base_repo} (the base model; fine-tunes start from it)",
               f"{steps} steps of {spec.micro_batch} x {spec.seq_len} tokens on {devices} "
               f"device(s); a checkpoint every {save_steps} steps (~30 min)",
               "DATASET is an example conversational dataset: set it to yours"),
        precision=precision, devices=devices, served=f"{ref.base_repo} ({method})",
        files={"train.py": _fill("finetune-lora.train.py.in", values)},
    )  # fmt: skip


def build_recipe(option: Mapping[str, Any], workload: Workload, host: Host) -> Recipe:
    """The recipe for this option (NotSupportedError, naming what is missing, otherwise)."""
    if workload.task not in (Task.INFERENCE, Task.FINETUNE):
        raise NotSupportedError(
            f"launch writes inference servers and LoRA/QLoRA fine-tunes; task "
            f"{workload.task.value} has no launch recipe yet"
        )
    if not (host.nvidia or host.apple):
        raise NotSupportedError(
            f"launch installs the CUDA (NVIDIA) and Metal (Mac) builds of the engines; "
            f"{host.family} hardware needs its own build (ROCm, TPU, Gaudi), not written yet"
        )
    precision = str(option.get("precision") or _planned(option).get("precision") or "")
    precision = precision.lower() or str(workload.precision or "bf16")
    devices = int(option.get("devices") or _planned(option).get("devices") or workload.devices)
    if workload.task is Task.INFERENCE:
        return _inference(option, workload, host, precision, devices)
    return _finetune(option, workload, host, precision, devices)


def shell_with_files(recipe: Recipe) -> str:
    """The run script with the recipe's files written first (quoted heredocs: no expansion)."""
    parts = [f"cat > {name} <<'SPICE_EOF'\n{text.rstrip()}\nSPICE_EOF\n"
             for name, text in recipe.files.items()]  # fmt: skip
    return "".join(parts) + recipe.run
