"""A ready-to-open Colab/Kaggle notebook (nbformat 4.5 JSON) running a launch recipe.

Built as plain JSON (no nbformat needed at run time); tests validate it with ``nbformat.validate``.
Format: https://nbformat.readthedocs.io/en/latest/format_description.html
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from spicetrader.sources.launch_recipe import Recipe
from spicetrader.spec.workload import Workload

__all__ = ["colab_notebook"]


def _lines(text: str) -> list[str]:
    """nbformat stores a cell's source as lines that keep their newline (the last one may not)."""
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].endswith("\n"):
        lines[-1] = lines[-1][:-1]
    return lines


def _cell_id(n: int) -> str:
    return f"spice-{n:02d}"


def _markdown(n: int, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": _cell_id(n), "metadata": {}, "source": _lines(text)}


def _code(n: int, text: str) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": _cell_id(n),
        "metadata": {},
        "outputs": [],
        "source": _lines(text),
    }


def _exports(env: Mapping[str, str]) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())


def _server_cell(recipe: Recipe) -> str:
    url = f"http://localhost:{recipe.port}/v1/models"
    return (
        "import json, os, subprocess, time, urllib.request\n"
        f"env = {{**os.environ, **{dict(recipe.env)!r}}}\n"
        f"script = {recipe.run!r}\n"
        "log = open('server.log', 'w')\n"
        "server = subprocess.Popen(['bash', '-c', script], env=env, stdout=log,\n"
        "                          stderr=subprocess.STDOUT)\n"
        "for _ in range(180):  # model download and load can take minutes\n"
        "    try:\n"
        f"        print(json.load(urllib.request.urlopen({url!r})))\n"
        "        break\n"
        "    except OSError:\n"
        "        if server.poll() is not None:\n"
        "            raise RuntimeError(open('server.log').read()[-3000:])\n"
        "        time.sleep(10)\n"
    )


def colab_notebook(option: Mapping[str, Any], workload: Workload, recipe: Recipe) -> str:
    """The notebook text for a free-tier option."""
    estimate = option.get("estimate", {})
    where = option.get("name", option["hardware"])
    intro = [
        f"# {workload.model_name}: {workload.task.value} on {where}",
        "",
        f"Written by spicetrader (`spice launch --to colab`) for plan option `{option['id']}`.",
        "",
        "1. Runtime > Change runtime type > a GPU runtime (T4 on the free tier).",
        "2. For gated models add a secret `HF_TOKEN` (key icon on the left), or run "
        "`huggingface-cli login`.",
        "3. Run the cells in order.",
    ]
    if option.get("hours") is not None:
        intro.append(f"\nGPU hours in the plan: {float(option['hours']):.2f} h.")
    if estimate.get("memory"):
        mem = estimate["memory"]
        intro.append(
            f"Memory: {mem.get('per_device_gb', 0):.1f} GB of {mem.get('capacity_gb', 0):.1f} GB "
            "per device (estimate)."
        )
    intro += [f"\n**Note:** {note}" for note in recipe.notes]
    for note in option.get("notes", ()):
        intro.append(f"\n{note}")
    cells = [
        _markdown(0, "\n".join(intro)),
        _code(1, "!nvidia-smi"),
        _code(2, "%%bash\n" + _exports(recipe.env) + recipe.setup),
    ]
    if recipe.service:
        # A server must outlive its cell: start it from Python (it lives as long as the kernel).
        cells.append(_code(3, _server_cell(recipe)))
    else:
        cells.append(_code(3, "%%bash\n" + _exports(recipe.env) + recipe.run))
    notebook = {
        "cells": cells,
        "metadata": {
            "accelerator": "GPU",
            "colab": {"provenance": [], "gpuType": "T4"},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"
