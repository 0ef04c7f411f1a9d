"""Inference servers for a plan option: vLLM, llama.cpp (``llama-server``) or MLX
(``mlx_lm.server``), loading the planned precision (:mod:`.launch_weights`) with the plan's
tensor/pipeline split, context, concurrent sequences and the engine's memory share."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from spicetrader.costmodel.engine_support import engine_runs_on
from spicetrader.costmodel.runtime import runtime_table
from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch_recipe import (
    SERVER_PORT,
    Host,
    Recipe,
    RecipeKind,
    fill,
    planned,
    planned_engine,
)
from spicetrader.sources.launch_weights import Weights, model_ref, serving_weights
from spicetrader.spec.workload import Engine, Workload

__all__ = ["serving_recipe"]

_SERVING = {Engine.VLLM, Engine.LLAMA_CPP, Engine.MLX}


def _context(option: Mapping[str, Any], workload: Workload) -> int:
    spec = planned(option).get("inference") or {}
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
    par = planned(option).get("parallelism") or {}
    tensor, pipeline = int(par.get("tensor", devices)), int(par.get("pipeline", 1))
    if tensor * pipeline != devices:  # data-parallel replicas: not written yet
        raise NotSupportedError(
            f"the plan's split (tensor {tensor} x pipeline {pipeline}) does not span its "
            f"{devices} devices; launch serves one replica over all of them"
        )
    return tensor, pipeline


def _memory_share(engine: Engine) -> float:
    row = runtime_table().fraction_for(engine)
    return 0.9 if row is None else row.value


def serving_recipe(
    option: Mapping[str, Any], workload: Workload, host: Host, precision: str, devices: int
) -> Recipe:
    engine = planned_engine(option, workload)
    if engine not in _SERVING:
        raise NotSupportedError(
            f"launch writes vLLM, llama.cpp and MLX servers; this option's engine is {engine.value}"
        )
    runs = engine_runs_on(engine, host.family)
    if runs is not True:
        why = "does not run" if runs is False else "is not recorded (engine_support.csv) to run"
        raise NotSupportedError(f"{engine.value} {why} on {host.family} GPUs")
    ref = model_ref(workload)
    weights = serving_weights(ref, precision, engine, host.family)
    ctx, batch = _context(option, workload), _batch(option, workload)
    notes = [ref.variant, *([weights.note] if weights.note else [])]
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
        values = {"port": SERVER_PORT, "server": server, "ctx_size": ctx * batch,
                  "parallel": batch, "gpu_layers": 0 if host.cpu else 999}  # fmt: skip
        kind = RecipeKind.LLAMA_CPP
        setup = ("llama-cpp-mac.setup.sh" if host.apple else
                 "llama-cpp.setup.sh" if host.nvidia else
                 "llama-cpp-cpu.setup.sh" if host.cpu else "llama-cpp-vulkan.setup.sh")  # fmt: skip
        env = {"GGUF_REPO": weights.repo, "GGUF_QUANT": weights.gguf_quant or ""}
        if weights.gguf_quant is None:  # no GGUF of this precision: llama.cpp converts one
            return _converted(values, setup, weights.repo, weights, precision, devices, notes)
        if devices > 1:
            notes.append(f"llama-server splits the layers over all {devices} visible GPUs")
    else:
        values = {"port": SERVER_PORT}
        kind, setup, env = RecipeKind.MLX, "mlx.setup.sh", {"MODEL_ID": weights.repo}
    return Recipe(
        kind=kind, env=env, setup=fill(setup, values),
        run=fill(f"{kind.value}.run.sh", values), service=True,
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
        setup=fill(setup, values) + fill("llama-cpp-convert.setup.sh", values),
        run=fill("llama-cpp-convert.run.sh", values), service=True, port=SERVER_PORT,
        notes=tuple(notes), precision=precision, devices=devices, served=weights.what,
    )  # fmt: skip
