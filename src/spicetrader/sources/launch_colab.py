"""Ready-to-open notebooks (nbformat 4.5 JSON) for the Colab, Kaggle and Jupyter (SageMaker
Studio Lab) tiers, and Kaggle's ``kernel-metadata.json``.

Built as plain JSON (no nbformat needed at run time); tests validate them with ``nbformat``.
Format: https://nbformat.readthedocs.io/en/latest/format_description.html. Fine-tunes keep their
checkpoints where they outlive the session: Google Drive on Colab, ``/kaggle/working`` (saved as
the output of each committed version) on Kaggle, the project's home on Studio Lab; they resume
from the last one.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

from spicetrader.sources.launch_recipe import Recipe
from spicetrader.sources.launch_tables import FreeTierRow
from spicetrader.spec.workload import Workload

__all__ = ["kaggle_metadata", "notebook"]


def _lines(text: str) -> list[str]:
    """nbformat stores a cell's source as lines that keep their newline (the last one may not)."""
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].endswith("\n"):
        lines[-1] = lines[-1][:-1]
    return lines


def _markdown(n: int, text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "id": f"spice-{n:02d}", "metadata": {},
            "source": _lines(text)}  # fmt: skip


def _code(n: int, text: str) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": None, "id": f"spice-{n:02d}",
            "metadata": {}, "outputs": [], "source": _lines(text)}  # fmt: skip


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
        "for _ in range(360):  # model download and load can take many minutes\n"
        "    try:\n"
        f"        print(json.load(urllib.request.urlopen({url!r})))\n"
        "        break\n"
        "    except OSError:\n"
        "        if server.poll() is not None:\n"
        "            raise RuntimeError(open('server.log').read()[-3000:])\n"
        "        time.sleep(10)\n"
    )


def _sessions(option: Mapping[str, Any]) -> int:
    use = option.get("free_use") or {}
    return int(use.get("sessions") or 1)


def _intro(option: Mapping[str, Any], workload: Workload, recipe: Recipe, tier: FreeTierRow) -> str:
    where = option.get("name", option["hardware"])
    how = {
        "colab": [f"1. Runtime > Change runtime type > {tier.accelerator} GPU.",
                  "2. For gated models add a secret `HF_TOKEN` (key icon on the left)."],
        "kaggle": [f"1. Settings > Accelerator: {tier.accelerator} (kernel-metadata.json sets "
                   "it for `kaggle kernels push`); Settings > Internet on.",
                   "2. For gated models add a secret `HF_TOKEN` (Add-ons > Secrets)."],
        "jupyter": ["1. Start the project on GPU compute and upload this notebook.",
                    "2. For gated models run `huggingface-cli login` in a terminal first."],
    }[tier.handoff]  # fmt: skip
    lines = [
        f"# {workload.model_name}: {workload.task.value} on {where}",
        "",
        f"Written by spicetrader (`spice launch`) for plan option `{option['id']}`; "
        f"runs {recipe.precision} on {recipe.devices} device(s): {recipe.served}.",
        "",
        *how,
        "3. Run the cells in order.",
    ]
    sessions = _sessions(option)
    if not recipe.service:
        lines.append(
            f"\n**The plan expects {sessions} session(s)** "
            f"({float(option.get('hours') or 0):.1f} GPU hours). Results and checkpoints go to "
            f"`{recipe.env.get('OUTPUT_DIR')}`; each run resumes where the last one stopped and "
            "stops before the session limit."
        )
        if tier.handoff == "kaggle" and sessions > 1:
            lines.append(
                "Run it as **Save Version > Save & Run All (Commit)**: `/kaggle/working` becomes "
                "the version's output. For the next session add that output as input (Add Input "
                "> Your Work > this notebook) and commit again: the first cell copies the "
                "checkpoints back."
            )
    lines += [f"\n**Note:** {note}" for note in recipe.notes]
    lines += [f"\n{note}" for note in option.get("notes", ())]
    return "\n".join(lines)


def _persist_cell(recipe: Recipe, tier: FreeTierRow) -> str | None:
    if recipe.service:
        return None
    if tier.handoff == "colab":
        return "from google.colab import drive\ndrive.mount('/content/drive')\n"
    if tier.handoff != "kaggle":
        return None  # the project's home persists as it is
    out = recipe.env["OUTPUT_DIR"]
    return (
        "import glob, os, shutil\n"
        f"out = {out!r}\n"
        "# a previous version's output, attached as input, holds the checkpoints so far\n"
        "for old in sorted(glob.glob('/kaggle/input/*/spicetrader/' + os.path.basename(out))):\n"
        "    shutil.copytree(old, out, dirs_exist_ok=True)\n"
        "    print('copied the previous results from', old)\n"
    )


def notebook(option: Mapping[str, Any], workload: Workload, recipe: Recipe,
             tier: FreeTierRow) -> str:  # fmt: skip
    """The notebook text for a free-tier option (Colab or Kaggle, per ``tier``)."""
    sources = [_intro(option, workload, recipe, tier)]
    code = ["!nvidia-smi"]
    persist = _persist_cell(recipe, tier)
    if persist:
        code.append(persist)
    code.append("%%bash\n" + _exports(recipe.env) + recipe.setup)
    code += [f"%%writefile {name}\n{text}" for name, text in recipe.files.items()]
    if recipe.service:  # a server must outlive its cell: start it from Python
        code.append(_server_cell(recipe))
    else:
        code.append("%%bash\n" + _exports(recipe.env) + recipe.run)
    cells = [_markdown(0, sources[0])] + [_code(n, c) for n, c in enumerate(code, start=1)]
    metadata: dict[str, Any] = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    if tier.handoff == "colab":
        colab = {"provenance": [], "gpuType": tier.accelerator}
        metadata = {"accelerator": "GPU", "colab": colab, **metadata}
    doc = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1) + "\n"


def kaggle_metadata(option: Mapping[str, Any], tier: FreeTierRow, code_file: str) -> str:
    """``kernel-metadata.json`` for ``kaggle kernels push`` (replace USERNAME with yours)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", str(option["id"]).lower()).strip("-")[:50]
    meta = {
        "id": f"USERNAME/spice-{slug}",
        "title": f"spice {slug}",
        "code_file": code_file,
        "language": "python",
        "kernel_type": "notebook",
        "is_private": True,
        "enable_gpu": True,
        "enable_tpu": False,
        "enable_internet": True,
        "machine_shape": tier.accelerator,
        "dataset_sources": [],
        "competition_sources": [],
        "kernel_sources": [],
        "model_sources": [],
    }
    return json.dumps(meta, indent=2) + "\n"
