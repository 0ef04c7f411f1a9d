"""SkyPilot tasks and dstack configurations for rented options.

- SkyPilot task YAML: https://docs.skypilot.co/en/latest/reference/yaml-spec.html
  (``resources.accelerators: "H100:8"``, ``cloud``, ``instance_type``, ``use_spot``, ``disk_size``,
  ``ports``; ``envs``, ``setup``, ``run``).
- dstack run configuration: https://dstack.ai/docs/reference/dstack.yml/service/ (``type: service``
  with ``port``, or ``type: task``; ``resources.gpu: "H100:8"``; ``backends``; ``spot_policy``).
Cloud and accelerator names per launcher: ``data/launch_providers.csv``,
``data/launch_accelerators.csv``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

from spicetrader.errors import NotSupportedError
from spicetrader.sources.launch_data import LaunchNames, accelerator_names, provider_names
from spicetrader.sources.launch_option import required_field
from spicetrader.sources.launch_recipe import Recipe, shell_with_files

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["dstack_config", "skypilot_task"]


def _offer_ids(option: Mapping[str, Any]) -> list[str]:
    """Offer ids the option names: its sources ("offer:lambda:gpu_1x_a10@2026-11" or a bare id)
    and its own id ("rent:<offer id>[:spot]")."""
    ids = [str(s).removeprefix("offer:").split("@")[0] for s in option.get("sources", ())]
    ids.append(str(option.get("id", "")).removeprefix("rent:").removesuffix(":spot"))
    return ids


def _instance_type(option: Mapping[str, Any], provider: str, catalog: Catalog | None) -> str | None:
    if option.get("instance_type"):
        return str(option["instance_type"])
    for offer_id in _offer_ids(option):
        if catalog is not None:
            match = [o.instance_type for o in catalog.offers if o.id == offer_id]
            if match:
                return match[0]
        if offer_id.startswith(f"{provider}:"):
            return offer_id[len(provider) + 1 :]
    return None


def _disk_gb(option: Mapping[str, Any]) -> int:
    """Room for the weights twice (download cache + converted copy) and 50 GB of system."""
    weights = float(option.get("estimate", {}).get("memory", {}).get("weights_gb", 50.0) or 50.0)
    return max(100, int(math.ceil((2 * weights + 50) / 50) * 50))


def _name(option_id: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", option_id.lower()).strip("-")
    return ("spice-" + slug)[:60].rstrip("-")


def _names(table: Mapping[str, LaunchNames], key: str, what: str) -> LaunchNames:
    if key not in table:
        raise NotSupportedError(
            f"no launch mapping for {what} {key!r}; supported: " + ", ".join(sorted(table))
        )
    return table[key]


def _header(option: Mapping[str, Any], recipe: Recipe, tool: str, command: str) -> str:
    lines = [
        f"# {tool} configuration written by spicetrader (spice launch) for plan option",
        f"# {option.get('id')}: {option.get('name', option.get('hardware'))}",
        f"# runs {recipe.precision} on {recipe.devices} device(s): {recipe.served}",
        f"# prices as of {option.get('as_of', 'unknown')}; launch with: {command}",
        "# Gated models need a Hugging Face token: pass HF_TOKEN at launch.",
    ]
    lines += [f"# NOTE: {note}" for note in recipe.notes]
    return "\n".join(lines) + "\n"


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (scripts) as literal ``|`` blocks, the way people write them."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str)


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.dump(dict(data), Dumper=_BlockDumper, sort_keys=False, default_flow_style=False,
                     width=100)  # fmt: skip


def skypilot_task(
    option: Mapping[str, Any], recipe: Recipe, devices: int, catalog: Catalog | None
) -> str:
    provider = str(required_field(option, "provider"))
    names = _names(provider_names(), provider, "provider")
    cloud = names.skypilot
    accel = _names(accelerator_names(), str(option["hardware"]), "accelerator").skypilot
    if cloud is None or accel is None:
        raise NotSupportedError(f"SkyPilot cannot target {provider} / {option['hardware']}")
    resources: dict[str, Any] = {"cloud": cloud, "accelerators": f"{accel}:{devices}"}
    pin = names.pin_instance_type
    instance = _instance_type(option, provider, catalog) if pin else None
    if instance:
        resources["instance_type"] = instance
    resources["use_spot"] = bool(option.get("spot", False))
    resources["disk_size"] = _disk_gb(option)
    if recipe.service and recipe.port is not None:
        resources["ports"] = recipe.port
    task = {
        "name": _name(str(option["id"])),
        "resources": resources,
        "envs": dict(recipe.env),
        "setup": recipe.setup,
        "run": shell_with_files(recipe),
    }
    return _header(option, recipe, "SkyPilot task", "sky launch -c spice FILE") + _dump(task)


def dstack_config(option: Mapping[str, Any], recipe: Recipe, devices: int) -> str:
    provider = str(required_field(option, "provider"))
    backend = _names(provider_names(), provider, "provider").dstack
    gpu = _names(accelerator_names(), str(option["hardware"]), "accelerator").dstack
    if backend is None or gpu is None:
        raise NotSupportedError(f"dstack cannot target {provider} / {option['hardware']}")
    config: dict[str, Any] = {
        "type": "service" if recipe.service else "task",
        "name": _name(str(option["id"])),
        "env": [f"{k}={v}" for k, v in recipe.env.items()],
        "commands": [recipe.setup, shell_with_files(recipe)],
    }
    if recipe.service and recipe.port is not None:
        config["port"] = recipe.port
    config["backends"] = [backend]
    config["spot_policy"] = "spot" if option.get("spot") else "on-demand"
    config["resources"] = {"gpu": f"{gpu}:{devices}", "disk": f"{_disk_gb(option)}GB.."}
    return _header(option, recipe, "dstack", "dstack apply -f FILE") + _dump(config)
