"""Walk real plans: every option of ``spice plan --json`` either launches the planned job (its
precision, its device count) or is refused with exit 2 naming what is missing.

The files are read back as a user's tools would (YAML, notebook JSON, shell text) and what they
load is checked against the plan option, not against the code that wrote them.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from spicetrader.catalog.catalog import Catalog
from spicetrader.cli.app import app
from spicetrader.errors import NotSupportedError
from spicetrader.models.registry import resolve_model
from spicetrader.sources.launch import LaunchTarget, default_target, launch_files
from spicetrader.sources.launch_tables import launch_tables
from spicetrader.spec.workload import Workload

runner = CliRunner()
PLANS = (
    "llama-3-70b",
    "llama-3.1-8b",
    "mistral-7b-qlora",
    "sdxl",
    "gpt-oss-120b",
    "qwen3-30b-a3b",
)  # conftest: real_plans


def _main_text(files: Mapping[str, str]) -> str:
    return next(iter(files.values()))


def _env_and_commands(target: LaunchTarget, text: str) -> tuple[dict[str, str], str]:
    """The environment and the shell text the file runs, read from the file itself."""
    if target is LaunchTarget.SKYPILOT:
        task = yaml.safe_load(text)
        return dict(task["envs"]), task["setup"] + task["run"]
    if target is LaunchTarget.DSTACK:
        config = yaml.safe_load(text)
        return dict(e.split("=", 1) for e in config["env"]), "\n".join(config["commands"])
    if target is LaunchTarget.SCRIPT:
        env = dict(re.findall(r"^export (\w+)=(\S+)$", text, re.M))
        return env, text
    if target is LaunchTarget.MODAL:  # Python: the image's env and setup, the function's script
        env = ast.literal_eval(re.search(r"^    \.env\((.*)\)$", text, re.M).group(1))  # type: ignore[union-attr]
        setup = ast.literal_eval(re.search(r"\.run_commands\((.*)\)$", text, re.M).group(1))  # type: ignore[union-attr]
        script = ast.literal_eval(re.search(r"^SCRIPT = (.*)$", text, re.M).group(1))  # type: ignore[union-attr]
        return dict(env), setup + script
    cells = ["".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
    body = "\n".join(cells)
    env = dict(re.findall(r"^export (\w+)=(\S+)$", body, re.M))
    return env, body.replace("\\n", "\n").replace("\\\\", "\\")


def _flag(command: str, name: str) -> int:
    match = re.search(rf"{name} (\d+)", command)
    assert match, f"{name} missing"
    return int(match.group(1))


def _check_serving(option: Mapping[str, Any], env: Mapping[str, str], command: str) -> None:
    tables = launch_tables()
    precision, devices = option["precision"], option["devices"]
    if "vllm serve" in command:
        tensor = _flag(command, "--tensor-parallel-size")
        assert tensor * _flag(command, "--pipeline-parallel-size") == devices
        rows = [r for r in tables.checkpoints if r.repo == env["MODEL_ID"] and r.engine == "vllm"]
        if rows:  # a pre-quantized checkpoint: of the planned precision
            assert precision in {r.precision for r in rows}
        else:  # the model's own weights with the engine's switch for that precision
            (flags,) = [f.flags for f in tables.precision_flags
                        if (f.engine, f.precision) == ("vllm", precision)]  # fmt: skip
            assert flags in command
        assert f"--max-num-seqs {option['estimate']['inference']['batch']}" in command
    elif "llama-server -m model.gguf" in command:  # converted by llama.cpp from the 16-bit repo
        (flags,) = [f.flags for f in tables.precision_flags
                    if (f.engine, f.precision) == ("llama.cpp", precision)]  # fmt: skip
        assert f"convert_hf_to_gguf.py hf-model {flags}" in command
        assert env["MODEL_ID"] in {m.chat_repo for m in tables.models.values()}
    elif "llama-server" in command:  # the file the table names for this precision
        assert (env["GGUF_REPO"], precision, env["GGUF_QUANT"]) in {
            (r.repo, r.precision, r.gguf_quant) for r in tables.checkpoints
        }
    else:
        assert "mlx_lm.server" in command
        assert any((r.repo, r.precision, r.engine) == (env["MODEL_ID"], precision, "mlx")
                   for r in tables.checkpoints)  # fmt: skip


def _check_devices(option: Mapping[str, Any], command: str, script: str) -> None:
    devices = option["devices"]
    if devices == 1:
        assert f"python {script}" in command
    else:
        assert f"accelerate launch --num_processes {devices} {script}" in command


def _check_images(option: Mapping[str, Any], workload: Workload, files: Mapping[str, str],
                  command: str) -> None:  # fmt: skip
    _check_devices(option, command, "generate.py")
    assert workload.image is not None
    dtype = {"bf16": "torch.bfloat16", "fp16": "torch.float16"}[option["precision"]]
    assert f"torch_dtype={dtype}" in command
    assert f"IMAGES = {workload.image.images}" in command
    planned = option["estimate"]["workload"]["image"]  # steps filled from the model if not given
    assert planned["steps"] is not None
    assert f"STEPS = {planned['steps']}" in command


def _check_training(option: Mapping[str, Any], files: Mapping[str, str], command: str,
                    script: str) -> None:  # fmt: skip
    _check_devices(option, command, script)
    train = files.get("train.py") or command  # notebooks and YAML carry the script inline
    if option["precision"] == "nf4":
        assert "bnb_4bit_quant_type='nf4'" in train
    else:
        assert "quantization = None" in train


def _launch_or_refusal(option: Mapping[str, Any], workload: Workload,
                       catalog: Catalog) -> str | None:  # fmt: skip
    """None when the launch writes the planned job, else the refusal's message."""
    try:
        target = default_target(option)
        files = launch_files(option, workload, target, "main", catalog=catalog)
    except NotSupportedError as exc:
        return str(exc)
    env, command = _env_and_commands(target, _main_text(files))
    if target is LaunchTarget.SKYPILOT:
        count = yaml.safe_load(_main_text(files))["resources"]["accelerators"].split(":")[-1]
        assert int(count) == option["devices"]
    assert f"runs {option['precision']} on {option['devices']} device(s)" in _main_text(files)
    if workload.task.value == "inference":
        _check_serving(option, env, command)
    elif "mlx_lm.lora" in command:  # a Mac: MLX's own 4/8-bit conversion of the base
        bits = {"mlx-4bit": 4, "mlx-8bit": 8}[option["precision"]]
        assert (
            f'mlx_lm.convert --hf-path "$MODEL_ID" --mlx-path base-mlx -q --q-bits {bits}'
            in command
        )
        assert option["devices"] == 1
    elif workload.task.value == "finetune":
        _check_training(option, files, command, "train.py")
    else:
        _check_images(option, workload, files, command)
    return None


@pytest.mark.parametrize("name", PLANS)
def test_every_option_launches_as_planned_or_says_what_is_missing(
    real_plans: dict[str, dict[str, Any]], name: str, catalog: Catalog
) -> None:
    plan = real_plans[name]
    workload = Workload.model_validate(plan["workload"])
    launched, refused = [], {}
    for option in plan["options"]:
        message = _launch_or_refusal(option, workload, catalog)
        if message is None:
            launched.append(option["id"])
        else:
            refused[option["id"]] = message
    for option_id, message in refused.items():
        option = next(o for o in plan["options"] if o["id"] == option_id)
        named = ("does not fit", option["precision"], "does not run",
                 "no launch mapping", "fine-tun", "needs its own build",
                 "no hand-off recorded", "needs its own build")  # fmt: skip
        assert any(word in message for word in named), (option_id, message)
    recommended = plan["recommendation"]["option"]
    assert recommended in launched or "needs its own build" in refused[recommended]
    fitting = [o for o in plan["options"] if o["fits"]]
    native = (
        resolve_model(workload.model).native_precision
        if isinstance(workload.model, str)
        else "bf16"
    )
    if native in ("bf16", "fp16"):  # a 16-bit release: engines quantize it to what was planned
        assert len(launched) >= 0.8 * len(fitting)
    else:  # gpt-oss (MXFP4): planned as released, never re-quantized; where the engine has no
        # kernel for the release format (vLLM's MXFP4 MoE on Ada/Volta), the refusal says so
        assert {o["precision"] for o in fitting} == {native}
        no_kernel = [m for m in refused.values() if f"needs {native}" in m]
        assert len(launched) + len(no_kernel) >= 0.8 * len(fitting)


def test_cli_walks_a_saved_plan(
    real_plans: dict[str, dict[str, Any]], tmp_path: Path, spice_home: Path, catalog: Catalog
) -> None:
    """One option per tier through ``spice launch --plan``: exit 0 writes, exit 2 writes nothing."""
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps(real_plans["llama-3-70b"]))
    seen = {}
    for option in real_plans["llama-3-70b"]["options"]:
        vendor = catalog.accelerator(option["hardware"]).vendor.value
        handoff = option["tier"] != "free" or option["id"][5:] in launch_tables().free_tiers
        if vendor in ("nvidia", "apple") and handoff:  # builds and hand-offs launch writes
            seen.setdefault((option["tier"], option["fits"]), option["id"])
    for (tier, fits), option_id in seen.items():
        out = tmp_path / f"{tier}-{fits}" / "launch.out"
        out.parent.mkdir()
        result = runner.invoke(app, ["launch", "--plan", str(saved), "--option", option_id,
                                     "-o", str(out)])  # fmt: skip
        assert result.exit_code == (0 if fits else 2), (option_id, result.stderr)
        assert out.exists() is fits
        if not fits:
            assert "does not fit" in result.stderr
            assert "Traceback" not in result.stderr


def test_cli_writes_the_kaggle_notebook_and_its_metadata(
    real_plans: dict[str, dict[str, Any]], tmp_path: Path, spice_home: Path
) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(json.dumps(real_plans["mistral-7b-qlora"]))
    out = tmp_path / "kaggle" / "qlora.ipynb"
    out.parent.mkdir()
    result = runner.invoke(app, ["launch", "--plan", str(saved), "--option", "free:kaggle-t4x2",
                                 "-o", str(out), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    written = json.loads(result.stdout)
    assert written["target"] == "kaggle"
    assert written["files"] == [str(out), str(out.parent / "kernel-metadata.json")]
    meta = json.loads((out.parent / "kernel-metadata.json").read_text())
    assert (meta["code_file"], meta["machine_shape"]) == ("qlora.ipynb", "NvidiaTeslaT4")
    assert "accelerate launch --num_processes 2 train.py" in out.read_text()
