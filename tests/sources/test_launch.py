"""``render_launch`` over hand-written plan options: SkyPilot, dstack, Colab, refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from optional_deps import require
from spicetrader.catalog.catalog import Catalog
from spicetrader.errors import InputError, NotSupportedError
from spicetrader.sources.launch import LaunchTarget, render_launch
from spicetrader.sources.launch_data import accelerator_names, provider_names
from spicetrader.spec.workload import Workload

RENT: dict[str, Any] = {
    "id": "rent:lambda:gpu_8x_h100_sxm5",
    "tier": "rent",
    "name": "Lambda gpu_8x_h100_sxm5",
    "hardware": "h100-sxm",
    "devices": 8,
    "precision": "bf16",
    "fits": True,
    "spot": False,
    "provider": "lambda",
    "as_of": "2026-11",
    "sources": ["offer:lambda:gpu_8x_h100_sxm5@2026-11", "accelerator:h100-sxm@2026-11"],
    "estimate": {"memory": {"weights_gb": 141.1}, "workload": {"engine": "vllm"}},
}
FREE: dict[str, Any] = {
    "id": "free:colab-free",
    "tier": "free",
    "name": "Google Colab free (T4)",
    "hardware": "t4",
    "devices": 1,
    "precision": "q4_k_m",
    "fits": True,
    "hours": 0.4,
    "as_of": "2026-05",
    "sources": ["free-tier:colab-free@2026-05"],
    "estimate": {"memory": {"per_device_gb": 5.9, "capacity_gb": 15.0, "weights_gb": 4.9},
                 "workload": {"engine": "llama.cpp"}},
    "notes": ["sessions end after 12 h"],
}  # fmt: skip
SERVE_70B = Workload(
    model="meta-llama/Llama-3.1-70B",
    precision="bf16",
    devices=8,
    inference={"batch": 16, "prompt_tokens": 2000, "output_tokens": 500},
)
QLORA = Workload(
    model="meta-llama/Llama-3.1-8B",
    task="finetune",
    finetune={"method": "qlora", "lora_rank": 32, "seq_len": 4096},
)
SKY_CATALOG = (
    "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region\n"
    "gpu_8x_h100_sxm5,H100,8,208,1800,,23.92,,us-east-1\n"
)
SKY_CHECK = """
import sys, yaml, sky
task = sky.Task.from_yaml_config(yaml.safe_load(open(sys.argv[1])))
(res,) = task.resources
print(res.accelerators, res.cloud, res.use_spot, res.disk_size, res.instance_type, res.ports)
"""


def test_skypilot_task_for_a_rented_vllm_server() -> None:
    text = render_launch(RENT, SERVE_70B, LaunchTarget.SKYPILOT)
    assert text.startswith("# SkyPilot task")
    task = yaml.safe_load(text)
    assert task["resources"] == {
        "cloud": "lambda", "accelerators": "H100:8", "instance_type": "gpu_8x_h100_sxm5",
        "use_spot": False, "disk_size": 350, "ports": 8000,
    }  # fmt: skip
    assert task["envs"] == {"MODEL_ID": "meta-llama/Llama-3.1-70B"}  # the repo named, as given
    assert "--tensor-parallel-size 8" in task["run"]
    assert "--max-model-len 3072" in task["run"]  # 2000 + 500 tokens, rounded up to 1024s
    assert "--max-num-seqs 16" in task["run"]
    assert "pip install" in task["setup"]


def test_skypilot_yaml_passes_skypilot_own_parser(tmp_path: Path) -> None:
    require("sky")
    path = tmp_path / "task.yaml"
    path.write_text(render_launch(RENT, SERVE_70B, LaunchTarget.SKYPILOT))
    catalog = tmp_path / "home" / ".sky" / "catalogs" / "v8" / "lambda"
    catalog.mkdir(parents=True)
    (catalog / "vms.csv").write_text(SKY_CATALOG)  # SkyPilot checks names against its catalog
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-c", SKY_CHECK, str(path)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "{'H100': 8} Lambda False 350 gpu_8x_h100_sxm5" in done.stdout


TRAIN: dict[str, Any] = {**RENT, "precision": "nf4",
                         "estimate": {"workload": {"engine": "transformers"}}}  # fmt: skip


def test_spot_qlora_finetune_task(catalog: Catalog) -> None:
    option = {**TRAIN, "id": "rent:aws:g5.xlarge:spot", "hardware": "a10g", "devices": 1,
              "provider": "aws", "spot": True, "sources": ["aws:g5.xlarge"]}  # fmt: skip
    task = yaml.safe_load(render_launch(option, QLORA, LaunchTarget.SKYPILOT, catalog=catalog))
    assert task["resources"]["accelerators"] == "A10G:1"
    assert task["resources"]["use_spot"] is True
    assert "ports" not in task["resources"]  # a job, not a server
    assert "load_in_4bit=True, bnb_4bit_quant_type='nf4'" in task["run"]
    assert "r=32, lora_alpha=64" in task["run"]
    assert "max_length=4096" in task["run"]
    assert "bf16=True" in task["run"]  # the A10G has bf16 (from the catalog)
    assert task["run"].rstrip().endswith("python train.py")  # one device: no launcher


def test_dstack_service() -> None:
    config = yaml.safe_load(render_launch({**RENT, "spot": True}, SERVE_70B, LaunchTarget.DSTACK))
    assert config["type"] == "service"
    assert config["port"] == 8000
    assert config["resources"] == {"gpu": "H100:8", "disk": "350GB.."}
    assert config["backends"] == ["lambda"]
    assert config["spot_policy"] == "spot"
    assert config["env"] == ["MODEL_ID=meta-llama/Llama-3.1-70B"]
    assert any("vllm serve" in command for command in config["commands"])


def test_dstack_task_for_finetune() -> None:
    config = yaml.safe_load(render_launch(TRAIN, QLORA, LaunchTarget.DSTACK))
    assert config["type"] == "task"
    assert "port" not in config


def test_colab_notebook_validates_with_nbformat() -> None:
    nbformat = require("nbformat")
    workload = Workload(model="TheBloke/Llama-2-7B-GGUF", precision="q4_k_m")
    text = render_launch(FREE, workload, LaunchTarget.COLAB)
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    sources = ["".join(cell["source"]) for cell in json.loads(text)["cells"]]
    assert sources[1] == "!nvidia-smi"
    assert "export GGUF_REPO=TheBloke/Llama-2-7B-GGUF" in sources[2]
    assert "llama-server" in sources[3]
    assert "subprocess.Popen" in sources[3]  # the server outlives its cell
    compile(sources[3], "server-cell", "exec")  # the generated Python cell is valid Python
    assert "sessions end after 12 h" in sources[0]


@pytest.mark.parametrize(
    ("option", "workload", "target", "words"),
    [
        (RENT, SERVE_70B, LaunchTarget.COLAB, "colab free-tier options"),
        (FREE, SERVE_70B, LaunchTarget.KAGGLE, "kaggle free-tier options"),
        (FREE, SERVE_70B, LaunchTarget.SKYPILOT, "rented options"),
        ({**RENT, "fits": False}, SERVE_70B, LaunchTarget.SKYPILOT, "does not fit"),
        (RENT, Workload(model="llama-3-8b", task="pretrain"), LaunchTarget.SKYPILOT,
         "task pretrain has no launch recipe"),
        (TRAIN, Workload(model="llama-3-8b", task="finetune", finetune={"method": "full"}),
         LaunchTarget.SKYPILOT, "full fine-tuning"),
        ({**RENT, "provider": "moonbase"}, SERVE_70B, LaunchTarget.SKYPILOT, "provider 'moonbase'"),
        ({**RENT, "provider": "verda"}, SERVE_70B, LaunchTarget.SKYPILOT, "SkyPilot cannot target"),
        ({**RENT, "hardware": "m2-ultra-76c"}, SERVE_70B, LaunchTarget.DSTACK,
         "vllm does not run on apple-m2"),
        ({**RENT, "estimate": {"workload": {"engine": "mlx"}}}, SERVE_70B, LaunchTarget.SKYPILOT,
         "mlx is not recorded"),
        ({**RENT, "hardware": "p100", "devices": 1}, SERVE_70B, LaunchTarget.SKYPILOT,
         "vllm does not run on pascal"),
        ({**RENT, "precision": "int8"}, Workload(model="my-org/private-llm"),
         LaunchTarget.SKYPILOT, "no int8 weights of my-org/private-llm for vllm on hopper"),
        ({**RENT, "precision": "q4_k_m", "estimate": {"workload": {"engine": "llama.cpp"}}},
         Workload(model="llama-2-7b"), LaunchTarget.SKYPILOT, "no q4_k_m weights of llama-2-7b"),
    ],
)  # fmt: skip
def test_refusals_say_why(
    option: dict[str, Any], workload: Workload, target: LaunchTarget, words: str
) -> None:
    with pytest.raises(NotSupportedError, match=words):
        render_launch(option, workload, target)


def test_option_without_id_is_an_input_error() -> None:
    with pytest.raises(InputError, match="'id'"):
        render_launch({k: v for k, v in RENT.items() if k != "id"}, SERVE_70B,
                      LaunchTarget.SKYPILOT)  # fmt: skip


def test_unknown_model_is_refused_not_guessed() -> None:
    with pytest.raises(NotSupportedError, match="no Hub repo known for my-private-model"):
        render_launch(RENT, Workload(model="my-private-model"), LaunchTarget.SKYPILOT)


def test_catalog_model_without_a_recorded_variant_serves_its_own_repo() -> None:
    text = render_launch(RENT, Workload(model="llama-2-7b"), LaunchTarget.SKYPILOT)
    assert yaml.safe_load(text)["envs"]["MODEL_ID"] == "meta-llama/Llama-2-7b-hf"
    assert "no instruct variant recorded" in text  # said, not hidden


def test_chat_serving_loads_the_instruct_variant() -> None:
    text = render_launch(RENT, Workload(model="llama-3-70b"), LaunchTarget.SKYPILOT)
    assert yaml.safe_load(text)["envs"]["MODEL_ID"] == "meta-llama/Meta-Llama-3-70B-Instruct"
    assert "serving Meta-Llama-3-70B-Instruct" in text


def test_launch_tables_name_catalog_ids(catalog: Catalog) -> None:
    assert set(accelerator_names()) <= set(catalog.accelerators)
    assert {o.provider for o in catalog.offers} <= set(provider_names())


def test_mac_mlx_option_serves_the_mlx_community_repo(tmp_path: Path) -> None:
    option = {"id": "mac:mac-mini-m4-pro-16c-48gb", "tier": "mac", "hardware": "m4-pro-16c",
              "devices": 1, "precision": "mlx-4bit", "fits": True,
              "estimate": {"workload": {"engine": "mlx"}, "inference": {"batch": 1}}}  # fmt: skip
    text = render_launch(option, Workload(model="llama-3-70b"))  # default for a Mac: a script
    assert text.startswith("#!/usr/bin/env bash")
    assert "export MODEL_ID=mlx-community/Meta-Llama-3-70B-Instruct-4bit" in text
    assert 'mlx_lm.server --model "$MODEL_ID"' in text
    script = tmp_path / "serve.sh"
    script.write_text(text)
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_split_that_leaves_devices_idle_is_refused() -> None:
    option = {**RENT, "estimate": {"workload": {"engine": "vllm",
              "parallelism": {"tensor": 4, "pipeline": 1, "data": 2}}}}  # fmt: skip
    with pytest.raises(NotSupportedError, match="does not span its 8 devices"):
        render_launch(option, SERVE_70B, LaunchTarget.SKYPILOT)


def test_a_sharded_finetune_is_refused_not_written_as_ddp() -> None:
    option = {**TRAIN, "estimate": {"workload": {"engine": "transformers",
              "parallelism": {"tensor": 1, "pipeline": 1, "data": 8, "zero": 3}}}}  # fmt: skip
    with pytest.raises(NotSupportedError, match="ZeRO-3"):
        render_launch(option, QLORA, LaunchTarget.SKYPILOT)


@pytest.mark.parametrize(
    ("hardware", "build", "gpu_layers"),
    [
        ("ryzen-9-9950x", "-DCMAKE_BUILD_TYPE=Release", "--n-gpu-layers 0"),  # CPU build
        ("rx-7900-xtx", "-DGGML_VULKAN=ON", "--n-gpu-layers 999"),  # AMD consumer GPU: Vulkan
        ("rtx-4090", "-DGGML_CUDA=ON", "--n-gpu-layers 999"),
    ],
)
def test_llama_cpp_is_built_for_the_machine(hardware: str, build: str, gpu_layers: str) -> None:
    estimate = {"workload": {"engine": "llama.cpp"}, "inference": {"batch": 1}}
    option = {"id": f"buy:{hardware}", "tier": "buy", "hardware": hardware, "devices": 1,
              "precision": "q4_k_m", "fits": True, "estimate": estimate}  # fmt: skip
    text = render_launch(option, Workload(model="llama-3.1-8b"))
    assert build in text
    assert gpu_layers in text
    assert "GGUF_QUANT=Q4_K_M" in text
