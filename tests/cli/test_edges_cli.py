"""The CLI edge through the real entry point: the resolved model is said (human and ``--json``),
a folder named like a model does not shadow it, ``--verbose`` logs what was loaded from where,
shell completion is on and ``spice models list`` never cuts an id."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spicetrader.cli.app import app
from spicetrader.models.registry import list_models

runner = CliRunner()


def test_estimate_says_which_model_a_name_resolved_to() -> None:
    args = ["estimate", "llama3", "--hardware", "rtx-4090"]
    human = runner.invoke(app, args, env={"COLUMNS": "120"})
    assert human.exit_code == 0, human.output
    assert "llama3 → llama-3-8b (Llama 3 8B)" in human.stdout
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert data["workload"]["model"] == "llama-3-8b"
    assert data["model_input"] == "llama3"


def test_plan_says_which_model_a_name_resolved_to() -> None:
    human = runner.invoke(app, ["plan", "llama3", "--only", "rent"], env={"COLUMNS": "120"})
    assert human.exit_code == 0, human.output
    assert "llama3 → llama-3-8b (Llama 3 8B)" in human.stdout
    data = json.loads(runner.invoke(app, ["plan", "llama3", "--only", "rent", "--json"]).stdout)
    assert (data["workload"]["model"], data["model_input"]) == ("llama-3-8b", "llama3")
    exact = runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent"], env={"COLUMNS": "120"})
    assert "→" not in exact.stdout


def test_a_folder_named_like_the_model_does_not_shadow_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "llama-3-8b").mkdir()
    (tmp_path / "meta-llama" / "Llama-3.1-8B").mkdir(parents=True)
    result = runner.invoke(app, ["estimate", "llama-3-8b", "--hardware", "t4", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["workload"]["model"] == "llama-3-8b"
    path = runner.invoke(app, ["estimate", "./llama-3-8b", "--hardware", "t4"])
    assert path.exit_code == 2
    assert "has no config.json" in path.stderr
    hub = runner.invoke(app, ["estimate", "meta-llama/Llama-3.1-8B", "--hardware", "t4"])
    assert hub.exit_code == 0, hub.output  # a catalog alias, not the folder of that name


def test_bad_workload_file_field_is_one_line_with_the_field(tmp_path: Path) -> None:
    spec = tmp_path / "w.json"
    spec.write_text(json.dumps({"model": "llama-3-8b", "hardware": "t4", "tsk": "inference"}))
    result = runner.invoke(app, ["estimate", "-f", str(spec)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown field 'tsk'; did you mean task?" in lines[0]


def test_verbose_logs_what_was_loaded_from_where(spice_home: Path) -> None:
    quiet = runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent", "--json"])
    assert quiet.stderr == ""
    loud = runner.invoke(app, ["--verbose", "plan", "llama-3-8b", "--only", "rent", "--json"])
    assert loud.exit_code == 0, loud.output
    log = loud.stderr
    assert f"user directory: {spice_home}" in log
    assert "bundled catalog" in log
    assert "this machine: not probed" in log
    assert "Hugging Face Hub: on" in log
    json.loads(loud.stdout)  # the log stays off stdout
    again = runner.invoke(app, ["plan", "llama-3-8b", "--only", "rent", "--json"])
    assert again.stderr == ""  # nothing carries over to the next command


def test_shell_completion_is_on() -> None:
    helped = runner.invoke(app, ["--help"])
    assert "--install-completion" in helped.stdout
    spice = [sys.executable, "-m", "spicetrader"]
    script = subprocess.run([*spice, "--show-completion", "bash"],
                            capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    assert "complete -o default -F _spice_completion spice" in script.stdout
    env = {**os.environ, "_SPICE_COMPLETE": "complete_bash", "COMP_WORDS": "spice pl",
           "COMP_CWORD": "1"}  # fmt: skip
    done = subprocess.run(spice, env=env, capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["plan"]


@pytest.mark.parametrize("columns", ["80", "100"])
def test_models_list_never_cuts_an_id(columns: str) -> None:
    result = runner.invoke(app, ["models", "list"], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    shown = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    missing = [m.id for m in list_models() if m.id not in shown]
    assert missing == []
    assert "…" not in result.stdout
