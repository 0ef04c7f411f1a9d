"""``spice models list`` and ``spice models show ID|PATH``.

Heavy imports (pydantic models, the model tables, gguf) happen inside the command functions so
``spice --help`` stays fast.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

import typer

from spicetrader.cli.common import console, esc, handles_errors, print_json

if TYPE_CHECKING:
    from spicetrader.models.arch import Architecture, DiffusionArchitecture

models_app = typer.Typer(
    help="Model architectures: parameters, KV cache and weight sizes per format.",
    no_args_is_help=True,
)

# Formats shown by `models show`, from widest to narrowest.
SHOWN_PRECISIONS: Final = (
    "fp32", "bf16", "fp8", "int8", "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0", "q3_k_m", "q2_k",
    "gptq-4bit", "awq-4bit", "nf4", "mxfp4", "nvfp4",
)  # fmt: skip
BYTES_PER_FP16: Final = 2


def _billions(n: int) -> str:
    return f"{n / 1e9:,.2f}B" if n >= 1e9 else f"{n / 1e6:,.1f}M"


class ListOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    NAME = "name"
    PARAMS = "params"


def _summary(model: Architecture | DiffusionArchitecture) -> dict[str, Any]:
    from spicetrader.models.arch import Architecture

    llm = model if isinstance(model, Architecture) else None
    return {
        "id": model.id,
        "name": model.name,
        "kind": "diffusion" if llm is None else "llm",
        "family": model.family,
        "total_params": model.total_params(),
        "active_params": model.total_params() if llm is None else llm.active_params(),
        "vision_params": 0 if llm is None else llm.vision_params,
        "max_context": None if llm is None else llm.max_context,
        "released": model.released,
        "license": None if model.license is None else str(model.license),
        "aliases": list(model.aliases),
        "source": model.source,
        "as_of": model.as_of,
    }


def _ordered(rows: list[dict[str, Any]], order: ListOrder) -> list[dict[str, Any]]:
    """Rows in ``order``; release dates compare as text (ISO), undated rows last."""
    if order is ListOrder.NAME:
        return sorted(rows, key=lambda r: r["id"])
    if order is ListOrder.PARAMS:
        return sorted(rows, key=lambda r: (-r["total_params"], r["id"]))
    dated = [r for r in rows if r["released"]]
    undated = sorted((r for r in rows if not r["released"]), key=lambda r: r["id"])
    newest = order is ListOrder.NEWEST
    # Stable two-pass sort: ids ascending within one release date, whichever the direction.
    dated.sort(key=lambda r: r["id"])
    dated.sort(key=lambda r: r["released"], reverse=newest)
    return dated + undated


def _weights_gb(model: Architecture | DiffusionArchitecture) -> dict[str, float]:
    from spicetrader.models.arch import Architecture
    from spicetrader.models.precision import resolve_precision
    from spicetrader.models.weights import weight_bytes

    if not isinstance(model, Architecture):
        return {p: model.total_params() * (4 if p == "fp32" else 2) / 1e9 for p in ("fp32", "fp16")}
    out = {p: weight_bytes(model, resolve_precision(p)) / 1e9 for p in SHOWN_PRECISIONS}
    if model.gguf_precision and model.gguf_weight_bytes is not None:
        out[f"{model.gguf_precision} (this file)"] = model.gguf_weight_bytes / 1e9
    return out


def _details(model: Architecture | DiffusionArchitecture) -> dict[str, Any]:
    from spicetrader.models.arch import Architecture

    data = {**_summary(model), "weights_gb": _weights_gb(model)}
    if isinstance(model, Architecture):
        elements = model.kv_cache_elements_per_token()
        data |= {
            "embedding_params": model.embedding_params(),
            "lm_head_params": model.lm_head_params(),
            "kv_cache_elements_per_token": elements,
            "kv_cache_bytes_per_token_fp16": elements * BYTES_PER_FP16,
        }
    data["architecture"] = model.model_dump(mode="json", exclude={"aliases", "source", "as_of"})
    return data


@models_app.command("list")
@handles_errors
def list_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
    family: str | None = typer.Option(None, "--family", help="Only this family (llama, mpt...)."),
    sort: ListOrder = typer.Option(
        ListOrder.NEWEST, "--sort", help="newest (release date, default), oldest, name, params."
    ),
) -> None:
    """List the bundled model architectures, newest release first."""
    from rich.table import Table

    from spicetrader.models.registry import list_models

    rows = [_summary(m) for m in list_models() if family is None or m.family == family.lower()]
    rows = _ordered(rows, sort)
    if as_json:
        print_json(rows)
        return
    from rich import box

    columns: dict[str, list[str]] = {
        "id": [str(r["id"]) for r in rows],
        "name": [str(r["name"]) for r in rows],
        "family": [str(r["family"]) for r in rows],
        "params (active)": [_params(r) for r in rows],
        "context": ["" if r["max_context"] is None else f"{r['max_context']:,}" for r in rows],
        "released": [r["released"] or "" for r in rows],
        "license": [r["license"] or "" for r in rows],
    }
    out = console()
    shown = _fitting(columns, out.width)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in shown:
        table.add_column(name, no_wrap=True, justify="right" if name in _RIGHT else "left")
    for i in range(len(rows)):
        table.add_row(*(esc(columns[name][i]) for name in shown))
    out.print(table)


_RIGHT = frozenset({"params (active)", "context"})
# the columns kept first when the terminal is narrow; ids are never cut
_PRIORITY = ("id", "params (active)", "context", "released", "name", "family", "license")


def _fitting(columns: dict[str, list[str]], width: int) -> list[str]:
    """The columns that fit ``width`` whole, by priority, in their display order."""
    kept: set[str] = set()
    used = 0
    for name in _PRIORITY:
        need = max([len(name), *(len(cell) for cell in columns[name])]) + 2
        if name == "id" or used + need <= width:
            kept.add(name)
            used += need
    return [name for name in columns if name in kept]


def _params(row: dict[str, Any]) -> str:
    text = _billions(row["total_params"])
    if row["active_params"] != row["total_params"]:
        text += f" ({_billions(row['active_params'])})"
    return text


def _shape_notes(arch: dict[str, Any]) -> list[str]:
    """One line per architecture feature the cost model reads (MoE, MLA, windows, vision)."""
    lines = []
    if arch["experts"] > 1:
        shared = f" + {arch['shared_experts']} shared" if arch["shared_experts"] else ""
        dense = f"; {arch['dense_layers']} dense layers" if arch["dense_layers"] else ""
        lines.append(
            f"MoE: {arch['experts']} experts{shared}, {arch['experts_per_token']} per token{dense}"
        )
    if arch["kv_lora_rank"] is not None:
        lines.append(
            f"MLA: kv latent {arch['kv_lora_rank']} + rope key {arch['qk_rope_head_dim']} cached"
        )
    if arch["sliding_window"] is not None:
        lines.append(
            f"sliding window {arch['sliding_window']:,} tokens on "
            f"{arch['sliding_window_layers'] or arch['layers']} of {arch['layers']} layers"
        )
    if arch["linear_attention_layers"]:
        lines.append(
            f"hybrid: {arch['linear_attention_layers']} Gated DeltaNet layers (no KV cache), "
            f"{arch['layers'] - arch['linear_attention_layers']} softmax-attention layers"
        )
    if arch["vision_params"]:
        lines.append(f"vision encoder: {arch['vision_params']:,} params (weights only)")
    return lines


def _print_details(data: dict[str, Any]) -> None:
    from rich.table import Table

    arch = data["architecture"]
    out = console()
    out.print(f"[bold]{esc(data['name'])}[/bold] ({esc(data['id'])}), {esc(data['family'])}")
    out.print(f"parameters: {data['total_params']:,} total, {data['active_params']:,} active")
    if data["kind"] == "llm":
        out.print(
            f"layers {arch['layers']}, hidden {arch['hidden']}, heads {arch['heads']}, "
            f"kv heads {arch['kv_heads']}, head dim {arch['head_dim']}, ffn {arch['ffn_hidden']}, "
            f"vocab {arch['vocab']}, context {arch['max_context']:,}"
        )
        for line in _shape_notes(arch):
            out.print(line)
        out.print(f"KV cache per token at fp16: {data['kv_cache_bytes_per_token_fp16']:,} bytes")
    else:
        out.print(
            f"{esc(arch['denoiser'])} {arch['denoiser_params']:,} params, "
            f"{arch['denoiser_gflops_per_step']:,} GFLOPs/step at {arch['reference_resolution']}px"
        )
        if arch["reference_frames"] > 1:
            out.print(
                f"video: per step for a {arch['reference_frames']}-frame clip "
                f"(VAE time stride {arch['temporal_compression']})"
            )
    table = Table("precision", "weights GB")
    for precision, gb in data["weights_gb"].items():
        table.add_row(precision, f"{gb:,.2f}")
    out.print(table)
    if data["released"] or data["license"]:
        out.print(
            f"released {esc(data['released'] or 'unknown')}, "
            f"licence {esc(data['license'] or 'unknown')}"
        )
    out.print(f"source: {esc(data['source'])} (as of {esc(data['as_of'])})")


@models_app.command("show")
@handles_errors
def show_cmd(
    model: str = typer.Argument(
        ..., help="Model id, alias, HF repo id, config.json or .gguf path."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object."),
) -> None:
    """Show one model: parameters, shape, KV cache and weight bytes per precision."""
    from spicetrader.models.registry import resolve_model

    data = _details(resolve_model(model))
    if as_json:
        print_json(data)
    else:
        _print_details(data)


def register(app: typer.Typer) -> None:
    """Attach ``spice models`` to ``app``."""
    app.add_typer(models_app, name="models")
