"""Every plan that docs/examples.md walks through hands its recommended pick to ``spice launch``:
a file that runs the planned job, or a refusal that names what is missing (never a crash)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spicetrader.catalog.catalog import Catalog
from spicetrader.cli.app import app
from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch import default_target, launch_files
from spicetrader.spec.workload import Workload

DOC = Path(__file__).resolve().parents[2] / "docs" / "examples.md"
# what a refusal must name: the missing piece, not a generic failure
NAMED = ("does not fit", "no hand-off recorded", "needs its own build", "no launch mapping",
         "weights of", "no launch recipe")  # fmt: skip


def _persona_commands() -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return [shlex.split(line[2:])[1:] for line in lines if line.startswith("$ spice plan ")]


@pytest.mark.parametrize("args", _persona_commands(), ids=lambda a: " ".join(a[1:3]) or a[0])
def test_the_recommended_pick_of_each_persona_launches_or_says_why_not(
    args: list[str], catalog: Catalog, spice_home: Path
) -> None:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    option = next(o for o in plan["options"] if o["id"] == plan["recommendation"]["option"])
    workload = Workload.model_validate(plan["workload"])
    refusal = ""
    try:
        files = launch_files(option, workload, default_target(option), "main", catalog=catalog)
    except NotSupportedError as exc:
        refusal = str(exc)
    if refusal:
        assert any(word in refusal for word in NAMED), refusal
    else:
        text = next(iter(files.values()))
        assert f"runs {option['precision']} on {option['devices']} device(s)" in text


@pytest.mark.parametrize("model", ["gpt-oss-120b", "qwen3-30b-a3b", "deepseek-r1"])
def test_the_recommended_pick_for_the_big_open_models_writes_a_launch_file(
    model: str, catalog: Catalog, spice_home: Path
) -> None:
    """Models people plan to run at home: the pick the plan recommends (a Strix Halo desktop, a
    512 GB Mac) must launch, not be refused for a missing checkpoint row (deepseek-r1's Mac pick
    was refused before its GGUF row was recorded)."""
    result = CliRunner().invoke(app, ["plan", model, "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    option = next(o for o in plan["options"] if o["id"] == plan["recommendation"]["option"])
    workload = Workload.model_validate(plan["workload"])
    files = launch_files(option, workload, default_target(option), "main", catalog=catalog)
    text = next(iter(files.values()))
    assert f"runs {option['precision']} on {option['devices']} device(s)" in text
