"""`spice --help` and `spice plan` must start fast: the CLI's import and the plan path must not
pull in heavy modules (a guard on what `bench/perf_plan.py` measures, without timing anything)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


# what `spice plan` must not import: the HEAVY ones, and the parts of spicetrader (and the
# standard library) other commands need: the web server (asyncio), the probe's detection and
# micro-benchmark, the fleet's solver, the charts
NOT_ON_THE_PLAN_PATH = (
    *HEAVY,
    "asyncio",
    "spicetrader.web.server",
    "spicetrader.sources.probe",
    "spicetrader.sources.probe_detect",
    "spicetrader.sources.bench",
    "spicetrader.fleet",
    "spicetrader.render.charts",
)

_PLAN_IN_A_FRESH_PROCESS = """
import contextlib, io, sys
from spicetrader.cli.app import app
with contextlib.redirect_stdout(io.StringIO()):
    try:
        app({args!r}, prog_name="spice")
    except SystemExit as exc:
        assert not exc.code, exc.code
print(",".join(m for m in {names!r} if m in sys.modules))
"""


@pytest.mark.parametrize(
    ("args", "also_not"),
    [
        (["plan", "llama-3-70b", "--json"], ("rich",)),  # --json never builds a table
        (["plan", "llama-3-70b"], ("rich",)),  # piped: the plain text of render/plain_text.py
    ],
)
def test_plan_path_pulls_in_no_heavy_module(
    args: list[str], also_not: tuple[str, ...], spice_home: Path
) -> None:
    names = (*NOT_ON_THE_PLAN_PATH, *also_not)
    code = _PLAN_IN_A_FRESH_PROCESS.format(args=args, names=names)
    env = {**os.environ, "SPICETRADER_HOME": str(spice_home)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == ""


def test_the_entry_point_flushes_its_output_and_keeps_the_status(spice_home: Path) -> None:
    """`spice` ends its process without Python's teardown (cli/app.py main): all of a large
    output still arrives, and an error still exits 2 with its one line."""
    env = {**os.environ, "SPICETRADER_HOME": str(spice_home)}
    run = [sys.executable, "-m", "spicetrader"]
    ok = subprocess.run([*run, "plan", "llama-3-8b", "--json"], capture_output=True, env=env)
    assert ok.returncode == 0
    assert len(json.loads(ok.stdout)["options"]) > 100  # ~1 MB of JSON, none of it lost
    bad = subprocess.run([*run, "plan", "no-such-model-xyz"], capture_output=True, env=env)
    assert bad.returncode == 2
    assert bad.stderr.decode().startswith("Error: unknown model")
