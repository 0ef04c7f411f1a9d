"""Which weights a launch loads: the planned precision, from a published checkpoint or a flag.

For (model, engine, precision, GPU family) the rule is, in order:
1. a pre-quantized checkpoint of ``launch_checkpoints.csv`` whose kernel runs on the family
   (AWQ/GPTQ/FP8 repos for vLLM, GGUF files of the quant type for llama.cpp, MLX repos for Apple);
2. the engine's own switch for the precision (``launch_precision_flags.csv``: ``--dtype``,
   vLLM's on-the-fly ``--quantization fp8``...) applied to the model's own repo;
3. otherwise NotSupportedError naming what is missing: a launch never serves another precision.

Chat serving loads the instruct variant (``launch_models.csv``); fine-tunes start from the base.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch_tables import LaunchTables, launch_tables
from spicetrader.spec.workload import Engine, Workload

__all__ = ["ModelRef", "Weights", "model_ref", "serving_weights"]

_HF_URL = re.compile(r"huggingface\.co/([^/\s]+/[^/\s]+?)(?:/|\s|$)")
_REPO = re.compile(r"[\w.-]+/[\w.-]+")
_SIXTEEN_BIT = frozenset({"bf16", "fp16", "fp32"})  # a 16/32-bit release: engines quantize it


@dataclass(frozen=True)
class ModelRef:
    """The model as the launch tables know it."""

    name: str  # the model as the workload names it
    catalog_id: str | None  # catalog model id (None: a Hub repo or unknown name)
    chat_repo: str | None  # served for chat
    base_repo: str | None  # fine-tuned
    variant: str  # one line saying which variant is served and why
    native_precision: str = "bf16"  # the format the model's own repo holds (gpt-oss: mxfp4)


@dataclass(frozen=True)
class Weights:
    repo: str
    gguf_quant: str | None  # llama.cpp: the GGUF file's quant tag
    flags: tuple[str, ...]  # engine flags that set the precision
    what: str  # one line: what is loaded, at which precision, from where
    note: str = ""  # the table row's caveat, said in the file


def _catalog_model(name: str) -> tuple[str | None, str | None, str]:
    """(catalog id, repo of its config source, native precision) for a catalog model name."""
    try:
        registry = importlib.import_module("spicetrader.models.registry")
        arch = registry.resolve_model(name)
    except Exception:  # not a catalog model: a Hub repo id or a name nobody knows
        return None, None, "bf16"
    match = _HF_URL.search(str(getattr(arch, "source", "")) + " ")
    native = str(getattr(arch, "native_precision", "bf16"))
    return str(getattr(arch, "id", name)), (match.group(1) if match else None), native


def model_ref(workload: Workload, tables: LaunchTables | None = None) -> ModelRef:
    """The repos for the workload's model: the table's instruct/base pair, else the model's own."""
    tables = tables or launch_tables()
    model = workload.model
    if not isinstance(model, str):
        return ModelRef(model.name, None, None, None, "an inline architecture has no weights")
    catalog_id, config_repo, native = _catalog_model(model)
    row = tables.models.get(catalog_id or "")
    if row is not None and _REPO.fullmatch(model):  # a Hub repo the user named: that one
        return ModelRef(model, catalog_id, model, model, f"serving {model} as given", native)
    if row is not None:
        return ModelRef(model, catalog_id, row.chat_repo, row.base_repo,
                        f"serving {row.chat_variant}", native)  # fmt: skip
    own = model if _REPO.fullmatch(model) else config_repo
    variant = (
        f"serving {own} as given (no instruct variant recorded in launch_models.csv)"
        if own else f"no Hub repo known for {model}"
    )  # fmt: skip
    return ModelRef(model, catalog_id, own, own, variant, native)


def _runs_on(tables: LaunchTables, kernel: str, family: str) -> bool:
    return not kernel or family in tables.kernels[kernel]


def serving_weights(
    ref: ModelRef, precision: str, engine: Engine, family: str, tables: LaunchTables | None = None
) -> Weights:
    """The weights that serve ``precision`` on ``engine`` on a ``family`` GPU (see module)."""
    tables = tables or launch_tables()
    name = ref.catalog_id or ref.name
    tried: list[str] = []
    for row in tables.checkpoints:
        if (row.model, row.engine, row.precision) != (ref.catalog_id, engine, precision):
            continue
        if _runs_on(tables, row.kernel, family):
            quant = row.gguf_quant or None
            what = f"{row.repo} ({precision} checkpoint; {row.source})"
            if quant is not None and quant.lower() != precision:  # gpt-oss: only MXFP4 exists
                serves = f"the {quant} file serves the {precision} plan"
                what = f"{row.repo}:{quant} ({serves}; {row.source})"
            return Weights(row.repo, quant, (), what, row.note)
        tried.append(f"{row.repo} needs {row.kernel} kernels, not on {family}")
    if ref.native_precision not in _SIXTEEN_BIT and precision != ref.native_precision:
        raise NotSupportedError(
            f"no {precision} weights of {name} for {engine.value}: its own repo holds "
            f"{ref.native_precision} weights, which engines load as they are and do not "
            f"re-quantize to {precision}; plan it at {ref.native_precision} "
            f"(--precision {ref.native_precision}) or add a {precision} checkpoint row"
        )
    if engine is Engine.LLAMA_CPP and ref.chat_repo and ref.chat_repo.lower().endswith("gguf"):
        tag = precision.upper()
        return Weights(ref.chat_repo, tag, (), f"{ref.chat_repo}:{tag} (GGUF repo given)")
    for flag in tables.precision_flags:
        if (flag.engine, flag.precision) != (engine, precision) or ref.chat_repo is None:
            continue
        if _runs_on(tables, flag.kernel, family):
            what = f"{ref.chat_repo} with {flag.flags} ({flag.source})"
            return Weights(ref.chat_repo, None, tuple(flag.flags.split()), what, flag.note)
        tried.append(f"{engine.value} {flag.flags} needs {flag.kernel} kernels, not on {family}")
    if ref.chat_repo is None:
        raise NotSupportedError(f"no Hub repo known for {name}: pass a Hugging Face repo id")
    why = "; ".join(tried) if tried else "no checkpoint or engine flag recorded"
    raise NotSupportedError(
        f"no {precision} weights of {name} for {engine.value} on {family} GPUs ({why}); "
        f"a published {precision} checkpoint would need a row in launch_checkpoints.csv"
    )
