"""Every file ``spice launch`` writes for the real plans, read by the real tools: SkyPilot's task
loader, dstack's configuration model, nbformat, bash, Python; engine flags against the flags the
engines document (``launch_engine_flags.csv``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from optional_deps import require
from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch import LaunchTarget, default_target, launch_files
from spicetrader.sources.launch_data import provider_names
from spicetrader.sources.launch_tables import launch_tables
from spicetrader.spec.workload import Workload

Launch = tuple[Mapping[str, Any], Workload, LaunchTarget, dict[str, str]]
SKY_LOAD = """
import glob, sys, yaml, sky
from sky.utils import schemas
known = set(schemas.get_resources_schema()['properties']['cloud']['case_insensitive_enum'])
for path in sorted(glob.glob(sys.argv[1] + '/*.yaml')):
    config = yaml.safe_load(open(path))
    if config['resources']['cloud'] not in known:  # a cloud newer than this SkyPilot
        print('SKIP', config['resources']['cloud'])
        continue
    task = sky.Task.from_yaml_config(config)
    (res,) = task.resources
    print(path.rsplit('/', 1)[-1], sum(res.accelerators.values()), res.cloud)
"""


def _launches(real_plans: Mapping[str, Any], catalog: Catalog,
              target: LaunchTarget | None = None) -> Iterator[Launch]:  # fmt: skip
    """The files of every option that launches, one option per (tier, provider, engine,
    precision, devices) to keep the run short."""
    seen: set[tuple[object, ...]] = set()
    for plan in real_plans.values():
        workload = Workload.model_validate(plan["workload"])
        for option in plan["options"]:
            engine = (option.get("estimate") or {}).get("workload", {}).get("engine")
            key = (
                option["tier"],
                option.get("provider"),
                engine,
                option["precision"],
                option["devices"],
                plan["workload"]["task"],
                option["id"].split(":")[1],
            )
            if key in seen:
                continue
            seen.add(key)
            try:
                chosen = target or default_target(option)
                files = launch_files(option, workload, chosen, "main", catalog=catalog)
            except NotSupportedError:
                continue  # the refusals are walked in test_launch_plans
            yield option, workload, chosen, files


def test_skypilot_loads_every_rented_task(
    real_plans: Mapping[str, Any], catalog: Catalog, tmp_path: Path
) -> None:
    require("sky")
    expected = {}
    for n, (option, _, target, files) in enumerate(_launches(real_plans, catalog, None)):
        if target is LaunchTarget.SKYPILOT:
            (tmp_path / f"{n:03d}.yaml").write_text(files["main"])
            expected[f"{n:03d}.yaml"] = option["devices"]
    assert len(expected) > 20
    env = {**os.environ, "HOME": str(tmp_path / "home"), "SKYPILOT_DISABLE_USAGE_COLLECTION": "1"}
    done = subprocess.run([sys.executable, "-c", SKY_LOAD, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line.split() for line in done.stdout.splitlines()]
    loaded = {words[0]: int(words[1]) for words in lines if words[0] != "SKIP"}
    newer = {words[1] for words in lines if words[0] == "SKIP"}
    # every task this SkyPilot can read loads, with the planned device count
    assert loaded == {name: n for name, n in expected.items() if name in loaded}
    assert len(loaded) > 20
    # the rest name clouds of later SkyPilot releases, recorded in launch_providers.csv
    assert newer <= {n.skypilot for n in provider_names().values()}


def test_dstack_parses_every_rented_configuration(
    real_plans: Mapping[str, Any], catalog: Catalog
) -> None:
    require("dstack")
    from dstack._internal.core.models.configurations import parse_run_configuration

    checked = 0
    for option, workload, _, _ in _launches(real_plans, catalog, None):
        names = provider_names().get(str(option.get("provider")))
        if option["tier"] != "rent" or names is None or names.dstack is None:
            continue  # no dstack backend for that provider (launch_providers.csv)
        text = launch_files(option, workload, LaunchTarget.DSTACK, "main", catalog=catalog)["main"]
        config = parse_run_configuration(yaml.safe_load(text))
        gpu = config.resources.gpu
        assert gpu is not None
        assert gpu.count.min == gpu.count.max == option["devices"]
        assert config.type == ("service" if workload.task.value == "inference" else "task")
        checked += 1
    assert checked > 20


def test_notebooks_validate_and_their_python_compiles(
    real_plans: Mapping[str, Any], catalog: Catalog
) -> None:
    nbformat = require("nbformat")
    kinds = set()
    for option, _, target, files in _launches(real_plans, catalog, None):
        if target not in (LaunchTarget.COLAB, LaunchTarget.KAGGLE, LaunchTarget.JUPYTER):
            continue
        kinds.add(target)
        nbformat.validate(nbformat.reads(files["main"], as_version=4))
        for cell in json.loads(files["main"])["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "code" and not text.startswith(("%", "!")):
                compile(text, option["id"], "exec")
            if text.startswith("%%writefile train.py"):
                compile(text.split("\n", 1)[1], "train.py", "exec")
        if target is LaunchTarget.KAGGLE:
            meta = json.loads(files["kernel-metadata.json"])
            assert meta["code_file"] == "main"
            assert meta["enable_gpu"] is True
            assert (
                meta["machine_shape"]
                == {"t4": "NvidiaTeslaT4", "p100": "NvidiaTeslaP100"}[option["hardware"]]
            )
            assert meta["id"].split("/")[1] == meta["title"].replace(" ", "-")
    assert kinds == {LaunchTarget.COLAB, LaunchTarget.KAGGLE, LaunchTarget.JUPYTER}


MODAL_LOAD = """
import glob, runpy, sys, modal
for path in sorted(glob.glob(sys.argv[1] + '/*.py')):
    ns = runpy.run_path(path)
    assert isinstance(ns['app'], modal.App), path
    print(path.rsplit('/', 1)[-1], 'serve' if 'serve' in ns else 'job' if 'job' in ns else '?')
"""


def test_modal_apps_load_with_modal(
    real_plans: Mapping[str, Any], catalog: Catalog, tmp_path: Path
) -> None:
    require("modal")
    expected = {}
    for n, (_, workload, target, files) in enumerate(_launches(real_plans, catalog, None)):
        if target is LaunchTarget.MODAL:
            (tmp_path / f"app{n:03d}.py").write_text(files["main"])
            expected[f"app{n:03d}.py"] = "serve" if workload.task.value == "inference" else "job"
    assert len(expected) >= 4
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    command = [sys.executable, "-W", "ignore", "-c", MODAL_LOAD, str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert dict(line.split() for line in done.stdout.splitlines()) == expected


def test_multi_session_finetunes_persist_and_resume(
    real_plans: Mapping[str, Any], catalog: Catalog
) -> None:
    plan = real_plans["mistral-7b-qlora"]
    workload = Workload.model_validate(plan["workload"])
    free = [o for o in plan["options"] if o["tier"] == "free"]
    several = [o for o in free if (o.get("free_use") or {}).get("sessions", 1) > 1]
    assert several
    for option in several:
        try:
            files = launch_files(option, workload, None, "main", catalog=catalog)
        except NotSupportedError:
            continue
        text = files["main"]
        sessions = option["free_use"]["sessions"]
        assert f"The plan expects {sessions} session(s)" in text
        assert "get_last_checkpoint" in text
        assert "resume_from_checkpoint=last" in text
        if option["id"].startswith("free:colab"):
            assert "drive.mount('/content/drive')" in text
            assert "OUTPUT_DIR=/content/drive/MyDrive/" in text
        if option["id"].startswith("free:kaggle"):
            assert "OUTPUT_DIR=/kaggle/working/" in text
            assert "glob.glob('/kaggle/input/*/spicetrader/'" in text  # the last version's output
        budget_s = int(re.search(r"SESSION_BUDGET_S = (\d+)", text).group(1))  # type: ignore[union-attr]
        assert budget_s < option["free_use"]["session_hours"] * 3600  # stops before the limit


def test_shell_scripts_parse_with_bash(
    real_plans: Mapping[str, Any], catalog: Catalog, tmp_path: Path
) -> None:
    checked = 0
    for n, (option, _, target, files) in enumerate(_launches(real_plans, catalog, None)):
        scripts = [files["main"]] if target is LaunchTarget.SCRIPT else []
        if target is LaunchTarget.SKYPILOT:
            task = yaml.safe_load(files["main"])
            scripts = [task["setup"], task["run"]]
        for k, text in enumerate(scripts):
            path = tmp_path / f"{n}-{k}.sh"
            path.write_text(text)
            done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True,
                                  check=False)  # fmt: skip
            assert done.returncode == 0, (option["id"], done.stderr)
            if "cat > train.py <<'SPICE_EOF'" in text:
                body = text.split("<<'SPICE_EOF'\n", 1)[1].split("\nSPICE_EOF\n", 1)[0]
                compile(body, "train.py", "exec")
            checked += 1
    assert checked > 40


def _commands(text: str, program: str) -> Iterator[str]:
    """Each ``program`` command line in ``text``, continuation lines joined."""
    joined = re.sub(r"\\\\\n", " ", text.replace("\\\\n", "\n")).replace("\\\n", " ")
    for line in joined.splitlines():
        at = line.find(program + " ")
        if at >= 0 and not line.lstrip().startswith("#"):
            yield line[at + len(program) :]


def test_engine_command_lines_use_documented_flags(
    real_plans: Mapping[str, Any], catalog: Catalog
) -> None:
    documented = launch_tables().engine_flags
    used: dict[str, set[str]] = {program: set() for program in documented}
    for _, _, _, files in _launches(real_plans, catalog, None):
        text = "\n".join(files.values())
        for program in documented:
            for command in _commands(text, program):
                flags = set(re.findall(r"(?<!\S)(--?[a-z][a-z0-9_-]*)", command))
                assert flags <= documented[program], (program, flags - documented[program])
                used[program] |= flags
    assert used["vllm serve"] >= {
        "--tensor-parallel-size",
        "--pipeline-parallel-size",
        "--max-model-len",
        "--max-num-seqs",
        "--gpu-memory-utilization",
        "--quantization",
        "--dtype",
    }
    assert used["llama-server"] >= {"-hf", "--ctx-size", "--parallel", "--n-gpu-layers"}
    assert used["accelerate launch"] == {"--num_processes"}
