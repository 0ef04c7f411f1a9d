"""What to run for a plan option: the recipe (engine, command line, environment, files).

The recipe follows the plan, not defaults: the option's engine (the one the estimate assumed), its
precision (weights from :mod:`.launch_weights`), its tensor/pipeline split, the context and
concurrent sequences the estimate sized the KV cache for, and the engine's memory share the fit
assumed (``gpu_memory_utilization``, ``costmodel/data/runtime.csv``).

Servers are written by :mod:`.launch_serve`, batch jobs (fine-tunes, images) by
:mod:`.launch_jobs`. Scripts are data (``templates/<kind>.setup.sh`` / ``.run.sh``,
``string.Template``: ``$name`` is filled here, ``$$VAR`` stays a shell variable). The
launchers (SkyPilot, dstack, notebooks, shell script) wrap the same recipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from string import Template
from typing import Any

from spicetrader.errors import NotSupportedError
from spicetrader.spec.workload import Engine, Task, Workload

__all__ = [
    "SERVER_PORT",
    "Host",
    "Recipe",
    "RecipeKind",
    "build_recipe",
    "fill",
    "planned",
    "planned_engine",
    "session_budget_h",
    "shell_with_files",
]

SERVER_PORT = 8000
_SESSION_MARGIN_H = 0.5  # stop this long before a session's limit, with a checkpoint


class RecipeKind(StrEnum):
    VLLM = "vllm"
    LLAMA_CPP = "llama-cpp"
    MLX = "mlx"
    FINETUNE_LORA = "finetune-lora"
    IMAGE = "diffusers-image"


@dataclass(frozen=True)
class Host:
    """Where the recipe runs (from the catalog and the tier)."""

    family: str  # the accelerator's family (engine_support.csv)
    apple: bool
    nvidia: bool
    cpu: bool  # a CPU option (no accelerator): llama.cpp's CPU build
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


def fill(name: str, values: Mapping[str, object]) -> str:
    """The template filled, without trailing blanks (an empty flag leaves none behind)."""
    text = _template(name).substitute(values)
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def planned(option: Mapping[str, Any]) -> Mapping[str, Any]:
    """The workload the estimate filled (engine, precision, parallelism...)."""
    estimate = option.get("estimate") or {}
    return dict(estimate.get("workload") or {})


def planned_engine(option: Mapping[str, Any], workload: Workload) -> Engine:
    filled = planned(option).get("engine")
    if filled:
        return Engine(filled)
    if workload.engine is None:
        raise NotSupportedError("the plan option names no engine; pass an option of `spice plan`")
    return workload.engine


def build_recipe(option: Mapping[str, Any], workload: Workload, host: Host) -> Recipe:
    """The recipe for this option (NotSupportedError, naming what is missing, otherwise)."""
    from spicetrader.sources.launch_jobs import finetune_recipe, image_recipe
    from spicetrader.sources.launch_serve import serving_recipe

    if workload.task is Task.PRETRAIN:
        raise NotSupportedError(
            "launch writes inference servers, LoRA/QLoRA fine-tunes and image generation; "
            "task pretrain has no launch recipe yet"
        )
    vulkan = (
        workload.task is Task.INFERENCE and planned_engine(option, workload) is Engine.LLAMA_CPP
    )
    if not (host.nvidia or host.apple or vulkan):
        raise NotSupportedError(
            f"launch installs the CUDA (NVIDIA) and Metal (Mac) builds of the engines, and "
            f"llama.cpp's Vulkan build elsewhere; {host.family} hardware needs its own build "
            "(ROCm, TPU, Gaudi, XPU) for this engine, not written yet"
        )
    precision = str(option.get("precision") or planned(option).get("precision") or "")
    precision = precision.lower() or str(workload.precision or "bf16")
    devices = int(option.get("devices") or planned(option).get("devices") or workload.devices)
    if workload.task is Task.INFERENCE:
        return serving_recipe(option, workload, host, precision, devices)
    if workload.task is Task.FINETUNE:
        return finetune_recipe(option, workload, host, precision, devices)
    return image_recipe(option, workload, host, precision, devices)


def session_budget_h(host: Host) -> float:
    if host.session_hours is None:
        return 24.0 * 365  # no session limit: run to the end
    return max(0.5, host.session_hours - _SESSION_MARGIN_H)


def shell_with_files(recipe: Recipe) -> str:
    """The run script with the recipe's files written first (quoted heredocs: no expansion)."""
    parts = [f"cat > {name} <<'SPICE_EOF'\n{text.rstrip()}\nSPICE_EOF\n"
             for name, text in recipe.files.items()]  # fmt: skip
    return "".join(parts) + recipe.run
