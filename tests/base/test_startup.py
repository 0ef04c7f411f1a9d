"""`spice --help` must start fast: the CLI's import must not pull in heavy modules."""

from __future__ import annotations

import subprocess
import sys

HEAVY = (
    "numpy",
    "scipy",
    "pandas",
    "torch",
    "matplotlib",
    "fastapi",
    "uvicorn",
    "huggingface_hub",
    "gguf",
    "gpuhunt",
    "sky",
    "jinja2",
    "yaml",
)


def test_cli_import_pulls_in_no_heavy_module() -> None:
    code = (
        "import sys, spicetrader.cli.app as a; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_runs_through_the_entry_point() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "spicetrader", "--help"], capture_output=True, text=True, check=True
    )
    assert "Usage:" in out.stdout
    assert "plan" in out.stdout
