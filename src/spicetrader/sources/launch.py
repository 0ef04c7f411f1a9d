"""``spice launch``: turn a plan option into the hand-off of its tier: a SkyPilot task or a dstack
configuration (rentals), a Colab or Kaggle notebook (free tiers), a shell script (owned machines
and Macs).

:func:`render_launch` works on the option dict of ``spice plan --json`` (``Plan.to_dict()``), so it
needs no planner at import time. Formats:
- SkyPilot task YAML: https://docs.skypilot.co/en/latest/reference/yaml-spec.html
  (``resources.accelerators: "H100:8"``, ``cloud``, ``instance_type``, ``use_spot``, ``disk_size``,
  ``ports``; ``envs``, ``setup``, ``run``).
- dstack run configuration: https://dstack.ai/docs/reference/dstack.yml/service/ (``type: service``
  with ``port``, or ``type: task``; ``resources.gpu: "H100:8"``; ``backends``; ``spot_policy``).
- Colab, Kaggle and plain Jupyter (SageMaker Studio Lab) notebooks (nbformat 4, see
  :mod:`.launch_colab`) for the free tiers;
- a bash script (:mod:`.launch_script`) for owned machines and Macs.
The job is the planned job (:mod:`.launch_recipe`): its precision, device count and split.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import yaml

from spicetrader.errors import InputError, NotSupportedError
from spicetrader.sources.launch_data import LaunchNames, accelerator_names, provider_names
from spicetrader.sources.launch_recipe import Host, Recipe, build_recipe, shell_with_files
from spicetrader.sources.launch_tables import FreeTierRow, launch_tables
from spicetrader.spec.workload import Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["LaunchTarget", "default_target", "launch_files", "render_launch"]

_RENT = "rent"
_FREE = "free"
_OWNED = frozenset({"buy", "mac"})


class LaunchTarget(StrEnum):
    SKYPILOT = "skypilot"
    DSTACK = "dstack"
    COLAB = "colab"
    KAGGLE = "kaggle"
    JUPYTER = "jupyter"
    SCRIPT = "script"


def _required(option: Mapping[str, Any], key: str) -> Any:
    if key not in option or option[key] in (None, ""):
        raise InputError(f"the plan option has no {key!r}; pass an option from `spice plan --json`")
    return option[key]


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


def _skypilot(
    option: Mapping[str, Any], recipe: Recipe, devices: int, catalog: Catalog | None
) -> str:
    provider = str(_required(option, "provider"))
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


def _dstack(option: Mapping[str, Any], recipe: Recipe, devices: int) -> str:
    provider = str(_required(option, "provider"))
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


def _free_tier(option: Mapping[str, Any]) -> FreeTierRow | None:
    tier_id = str(option.get("id", "")).removeprefix("free:")
    return launch_tables().free_tiers.get(tier_id)


def default_target(option: Mapping[str, Any]) -> LaunchTarget:
    """The hand-off of the option's tier: SkyPilot for rentals, the free tier's notebook, a
    script for owned machines and Macs."""
    tier = str(_required(option, "tier"))
    if tier == _RENT:
        return LaunchTarget.SKYPILOT
    if tier in _OWNED:
        return LaunchTarget.SCRIPT
    if tier == _FREE:
        row = _free_tier(option)
        if row is None:
            raise NotSupportedError(
                f"no notebook hand-off recorded for {option.get('id')} (see launch_free_tiers.csv)"
            )
        return LaunchTarget(row.notebook)
    raise NotSupportedError(f"option {option.get('id')} (tier {tier}) is not launchable")


def _check_target(option: Mapping[str, Any], target: LaunchTarget) -> FreeTierRow | None:
    tier, option_id = str(option["tier"]), option["id"]
    if target in (LaunchTarget.COLAB, LaunchTarget.KAGGLE, LaunchTarget.JUPYTER):
        row = _free_tier(option) if tier == _FREE else None
        if row is None or row.notebook != target.value:
            raise NotSupportedError(
                f"--to {target.value} is for {target.value} free-tier options; "
                f"{option_id} is tier {tier}"
            )
        return row
    if target is LaunchTarget.SCRIPT:
        if tier not in (_RENT, *_OWNED):
            raise NotSupportedError(f"--to script is for owned, Mac and rented options; "
                                    f"{option_id} is tier {tier}")  # fmt: skip
        return None
    if tier != _RENT:
        raise NotSupportedError(
            f"--to {target.value} is for rented options (tier rent); {option_id} is tier {tier}"
        )
    return None


def _host(option: Mapping[str, Any], catalog: Catalog | None, free: FreeTierRow | None) -> Host:
    from spicetrader.catalog.load import load_catalog
    from spicetrader.catalog.schema import Vendor

    accel = (catalog or load_catalog()).accelerator(str(option["hardware"]))
    use = option.get("free_use") or {}
    hours = use.get("session_hours")
    return Host(
        family=accel.family, apple=accel.vendor is Vendor.APPLE,
        nvidia=accel.vendor is Vendor.NVIDIA, bf16=bool(accel.bf16),
        persistent_dir=free.persistent_dir if free else None,
        session_hours=float(hours) if free and hours else None,
    )  # fmt: skip


def _prepare(
    option: Mapping[str, Any], workload: Workload, target: LaunchTarget | None,
    catalog: Catalog | None,
) -> tuple[LaunchTarget, Recipe, FreeTierRow | None]:  # fmt: skip
    option_id = str(_required(option, "id"))
    _required(option, "tier")
    _required(option, "hardware")
    if option.get("fits") is False:
        raise NotSupportedError(f"option {option_id} does not fit in memory; nothing to launch")
    target = target or default_target(option)
    free = _check_target(option, target)
    recipe = build_recipe(option, workload, _host(option, catalog, free))
    return target, recipe, free


def render_launch(
    option: Mapping[str, Any],
    workload: Workload,
    target: LaunchTarget | None = None,
    *,
    catalog: Catalog | None = None,
) -> str:
    """The launch file's text for ``option`` (a dict of ``Plan.to_dict()["options"]``).

    ``target`` defaults to the tier's hand-off (:func:`default_target`). ``catalog`` (the one
    the plan was made with) pins the offer's instance type; the bundled one is used without it.
    NotSupportedError names what is missing when the planned job cannot be written (no
    checkpoint or flag for its precision, an engine the GPU does not run, a task without recipe).
    """
    return next(iter(launch_files(option, workload, target, "launch", catalog=catalog).values()))


def launch_files(
    option: Mapping[str, Any],
    workload: Workload,
    target: LaunchTarget | None,
    name: str,
    *,
    catalog: Catalog | None = None,
) -> dict[str, str]:
    """File name -> text for the launch (the main file first). ``name``: the main file's name
    (Kaggle's ``kernel-metadata.json`` refers to it)."""
    target, recipe, free = _prepare(option, workload, target, catalog)
    if target is LaunchTarget.SKYPILOT:
        return {name: _skypilot(option, recipe, recipe.devices, catalog)}
    if target is LaunchTarget.DSTACK:
        return {name: _dstack(option, recipe, recipe.devices)}
    if target is LaunchTarget.SCRIPT:
        from spicetrader.sources.launch_script import shell_script

        return {name: shell_script(option, recipe)}
    from spicetrader.sources.launch_colab import kaggle_metadata, notebook

    if free is None:  # _check_target returns the tier row for the notebook targets
        raise NotSupportedError(f"no notebook hand-off for {option.get('id')}")
    files = {name: notebook(option, workload, recipe, free)}
    if target is LaunchTarget.KAGGLE:
        files["kernel-metadata.json"] = kaggle_metadata(option, free, name)
    return files
