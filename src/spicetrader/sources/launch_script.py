"""A bash script for owned machines and Macs (and any shell): setup, files, then the job."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from spicetrader.sources.launch_recipe import Recipe, shell_with_files

__all__ = ["shell_script"]


def shell_script(option: Mapping[str, Any], recipe: Recipe) -> str:
    """The script text: run it with ``bash FILE`` in an empty folder."""
    head = [
        "#!/usr/bin/env bash",
        f"# Written by spicetrader (spice launch) for plan option {option.get('id')}:",
        f"# {option.get('name', option.get('hardware'))}",
        f"# runs {recipe.precision} on {recipe.devices} device(s): {recipe.served}",
        "# Gated models need a Hugging Face token: export HF_TOKEN=... first.",
        *[f"# NOTE: {note}" for note in recipe.notes],
        "set -euo pipefail",
    ]
    if recipe.service and recipe.port is not None:
        head.append(f"# serves an OpenAI-compatible API on port {recipe.port}")
    exports = [f"export {k}={shlex.quote(v)}" for k, v in recipe.env.items()]
    return "\n".join([*head, *exports, recipe.setup.rstrip(), shell_with_files(recipe)]) + "\n"
