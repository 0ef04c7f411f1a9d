"""A Modal app (Python) for the Modal credit tiers: ``modal serve FILE`` for servers, ``modal run
FILE`` for jobs.

The recipe's setup becomes the image (a CUDA image's ``run_commands``), its run script the
function body; jobs keep their files on a Modal Volume mounted at ``/vol`` (committed after the
run) so a second run resumes. API: https://modal.com/docs/reference/modal.App (``gpu="H100:2"``,
``timeout`` in seconds, at most 24 h), https://modal.com/docs/guide/webhooks (``web_server``),
https://modal.com/docs/guide/volumes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from spicetrader.sources.launch_recipe import Recipe, shell_with_files
from spicetrader.sources.launch_tables import FreeTierRow

__all__ = ["modal_app"]

_MAX_TIMEOUT_S = 24 * 3600  # Modal's longest function timeout
_CUDA_IMAGE = (
    "nvidia/cuda:12.4.1-devel-ubuntu22.04"  # nvcc for llama.cpp builds; vLLM brings its own
)


def modal_app(option: Mapping[str, Any], recipe: Recipe, tier: FreeTierRow) -> str:
    """The app's source text."""
    slug = re.sub(r"[^a-z0-9-]+", "-", str(option["id"]).lower()).strip("-")[:50]
    gpu = tier.accelerator if recipe.devices == 1 else f"{tier.accelerator}:{recipe.devices}"
    head = [
        f'"""Modal app written by spicetrader (spice launch) for plan option {option["id"]}:',
        f"runs {recipe.precision} on {recipe.devices} device(s): {recipe.served}.",
        "",
        *[f"NOTE: {note}" for note in recipe.notes],
        "Gated models need a Hugging Face token: a Modal secret named huggingface (HF_TOKEN).",
        f'{"Serve: modal serve" if recipe.service else "Run: modal run"} THIS_FILE',
        '"""',
        "",
        "import subprocess",
        "",
        "import modal",
        "",
        f"app = modal.App({('spice-' + slug)[:60]!r})",
        "image = (",
        f"    modal.Image.from_registry({_CUDA_IMAGE!r}, add_python='3.11')",
        '    .apt_install("git", "build-essential", "cmake", "curl", "libcurl4-openssl-dev")',
        f"    .env({dict(recipe.env)!r})",
        f"    .run_commands({('bash -c ' + _quote(recipe.setup))!r})",
        ")",
        'volume = modal.Volume.from_name("spicetrader", create_if_missing=True)',
        'secrets = [modal.Secret.from_name("huggingface", required_keys=["HF_TOKEN"])]',
        f"SCRIPT = {shell_with_files(recipe)!r}",
        "",
        "",
    ]  # fmt: skip
    common = (f"image=image, gpu={gpu!r}, timeout={_MAX_TIMEOUT_S}, secrets=secrets, "
              'volumes={"/vol": volume}')  # fmt: skip
    if recipe.service:
        body = [
            f"@app.function({common})",
            f"@modal.web_server(port={recipe.port}, startup_timeout=1800)",
            "def serve():",
            '    subprocess.Popen(["bash", "-c", SCRIPT])',
        ]
    else:
        body = [
            f"@app.function({common})",
            "def job():",
            "    try:",
            '        subprocess.run(["bash", "-c", SCRIPT], check=True)',
            "    finally:",
            "        volume.commit()  # keep the checkpoints for the next run",
            "",
            "",
            "@app.local_entrypoint()",
            "def main():",
            "    job.remote()",
        ]
    return "\n".join(head + body) + "\n"


def _quote(text: str) -> str:
    """Single-quoted for bash (the setup script as one ``bash -c`` argument)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"
